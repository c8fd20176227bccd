package web

import (
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/referral"
)

// The Referrals section of the case page: the services proposed for the
// case, best first, each with the placement rules' reasons in words; the
// referral form; the case's referrals with their states and deadlines; and
// the stays, with admission and discharge for the staff of the shelter.

// referralsSection is the data of the section (caseRecords.Referrals).
type referralsSection struct {
	Proposals []proposalRow
	CanRefer  bool
	Fitting   []proposalRow // the referral form's choices
	Referrals []*referral.Referral
	Stays     []*referral.CaseStay
	// Admit lists the actor's organisation's shelters a stay may begin in.
	Admit     []*referral.Offering
	CanRecord bool
	MyOrg     string
	Open      bool // the case has an open stay
	Urgencies []string
	ExitCodes []string
}

// proposalRow is one proposal with its reasons translated.
type proposalRow struct {
	*referral.Proposal
	Reasons []reasonRow
}

type reasonRow struct {
	Text    string
	Met     bool
	Exclude bool
}

func newProposalRow(p *i18n.Printer, pr *referral.Proposal) proposalRow {
	row := proposalRow{Proposal: pr}
	for _, rs := range pr.Reasons {
		row.Reasons = append(row.Reasons, reasonRow{Text: p.T(rs.Code, argList(rs.Args)...), Met: rs.Met,
			Exclude: rs.Effect == referral.Exclude})
	}
	return row
}

func (s *server) loadReferrals(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords, p *i18n.Printer) error {
	if s.app.Referral == nil {
		return nil
	}
	ctx := r.Context()
	sec := &referralsSection{Urgencies: referral.Urgencies, ExitCodes: referral.ExitCodes, MyOrg: a.OrgID,
		CanRecord: access.Can(a, access.StayRecord)}
	var err error
	if sec.Referrals, err = s.app.Referral.FindCaseReferrals(ctx, a, c.ID); err != nil {
		return err
	}
	if sec.Stays, err = s.app.Referral.FindCaseStays(ctx, a, c.ID); err != nil {
		return err
	}
	for _, st := range sec.Stays {
		sec.Open = sec.Open || st.DischargedAt == nil
	}
	if access.Can(a, access.ReferralCreate) {
		props, err := s.app.Referral.Propose(ctx, a, c.ID, referral.PlacementQuery{})
		switch {
		case err == nil:
			sec.CanRefer = true
			for _, pr := range props {
				row := newProposalRow(p, pr)
				sec.Proposals = append(sec.Proposals, row)
				if pr.Fits && pr.Service.OrgID != a.OrgID {
					sec.Fitting = append(sec.Fitting, row)
				}
			}
		case !absent(err):
			return err
		}
	}
	if sec.CanRecord && !sec.Open {
		org := a.OrgID
		list, _, err := s.app.Referral.FindServices(ctx, a, referral.ServiceFilter{OrgID: &org, ActiveOnly: true})
		if err != nil && !absent(err) {
			return err
		}
		for _, o := range list {
			if referral.IsShelter(o.Type) {
				sec.Admit = append(sec.Admit, o)
			}
		}
	}
	d.Referrals = sec
	return nil
}

func (s *server) handleReferralCreate(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.Create(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), referral.ReferralInput{
		ServiceID: strings.TrimSpace(r.PostFormValue("service_id")), Urgency: r.PostFormValue("urgency"),
		Reason: r.PostFormValue("reason")})
	s.recordResult(w, r, "referral", "referrals", err, "flash.referral_sent")
}

func (s *server) handleStayAdmit(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	_, err := s.app.Referral.AdmitWith(r.Context(), a, r.PathValue("id"), strings.TrimSpace(r.PostFormValue("service_id")),
		referral.AdmitOptions{Dependants: r.PostForm["dependants"], Until: r.PostFormValue("stay_until"),
			Overflow: r.PostFormValue("emergency_overflow") == "1"})
	s.recordResult(w, r, "stay", "referrals", err, "flash.stay_admitted")
}

func (s *server) handleStayExtend(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.ExtendStay(r.Context(), reqState(r).user.Actor(), r.PathValue("stay"), r.PostFormValue("stay_until"))
	s.recordResult(w, r, "extend", "referrals", err, "flash.stay_extended")
}

func (s *server) handleStayDischarge(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.Discharge(r.Context(), reqState(r).user.Actor(), r.PathValue("stay"), r.PostFormValue("exit_code"))
	s.recordResult(w, r, "discharge", "referrals", err, "flash.stay_discharged")
}
