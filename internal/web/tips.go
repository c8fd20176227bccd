package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/tips"
)

// The triage queue of the portal's anonymous tips (/tips): the police THB
// unit and the coordinator read the tips and mark them. Every read and
// every change is audited by internal/tips.

type tipsData struct {
	Tips   []*tips.Tip
	States []tips.State
	State  string
	All    bool
	Older  string
	Paged  bool
}

func (s *server) handleTips(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	q := r.URL.Query()
	f := tips.Filter{State: tips.State(q.Get("state")), All: q.Get("all") == "1", Before: q.Get("before")}
	list, next, err := s.app.Tips.Queue(r.Context(), st.user.Actor(), f)
	d := &tipsData{Tips: list, States: tips.States, State: string(f.State), All: f.All, Paged: f.Before != ""}
	p := s.newPage(r, "tips.title", d)
	p.Form = q
	if err != nil {
		if isFormErr(err) {
			setFormError(p, st, err)
			p.ErrorForm = "tips-filter"
			d.Tips, d.State = nil, ""
			s.render(w, r, errs.HTTPStatus(err), "tips", p)
			return
		}
		s.renderError(w, r, err)
		return
	}
	if next != "" {
		v := url.Values{"before": {next}}
		if f.State != "" {
			v.Set("state", string(f.State))
		}
		if f.All {
			v.Set("all", "1")
		}
		d.Older = "/tips?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "tips", p)
}

type tipData struct {
	Tip     *tips.Tip
	States  []tips.State
	Reasons []string
}

func (s *server) handleTip(w http.ResponseWriter, r *http.Request) {
	s.renderTip(w, r, http.StatusOK, nil)
}

func (s *server) renderTip(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	t, err := s.app.Tips.Tip(r.Context(), st.user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "tips.tip_title", &tipData{Tip: t, States: tips.States, Reasons: tips.CloseReasons})
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "tip-state-form"
	}
	s.render(w, r, status, "tip", p)
}

func (s *server) handleTipState(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	m := tips.Mark{State: tips.State(r.PostFormValue("state")), CaseRef: r.PostFormValue("case_ref"),
		Reason: r.PostFormValue("reason"), Version: version}
	id := r.PathValue("id")
	if _, err := s.app.Tips.SetState(r.Context(), st.user.Actor(), id, m); err != nil {
		if isFormErr(err) || errs.Is(err, errs.Conflict) {
			s.renderTip(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/tips/"+url.PathEscape(id), "flash.tip_marked")
}

func (s *server) handleTipsCSV(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tips.csv"`)
	if err := s.app.Tips.ExportCSV(r.Context(), st.user.Actor(), r.URL.Query().Get("all") == "1", w); err != nil {
		w.Header().Del("Content-Disposition")
		s.renderError(w, r, err)
	}
}
