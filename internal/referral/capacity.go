package referral

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Stay is a case's stay in a shelter. Occupied beds are open stays.
type Stay struct {
	ID                string     `json:"id"`
	CaseID            string     `json:"case_id"`
	CaseRef           string     `json:"case_reference"`
	ServiceID         string     `json:"service_id"`
	ReferralID        string     `json:"referral_id,omitempty"`
	EmergencyOverflow bool       `json:"emergency_overflow"`
	AdmittedAt        time.Time  `json:"admitted_at"`
	DischargedAt      *time.Time `json:"discharged_at,omitempty"`
	ExitCode          string     `json:"exit_code,omitempty"`
	// OverCapacity warns that this admission took the shelter past its beds.
	OverCapacity bool `json:"over_capacity"`
	// Beds is how many beds the stay takes: the person and the dependants
	// (her children) admitted with her.
	Beds int `json:"beds"`
	// Dependants are the ids of the dependants staying with the person.
	Dependants []string `json:"dependants,omitempty"`
	// Until is when the stay is due to end (the shelter's maximum stay,
	// moved by extensions); Extensions counts them.
	Until      *time.Time `json:"stay_until,omitempty"`
	Extensions int        `json:"extensions"`
}

// DependantSource tells which dependants a case has (internal/gbv), in
// the caller's transaction; nil admits no dependants.
type DependantSource interface {
	DependantIDs(ctx context.Context, q store.Querier, caseID string) (map[string]bool, error)
}

// DefaultMaxStay is a shelter stay's maximum before an extension.
const DefaultMaxStay = 180 * 24 * time.Hour

// AdmitOptions are the rest of an admission: the dependants admitted with
// the person (each takes a bed) and, optionally, an earlier end than the
// maximum stay.
type AdmitOptions struct {
	Dependants []string
	Until      string
	Overflow   bool
}

// ExitCodes say where a discharged person went.
var ExitCodes = []string{"other_placement", "independent_living", "family", "returned_abroad", "left", "other"}

// Admit records a case's admission to one of the actor's organisation's
// shelters. An accepted referral of the case to the service is linked (its
// reserved bed becomes occupied). A shelter with no free bed refuses the
// admission; AdmitEmergency admits beyond capacity, flagged.
func (s *Service) Admit(ctx context.Context, actor access.Actor, caseID, serviceID string) (*Stay, error) {
	return s.AdmitWith(ctx, actor, caseID, serviceID, AdmitOptions{})
}

// AdmitEmergency is Admit for an emergency overflow: admitted even when the
// shelter is full, the stay flagged and the over-capacity audited.
func (s *Service) AdmitEmergency(ctx context.Context, actor access.Actor, caseID, serviceID string) (*Stay, error) {
	return s.AdmitWith(ctx, actor, caseID, serviceID, AdmitOptions{Overflow: true})
}

func (s *Service) maxStay() time.Duration {
	if s.MaxStay > 0 {
		return s.MaxStay
	}
	return DefaultMaxStay
}

// AdmitWith is Admit with dependants, who take a bed each (a woman with her
// two children takes three), and an end date within the maximum stay.
func (s *Service) AdmitWith(ctx context.Context, actor access.Actor, caseID, serviceID string, opt AdmitOptions) (*Stay, error) {
	if err := access.Check(actor, access.StayRecord); err != nil {
		return nil, err
	}
	overflow := opt.Overflow
	now := s.Clock.Now()
	until := now.Add(s.maxStay()).UTC().Truncate(24 * time.Hour)
	if u := strings.TrimSpace(opt.Until); u != "" {
		t, err := time.Parse("2006-01-02", u)
		switch {
		case err != nil || t.Year() > 2200:
			return nil, errs.InvalidField("stay_until", "validation.date")
		case !t.After(now):
			return nil, errs.InvalidField("stay_until", "validation.date_order")
		case t.After(until):
			return nil, errs.InvalidField("stay_until", "stay.beyond_max")
		}
		until = t
	}
	seen := map[string]bool{}
	var deps []string
	for _, d := range opt.Dependants {
		if d = strings.TrimSpace(d); d != "" && !seen[d] {
			seen[d] = true
			deps = append(deps, d)
		}
	}
	st := &Stay{ID: store.NewID(), ServiceID: serviceID, Beds: 1 + len(deps), Dependants: deps, Until: &until}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.CaseView)
		if err != nil {
			return err
		}
		o, err := s.loadService(ctx, tx, serviceID, tx.ForUpdate())
		if err != nil {
			return err
		}
		if err := access.CheckOrg(actor, access.StayRecord, o.OrgID); err != nil {
			return err
		}
		if !IsShelter(o.Type) {
			return errs.InvalidField("service_id", "stay.not_shelter")
		}
		if len(deps) > 0 {
			known := map[string]bool{}
			if s.Dependants != nil {
				if known, err = s.Dependants.DependantIDs(ctx, tx, ref.ID); err != nil {
					return err
				}
			}
			for _, d := range deps {
				if !known[d] {
					return errs.InvalidField("dependants", "stay.dependant_unknown")
				}
			}
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stays WHERE case_id = $1 AND discharged_at IS NULL`,
			ref.ID).Scan(&open); err != nil {
			return errs.Internalf("read stays: %w", err)
		}
		if open > 0 {
			return errs.E(errs.Conflict, "stay.already_admitted")
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM referrals WHERE case_id = $1 AND service_id = $2 AND state = 'accepted'
			AND admitted_at IS NULL ORDER BY created_at LIMIT 1`,
			ref.ID, o.ID).Scan(&st.ReferralID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return errs.Internalf("read referral: %w", err)
		}
		used := o.BedsOccupied + o.BedsReserved + o.BedsOutOfService
		if st.ReferralID != "" {
			used-- // this admission takes the bed its referral reserved
		}
		if used+st.Beds > o.BedsTotal {
			if !overflow {
				return errs.E(errs.Conflict, "stay.full")
			}
			st.OverCapacity, st.EmergencyOverflow = true, true
		}
		st.CaseID, st.CaseRef, st.AdmittedAt = ref.ID, ref.Reference, tx.Now
		if _, err := tx.ExecContext(ctx, `INSERT INTO stays (id, case_id, case_ref, service_id, org_id, referral_id,
			emergency_overflow, admitted_at, admitted_by, beds, stay_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, st.ID, ref.ID,
			ref.Reference, o.ID, o.OrgID, st.ReferralID, store.Bool(st.EmergencyOverflow), store.T(tx.Now), actor.UserID,
			st.Beds, until.Format("2006-01-02")); err != nil {
			if store.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "stay.already_admitted")
			}
			return errs.Internalf("insert stay: %w", err)
		}
		for _, d := range deps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stay_dependants (stay_id, dependant_id) VALUES ($1, $2)`, st.ID, d); err != nil {
				return errs.Internalf("insert stay dependant: %w", err)
			}
		}
		if st.ReferralID != "" {
			// The reservation is taken: the referral no longer holds a bed.
			if _, err := tx.ExecContext(ctx, `UPDATE referrals SET admitted_at = $2 WHERE id = $1`, st.ReferralID, store.T(tx.Now)); err != nil {
				return errs.Internalf("update referral: %w", err)
			}
		}
		flag := ""
		purpose := ""
		if st.EmergencyOverflow {
			flag, purpose = ";overflow=1", "emergency_overflow"
		}
		if st.Beds > 1 {
			flag += ";beds=" + strconv.Itoa(st.Beds)
		}
		if err := timeline(ctx, tx, actor, ref.ID, "stays", st.ID, "admitted;v=2;type="+o.Type+flag); err != nil {
			return err
		}
		return record(ctx, tx, actor, "stay.admit", "stay", st.ID, purpose, "case="+ref.Reference+",service="+o.ID+flag)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return st, nil
}

// Discharge ends a stay. Leaving the secure facility (the ISF) for good
// needs the approval of a prosecutor and of the police first (ApproveExit).
func (s *Service) Discharge(ctx context.Context, actor access.Actor, stayID, exitCode string) (*Stay, error) {
	if err := access.Check(actor, access.StayRecord); err != nil {
		return nil, err
	}
	if !contains(ExitCodes, exitCode) {
		return nil, errs.InvalidField("exit_code", "validation.invalid_choice")
	}
	var out *Stay
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		st, typ, err := s.lockStay(ctx, tx, stayID)
		if err != nil {
			return err
		}
		if err := access.CheckOrg(actor, access.StayRecord, st.orgID); err != nil {
			return errNotFoundStay
		}
		if st.DischargedAt != nil {
			return errs.E(errs.Conflict, "stay.already_discharged")
		}
		if typ == TypeSecureFacility {
			missing, err := missingApprovals(ctx, tx, st.ID)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return errs.E(errs.Conflict, "stay.exit_approval_required").With(map[string]any{"missing": strings.Join(missing, ", ")})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET discharged_at = $1, discharged_by = $2, exit_code = $3 WHERE id = $4`,
			store.T(tx.Now), actor.UserID, exitCode, st.ID); err != nil {
			return errs.Internalf("discharge: %w", err)
		}
		now := tx.Now
		st.DischargedAt, st.ExitCode = &now, exitCode
		if err := timeline(ctx, tx, actor, st.CaseID, "stays", st.ID, "discharged;v=2;type="+typ+";exit="+exitCode); err != nil {
			return err
		}
		out = &st.Stay
		return record(ctx, tx, actor, "stay.discharge", "stay", st.ID, "", "case="+st.CaseRef+",exit="+exitCode)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// ExtendStay moves an open stay's end to until, at most the maximum stay
// beyond its current end, and counts the extension.
func (s *Service) ExtendStay(ctx context.Context, actor access.Actor, stayID, until string) (*Stay, error) {
	if err := access.Check(actor, access.StayRecord); err != nil {
		return nil, err
	}
	t, err := time.Parse("2006-01-02", strings.TrimSpace(until))
	if err != nil || t.Year() > 2200 {
		return nil, errs.InvalidField("stay_until", "validation.date")
	}
	var out *Stay
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		st, _, err := s.lockStay(ctx, tx, stayID)
		if err != nil {
			return err
		}
		if err := access.CheckOrg(actor, access.StayRecord, st.orgID); err != nil {
			return errNotFoundStay
		}
		if st.DischargedAt != nil {
			return errs.E(errs.Conflict, "stay.already_discharged")
		}
		cur := st.AdmittedAt
		if st.Until != nil {
			cur = *st.Until
		}
		if !t.After(cur) {
			return errs.InvalidField("stay_until", "stay.extend_later")
		}
		if t.After(cur.Add(s.maxStay())) {
			return errs.InvalidField("stay_until", "stay.beyond_max")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET stay_until = $1, extensions = extensions + 1 WHERE id = $2`,
			t.Format("2006-01-02"), st.ID); err != nil {
			return errs.Internalf("extend stay: %w", err)
		}
		st.Until, st.Extensions = &t, st.Extensions+1
		if err := timeline(ctx, tx, actor, st.CaseID, "stays", st.ID, "extended;v=2"); err != nil {
			return err
		}
		out = &st.Stay
		return record(ctx, tx, actor, "stay.extend", "stay", st.ID, "", "case="+st.CaseRef+",until="+t.Format("2006-01-02"))
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// ApproveExit records a prosecutor's or a police officer's approval of a
// permanent exit from the secure facility. Each role approves once.
func (s *Service) ApproveExit(ctx context.Context, actor access.Actor, stayID string) error {
	if err := access.Check(actor, access.StayApproveExit); err != nil {
		return err
	}
	role := string(actor.Role)
	if actor.Role != access.Prosecutor && actor.Role != access.Police {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		st, typ, err := s.lockStay(ctx, tx, stayID)
		if err != nil {
			return err
		}
		if _, err := s.Cases.Authorize(ctx, tx, actor, st.CaseID, access.StayApproveExit); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errNotFoundStay
			}
			return err
		}
		if typ != TypeSecureFacility || st.DischargedAt != nil {
			return errs.E(errs.Conflict, "stay.no_approval_needed")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO stay_exit_approvals (stay_id, role, user_id, org_id, approved_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, st.ID, role, actor.UserID, actor.OrgID, store.T(tx.Now))
		if err != nil {
			return errs.Internalf("insert approval: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "stay.already_approved")
		}
		if err := timeline(ctx, tx, actor, st.CaseID, "stays", st.ID, "exit_approved;v=2;role="+role); err != nil {
			return err
		}
		return record(ctx, tx, actor, "stay.approve_exit", "stay", st.ID, "", "case="+st.CaseRef+",role="+role)
	})
	if err != nil {
		return errs.As(err)
	}
	return nil
}

var errNotFoundStay = errs.E(errs.NotFound, "stay.not_found")

type lockedStay struct {
	Stay
	orgID string
}

func (s *Service) lockStay(ctx context.Context, tx *store.Tx, id string) (*lockedStay, string, error) {
	if id == "" || len(id) > 64 {
		return nil, "", errNotFoundStay
	}
	var st lockedStay
	var overflow int
	var admitted, discharged store.Time
	var until string
	err := tx.QueryRowContext(ctx, `SELECT id, case_id, case_ref, service_id, org_id, referral_id, emergency_overflow,
		admitted_at, discharged_at, exit_code, beds, stay_until, extensions FROM stays WHERE id = $1`+tx.ForUpdate(), id).Scan(&st.ID, &st.CaseID, &st.CaseRef,
		&st.ServiceID, &st.orgID, &st.ReferralID, &overflow, &admitted, &discharged, &st.ExitCode, &st.Beds, &until, &st.Extensions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNotFoundStay
	}
	if err != nil {
		return nil, "", errs.Internalf("read stay: %w", err)
	}
	st.EmergencyOverflow, st.AdmittedAt = overflow == 1, admitted.Time
	if discharged.Valid {
		st.DischargedAt = &discharged.Time
	}
	st.Until = parseUntil(until)
	var typ string
	if err := tx.QueryRowContext(ctx, `SELECT type FROM services WHERE id = $1`, st.ServiceID).Scan(&typ); err != nil {
		return nil, "", errs.Internalf("read service: %w", err)
	}
	return &st, typ, nil
}

// missingApprovals lists the roles (prosecutor, police) that have not yet
// approved a secure facility exit.
func missingApprovals(ctx context.Context, q store.Querier, stayID string) ([]string, error) {
	have := map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT role FROM stay_exit_approvals WHERE stay_id = $1`, stayID)
	if err != nil {
		return nil, errs.Internalf("read approvals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, errs.Internalf("read approvals: %w", err)
		}
		have[r] = true
	}
	var missing []string
	for _, r := range []string{"prosecutor", "police"} {
		if !have[r] {
			missing = append(missing, r)
		}
	}
	return missing, rows.Err()
}

// parseUntil reads a stay's end date ("" for none).
func parseUntil(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil
	}
	return &t
}

// UntilDate is Until, or the zero time (for pages).
func (st *Stay) UntilDate() time.Time {
	if st.Until == nil {
		return time.Time{}
	}
	return *st.Until
}
