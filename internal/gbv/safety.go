package gbv

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// StepKinds are the kinds of safety plan steps.
var StepKinds = []string{"safe_contacts", "code_word", "what_to_take", "where_to_go", "other"}

// Step is one step of a safety plan.
type Step struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// SafetyInput is a safety plan as entered: its steps and when to review it.
type SafetyInput struct {
	Steps    []Step `json:"steps"`
	ReviewOn string `json:"review_on"`

	review time.Time
}

// Validate checks a safety plan made at now: at least one step, a review
// date after today.
func (in *SafetyInput) Validate(now time.Time) error {
	var steps []Step
	for _, st := range in.Steps {
		if err := checkText("steps", &st.Text, false, 2000); err != nil {
			return err
		}
		if st.Text == "" {
			continue
		}
		if !contains(StepKinds, st.Kind) {
			return errs.InvalidField("steps", "validation.invalid_choice")
		}
		steps = append(steps, st)
	}
	if len(steps) == 0 {
		return errs.InvalidField("steps", "gbv.safety.steps_required")
	}
	if len(steps) > 50 {
		return errs.InvalidField("steps", "validation.too_many").With(map[string]any{"max": 50})
	}
	in.Steps = steps
	var err error
	if in.review, err = parseDate("review_on", in.ReviewOn); err != nil {
		return err
	}
	if !in.review.After(now) {
		return errs.InvalidField("review_on", "validation.date_order")
	}
	return nil
}

// SafetyPlan is the safety plan in force on a case (the latest).
type SafetyPlan struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	Steps      []Step    `json:"steps"`
	ReviewOn   time.Time `json:"review_on"`
	CreatedBy  string    `json:"created_by"`
	CreatedOrg string    `json:"created_org"`
	CreatedAt  time.Time `json:"created_at"`
}

// RecordSafetyPlan records a new safety plan (it replaces the one in force)
// and schedules its review.
func (s *Service) RecordSafetyPlan(ctx context.Context, actor access.Actor, caseID string, in SafetyInput) (*SafetyPlan, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	p := &SafetyPlan{ID: store.NewID(), Steps: in.Steps, ReviewOn: in.review, CreatedBy: actor.UserID,
		CreatedOrg: actor.OrgID, CreatedAt: now}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVAssess)
		if err != nil {
			return err
		}
		p.CaseID = ref.ID
		b, _ := json.Marshal(p.Steps)
		enc, err := s.seal(ctx, tx, ref, "gbv_safety_plans", p.ID, "steps", b)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_safety_plans (id, case_id, steps_enc, review_on, created_by,
			created_org, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, ref.ID, enc, store.T(p.ReviewOn),
			p.CreatedBy, p.CreatedOrg, store.T(now)); err != nil {
			return errs.Internalf("insert safety plan: %w", err)
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.Schedule(ctx, tx, ref.ID, clocks.SafetyPlanReview, "gbv_safety_plans", p.ID, p.ReviewOn, actor.OrgID); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "gbv.safety_plan", "gbv_safety_plans", p.ID, "safety_plan.recorded")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) safetyPlan(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) (*SafetyPlan, error) {
	p := &SafetyPlan{CaseID: ref.ID}
	var review, created store.Time
	var enc []byte
	err := q.QueryRowContext(ctx, `SELECT id, steps_enc, review_on, created_by, created_org, created_at FROM gbv_safety_plans
		WHERE case_id = $1 ORDER BY created_at DESC, id LIMIT 1`, ref.ID).Scan(&p.ID, &enc, &review, &p.CreatedBy, &p.CreatedOrg, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.ReviewOn, p.CreatedAt = review.Time, created.Time
	text, err := open("gbv_safety_plans", p.ID, "steps", enc)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(text), &p.Steps); err != nil {
		return nil, err
	}
	return p, nil
}
