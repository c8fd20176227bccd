package referral

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The case page's view of referrals and stays: what was sent for one case
// and where the person stays. Both are read through the case's own gate
// (cases.Authorize with case.view), so whoever may open the case sees its
// referrals' states and deadlines — never their reasons, which stay with
// the sending and receiving organisations (FindReferralByID).

// FindCaseReferrals lists a case's referrals, newest first, without reasons.
func (s *Service) FindCaseReferrals(ctx context.Context, actor access.Actor, caseID string) ([]*Referral, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.CaseView)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+referralColumns+referralFrom+` WHERE r.case_id = $1
		ORDER BY r.created_at DESC, r.id LIMIT `+itoa(MaxLimit), ref.ID)
	if err != nil {
		return nil, errs.Internalf("case referrals: %w", err)
	}
	var out []*Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf("case referrals: %w", err)
		}
		r.reasonEnc, r.declineEnc = nil, nil
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("case referrals: %w", err)
	}
	if err := nameReferrals(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CaseStay is a stay as the case page lists it, with its shelter's name.
type CaseStay struct {
	Stay
	ServiceName string `json:"service_name"`
	ServiceType string `json:"service_type"`
	OrgID       string `json:"organisation"`
}

// FindCaseStays lists a case's stays, open ones first, then newest first.
func (s *Service) FindCaseStays(ctx context.Context, actor access.Actor, caseID string) ([]*CaseStay, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.CaseView)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT st.id, st.case_id, st.case_ref, st.service_id, st.referral_id,
		st.emergency_overflow, st.admitted_at, st.discharged_at, st.exit_code, s.name, s.type, st.org_id,
		st.beds, st.stay_until, st.extensions
		FROM stays st JOIN services s ON s.id = st.service_id WHERE st.case_id = $1
		ORDER BY CASE WHEN st.discharged_at IS NULL THEN 0 ELSE 1 END, st.admitted_at DESC, st.id`, ref.ID)
	if err != nil {
		return nil, errs.Internalf("case stays: %w", err)
	}
	defer rows.Close()
	var out []*CaseStay
	for rows.Next() {
		var cs CaseStay
		var overflow int
		var admitted, discharged store.Time
		var until string
		if err := rows.Scan(&cs.ID, &cs.CaseID, &cs.CaseRef, &cs.ServiceID, &cs.ReferralID, &overflow, &admitted, &discharged,
			&cs.ExitCode, &cs.ServiceName, &cs.ServiceType, &cs.OrgID, &cs.Beds, &until, &cs.Extensions); err != nil {
			return nil, errs.Internalf("case stays: %w", err)
		}
		cs.Until = parseUntil(until)
		cs.EmergencyOverflow, cs.AdmittedAt = overflow == 1, admitted.Time
		if discharged.Valid {
			t := discharged.Time
			cs.DischargedAt = &t
		}
		out = append(out, &cs)
	}
	return out, rows.Err()
}
