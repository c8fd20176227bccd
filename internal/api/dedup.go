package api

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/dedup"
)

// The duplicate review endpoints (internal/dedup), for the coordinator:
// pairs carry case references, scores and evidence codes, never a name.
// A nil Deps.Dedup makes them answer 404, as if they did not exist.

type mergeCreated struct {
	MergeID string `json:"merge_id"`
}

type undoInput struct {
	Reason string `json:"reason"`
}

func (a *api) handleDuplicates(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Dedup == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Dedup.List(r.Context(), u.Actor(), r.URL.Query().Get("state"))
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

func (a *api) handleDuplicateMerge(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Dedup == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in dedup.MergeInput
	if !a.readJSON(w, r, &in) {
		return
	}
	id, err := a.Dedup.Merge(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/merges/"+id)
	}
	a.answer(w, r, http.StatusCreated, mergeCreated{MergeID: id}, err)
}

func (a *api) handleDuplicateDismiss(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Dedup == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	err := a.Dedup.Dismiss(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, map[string]string{"state": dedup.StateDismissed}, err)
}

func (a *api) handleMergeUndo(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Dedup == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in undoInput
	if !a.readJSON(w, r, &in) {
		return
	}
	err := a.Dedup.Unmerge(r.Context(), u.Actor(), r.PathValue("id"), in.Reason)
	a.answer(w, r, http.StatusOK, map[string]string{"state": "undone"}, err)
}
