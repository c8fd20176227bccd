package plans

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

var idRE = regexp.MustCompile(`^[a-z2-9]{26}$`)

// ItemInput is one goal of the plan (HTCDS spl_Type, Objectives,
// ActionPlan, PlannedEndDate) and the organisation responsible for it.
type ItemInput struct {
	Type           string `json:"type"`
	Goals          string `json:"goals"`
	Actions        string `json:"actions"`
	ResponsibleOrg string `json:"responsible_org"`
	DueOn          string `json:"due_on"`

	due time.Time
}

// Validate checks an item; field names are prefixed for items of a plan.
func (in *ItemInput) Validate(prefix string) error {
	if !contains(SupportTypes, in.Type) {
		if in.Type == "" {
			return errs.InvalidField(prefix+"type", "validation.required")
		}
		return errs.InvalidField(prefix+"type", "validation.invalid_choice")
	}
	if err := checkText(prefix+"goals", &in.Goals, true); err != nil {
		return err
	}
	if err := checkText(prefix+"actions", &in.Actions, true); err != nil {
		return err
	}
	if !idRE.MatchString(in.ResponsibleOrg) {
		return errs.InvalidField(prefix+"responsible_org", "plan.org_unknown")
	}
	var err error
	in.due, err = parseDate(prefix+"due_on", in.DueOn, time.Time{})
	return err
}

// PlanInput is a new assistance and reintegration plan.
type PlanInput struct {
	StartsOn    string      `json:"starts_on"`
	ReviewDueOn string      `json:"review_due_on"`
	Items       []ItemInput `json:"items"`

	starts, review time.Time
}

// MaxItems bounds the items of one plan.
const MaxItems = 50

// Validate checks a plan made at now: the first review is after the start.
func (in *PlanInput) Validate(now time.Time) error {
	var err error
	if in.starts, err = parseDate("starts_on", in.StartsOn, now); err != nil {
		return err
	}
	if in.review, err = parseDate("review_due_on", in.ReviewDueOn, in.starts.Add(90*24*time.Hour)); err != nil {
		return err
	}
	if !in.review.After(in.starts) {
		return errs.InvalidField("review_due_on", "validation.date_order")
	}
	if len(in.Items) > MaxItems {
		return errs.InvalidField("items", "validation.too_many").With(map[string]any{"max": MaxItems})
	}
	for i := range in.Items {
		if err := in.Items[i].Validate("items." + strconv.Itoa(i) + "."); err != nil {
			return err
		}
	}
	return nil
}

// Plan is an assistance and reintegration plan with its items.
type Plan struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Status      string    `json:"status"`
	StartsOn    time.Time `json:"starts_on"`
	ReviewDueOn time.Time `json:"review_due_on"`
	CreatedBy   string    `json:"created_by"`
	CreatedOrg  string    `json:"created_org"`
	Items       []*Item   `json:"items"`
}

// Item is one goal of a plan.
type Item struct {
	ID             string    `json:"id"`
	PlanID         string    `json:"plan_id"`
	Type           string    `json:"type"`
	Goals          string    `json:"goals"`
	Actions        string    `json:"actions"`
	ResponsibleOrg string    `json:"responsible_org"`
	DueOn          time.Time `json:"due_on"`
	Progress       string    `json:"progress"`
	EndedOn        time.Time `json:"ended_on,omitzero"`
}

// CreatePlan records a new plan for a case (closing the one in force, if
// any: a case has one plan at a time) and schedules its first review.
func (s *Service) CreatePlan(ctx context.Context, actor access.Actor, caseID string, in PlanInput) (*Plan, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	p := &Plan{ID: store.NewID(), Status: "active", StartsOn: in.starts, ReviewDueOn: in.review,
		CreatedBy: actor.UserID, CreatedOrg: actor.OrgID}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.PlanWrite)
		if err != nil {
			return err
		}
		p.CaseID = ref.ID
		if _, err := tx.ExecContext(ctx, `UPDATE care_plans SET status = 'closed' WHERE case_id = $1 AND status = 'active'`, ref.ID); err != nil {
			return errs.Internalf("close plan: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO care_plans (id, case_id, status, starts_on, review_due_on, created_by,
			created_org, created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6, $7)`, p.ID, ref.ID, store.T(p.StartsOn),
			store.T(p.ReviewDueOn), p.CreatedBy, p.CreatedOrg, store.T(now)); err != nil {
			return errs.Internalf("insert plan: %w", err)
		}
		for i := range in.Items {
			it, err := s.insertItem(ctx, tx, actor, ref, p.ID, &in.Items[i], "items."+strconv.Itoa(i)+".")
			if err != nil {
				return err
			}
			p.Items = append(p.Items, it)
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.PlanReview(ctx, tx, ref.ID, p.ID, p.ReviewDueOn, actor.OrgID); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "plan.create", "care_plans", p.ID, "plan.created")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return p, nil
}

func (s *Service) insertItem(ctx context.Context, tx *store.Tx, actor access.Actor, ref *cases.Ref, planID string, in *ItemInput, prefix string) (*Item, error) {
	if s.Orgs != nil {
		if _, err := s.Orgs.FindOrgByID(ctx, access.SystemActor, in.ResponsibleOrg); err != nil {
			return nil, errs.InvalidField(prefix+"responsible_org", "plan.org_unknown").Wrap(err)
		}
	}
	it := &Item{ID: store.NewID(), PlanID: planID, Type: in.Type, Goals: in.Goals, Actions: in.Actions,
		ResponsibleOrg: in.ResponsibleOrg, DueOn: in.due, Progress: "planned"}
	goals, err := seal(ctx, s.Vault, tx, ref, "care_plan_items", it.ID, "goals", it.Goals)
	if err != nil {
		return nil, err
	}
	actions, err := seal(ctx, s.Vault, tx, ref, "care_plan_items", it.ID, "actions", it.Actions)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO care_plan_items (id, plan_id, case_id, support_type, responsible_org, due_on,
		progress, goals_enc, actions_enc, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9, $10, $10)`,
		it.ID, planID, ref.ID, it.Type, it.ResponsibleOrg, store.T(it.DueOn), goals, actions, actor.UserID, store.T(tx.Now)); err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			return nil, errs.InvalidField(prefix+"responsible_org", "plan.org_unknown")
		}
		return nil, errs.Internalf("insert plan item: %w", err)
	}
	return it, nil
}

// planCase finds the case of a plan.
func planCase(ctx context.Context, q store.Querier, planID string) (caseID, status string, err error) {
	err = q.QueryRowContext(ctx, `SELECT case_id, status FROM care_plans WHERE id = $1`, planID).Scan(&caseID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errs.E(errs.NotFound, "plan.not_found")
	}
	if err != nil {
		return "", "", errs.Internalf("plan: %w", err)
	}
	return caseID, status, nil
}

// AddItem adds an item to a plan in force.
func (s *Service) AddItem(ctx context.Context, actor access.Actor, planID string, in ItemInput) (*Item, error) {
	if err := in.Validate(""); err != nil {
		return nil, err
	}
	var it *Item
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		caseID, status, err := planCase(ctx, tx, planID)
		if err != nil {
			return err
		}
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.PlanWrite)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "plan.not_found")
		}
		if err != nil {
			return err
		}
		if status != "active" {
			return errs.E(errs.Conflict, "plan.closed")
		}
		if it, err = s.insertItem(ctx, tx, actor, ref, planID, &in, ""); err != nil {
			return err
		}
		return written(ctx, tx, actor, ref, "plan.item_add", "care_plan_items", it.ID, "plan.item_added:"+it.Type)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return it, nil
}

// SetProgress records an item's progress; done and cancelled end it on endedOn
// (default today).
func (s *Service) SetProgress(ctx context.Context, actor access.Actor, itemID, progress, endedOn string) error {
	if !contains(Progress, progress) {
		return errs.InvalidField("progress", "validation.invalid_choice")
	}
	now := s.Clock.Now()
	var ended store.Time
	if progress == "done" || progress == "cancelled" {
		t, err := parseDate("ended_on", endedOn, now)
		if err != nil {
			return err
		}
		ended = store.T(t)
	}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var caseID string
		err := tx.QueryRowContext(ctx, `SELECT case_id FROM care_plan_items WHERE id = $1`+tx.ForUpdate(), itemID).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "plan.not_found")
		}
		if err != nil {
			return errs.Internalf("plan item: %w", err)
		}
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.PlanWrite)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "plan.not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE care_plan_items SET progress = $1, ended_on = $2, updated_at = $3 WHERE id = $4`,
			progress, ended, store.T(now), itemID); err != nil {
			return errs.Internalf("plan progress: %w", err)
		}
		return written(ctx, tx, actor, ref, "plan.progress", "care_plan_items", itemID, "plan.progress:"+progress)
	})
	if err != nil {
		return errs.As(err)
	}
	return nil
}
