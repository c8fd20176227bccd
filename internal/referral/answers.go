package referral

import (
	"context"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Accept answers a pending referral to the actor's organisation with yes:
// the organisation joins the case team (via referral) and, for a shelter,
// a bed is reserved until the admission. Two users answering at once: the
// row lock and the state check let exactly one win; the other gets a
// conflict naming the state it found.
func (s *Service) Accept(ctx context.Context, actor access.Actor, id string) (*Referral, error) {
	if err := access.Check(actor, access.ReferralAnswer); err != nil {
		return nil, err
	}
	var out *Referral
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		r, err := s.lockReferral(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := answerable(actor, r, StatePending); err != nil {
			return err
		}
		o, err := s.loadService(ctx, tx, r.ServiceID, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !o.Active || !o.OrgActive {
			return errs.E(errs.Conflict, "referral.provider_inactive")
		}
		if IsShelter(o.Type) && o.BedsFree() <= 0 {
			return errs.E(errs.Conflict, "referral.shelter_full")
		}
		if err := setState(ctx, tx, actor, r, StateAccepted, `, answered_at = $4, answered_by = $5`,
			store.T(tx.Now), actor.UserID); err != nil {
			return err
		}
		r.State = StateAccepted
		if err := s.Cases.AddTeamMember(ctx, tx, actor, r.CaseID, actor.OrgID, "", cases.ViaReferral); err != nil {
			return err
		}
		if err := s.answered(ctx, tx, actor, r, "accepted", "", NotifyAccepted); err != nil {
			return err
		}
		if ref, err := s.caseRef(ctx, tx, r.CaseID); err == nil && ref.IsChild {
			if err := s.informSocialWork(ctx, tx, actor, r, NotifyAccepted); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// DeclineInput is a refusal: a code for statistics and a reason for the
// sender (sealed with the case's key).
type DeclineInput struct {
	Reason string `json:"reason"`
	Code   string `json:"code,omitempty"`
}

// DeclineCodes are why receivers decline.
var DeclineCodes = []string{"no_capacity", "not_eligible", "security", "person_declined", "other"}

// Decline answers a pending referral with no. The sender is notified; the
// referral's view proposes the next fitting service of the same type.
func (s *Service) Decline(ctx context.Context, actor access.Actor, id string, in DeclineInput) (*Referral, error) {
	if err := access.Check(actor, access.ReferralAnswer); err != nil {
		return nil, err
	}
	if in.Code == "" {
		in.Code = "other"
	}
	if !contains(DeclineCodes, in.Code) {
		return nil, errs.InvalidField("code", "validation.invalid_choice")
	}
	if err := checkReason(&in.Reason, 1); err != nil {
		return nil, err
	}
	var out *Referral
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		r, err := s.lockReferral(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := answerable(actor, r, StatePending); err != nil {
			return err
		}
		ref, err := s.caseRef(ctx, tx, r.CaseID)
		if err != nil {
			return err
		}
		enc, err := s.Vault.SealString(ctx, tx, ref.KeyID, reasonAAD(r.ID, "decline_reason"), in.Reason)
		if err != nil {
			return errs.Internalf("seal reason: %w", err)
		}
		if err := setState(ctx, tx, actor, r, StateDeclined,
			`, answered_at = $4, answered_by = $5, decline_code = $6, decline_reason_enc = $7`,
			store.T(tx.Now), actor.UserID, in.Code, enc); err != nil {
			return err
		}
		r.State, r.DeclineCode = StateDeclined, in.Code
		if err := s.answered(ctx, tx, actor, r, "declined", ";code="+in.Code, NotifyDeclined); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// Withdraw takes back a pending referral: its sender's organisation only.
func (s *Service) Withdraw(ctx context.Context, actor access.Actor, id string) (*Referral, error) {
	if err := access.Check(actor, access.ReferralCreate); err != nil {
		return nil, err
	}
	var out *Referral
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		r, err := s.lockReferral(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if actor.OrgID != r.FromOrg {
			return errs.E(errs.Forbidden, "referral.not_sender")
		}
		if r.State != StatePending {
			return errs.E(errs.Conflict, "referral.already_answered").With(map[string]any{"state": r.State})
		}
		if err := setState(ctx, tx, actor, r, StateWithdrawn, `, answered_at = $4, answered_by = $5`,
			store.T(tx.Now), actor.UserID); err != nil {
			return err
		}
		r.State = StateWithdrawn
		out = r
		return s.answered(ctx, tx, actor, r, "withdrawn", "", "")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// Delivered is one service delivered under a referral, for reports.
type Delivered struct {
	On      string `json:"on"`      // YYYY-MM-DD
	Minutes int    `json:"minutes"` // duration; 0 when not counted (a night in a shelter)
}

// CompleteInput closes an accepted referral with its outcome and the
// services delivered under it.
type CompleteInput struct {
	Outcome   string      `json:"outcome"` // delivered | partly | not_delivered
	Delivered []Delivered `json:"delivered,omitempty"`
}

// Outcomes of a completed referral.
var Outcomes = []string{"delivered", "partly", "not_delivered"}

// Complete records that an accepted referral's service has ended, with the
// outcome, and logs each service delivered on the case (date, type,
// provider, duration).
func (s *Service) Complete(ctx context.Context, actor access.Actor, id string, in CompleteInput) (*Referral, error) {
	if err := access.Check(actor, access.ReferralAnswer); err != nil {
		return nil, err
	}
	if !contains(Outcomes, in.Outcome) {
		return nil, errs.InvalidField("outcome", "validation.invalid_choice")
	}
	if len(in.Delivered) > 366 {
		return nil, errs.InvalidField("delivered", "validation.too_many").With(map[string]any{"max": 366})
	}
	now := s.Clock.Now()
	for _, d := range in.Delivered {
		t, err := time.Parse("2006-01-02", d.On)
		if err != nil || !dateRE.MatchString(d.On) {
			return nil, errs.InvalidField("delivered.on", "validation.date")
		}
		if t.After(now) {
			return nil, errs.InvalidField("delivered.on", "validation.date_future")
		}
		if d.Minutes < 0 || d.Minutes > 24*60 {
			return nil, errs.InvalidField("delivered.minutes", "validation.invalid")
		}
	}
	var out *Referral
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		r, err := s.lockReferral(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := answerable(actor, r, StateAccepted); err != nil {
			return err
		}
		if err := setState(ctx, tx, actor, r, StateCompleted, `, completed_at = $4, outcome = $5`,
			store.T(tx.Now), in.Outcome); err != nil {
			return err
		}
		r.State, r.Outcome = StateCompleted, in.Outcome
		for _, d := range in.Delivered {
			did := store.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO services_delivered (id, case_id, referral_id, service_id, service_type,
				org_id, delivered_on, minutes, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				did, r.CaseID, r.ID, r.ServiceID, r.ServiceType, r.ToOrg, d.On, d.Minutes, actor.UserID, store.T(tx.Now)); err != nil {
				return errs.Internalf("insert delivered: %w", err)
			}
		}
		out = r
		return s.answered(ctx, tx, actor, r, "completed", ";outcome="+in.Outcome+";delivered="+strconv.Itoa(len(in.Delivered)), "")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// answered writes the timeline line and audit event of an answer and
// notifies the sender (kind "" notifies no one).
func (s *Service) answered(ctx context.Context, tx *store.Tx, actor access.Actor, r *Referral, verb, extra, kind string) error {
	if verb != "completed" { // answered_at was set by this answer: count it (stats_answers.go)
		if err := countAnswer(ctx, tx, s.DB.Engine, r.ID); err != nil {
			return err
		}
	}
	if err := timeline(ctx, tx, actor, r.CaseID, "referrals", r.ID, verb+";v=2;type="+r.ServiceType+extra); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, "referral."+verbAction(verb), "referral", r.ID, "", "case="+r.CaseRef+extra); err != nil {
		return err
	}
	if kind == "" {
		return nil
	}
	return s.notify(ctx, tx, Notification{OrgID: r.FromOrg, UserID: r.FromUser, Kind: kind, ObjectID: r.ID, CaseRef: r.CaseRef})
}

func verbAction(verb string) string {
	switch verb {
	case "accepted":
		return "accept"
	case "declined":
		return "decline"
	case "withdrawn":
		return "withdraw"
	}
	return "complete"
}

// caseRef reads a case's Ref for a referral already authorized when it was
// made: the receiver is not on the team yet, so the system reads it.
func (s *Service) caseRef(ctx context.Context, q store.Querier, caseID string) (*cases.Ref, error) {
	return s.Cases.Authorize(ctx, q, access.SystemActor, caseID, access.CaseView)
}
