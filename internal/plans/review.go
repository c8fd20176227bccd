package plans

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// ReviewInput is a case review: when it was held, which organisations took
// part, what was decided, and when the next review is due.
type ReviewInput struct {
	HeldOn       string   `json:"held_on"`
	Participants []string `json:"participants"`
	Outcome      string   `json:"outcome"`
	NextReviewOn string   `json:"next_review_on"`

	held, next time.Time
}

// Validate checks a review recorded at now: held in the past, the next one
// after it.
func (in *ReviewInput) Validate(now time.Time) error {
	var err error
	if in.held, err = parseDate("held_on", in.HeldOn, time.Time{}); err != nil {
		return err
	}
	if in.held.After(now.Add(24 * time.Hour)) {
		return errs.InvalidField("held_on", "validation.date_future")
	}
	if len(in.Participants) == 0 {
		return errs.InvalidField("participants", "validation.required")
	}
	if len(in.Participants) > 50 {
		return errs.InvalidField("participants", "validation.too_many").With(map[string]any{"max": 50})
	}
	for _, p := range in.Participants {
		if !idRE.MatchString(p) {
			return errs.InvalidField("participants", "plan.org_unknown")
		}
	}
	if err := checkText("outcome", &in.Outcome, true); err != nil {
		return err
	}
	if in.next, err = parseDate("next_review_on", in.NextReviewOn, time.Time{}); err != nil {
		return err
	}
	if !in.next.After(in.held) {
		return errs.InvalidField("next_review_on", "validation.date_order")
	}
	return nil
}

// Review is a recorded case review.
type Review struct {
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	HeldOn       time.Time `json:"held_on"`
	Participants []string  `json:"participants"`
	Outcome      string    `json:"outcome"`
	NextReviewOn time.Time `json:"next_review_on"`
	RecordedBy   string    `json:"recorded_by"`
	RecordedOrg  string    `json:"recorded_org"`
}

// RecordReview records a case review and schedules the next one (against
// the plan in force, if any) for the recording organisation.
func (s *Service) RecordReview(ctx context.Context, actor access.Actor, caseID string, in ReviewInput) (*Review, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	r := &Review{ID: store.NewID(), HeldOn: in.held, Participants: in.Participants, Outcome: in.Outcome,
		NextReviewOn: in.next, RecordedBy: actor.UserID, RecordedOrg: actor.OrgID}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.PlanWrite)
		if err != nil {
			return err
		}
		r.CaseID = ref.ID
		if s.Orgs != nil {
			for _, p := range r.Participants {
				if _, err := s.Orgs.FindOrgByID(ctx, access.SystemActor, p); err != nil {
					return errs.InvalidField("participants", "plan.org_unknown").Wrap(err)
				}
			}
		}
		enc, err := seal(ctx, s.Vault, tx, ref, "case_reviews", r.ID, "outcome", r.Outcome)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_reviews (id, case_id, held_on, participants, outcome_enc,
			next_review_on, recorded_by, recorded_org, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, ref.ID, store.T(r.HeldOn), strings.Join(r.Participants, ","), enc, store.T(r.NextReviewOn),
			r.RecordedBy, r.RecordedOrg, store.T(now)); err != nil {
			return errs.Internalf("insert review: %w", err)
		}
		planID := r.ID
		var active string
		err = tx.QueryRowContext(ctx, `SELECT id FROM care_plans WHERE case_id = $1 AND status = 'active'`, ref.ID).Scan(&active)
		switch {
		case err == nil:
			planID = active
			if _, err := tx.ExecContext(ctx, `UPDATE care_plans SET review_due_on = $1 WHERE id = $2`, store.T(r.NextReviewOn), active); err != nil {
				return errs.Internalf("plan review date: %w", err)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return errs.Internalf("active plan: %w", err)
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.PlanReview(ctx, tx, ref.ID, planID, r.NextReviewOn, actor.OrgID); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "plan.review", "case_reviews", r.ID, "review.held")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return r, nil
}

// CareView is everything plans hold for a case, for its page: the risk and
// needs assessments (newest first), the plan in force, the reviews.
type CareView struct {
	Risks   []*RiskAssessment  `json:"risk_assessments"`
	Needs   []*NeedsAssessment `json:"needs_assessments"`
	Plan    *Plan              `json:"plan"`
	Reviews []*Review          `json:"reviews"`
}

// View returns a case's assessments, plan and reviews, audited as one read.
func (s *Service) View(ctx context.Context, actor access.Actor, caseID string) (*CareView, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.PlanRead)
	if err != nil {
		return nil, err
	}
	v := &CareView{}
	if err := s.Vault.Warm(ctx, q, ref.KeyID); err != nil {
		return nil, errs.Internalf("plan key: %w", err)
	}
	open := func(table, id, field string, enc []byte) (string, error) {
		if enc == nil {
			return "", nil
		}
		return s.Vault.OpenString(ctx, q, ref.KeyID, vault.AAD{Table: table, Row: id, Field: field}, enc)
	}
	err = each(ctx, q, `SELECT id, level, assessed_on, next_due_on, assessed_by, assessed_org, threats_enc
		FROM risk_assessments WHERE case_id = $1 ORDER BY assessed_on DESC, created_at DESC`, ref.ID, func(sc scanner) error {
		r := &RiskAssessment{CaseID: ref.ID}
		var on, next store.Time
		var enc []byte
		if err := sc.Scan(&r.ID, &r.Level, &on, &next, &r.AssessedBy, &r.AssessedOrg, &enc); err != nil {
			return err
		}
		r.AssessedOn, r.NextDueOn = on.Time, next.Time
		var err error
		r.Threats, err = open("risk_assessments", r.ID, "threats", enc)
		v.Risks = append(v.Risks, r)
		return err
	})
	if err == nil {
		err = each(ctx, q, `SELECT id, needs, assessed_on, assessed_by, assessed_org, remarks_enc FROM needs_assessments
			WHERE case_id = $1 ORDER BY assessed_on DESC, created_at DESC`, ref.ID, func(sc scanner) error {
			n := &NeedsAssessment{CaseID: ref.ID}
			var needs string
			var on store.Time
			var enc []byte
			if err := sc.Scan(&n.ID, &needs, &on, &n.AssessedBy, &n.AssessedOrg, &enc); err != nil {
				return err
			}
			n.Needs, n.AssessedOn = strings.Split(needs, ","), on.Time
			var err error
			n.Remarks, err = open("needs_assessments", n.ID, "remarks", enc)
			v.Needs = append(v.Needs, n)
			return err
		})
	}
	if err == nil {
		err = s.loadPlan(ctx, q, ref, v, open)
	}
	if err == nil {
		err = each(ctx, q, `SELECT id, held_on, participants, next_review_on, recorded_by, recorded_org, outcome_enc
			FROM case_reviews WHERE case_id = $1 ORDER BY held_on DESC, created_at DESC`, ref.ID, func(sc scanner) error {
			r := &Review{CaseID: ref.ID}
			var held, next store.Time
			var parts string
			var enc []byte
			if err := sc.Scan(&r.ID, &held, &parts, &next, &r.RecordedBy, &r.RecordedOrg, &enc); err != nil {
				return err
			}
			r.HeldOn, r.NextReviewOn, r.Participants = held.Time, next.Time, strings.Split(parts, ",")
			var err error
			r.Outcome, err = open("case_reviews", r.ID, "outcome", enc)
			v.Reviews = append(v.Reviews, r)
			return err
		})
	}
	if err != nil {
		return nil, errs.Internalf("care view: %w", err)
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "plan.read",
		ObjectType: "case", ObjectID: ref.Reference}); err != nil {
		return nil, errs.Internalf("audit plan read: %w", err)
	}
	return v, nil
}

func (s *Service) loadPlan(ctx context.Context, q store.Querier, ref *cases.Ref, v *CareView, open func(table, id, field string, enc []byte) (string, error)) error {
	p := &Plan{CaseID: ref.ID}
	var starts, review store.Time
	err := q.QueryRowContext(ctx, `SELECT id, status, starts_on, review_due_on, created_by, created_org FROM care_plans
		WHERE case_id = $1 AND status = 'active'`, ref.ID).Scan(&p.ID, &p.Status, &starts, &review, &p.CreatedBy, &p.CreatedOrg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	p.StartsOn, p.ReviewDueOn = starts.Time, review.Time
	v.Plan = p
	return each(ctx, q, `SELECT id, support_type, responsible_org, due_on, progress, ended_on, goals_enc, actions_enc
		FROM care_plan_items WHERE plan_id = $1 ORDER BY due_on, id`, p.ID, func(sc scanner) error {
		it := &Item{PlanID: p.ID}
		var due, ended store.Time
		var goals, actions []byte
		if err := sc.Scan(&it.ID, &it.Type, &it.ResponsibleOrg, &due, &it.Progress, &ended, &goals, &actions); err != nil {
			return err
		}
		it.DueOn, it.EndedOn = due.Time, ended.Time
		var err error
		if it.Goals, err = open("care_plan_items", it.ID, "goals", goals); err != nil {
			return err
		}
		it.Actions, err = open("care_plan_items", it.ID, "actions", actions)
		p.Items = append(p.Items, it)
		return err
	})
}

type scanner interface{ Scan(...any) error }

// each runs f over the rows of a query with one argument.
func each(ctx context.Context, q store.Querier, query string, arg any, f func(scanner) error) error {
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
