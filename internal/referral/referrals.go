package referral

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// The states of a referral. Overdue is a flag on a pending referral, not a
// state: an overdue referral can still be answered.
const (
	StatePending   = "pending"
	StateAccepted  = "accepted"
	StateDeclined  = "declined"
	StateWithdrawn = "withdrawn"
	StateCompleted = "completed"
)

// States lists the referral states (a list filter names one).
var States = []string{StatePending, StateAccepted, StateDeclined, StateWithdrawn, StateCompleted}

// ReferralInput is a referral as the referring worker makes it. Reason is
// free text for the receiver; it is sealed with the case's key.
type ReferralInput struct {
	ServiceID string `json:"service_id"`
	Urgency   string `json:"urgency"`
	Reason    string `json:"reason"`
}

// MaxReason caps a referral's or a decline's reason, in characters.
const MaxReason = 4000

func checkReason(s *string, min int) error {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		return errs.InvalidField("reason", "validation.required")
	case !utf8.ValidString(*s) || utf8.RuneCountInString(*s) > MaxReason:
		return errs.InvalidField("reason", "validation.too_long").With(map[string]any{"max": MaxReason})
	case utf8.RuneCountInString(*s) < min:
		return errs.InvalidField("reason", "referral.reason_short").With(map[string]any{"min": min})
	}
	return nil
}

func reasonAAD(id, field string) vault.AAD {
	return vault.AAD{Table: "referrals", Row: id, Field: field}
}

// Create refers a case to a service. It refuses a service the case does
// not fit (the placement rules), a full shelter, a deactivated provider,
// and a referral the consent ledger does not cover — unless the referral
// is an emergency and the actor may override consent: then the override is
// recorded with the referral's reason and flagged for review.
func (s *Service) Create(ctx context.Context, actor access.Actor, caseID string, in ReferralInput) (*Referral, error) {
	if err := access.Check(actor, access.ReferralCreate); err != nil {
		return nil, err
	}
	ref, err := s.Cases.Authorize(ctx, s.DB.Read(), actor, caseID, access.ReferralCreate)
	if err != nil {
		return nil, err
	}
	if !contains(Urgencies, in.Urgency) {
		return nil, errs.InvalidField("urgency", "validation.invalid_choice")
	}
	if err := checkReason(&in.Reason, 1); err != nil {
		return nil, err
	}
	p, err := s.profile(ctx, ref, nil, nil)
	if err != nil {
		return nil, err
	}
	r := &Referral{ID: store.NewID(), CaseID: ref.ID, CaseRef: ref.Reference, Urgency: in.Urgency, State: StatePending,
		FromOrg: actor.OrgID, FromUser: actor.UserID}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if _, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.ReferralCreate); err != nil {
			return err
		}
		o, err := s.loadService(ctx, tx, in.ServiceID, tx.ForUpdate())
		if err != nil {
			return errs.InvalidField("service_id", "referral.service_not_found")
		}
		if err := fitsOrExplain(p, o, tx.Now.Format("2006-01-02")); err != nil {
			return err
		}
		if o.OrgID == actor.OrgID {
			return errs.InvalidField("service_id", "referral.to_self")
		}
		if s.ProviderGate != nil {
			if err := s.ProviderGate(ctx, tx, o.OrgID); err != nil {
				return err
			}
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals WHERE case_id = $1 AND service_id = $2
			AND state IN ('pending', 'accepted')`, ref.ID, o.ID).Scan(&open); err != nil {
			return errs.Internalf("read referrals: %w", err)
		}
		if open > 0 {
			return errs.E(errs.Conflict, "referral.duplicate")
		}
		basis, entry, err := s.consentFor(ctx, tx, actor, ref.ID, o, in)
		if err != nil {
			return err
		}
		enc, err := s.Vault.SealString(ctx, tx, ref.KeyID, reasonAAD(r.ID, "reason"), in.Reason)
		if err != nil {
			return errs.Internalf("seal reason: %w", err)
		}
		r.ServiceID, r.ServiceName, r.ServiceType, r.ToOrg, r.ConsentBasis = o.ID, o.Name, o.Type, o.OrgID, basis
		r.CreatedAt, r.Deadline = tx.Now, s.Config.Deadline(tx.Now, in.Urgency)
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, case_id, case_ref, service_id, service_type, from_org,
			from_user, to_org, urgency, state, deadline, consent_basis, consent_entry, reason_enc, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, $13, $14)`, r.ID, ref.ID, ref.Reference, o.ID,
			o.Type, actor.OrgID, actor.UserID, o.OrgID, in.Urgency, store.T(r.Deadline), basis, entry, enc, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert referral: %w", err)
		}
		summary := "sent;v=2;urgency=" + in.Urgency + ";type=" + o.Type + ";to=" + o.OrgID + ";consent=" + basis
		if err := timeline(ctx, tx, actor, ref.ID, "referrals", r.ID, summary); err != nil {
			return err
		}
		purpose := ""
		if basis == consent.ReasonOverride {
			purpose = "consent_override:" + entry
		}
		if err := record(ctx, tx, actor, "referral.create", "referral", r.ID, purpose,
			"case="+ref.Reference+",to="+o.OrgID+",urgency="+in.Urgency+",consent="+basis); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, Notification{OrgID: o.OrgID, Kind: NotifyReceived, ObjectID: r.ID, CaseRef: ref.Reference}); err != nil {
			return err
		}
		if ref.IsChild {
			return s.informSocialWork(ctx, tx, actor, r, NotifyReceived)
		}
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return r, nil
}

// fitsOrExplain turns the first failed exclusion rule into the error the
// referring worker sees: a full shelter is a conflict (it may free up),
// anything else the case not meeting the service's eligibility.
func fitsOrExplain(p *Profile, o *Offering, day string) error {
	fits, reasons, _ := Evaluate(p, o, day)
	if fits {
		return nil
	}
	for _, r := range reasons {
		if r.Met || r.Effect != Exclude {
			continue
		}
		switch r.Rule {
		case "capacity":
			return errs.E(errs.Conflict, "referral.shelter_full")
		case "active":
			return errs.InvalidField("service_id", "referral.provider_inactive")
		}
		return errs.InvalidField("service_id", r.Code).With(r.Args)
	}
	return errs.InvalidField("service_id", "referral.not_eligible")
}

// lockReferral reads a referral row for an answer, locked on PostgreSQL,
// and hides it (not found) from organisations that are neither its sender
// nor its receiver.
func (s *Service) lockReferral(ctx context.Context, tx *store.Tx, actor access.Actor, id string) (*Referral, error) {
	if id == "" || len(id) > 64 {
		return nil, errNotFound
	}
	var r Referral
	var overdue int
	var deadline, created store.Time
	err := tx.QueryRowContext(ctx, `SELECT id, case_id, case_ref, service_id, service_type, from_org, from_user, to_org,
		urgency, state, overdue, deadline, created_at FROM referrals WHERE id = $1`+tx.ForUpdate(), id).Scan(&r.ID, &r.CaseID,
		&r.CaseRef, &r.ServiceID, &r.ServiceType, &r.FromOrg, &r.FromUser, &r.ToOrg, &r.Urgency, &r.State, &overdue,
		&deadline, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read referral: %w", err)
	}
	r.Overdue, r.Deadline, r.CreatedAt = overdue == 1, deadline.Time, created.Time
	if !actor.System && actor.OrgID != r.ToOrg && actor.OrgID != r.FromOrg {
		return nil, errNotFound
	}
	return &r, nil
}

// answerable checks that actor's organisation receives r and r is pending.
func answerable(actor access.Actor, r *Referral, want string) error {
	if actor.OrgID != r.ToOrg {
		return errs.E(errs.Forbidden, "referral.not_receiver")
	}
	if r.State != want {
		return errs.E(errs.Conflict, "referral.already_answered").With(map[string]any{"state": r.State})
	}
	return nil
}

// setState moves r from its current state to next, conditionally: a second
// writer that slipped past the lock (it cannot, but the row says so) finds
// no row to change and gets a conflict.
func setState(ctx context.Context, tx *store.Tx, actor access.Actor, r *Referral, next, extra string, args ...any) error {
	q := `UPDATE referrals SET state = $1, version = version + 1` + extra + ` WHERE id = $2 AND state = $3`
	res, err := tx.ExecContext(ctx, q, append([]any{next, r.ID, r.State}, args...)...)
	if err != nil {
		return errs.Internalf("update referral: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "referral.already_answered").With(map[string]any{"state": r.State})
	}
	return nil
}
