package web

import (
	"net/http"
	"net/url"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
)

// The referrals pages: the organisation's inbox (pending first, overdue and
// nearest deadline first, each with Accept and Decline) and outbox
// (/referrals), and one referral (/referrals/{id}): the minimum summary a
// receiver sees before it accepts — the case's statistical fields, the
// urgency, the reason — and, once accepted, the way to the case. The
// coordinator also sees every overdue referral, without reasons.

type referralsData struct {
	Inbox, Outbox, Overdue []*referral.Referral
	CanAnswer, CanOverdue  bool
	DeclineCodes           []string
	// States are the state filter's choices; Box is "in" (the
	// organisation's inbox), "out" (what it sent) or "all" (every
	// referral, for the coordinator).
	States     []string
	Box        string
	InboxTotal int
	InboxMore  bool   // more than InboxTotal
	OlderHref  string // the next (older) page of the inbox
	NewestHref string // back to the first page, on a later page
}

func (s *server) handleReferrals(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	q := r.URL.Query()
	d := &referralsData{CanAnswer: access.Can(a, access.ReferralAnswer), DeclineCodes: referral.DeclineCodes,
		CanOverdue: access.ScopeOf(a, access.ReferralView) >= access.Stats, States: referral.States, Box: "in"}
	p := s.newPage(r, "referrals.title", d)
	p.Form = q
	status := http.StatusOK
	// The inbox (or every referral) newest first, a page at a time, after
	// the cursor "before"; filtered by state.
	f := referral.ReferralFilter{Direction: "in"}
	var formErr error
	switch q.Get("box") {
	case "", "in":
	case "out":
		d.Box, f.Direction = "out", "out"
	case "all":
		if !d.CanOverdue {
			formErr = errs.InvalidField("box", "validation.invalid_choice")
		}
		d.Box, f.Direction = "all", "all"
	default:
		formErr = errs.InvalidField("box", "validation.invalid_choice")
	}
	if v := q.Get("state"); v != "" {
		f.State = &v
	}
	if formErr == nil {
		page, err := s.app.Referral.FindReferralPage(ctx, a, f, q.Get("before"))
		switch {
		case err == nil:
			d.Inbox, d.InboxTotal = page.Referrals, page.Total
			if page.Total > 10000 {
				d.InboxTotal, d.InboxMore = 10000, true
			}
			if page.Older != "" {
				qq := url.Values{}
				for _, k := range []string{"box", "state"} {
					if v := q.Get(k); v != "" {
						qq.Set(k, v)
					}
				}
				if q.Get("before") != "" {
					d.NewestHref = "/referrals?" + qq.Encode()
				}
				qq.Set("before", page.Older)
				d.OlderHref = "/referrals?" + qq.Encode()
			} else if q.Get("before") != "" {
				qq := url.Values{}
				for _, k := range []string{"box", "state"} {
					if v := q.Get(k); v != "" {
						qq.Set(k, v)
					}
				}
				d.NewestHref = "/referrals?" + qq.Encode()
			}
		case isFormErr(err):
			formErr = err
		default:
			s.renderError(w, r, err)
			return
		}
	}
	if formErr != nil {
		setFormError(p, st, formErr)
		status = errs.HTTPStatus(formErr)
	}
	var err error
	if d.Outbox, _, err = s.app.Referral.FindReferrals(ctx, a, referral.ReferralFilter{Direction: "out", Limit: referral.PageSize}); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.CanOverdue {
		if d.Overdue, _, err = s.app.Referral.FindReferrals(ctx, a, referral.ReferralFilter{Direction: "all", OverdueOnly: true}); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "referrals", p)
}

// referralData is one referral's page.
type referralData struct {
	R            *referral.Referral
	Receiver     bool // the actor's organisation answers it
	Sender       bool
	CanAnswer    bool
	CanWithdraw  bool
	CaseLink     bool // the actor's organisation is on the case team now
	DeclineCodes []string
	Next         []proposalRow
}

func (s *server) handleReferral(w http.ResponseWriter, r *http.Request) {
	s.renderReferral(w, r, http.StatusOK, nil)
}

func (s *server) renderReferral(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ref, err := s.app.Referral.FindReferralByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &referralData{R: ref, Receiver: a.OrgID == ref.ToOrg, Sender: a.OrgID == ref.FromOrg, DeclineCodes: referral.DeclineCodes}
	d.CanAnswer = d.Receiver && ref.State == referral.StatePending && access.Can(a, access.ReferralAnswer)
	d.CanWithdraw = d.Sender && ref.State == referral.StatePending && access.Can(a, access.ReferralCreate)
	d.CaseLink = (d.Sender || d.Receiver && ref.State != referral.StatePending && ref.State != referral.StateDeclined) &&
		access.Can(a, access.CaseView)
	for _, p := range ref.Next {
		d.Next = append(d.Next, newProposalRow(st.p, p))
	}
	p := s.newPage(r, "referrals.view", d)
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
	}
	s.render(w, r, status, "referral", p)
}

// referralResult answers Accept, Decline and Withdraw: to the referral's
// page with a flash, or the page again with the message.
func (s *server) referralResult(w http.ResponseWriter, r *http.Request, err error, flash string) {
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/referrals/"+r.PathValue("id"), flash)
	case isFormErr(err):
		s.renderReferral(w, r, errs.HTTPStatus(err), err)
	default:
		s.renderError(w, r, err)
	}
}

func (s *server) handleReferralAccept(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.Accept(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	s.referralResult(w, r, err, "flash.referral_accepted")
}

func (s *server) handleReferralDecline(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.Decline(r.Context(), reqState(r).user.Actor(), r.PathValue("id"),
		referral.DeclineInput{Reason: r.PostFormValue("reason"), Code: r.PostFormValue("code")})
	s.referralResult(w, r, err, "flash.referral_declined")
}

func (s *server) handleReferralWithdraw(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Referral.Withdraw(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	s.referralResult(w, r, err, "flash.referral_withdrawn")
}
