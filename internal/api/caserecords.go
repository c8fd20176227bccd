package api

import (
	"io"
	"mime"
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/jsonread"
	"github.com/ura-nrm/ura/internal/plans"
)

// CaseRecords are the services behind the case-record routes: consent,
// notes and documents, assessments and plans, tasks. A nil service makes its
// routes answer 404, as if they did not exist.
type CaseRecords struct {
	Consent *consent.Service
	Notes   *casenotes.Service
	Plans   *plans.Service
	Clocks  *clocks.Service
}

// MaxJSONBody caps a case-record request body (uploads have their own limit).
const MaxJSONBody = 1 << 20

var errNoRoute = errs.E(errs.NotFound, "error.not_found")

// decodeStrict reads one JSON value into v: application/json only, at most
// MaxJSONBody bytes, no unknown fields, nothing after the value. Errors name
// the field at fault (when it is a plain field name) and never echo a value.
func decodeStrict(r *http.Request, body io.Reader, v any) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return errs.E(errs.Invalid, "api.json_required")
	}
	return decodeJSONBody(body, v)
}

// decodeJSONBody is decodeStrict without the header check (and the fuzz
// target: testdata/fuzz/FuzzDecode): the one strict reader (jsonread). An
// unknown member is the client's text, and a key can be a name pasted in the
// wrong place: the problem names the object that holds it, never the key.
func decodeJSONBody(body io.Reader, v any) error {
	return jsonread.Read(body, v, jsonOptions)
}

var jsonOptions = jsonread.Options{Max: MaxJSONBody,
	Keys: jsonread.Keys{Invalid: "api.json_invalid", Type: "api.json_type", Unknown: "api.json_unknown_field"}}

// readJSON decodes the request body into v or writes the problem; it
// reports whether the handler may go on.
func (a *api) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	if err := decodeStrict(r, body, v); err != nil {
		WriteProblem(w, r, err, a.Log)
		return false
	}
	return true
}

// answer writes v with status, or the problem of err.
func (a *api) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, v)
}

// itemsOf wraps a list as {"items": [...]}, never null.
func itemsOf[T any](list []T) map[string][]T {
	if list == nil {
		list = []T{}
	}
	return map[string][]T{"items": list}
}

func (a *api) handleConsentList(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Consent == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Records.Consent.List(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

func (a *api) handleConsentRecord(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in consent.GrantInput
	if a.Records.Consent == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	e, err := a.Records.Consent.Record(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, e, err)
}

func (a *api) handleConsentWithdraw(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in consent.WithdrawInput
	if a.Records.Consent == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	e, err := a.Records.Consent.Withdraw(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, e, err)
}
