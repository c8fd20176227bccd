package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/referral"
)

// The referral routes: the service directory, placements, referrals and
// their answers, shelter stays, the availability board, HSDS import and
// export. A nil Deps.Referral makes them answer 404.

func (a *api) referral(w http.ResponseWriter, r *http.Request) *referral.Service {
	if a.Referral == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
	}
	return a.Referral
}

func (a *api) handleServiceCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in referral.ServiceInput
	if !a.readJSON(w, r, &in) {
		return
	}
	o, err := svc.CreateService(r.Context(), u.Actor(), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusCreated, map[string]string{"id": o.ID}, nil)
}

func (a *api) handleServiceUpdate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in referral.ServiceInput
	if !a.readJSON(w, r, &in) {
		return
	}
	o, err := svc.UpdateService(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusOK, o, err)
}

type serviceItem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Organisation string `json:"organisation"`
}

func (a *api) handleServiceList(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	q := r.URL.Query()
	var f referral.ServiceFilter
	for key, p := range map[string]**string{"type": &f.Type, "organisation": &f.OrgID, "municipality": &f.Municipality,
		"language": &f.Language, "q": &f.Query} {
		if v := q.Get(key); v != "" {
			*p = &v
		}
	}
	var err error
	if f.ActiveOnly, err = flagParam(q, "active"); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	if f.Offset, f.Limit, err = pageParams(q); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	list, total, err := svc.FindServices(r.Context(), u.Actor(), f)
	items := []serviceItem{}
	for _, o := range list {
		items = append(items, serviceItem{ID: o.ID, Name: o.Name, Type: o.Type, Organisation: o.OrgID})
	}
	a.answer(w, r, http.StatusOK, map[string]any{"services": items, "total": total}, err)
}

func (a *api) handleServiceGet(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		o, err := svc.FindServiceByID(r.Context(), u.Actor(), r.PathValue("id"))
		a.answer(w, r, http.StatusOK, o, err)
	}
}

func (a *api) handleAvailability(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		list, err := svc.Availability(r.Context(), u.Actor())
		a.answer(w, r, http.StatusOK, map[string]any{"shelters": list}, err)
	}
}

func splitQuery(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (a *api) handlePlacements(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	q := r.URL.Query()
	_, limit, err := pageParams(q)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	list, err := svc.Propose(r.Context(), u.Actor(), r.PathValue("id"), referral.PlacementQuery{Needs: splitQuery(q.Get("needs")),
		Languages: splitQuery(q.Get("languages")), Type: q.Get("type"), Limit: limit})
	if list == nil {
		list = []*referral.Proposal{}
	}
	a.answer(w, r, http.StatusOK, map[string]any{"proposals": list}, err)
}

type referralCreated struct {
	ID       string    `json:"id"`
	State    string    `json:"state"`
	Deadline time.Time `json:"deadline"`
}

func (a *api) handleReferralCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in referral.ReferralInput
	if !a.readJSON(w, r, &in) {
		return
	}
	ref, err := svc.Create(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusCreated, referralCreated{ID: ref.ID, State: ref.State, Deadline: ref.Deadline}, nil)
}

func (a *api) handleReferralList(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	q := r.URL.Query()
	f := referral.ReferralFilter{Direction: q.Get("direction")}
	if s := q.Get("state"); s != "" {
		f.State = &s
	}
	var err error
	if f.OverdueOnly, err = flagParam(q, "overdue"); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	if f.Offset, f.Limit, err = pageParams(q); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	list, total, err := svc.FindReferrals(r.Context(), u.Actor(), f)
	if list == nil {
		list = []*referral.Referral{}
	}
	a.answer(w, r, http.StatusOK, map[string]any{"referrals": list, "total": total}, err)
}

func (a *api) handleReferralGet(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		ref, err := svc.FindReferralByID(r.Context(), u.Actor(), r.PathValue("id"))
		a.answer(w, r, http.StatusOK, ref, err)
	}
}

func (a *api) handleReferralAccept(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		ref, err := svc.Accept(r.Context(), u.Actor(), r.PathValue("id"))
		a.answer(w, r, http.StatusOK, ref, err)
	}
}

func (a *api) handleReferralDecline(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in referral.DeclineInput
	if !a.readJSON(w, r, &in) {
		return
	}
	ref, err := svc.Decline(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusOK, ref, err)
}

func (a *api) handleReferralWithdraw(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		ref, err := svc.Withdraw(r.Context(), u.Actor(), r.PathValue("id"))
		a.answer(w, r, http.StatusOK, ref, err)
	}
}

func (a *api) handleReferralComplete(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in referral.CompleteInput
	if !a.readJSON(w, r, &in) {
		return
	}
	ref, err := svc.Complete(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusOK, ref, err)
}

func (a *api) handleWaiting(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		list, err := svc.WaitingOn(r.Context(), u.Actor())
		a.answer(w, r, http.StatusOK, itemsOf(list), err)
	}
}

type admitInput struct {
	ServiceID         string   `json:"service_id"`
	EmergencyOverflow bool     `json:"emergency_overflow,omitempty"`
	Dependants        []string `json:"dependants"`
	StayUntil         string   `json:"stay_until"`
}

func (a *api) handleAdmit(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in admitInput
	if !a.readJSON(w, r, &in) {
		return
	}
	st, err := svc.AdmitWith(r.Context(), u.Actor(), r.PathValue("id"), in.ServiceID, referral.AdmitOptions{
		Dependants: in.Dependants, Until: in.StayUntil, Overflow: in.EmergencyOverflow})
	a.answer(w, r, http.StatusCreated, st, err)
}

func (a *api) handleDischarge(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	var in struct {
		ExitCode string `json:"exit_code"`
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	st, err := svc.Discharge(r.Context(), u.Actor(), r.PathValue("id"), in.ExitCode)
	a.answer(w, r, http.StatusOK, st, err)
}

func (a *api) handleExitApproval(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		err := svc.ApproveExit(r.Context(), u.Actor(), r.PathValue("id"))
		a.answer(w, r, http.StatusOK, map[string]bool{"approved": err == nil}, err)
	}
}

// importProblem is a problem document listing every fault of an HSDS file
// by line, each with its translated text.
type importProblem struct {
	Problem
	Errors []importFault `json:"errors"`
}

type importFault struct {
	referral.ImportProblem
	Detail string `json:"detail"`
}

func (a *api) handleDirectoryImport(w http.ResponseWriter, r *http.Request, u *auth.User) {
	svc := a.referral(w, r)
	if svc == nil {
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		WriteProblem(w, r, errs.E(errs.Invalid, "api.json_required"), a.Log)
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, referral.MaxImport))
	if err != nil {
		WriteProblem(w, r, errs.E(errs.TooLarge, "error.too_large"), a.Log)
		return
	}
	res, err := svc.ImportHSDS(r.Context(), u.Actor(), b)
	var ie *referral.ImportError
	if errors.As(err, &ie) {
		p := i18n.For(i18n.Match(r.Header.Get("Accept-Language")))
		doc := importProblem{Problem: Problem{Type: "https://ura.invalid/problems/invalid", Title: http.StatusText(400),
			Status: 400, Code: string(errs.Invalid), Detail: p.T("directory.hsds_invalid", "problems", len(ie.Problems))}}
		for _, pr := range ie.Problems {
			doc.Errors = append(doc.Errors, importFault{ImportProblem: pr, Detail: p.T(pr.Code)})
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(doc)
		return
	}
	a.answer(w, r, http.StatusOK, res, err)
}

func (a *api) handleDirectoryExport(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if svc := a.referral(w, r); svc != nil {
		h, err := svc.ExportHSDS(r.Context(), u.Actor())
		a.answer(w, r, http.StatusOK, h, err)
	}
}
