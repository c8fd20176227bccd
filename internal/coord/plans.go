package coord

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// PlanInput is a plan's own fields.
type PlanInput struct {
	Title, Kind, Start, End, Status, AdoptedBy string
}

// Validate trims and checks the fields; errors name the field.
func (in *PlanInput) Validate() error {
	if err := text("title", &in.Title, MaxTitle, true); err != nil {
		return err
	}
	if err := choice("kind", in.Kind, PlanKinds); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = "draft"
	}
	if err := choice("status", in.Status, PlanStates); err != nil {
		return err
	}
	if err := text("adopted_by", &in.AdoptedBy, MaxTitle, false); err != nil {
		return err
	}
	s, ok := parseDate(in.Start)
	if !ok {
		return errs.InvalidField("start", "coord.date_invalid")
	}
	e, ok := parseDate(in.End)
	if !ok {
		return errs.InvalidField("end", "coord.date_invalid")
	}
	if e.Before(s) {
		return errs.InvalidField("end", "coord.period_order")
	}
	if e.Year()-s.Year() > 15 {
		return errs.InvalidField("end", "coord.period_too_long")
	}
	in.Start, in.End = s.Format(dateLayout), e.Format(dateLayout)
	return nil
}

// ObjectiveInput is one objective.
type ObjectiveInput struct {
	Code, Kind, Pillar, Title string
}

func (in *ObjectiveInput) validate(p *Plan) error {
	if err := text("code", &in.Code, MaxCode, true); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = "specific"
	}
	if err := choice("kind", in.Kind, ObjectiveKinds); err != nil {
		return err
	}
	if err := choice("pillar", in.Pillar, Pillars); err != nil {
		return err
	}
	if err := text("title", &in.Title, MaxTitle, true); err != nil {
		return err
	}
	if p.objective(in.Code) != nil {
		return errs.InvalidField("code", "coord.code_taken")
	}
	return nil
}

// ActivityInput is one activity. The objective is named by its code; the
// institutions by id (LeadOrgID, SupportOrgIDs) as the page sends them.
type ActivityInput struct {
	ObjectiveCode, Code, Description, Output string
	LeadOrgID                                string
	SupportOrgIDs                            []string
	Deadline, Cost, Funding, BudgetProgramme string
}

// activity checks in against the plan p and the known institutions.
func (in *ActivityInput) validate(p *Plan, orgs map[string]*auth.Org) (*Activity, error) {
	if err := text("objective", &in.ObjectiveCode, MaxCode, true); err != nil {
		return nil, err
	}
	o := p.objective(in.ObjectiveCode)
	if o == nil {
		return nil, errs.InvalidField("objective", "coord.objective_unknown")
	}
	if err := text("code", &in.Code, MaxCode, true); err != nil {
		return nil, err
	}
	if p.activity(in.Code) != nil {
		return nil, errs.InvalidField("code", "coord.code_taken")
	}
	if err := text("description", &in.Description, MaxText, true); err != nil {
		return nil, err
	}
	if err := text("output", &in.Output, MaxText, false); err != nil {
		return nil, err
	}
	lead, ok := orgs[in.LeadOrgID]
	if !ok || !lead.Active {
		return nil, errs.InvalidField("lead", "coord.institution_unknown")
	}
	a := &Activity{PlanID: p.ID, ObjectiveID: o.ID, ObjectiveCode: o.Code, Code: in.Code, Description: in.Description,
		Output: in.Output, Lead: Org{lead.ID, lead.Name}}
	for _, id := range in.SupportOrgIDs {
		if id == "" || id == lead.ID || slices.ContainsFunc(a.Support, func(o Org) bool { return o.ID == id }) {
			continue
		}
		o, ok := orgs[id]
		if !ok || !o.Active {
			return nil, errs.InvalidField("support", "coord.institution_unknown")
		}
		a.Support = append(a.Support, Org{o.ID, o.Name})
	}
	norm, due, ok := ParseDeadline(in.Deadline)
	if !ok {
		return nil, errs.InvalidField("deadline", "coord.deadline_invalid")
	}
	if due < p.Start || due > p.End {
		return nil, errs.InvalidField("deadline", "coord.deadline_outside").With(map[string]any{"start": p.Start, "end": p.End})
	}
	a.Deadline, a.Due = norm, due
	cost, err := parseMoney("cost", in.Cost)
	if err != nil {
		return nil, err
	}
	a.CostEUR = cost
	if in.Funding == "" {
		in.Funding = "unfunded"
	}
	if err := choice("funding", in.Funding, Fundings); err != nil {
		return nil, err
	}
	a.Funding = in.Funding
	if err := text("budget_programme", &in.BudgetProgramme, 60, false); err != nil {
		return nil, err
	}
	a.BudgetProgramme = in.BudgetProgramme
	return a, nil
}

// IndicatorInput is one indicator. Targets are by year, as typed.
type IndicatorInput struct {
	ObjectiveCode, Code, Name, Level, Unit string
	Baseline, BaselineYear                 string
	Targets                                map[string]string
	Disaggregation                         []string
	Source                                 string
	// Measure and Filter make the indicator computed from Ura's data.
	Measure, Filter string
}

func (s *Service) validateIndicator(in *IndicatorInput, p *Plan) (*Indicator, error) {
	if err := text("objective", &in.ObjectiveCode, MaxCode, true); err != nil {
		return nil, err
	}
	o := p.objective(in.ObjectiveCode)
	if o == nil {
		return nil, errs.InvalidField("objective", "coord.objective_unknown")
	}
	if err := text("code", &in.Code, MaxCode, true); err != nil {
		return nil, err
	}
	if p.indicator(in.Code) != nil {
		return nil, errs.InvalidField("code", "coord.code_taken")
	}
	if err := text("name", &in.Name, MaxTitle, true); err != nil {
		return nil, err
	}
	if in.Level == "" {
		in.Level = "output"
	}
	if err := choice("level", in.Level, Levels); err != nil {
		return nil, err
	}
	if err := text("unit", &in.Unit, 60, false); err != nil {
		return nil, err
	}
	if err := text("source", &in.Source, MaxTitle, false); err != nil {
		return nil, err
	}
	ind := &Indicator{ObjectiveID: o.ID, ObjectiveCode: o.Code, Code: in.Code, Name: in.Name, Level: in.Level, Unit: in.Unit,
		Source: in.Source, Targets: map[int]float64{}}
	b, err := parseNumber("baseline", in.Baseline)
	if err != nil {
		return nil, err
	}
	ind.Baseline = b
	if y := strings.TrimSpace(in.BaselineYear); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1990 || n > 2200 {
			return nil, errs.InvalidField("baseline_year", "coord.year_invalid")
		}
		ind.BaselineYear = n
	}
	years := p.Years()
	for ys, vs := range in.Targets {
		if strings.TrimSpace(vs) == "" {
			continue
		}
		y, err := strconv.Atoi(strings.TrimSpace(ys))
		if err != nil || !slices.Contains(years, y) {
			return nil, errs.InvalidField("targets", "coord.target_year_outside").With(map[string]any{"year": ys, "start": p.Start, "end": p.End})
		}
		v, err := parseNumber("targets", vs)
		if err != nil {
			return nil, err
		}
		ind.Targets[y] = *v
	}
	for _, d := range in.Disaggregation {
		d = strings.TrimSpace(strings.ToLower(d))
		if d == "" || slices.Contains(ind.Disaggregation, d) {
			continue
		}
		if err := choice("disaggregation", d, Disaggregation); err != nil {
			return nil, err
		}
		ind.Disaggregation = append(ind.Disaggregation, d)
	}
	in.Measure, in.Filter = strings.TrimSpace(in.Measure), strings.TrimSpace(in.Filter)
	if in.Measure != "" {
		def, err := s.checkMeasure(in.Measure, in.Filter)
		if err != nil {
			return nil, err
		}
		ind.Measure, ind.Filter, ind.Definition = in.Measure, in.Filter, def
	} else if in.Filter != "" {
		return nil, errs.InvalidField("measure", "validation.required")
	}
	return ind, nil
}

func (p *Plan) objective(code string) *Objective {
	for _, o := range p.Objectives {
		if strings.EqualFold(o.Code, code) {
			return o
		}
	}
	return nil
}

func (p *Plan) activity(code string) *Activity {
	for _, a := range p.Activities {
		if strings.EqualFold(a.Code, code) {
			return a
		}
	}
	return nil
}

func (p *Plan) indicator(code string) *Indicator {
	for _, i := range p.Indicators {
		if strings.EqualFold(i.Code, code) {
			return i
		}
	}
	return nil
}

// Activity returns the plan's activity with the id.
func (p *Plan) Activity(id string) *Activity {
	for _, a := range p.Activities {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// ---- store ----

// CreatePlan stores a new plan (the secretariat).
func (s *Service) CreatePlan(ctx context.Context, actor access.Actor, in PlanInput) (string, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return "", err
	}
	if err := in.Validate(); err != nil {
		return "", err
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if err := insertPlan(ctx, tx, id, in); err != nil {
			return err
		}
		if err := s.history(ctx, tx, actor, TopicPlan, id, "plan_create", "", nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.plan_create", "plan", id)
	})
	return id, asErr(err)
}

func insertPlan(ctx context.Context, tx *store.Tx, id string, in PlanInput) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO coord_plans (id, title, kind, period_start, period_end, status, adopted_by,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		id, in.Title, in.Kind, in.Start, in.End, in.Status, in.AdoptedBy, store.T(tx.Now)); err != nil {
		return errs.Internalf("insert plan: %w", err)
	}
	return nil
}

func insertObjective(ctx context.Context, tx *store.Tx, planID string, pos int, o *Objective) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO coord_objectives (id, plan_id, code, kind, pillar, title, pos)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, o.ID, planID, o.Code, o.Kind, o.Pillar, o.Title, pos); err != nil {
		return errs.Internalf("insert objective: %w", err)
	}
	return nil
}

func insertActivity(ctx context.Context, tx *store.Tx, pos int, a *Activity) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO coord_activities (id, plan_id, objective_id, code, description, expected_output,
		lead_org_id, deadline, due, cost_eur, funding, budget_programme, pos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.PlanID, a.ObjectiveID, a.Code, a.Description, a.Output, a.Lead.ID, a.Deadline, a.Due, a.CostEUR, a.Funding,
		a.BudgetProgramme, pos); err != nil {
		return errs.Internalf("insert activity: %w", err)
	}
	for _, o := range a.Support {
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_activity_support (activity_id, org_id) VALUES ($1, $2)`, a.ID, o.ID); err != nil {
			return errs.Internalf("insert support: %w", err)
		}
	}
	return nil
}

func insertIndicator(ctx context.Context, tx *store.Tx, planID string, pos int, i *Indicator) error {
	var baseline any
	if i.Baseline != nil {
		baseline = *i.Baseline
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO coord_indicators (id, plan_id, objective_id, code, name, level, unit, baseline,
		baseline_year, disaggregation, data_source, measure, measure_filter, pos)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		i.ID, planID, i.ObjectiveID, i.Code, i.Name, i.Level, i.Unit, baseline, i.BaselineYear, strings.Join(i.Disaggregation, ","),
		i.Source, i.Measure, i.Filter, pos); err != nil {
		return errs.Internalf("insert indicator: %w", err)
	}
	for y, v := range i.Targets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_targets (indicator_id, year, value) VALUES ($1, $2, $3)`, i.ID, y, v); err != nil {
			return errs.Internalf("insert target: %w", err)
		}
	}
	return nil
}

// AddObjective adds an objective to a plan.
func (s *Service) AddObjective(ctx context.Context, actor access.Actor, planID string, in ObjectiveInput) error {
	return s.written(ctx, actor, planID, "coord.objective_add", func(tx *store.Tx, p *Plan) error {
		if err := in.validate(p); err != nil {
			return err
		}
		o := &Objective{ID: store.NewID(), Code: in.Code, Kind: in.Kind, Pillar: in.Pillar, Title: in.Title}
		if err := insertObjective(ctx, tx, p.ID, len(p.Objectives), o); err != nil {
			return err
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "objective_add", o.Code, nil)
	})
}

// AddActivity adds an activity to a plan.
func (s *Service) AddActivity(ctx context.Context, actor access.Actor, planID string, in ActivityInput) error {
	return s.written(ctx, actor, planID, "coord.activity_add", func(tx *store.Tx, p *Plan) error {
		orgs, err := auth.AllOrgs(ctx, tx)
		if err != nil {
			return err
		}
		a, err := in.validate(p, orgs)
		if err != nil {
			return err
		}
		a.ID = store.NewID()
		if err := insertActivity(ctx, tx, len(p.Activities), a); err != nil {
			return err
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "activity_add", a.Code, nil)
	})
}

// AddIndicator adds an indicator to a plan.
func (s *Service) AddIndicator(ctx context.Context, actor access.Actor, planID string, in IndicatorInput) error {
	return s.written(ctx, actor, planID, "coord.indicator_add", func(tx *store.Tx, p *Plan) error {
		ind, err := s.validateIndicator(&in, p)
		if err != nil {
			return err
		}
		ind.ID = store.NewID()
		if err := insertIndicator(ctx, tx, p.ID, len(p.Indicators), ind); err != nil {
			return err
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "indicator_add", ind.Code, nil)
	})
}

// SetValue records a manual indicator's value for a year of the plan.
func (s *Service) SetValue(ctx context.Context, actor access.Actor, planID, indicatorID, year, value string) error {
	return s.written(ctx, actor, planID, "coord.indicator_value", func(tx *store.Tx, p *Plan) error {
		var ind *Indicator
		for _, i := range p.Indicators {
			if i.ID == indicatorID {
				ind = i
			}
		}
		if ind == nil {
			return errNotFound
		}
		if ind.Computed() {
			return errs.InvalidField("value", "coord.value_computed")
		}
		y, err := strconv.Atoi(strings.TrimSpace(year))
		if err != nil || !slices.Contains(p.Years(), y) {
			return errs.InvalidField("year", "coord.target_year_outside").With(map[string]any{"year": year, "start": p.Start, "end": p.End})
		}
		v, err := parseNumber("value", value)
		if err != nil {
			return err
		}
		if v == nil {
			return errs.InvalidField("value", "validation.required")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM coord_measurements WHERE indicator_id = $1 AND year = $2`, ind.ID, y); err != nil {
			return errs.Internalf("replace value: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_measurements (indicator_id, year, value) VALUES ($1, $2, $3)`, ind.ID, y, *v); err != nil {
			return errs.Internalf("insert value: %w", err)
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "indicator_value", ind.Code, nil)
	})
}

// written runs f on a loaded plan in one transaction (the secretariat) and
// audits it.
func (s *Service) written(ctx context.Context, actor access.Actor, planID, action string, f func(tx *store.Tx, p *Plan) error) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		p, err := loadPlan(ctx, tx, planID, false)
		if err != nil {
			return err
		}
		if err := f(tx, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_plans SET version = version + 1, updated_at = $2 WHERE id = $1`, p.ID, store.T(tx.Now)); err != nil {
			return errs.Internalf("touch plan: %w", err)
		}
		return s.record(ctx, tx, actor, action, "plan", p.ID)
	})
	return asErr(err)
}

// canSee checks that the actor may read the plan: a monitor only the plans
// its organisation monitors.
func canSee(ctx context.Context, q store.Querier, a access.Actor, planID string) error {
	switch access.ScopeOf(a, access.CoordView) {
	case access.All:
		return nil
	case access.Org:
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_monitors WHERE plan_id = $1 AND org_id = $2`, planID, a.OrgID).Scan(&n); err != nil {
			return errs.Internalf("read monitors: %w", err)
		}
		if n > 0 {
			return nil
		}
		return errNotFound
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}

// PlanSummary is one line of the list of plans.
type PlanSummary struct {
	ID, Title, Kind, Start, End, Status string
	Activities                          int
}

// Plans lists the plans the actor may see, newest period first.
func (s *Service) Plans(ctx context.Context, actor access.Actor) ([]*PlanSummary, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	q := `SELECT p.id, p.title, p.kind, p.period_start, p.period_end, p.status,
		(SELECT COUNT(*) FROM coord_activities a WHERE a.plan_id = p.id) FROM coord_plans p`
	var args []any
	if access.ScopeOf(actor, access.CoordView) != access.All {
		q += ` WHERE p.id IN (SELECT m.plan_id FROM coord_monitors m WHERE m.org_id = $1)`
		args = append(args, actor.OrgID)
	}
	rows, err := s.DB.Read().QueryContext(ctx, q+` ORDER BY p.period_start DESC, p.title`, args...)
	if err != nil {
		return nil, errs.Internalf("list plans: %w", err)
	}
	defer rows.Close()
	var out []*PlanSummary
	for rows.Next() {
		var p PlanSummary
		if err := rows.Scan(&p.ID, &p.Title, &p.Kind, &p.Start, &p.End, &p.Status, &p.Activities); err != nil {
			return nil, errs.Internalf("list plans: %w", err)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// Plan returns a plan with its objectives, activities (each with its
// latest progress report), indicators (computed ones filled in from Ura's
// data), monitors and comments.
func (s *Service) Plan(ctx context.Context, actor access.Actor, id string) (*Plan, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	if err := canSee(ctx, q, actor, id); err != nil {
		return nil, err
	}
	p, err := loadPlan(ctx, q, id, true)
	if err != nil {
		return nil, err
	}
	if err := s.compute(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// loadPlan reads a plan; full adds the latest progress, values, monitors,
// comments and organisation names.
func loadPlan(ctx context.Context, q store.Querier, id string, full bool) (*Plan, error) {
	var p Plan
	var created store.Time
	err := q.QueryRowContext(ctx, `SELECT id, title, kind, period_start, period_end, status, adopted_by, version, created_at
		FROM coord_plans WHERE id = $1`, id).Scan(&p.ID, &p.Title, &p.Kind, &p.Start, &p.End, &p.Status, &p.AdoptedBy, &p.Version, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read plan: %w", err)
	}
	p.CreatedAt = created.Time
	rows, err := q.QueryContext(ctx, `SELECT id, code, kind, pillar, title FROM coord_objectives WHERE plan_id = $1 ORDER BY pos`, id)
	if err != nil {
		return nil, errs.Internalf("read objectives: %w", err)
	}
	objCode := map[string]string{}
	for rows.Next() {
		var o Objective
		if err := rows.Scan(&o.ID, &o.Code, &o.Kind, &o.Pillar, &o.Title); err != nil {
			rows.Close()
			return nil, errs.Internalf("read objectives: %w", err)
		}
		objCode[o.ID] = o.Code
		p.Objectives = append(p.Objectives, &o)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, objective_id, code, description, expected_output, lead_org_id, deadline, due, cost_eur,
		funding, budget_programme FROM coord_activities WHERE plan_id = $1 ORDER BY pos`, id)
	if err != nil {
		return nil, errs.Internalf("read activities: %w", err)
	}
	byID := map[string]*Activity{}
	for rows.Next() {
		a := &Activity{PlanID: id}
		if err := rows.Scan(&a.ID, &a.ObjectiveID, &a.Code, &a.Description, &a.Output, &a.Lead.ID, &a.Deadline, &a.Due, &a.CostEUR,
			&a.Funding, &a.BudgetProgramme); err != nil {
			rows.Close()
			return nil, errs.Internalf("read activities: %w", err)
		}
		a.ObjectiveCode = objCode[a.ObjectiveID]
		byID[a.ID] = a
		p.Activities = append(p.Activities, a)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, objective_id, code, name, level, unit, baseline, baseline_year, disaggregation,
		data_source, measure, measure_filter FROM coord_indicators WHERE plan_id = $1 ORDER BY pos`, id)
	if err != nil {
		return nil, errs.Internalf("read indicators: %w", err)
	}
	indByID := map[string]*Indicator{}
	for rows.Next() {
		i := &Indicator{Targets: map[int]float64{}, Values: map[int]float64{}}
		var baseline sql.NullFloat64
		var dis string
		if err := rows.Scan(&i.ID, &i.ObjectiveID, &i.Code, &i.Name, &i.Level, &i.Unit, &baseline, &i.BaselineYear, &dis,
			&i.Source, &i.Measure, &i.Filter); err != nil {
			rows.Close()
			return nil, errs.Internalf("read indicators: %w", err)
		}
		if baseline.Valid {
			v := baseline.Float64
			i.Baseline = &v
		}
		if dis != "" {
			i.Disaggregation = strings.Split(dis, ",")
		}
		i.ObjectiveCode = objCode[i.ObjectiveID]
		indByID[i.ID] = i
		p.Indicators = append(p.Indicators, i)
	}
	rows.Close()
	for _, t := range []struct {
		table string
		dst   func(*Indicator) map[int]float64
	}{{"coord_targets", func(i *Indicator) map[int]float64 { return i.Targets }},
		{"coord_measurements", func(i *Indicator) map[int]float64 { return i.Values }}} {
		rows, err = q.QueryContext(ctx, `SELECT t.indicator_id, t.year, t.value FROM `+t.table+` t
			JOIN coord_indicators i ON i.id = t.indicator_id WHERE i.plan_id = $1`, id)
		if err != nil {
			return nil, errs.Internalf("read targets: %w", err)
		}
		for rows.Next() {
			var iid string
			var y int
			var v float64
			if err := rows.Scan(&iid, &y, &v); err != nil {
				rows.Close()
				return nil, errs.Internalf("read targets: %w", err)
			}
			if i := indByID[iid]; i != nil {
				t.dst(i)[y] = v
			}
		}
		rows.Close()
	}
	if !full {
		return &p, nil
	}
	orgIDs := []string{}
	rows, err = q.QueryContext(ctx, `SELECT s.activity_id, s.org_id FROM coord_activity_support s
		JOIN coord_activities a ON a.id = s.activity_id WHERE a.plan_id = $1 ORDER BY s.org_id`, id)
	if err != nil {
		return nil, errs.Internalf("read support: %w", err)
	}
	for rows.Next() {
		var aid, oid string
		if err := rows.Scan(&aid, &oid); err != nil {
			rows.Close()
			return nil, errs.Internalf("read support: %w", err)
		}
		if a := byID[aid]; a != nil {
			a.Support = append(a.Support, Org{ID: oid})
			orgIDs = append(orgIDs, oid)
		}
	}
	rows.Close()
	// The latest report of each activity.
	rows, err = q.QueryContext(ctx, `SELECT `+progressColumns+` FROM coord_progress p WHERE p.plan_id = $1 ORDER BY p.period`, id)
	if err != nil {
		return nil, errs.Internalf("read progress: %w", err)
	}
	for rows.Next() {
		r, err := scanProgress(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if a := byID[r.ActivityID]; a != nil {
			a.Latest = r
		}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT l.activity_id, COUNT(*) FROM coord_rec_links l JOIN coord_activities a ON a.id = l.activity_id
		WHERE a.plan_id = $1 GROUP BY l.activity_id`, id)
	if err != nil {
		return nil, errs.Internalf("read links: %w", err)
	}
	for rows.Next() {
		var aid string
		var n int
		if err := rows.Scan(&aid, &n); err != nil {
			rows.Close()
			return nil, errs.Internalf("read links: %w", err)
		}
		if a := byID[aid]; a != nil {
			a.Recommendations = n
		}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT org_id FROM coord_monitors WHERE plan_id = $1`, id)
	if err != nil {
		return nil, errs.Internalf("read monitors: %w", err)
	}
	for rows.Next() {
		var oid string
		if err := rows.Scan(&oid); err != nil {
			rows.Close()
			return nil, errs.Internalf("read monitors: %w", err)
		}
		p.Monitors = append(p.Monitors, Org{ID: oid})
		orgIDs = append(orgIDs, oid)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, org_id, body, created_at FROM coord_comments WHERE plan_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("read comments: %w", err)
	}
	for rows.Next() {
		var c Comment
		var at store.Time
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Body, &at); err != nil {
			rows.Close()
			return nil, errs.Internalf("read comments: %w", err)
		}
		c.CreatedAt = at.Time
		p.Comments = append(p.Comments, &c)
		orgIDs = append(orgIDs, c.OrgID)
	}
	rows.Close()
	for _, a := range p.Activities {
		orgIDs = append(orgIDs, a.Lead.ID)
	}
	orgs, err := auth.OrgsByID(ctx, q, orgIDs)
	if err != nil {
		return nil, err
	}
	name := func(id string) string {
		if o := orgs[id]; o != nil {
			return o.Name
		}
		return id
	}
	for _, a := range p.Activities {
		a.Lead.Name = name(a.Lead.ID)
		for i := range a.Support {
			a.Support[i].Name = name(a.Support[i].ID)
		}
	}
	for i := range p.Monitors {
		p.Monitors[i].Name = name(p.Monitors[i].ID)
	}
	sort.Slice(p.Monitors, func(i, j int) bool { return p.Monitors[i].Name < p.Monitors[j].Name })
	for _, c := range p.Comments {
		c.OrgName = name(c.OrgID)
	}
	return &p, nil
}

// Institutions lists the active organisations a plan may name, by name.
func (s *Service) Institutions(ctx context.Context, actor access.Actor) ([]Org, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	all, err := auth.AllOrgs(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	var out []Org
	for _, o := range all {
		if o.Active {
			out = append(out, Org{o.ID, o.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// AddMonitor lets a civil-society organisation monitor a plan.
func (s *Service) AddMonitor(ctx context.Context, actor access.Actor, planID, orgID string) error {
	return s.written(ctx, actor, planID, "coord.monitor_add", func(tx *store.Tx, p *Plan) error {
		ok, active, err := auth.OrgActive(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if !ok || !active {
			return errs.InvalidField("org", "coord.institution_unknown")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM coord_monitors WHERE plan_id = $1 AND org_id = $2`, p.ID, orgID); err != nil {
			return errs.Internalf("monitor: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_monitors (plan_id, org_id) VALUES ($1, $2)`, p.ID, orgID); err != nil {
			return errs.Internalf("monitor: %w", err)
		}
		return s.history(ctx, tx, actor, TopicPlan, p.ID, "monitor_add", "", nil)
	})
}

// AddComment records a comment on a plan: a monitor on a plan it monitors,
// or the secretariat.
func (s *Service) AddComment(ctx context.Context, actor access.Actor, planID, body string) error {
	if err := access.Check(actor, access.CoordComment); err != nil {
		return err
	}
	if err := text("body", &body, MaxText, true); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if access.ScopeOf(actor, access.CoordComment) != access.All {
			if err := canSee(ctx, tx, actor, planID); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_plans WHERE id = $1`, planID).Scan(&n); err != nil {
			return errs.Internalf("read plan: %w", err)
		}
		if n == 0 {
			return errNotFound
		}
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_comments (id, plan_id, org_id, user_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, planID, actor.OrgID, actor.UserID, body, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert comment: %w", err)
		}
		return s.record(ctx, tx, actor, "coord.comment", "plan", planID)
	})
	return asErr(err)
}
