package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/errs"
)

// The coordinator's review of persons registered twice: the pairs the job
// found (case references, score, evidence codes — never a name), merge with a
// reason (the person kept chosen), dismiss, and undo of past merges. To see
// the persons themselves the coordinator opens each case by break-glass.

type duplicatesData struct {
	State  string
	States []string
	Pairs  []dedup.Pair
}

func (s *server) handleDuplicates(w http.ResponseWriter, r *http.Request) {
	s.renderDuplicates(w, r, http.StatusOK, nil)
}

func (s *server) renderDuplicates(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	state := r.URL.Query().Get("state")
	if state == "" {
		state = dedup.StateOpen
	}
	pairs, err := s.app.Dedup.List(r.Context(), st.user.Actor(), state)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := duplicatesData{State: state, States: []string{dedup.StateOpen, dedup.StateMerged, dedup.StateDismissed}, Pairs: pairs}
	p := s.newPage(r, "dedup.title", d)
	if formErr != nil {
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "duplicates", p)
}

func (s *server) duplicateAction(w http.ResponseWriter, r *http.Request, err error, flash string) {
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/duplicates", flash)
	case isFormErr(err) || errs.Is(err, errs.NotFound):
		s.renderDuplicates(w, r, errs.HTTPStatus(err), err)
	default:
		s.renderError(w, r, err)
	}
}

func (s *server) handleDuplicateMerge(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Dedup.Merge(r.Context(), reqState(r).user.Actor(), r.PathValue("id"),
		dedup.MergeInput{Survivor: r.PostFormValue("survivor"), Reason: r.PostFormValue("reason")})
	s.duplicateAction(w, r, err, "flash.saved")
}

func (s *server) handleDuplicateDismiss(w http.ResponseWriter, r *http.Request) {
	err := s.app.Dedup.Dismiss(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	s.duplicateAction(w, r, err, "flash.saved")
}

func (s *server) handleMergeUndo(w http.ResponseWriter, r *http.Request) {
	err := s.app.Dedup.Unmerge(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("reason"))
	s.duplicateAction(w, r, err, "flash.saved")
}
