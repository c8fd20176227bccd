package coord

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Editing what the secretariat recorded: a plan's own fields, its
// objectives, activities and indicators, recommendations, trainings and
// campaigns. Every edit is checked as its creation is (a deadline inside the
// plan's period, targets inside its years…), written in one transaction,
// and leaves an entry in the readable history naming the changed fields. An
// activity or indicator may be removed only while nothing was reported on
// it. A form carries the plan's version: a plan changed meanwhile refuses
// it (409), so sending it again is a decision made knowingly.

var errStale = errs.E(errs.Conflict, "coord.stale")

// checkVersion refuses a form made on an older version of the plan; an
// empty version (a caller that does not send one) is not checked.
func checkVersion(p *Plan, version string) error {
	if v := strings.TrimSpace(version); v != "" && v != strconv.Itoa(p.Version) {
		return errStale
	}
	return nil
}

// UpdatePlan changes a plan's own fields. A new period must still hold
// every activity's deadline and every indicator's targets and values.
func (s *Service) UpdatePlan(ctx context.Context, actor access.Actor, planID, version string, in PlanInput) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.written(ctx, actor, planID, "coord.plan_edit", func(tx *store.Tx, p *Plan) error {
		if err := checkVersion(p, version); err != nil {
			return err
		}
		np := &Plan{Start: in.Start, End: in.End}
		years := np.Years()
		for _, a := range p.Activities {
			if a.Due < in.Start || a.Due > in.End {
				return errs.InvalidField(periodField(a.Due < in.Start), "coord.period_excludes_activity").With(map[string]any{"code": a.Code, "deadline": a.Deadline})
			}
		}
		for _, i := range p.Indicators {
			for _, m := range []map[int]float64{i.Targets, i.Values} {
				for y := range m {
					if !slices.Contains(years, y) {
						return errs.InvalidField(periodField(y < years[0]), "coord.period_excludes_target").With(map[string]any{"code": i.Code, "year": y})
					}
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_plans SET title = $2, kind = $3, period_start = $4, period_end = $5, status = $6,
			adopted_by = $7 WHERE id = $1`, p.ID, in.Title, in.Kind, in.Start, in.End, in.Status, in.AdoptedBy); err != nil {
			return errs.Internalf("update plan: %w", err)
		}
		f := changed("title", p.Title, in.Title, "kind", p.Kind, in.Kind, "start", p.Start, in.Start, "end", p.End, in.End,
			"status", p.Status, in.Status, "adopted_by", p.AdoptedBy, in.AdoptedBy)
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "plan_edit", "", f)
	})
}

func periodField(before bool) string {
	if before {
		return "start"
	}
	return "end"
}

// UpdateObjective changes one objective of a plan.
func (s *Service) UpdateObjective(ctx context.Context, actor access.Actor, planID, objectiveID, version string, in ObjectiveInput) error {
	return s.written(ctx, actor, planID, "coord.objective_edit", func(tx *store.Tx, p *Plan) error {
		i, err := itemAt(p, version, p.Objectives, objectiveID, func(o *Objective) string { return o.ID })
		if err != nil {
			return err
		}
		old := p.Objectives[i]
		others := *p
		others.Objectives = slices.Delete(slices.Clone(p.Objectives), i, i+1)
		if err := in.validate(&others); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_objectives SET code = $2, kind = $3, pillar = $4, title = $5 WHERE id = $1`,
			old.ID, in.Code, in.Kind, in.Pillar, in.Title); err != nil {
			return errs.Internalf("update objective: %w", err)
		}
		f := changed("code", old.Code, in.Code, "kind", old.Kind, in.Kind, "pillar", old.Pillar, in.Pillar, "title", old.Title, in.Title)
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "objective_edit", in.Code, f)
	})
}

// UpdateActivity changes one activity of a plan, checked as a new one is.
func (s *Service) UpdateActivity(ctx context.Context, actor access.Actor, planID, activityID, version string, in ActivityInput) error {
	return s.written(ctx, actor, planID, "coord.activity_edit", func(tx *store.Tx, p *Plan) error {
		i, err := itemAt(p, version, p.Activities, activityID, func(a *Activity) string { return a.ID })
		if err != nil {
			return err
		}
		old := p.Activities[i]
		if err := loadSupport(ctx, tx, old); err != nil {
			return err
		}
		others := *p
		others.Activities = slices.Delete(slices.Clone(p.Activities), i, i+1)
		orgs, err := auth.AllOrgs(ctx, tx)
		if err != nil {
			return err
		}
		// An institution made inactive since may stay where it already was.
		for _, o := range append([]Org{old.Lead}, old.Support...) {
			if ao, ok := orgs[o.ID]; ok && !ao.Active {
				cp := *ao
				cp.Active = true
				orgs[o.ID] = &cp
			}
		}
		a, err := in.validate(&others, orgs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_activities SET objective_id = $2, code = $3, description = $4, expected_output = $5,
			lead_org_id = $6, deadline = $7, due = $8, cost_eur = $9, funding = $10, budget_programme = $11 WHERE id = $1`,
			old.ID, a.ObjectiveID, a.Code, a.Description, a.Output, a.Lead.ID, a.Deadline, a.Due, a.CostEUR, a.Funding,
			a.BudgetProgramme); err != nil {
			return errs.Internalf("update activity: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM coord_activity_support WHERE activity_id = $1`, old.ID); err != nil {
			return errs.Internalf("update support: %w", err)
		}
		for _, o := range a.Support {
			if _, err := tx.ExecContext(ctx, `INSERT INTO coord_activity_support (activity_id, org_id) VALUES ($1, $2)`, old.ID, o.ID); err != nil {
				return errs.Internalf("update support: %w", err)
			}
		}
		f := changed("objective", old.ObjectiveID, a.ObjectiveID, "code", old.Code, a.Code, "description", old.Description, a.Description,
			"output", old.Output, a.Output, "lead", old.Lead.ID, a.Lead.ID, "support", orgList(old.Support), orgList(a.Support),
			"deadline", old.Deadline, a.Deadline, "cost", fmt.Sprint(old.CostEUR), fmt.Sprint(a.CostEUR), "funding", old.Funding, a.Funding,
			"budget_programme", old.BudgetProgramme, a.BudgetProgramme)
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "activity_edit", a.Code, f)
	})
}

func orgList(os []Org) string {
	ids := make([]string, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// loadSupport reads an activity's supporting institutions (loadPlan reads
// them only for the page).
func loadSupport(ctx context.Context, q store.Querier, a *Activity) error {
	rows, err := q.QueryContext(ctx, `SELECT org_id FROM coord_activity_support WHERE activity_id = $1 ORDER BY org_id`, a.ID)
	if err != nil {
		return errs.Internalf("read support: %w", err)
	}
	defer rows.Close()
	a.Support = nil
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return errs.Internalf("read support: %w", err)
		}
		a.Support = append(a.Support, Org{ID: id})
	}
	return rows.Err()
}

// DeleteActivity removes an activity on which no progress was reported; its
// links to recommendations go with it, and trainings and campaigns that
// named it keep their records without it.
func (s *Service) DeleteActivity(ctx context.Context, actor access.Actor, planID, activityID, version string) error {
	return s.written(ctx, actor, planID, "coord.activity_delete", func(tx *store.Tx, p *Plan) error {
		if err := checkVersion(p, version); err != nil {
			return err
		}
		a := p.Activity(activityID)
		if a == nil {
			return errNotFound
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_progress WHERE activity_id = $1`, a.ID).Scan(&n); err != nil {
			return errs.Internalf("count reports: %w", err)
		}
		if n > 0 {
			return errs.E(errs.Conflict, "coord.delete_has_reports").With(map[string]any{"code": a.Code, "count": n})
		}
		for _, q := range []string{
			`DELETE FROM coord_activity_support WHERE activity_id = $1`,
			`DELETE FROM coord_rec_links WHERE activity_id = $1`,
			`UPDATE coord_trainings SET activity_id = NULL WHERE activity_id = $1`,
			`UPDATE coord_campaigns SET activity_id = NULL WHERE activity_id = $1`,
			`DELETE FROM coord_activities WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, a.ID); err != nil {
				return errs.Internalf("delete activity: %w", err)
			}
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "activity_delete", a.Code, nil)
	})
}

// UpdateIndicator changes one indicator, checked as a new one is (targets
// inside the plan's years, a computed indicator's measure and filter).
func (s *Service) UpdateIndicator(ctx context.Context, actor access.Actor, planID, indicatorID, version string, in IndicatorInput) error {
	return s.written(ctx, actor, planID, "coord.indicator_edit", func(tx *store.Tx, p *Plan) error {
		i, err := itemAt(p, version, p.Indicators, indicatorID, func(x *Indicator) string { return x.ID })
		if err != nil {
			return err
		}
		old := p.Indicators[i]
		others := *p
		others.Indicators = slices.Delete(slices.Clone(p.Indicators), i, i+1)
		ind, err := s.validateIndicator(&in, &others)
		if err != nil {
			return err
		}
		var baseline any
		if ind.Baseline != nil {
			baseline = *ind.Baseline
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_indicators SET objective_id = $2, code = $3, name = $4, level = $5, unit = $6,
			baseline = $7, baseline_year = $8, disaggregation = $9, data_source = $10, measure = $11, measure_filter = $12 WHERE id = $1`,
			old.ID, ind.ObjectiveID, ind.Code, ind.Name, ind.Level, ind.Unit, baseline, ind.BaselineYear,
			strings.Join(ind.Disaggregation, ","), ind.Source, ind.Measure, ind.Filter); err != nil {
			return errs.Internalf("update indicator: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM coord_targets WHERE indicator_id = $1`, old.ID); err != nil {
			return errs.Internalf("update targets: %w", err)
		}
		for y, v := range ind.Targets {
			if _, err := tx.ExecContext(ctx, `INSERT INTO coord_targets (indicator_id, year, value) VALUES ($1, $2, $3)`, old.ID, y, v); err != nil {
				return errs.Internalf("update targets: %w", err)
			}
		}
		f := changed("objective", old.ObjectiveID, ind.ObjectiveID, "code", old.Code, ind.Code, "name", old.Name, ind.Name,
			"level", old.Level, ind.Level, "unit", old.Unit, ind.Unit, "baseline", numText(old.Baseline), numText(ind.Baseline),
			"baseline_year", fmt.Sprint(old.BaselineYear), fmt.Sprint(ind.BaselineYear), "targets", targetText(old.Targets),
			targetText(ind.Targets), "disaggregation", strings.Join(old.Disaggregation, ","), strings.Join(ind.Disaggregation, ","),
			"source", old.Source, ind.Source, "measure", old.Measure, ind.Measure, "filter", old.Filter, ind.Filter)
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "indicator_edit", ind.Code, f)
	})
}

func numText(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func targetText(m map[int]float64) string {
	ys := make([]int, 0, len(m))
	for y := range m {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	var b strings.Builder
	for _, y := range ys {
		fmt.Fprintf(&b, "%d=%g;", y, m[y])
	}
	return b.String()
}

// DeleteIndicator removes an indicator for which no value was recorded.
func (s *Service) DeleteIndicator(ctx context.Context, actor access.Actor, planID, indicatorID, version string) error {
	return s.written(ctx, actor, planID, "coord.indicator_delete", func(tx *store.Tx, p *Plan) error {
		i, err := itemAt(p, version, p.Indicators, indicatorID, func(x *Indicator) string { return x.ID })
		if err != nil {
			return err
		}
		ind := p.Indicators[i]
		if n := len(ind.Values); n > 0 {
			return errs.E(errs.Conflict, "coord.delete_has_values").With(map[string]any{"code": ind.Code, "count": n})
		}
		for _, q := range []string{`DELETE FROM coord_targets WHERE indicator_id = $1`, `DELETE FROM coord_indicators WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, ind.ID); err != nil {
				return errs.Internalf("delete indicator: %w", err)
			}
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "indicator_delete", ind.Code, nil)
	})
}

// RecommendationEdit is a recommendation's editable fields.
type RecommendationEdit struct{ Code, Body, Priority, FollowUp string }

// UpdateRecommendation changes a recommendation's code, text, priority and
// follow-up status.
func (s *Service) UpdateRecommendation(ctx context.Context, actor access.Actor, id string, in RecommendationEdit) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	if err := text("code", &in.Code, MaxCode, false); err != nil {
		return err
	}
	if err := text("body", &in.Body, MaxText, true); err != nil {
		return err
	}
	if err := choice("priority", in.Priority, Priority); err != nil {
		return err
	}
	if err := choice("follow_up", in.FollowUp, FollowUp); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var old RecommendationEdit
		err := tx.QueryRowContext(ctx, `SELECT code, body, priority, follow_up FROM coord_recommendations WHERE id = $1`, id).
			Scan(&old.Code, &old.Body, &old.Priority, &old.FollowUp)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read recommendation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_recommendations SET code = $2, body = $3, priority = $4, follow_up = $5 WHERE id = $1`,
			id, in.Code, in.Body, in.Priority, in.FollowUp); err != nil {
			return errs.Internalf("update recommendation: %w", err)
		}
		f := changed("code", old.Code, in.Code, "body", old.Body, in.Body, "priority", old.Priority, in.Priority,
			"follow_up", old.FollowUp, in.FollowUp)
		if err := s.history(ctx, tx, actor, TopicRecommendations, "", "recommendation_edit", in.Code, f); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.recommendation_edit", "recommendation", id)
	})
	return asErr(err)
}

// activityID finds a plan's activity by code for a training or campaign;
// no code means none.
func activityID(ctx context.Context, tx *store.Tx, planID, code string) (any, error) {
	c := strings.TrimSpace(code)
	if c == "" {
		return nil, nil
	}
	var aid string
	err := tx.QueryRowContext(ctx, `SELECT id FROM coord_activities WHERE plan_id = $1 AND code = $2`, planID, c).Scan(&aid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.InvalidField("activity", "coord.activity_unknown").With(map[string]any{"code": c})
	}
	if err != nil {
		return nil, errs.Internalf("read activity: %w", err)
	}
	return aid, nil
}

// UpdateTraining changes a training's own fields (not its participants).
func (s *Service) UpdateTraining(ctx context.Context, actor access.Actor, id string, in TrainingInput) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	v, err := in.validate()
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var old struct {
			Title, Topic, Type, StartsOn, Venue, Trainers string
			Hours                                         int
			Activity                                      sql.NullString
		}
		err := tx.QueryRowContext(ctx, `SELECT title, topic, type, starts_on, hours, venue, trainers, activity_id FROM coord_trainings
			WHERE id = $1`, id).Scan(&old.Title, &old.Topic, &old.Type, &old.StartsOn, &old.Hours, &old.Venue, &old.Trainers, &old.Activity)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read training: %w", err)
		}
		act, err := activityID(ctx, tx, in.PlanID, in.ActivityCode)
		if err != nil {
			return err
		}
		trainers := strings.Join(split(in.Trainers), "\n")
		if _, err := tx.ExecContext(ctx, `UPDATE coord_trainings SET title = $2, topic = $3, type = $4, activity_id = $5, starts_on = $6,
			hours = $7, venue = $8, trainers = $9 WHERE id = $1`, id, in.Title, in.Topic, in.Type, act, v.startsOn, v.hours, in.Venue,
			trainers); err != nil {
			return errs.Internalf("update training: %w", err)
		}
		newAct, _ := act.(string)
		f := changed("title", old.Title, in.Title, "topic", old.Topic, in.Topic, "type", old.Type, in.Type, "starts_on", old.StartsOn,
			v.startsOn, "hours", fmt.Sprint(old.Hours), fmt.Sprint(v.hours), "venue", old.Venue, in.Venue, "trainers", old.Trainers, trainers,
			"activity", old.Activity.String, newAct)
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "training_edit", in.Title, f); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.training_edit", "training", id)
	})
	return asErr(err)
}

// UpdateCampaign changes a campaign's own fields (not its events); its
// events must stay inside its new dates. Public marks the campaign the
// portal may point to while it runs.
func (s *Service) UpdateCampaign(ctx context.Context, actor access.Actor, id string, in CampaignInput) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	v, err := in.validate()
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var old struct {
			Title, Theme, Audience, Channels, StartsOn, EndsOn string
			Budget                                             int64
			Public                                             int
			Activity                                           sql.NullString
		}
		err := tx.QueryRowContext(ctx, `SELECT title, theme, audience, channels, starts_on, ends_on, budget_eur, public, activity_id
			FROM coord_campaigns WHERE id = $1`, id).Scan(&old.Title, &old.Theme, &old.Audience, &old.Channels, &old.StartsOn, &old.EndsOn,
			&old.Budget, &old.Public, &old.Activity)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read campaign: %w", err)
		}
		var first, last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MIN(held_on), MAX(held_on) FROM coord_campaign_events WHERE campaign_id = $1`, id).
			Scan(&first, &last); err != nil {
			return errs.Internalf("read events: %w", err)
		}
		if first.Valid && first.String < v.startsOn {
			return errs.InvalidField("starts_on", "coord.campaign_excludes_event").With(map[string]any{"date": first.String})
		}
		if last.Valid && last.String > v.endsOn {
			return errs.InvalidField("ends_on", "coord.campaign_excludes_event").With(map[string]any{"date": last.String})
		}
		act, err := activityID(ctx, tx, in.PlanID, in.ActivityCode)
		if err != nil {
			return err
		}
		pub := 0
		if in.Public {
			pub = 1
		}
		channels := strings.Join(in.Channels, ",")
		if _, err := tx.ExecContext(ctx, `UPDATE coord_campaigns SET title = $2, theme = $3, audience = $4, channels = $5, activity_id = $6,
			starts_on = $7, ends_on = $8, budget_eur = $9, public = $10 WHERE id = $1`, id, in.Title, in.Theme, in.Audience, channels, act,
			v.startsOn, v.endsOn, v.budget, pub); err != nil {
			return errs.Internalf("update campaign: %w", err)
		}
		newAct, _ := act.(string)
		f := changed("title", old.Title, in.Title, "theme", old.Theme, in.Theme, "audience", old.Audience, in.Audience,
			"channels", old.Channels, channels, "starts_on", old.StartsOn, v.startsOn, "ends_on", old.EndsOn, v.endsOn,
			"budget", fmt.Sprint(old.Budget), fmt.Sprint(v.budget), "public", fmt.Sprint(old.Public), fmt.Sprint(pub),
			"activity", old.Activity.String, newAct)
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "campaign_edit", in.Title, f); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.campaign_edit", "campaign", id)
	})
	return asErr(err)
}

// itemAt checks that the form was made from the plan's current version and
// finds the item with id among items.
func itemAt[T any](p *Plan, version string, items []*T, id string, idOf func(*T) string) (int, error) {
	if err := checkVersion(p, version); err != nil {
		return -1, err
	}
	i := slices.IndexFunc(items, func(x *T) bool { return idOf(x) == id })
	if i < 0 {
		return -1, errNotFound
	}
	return i, nil
}
