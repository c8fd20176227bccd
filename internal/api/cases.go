package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// The case endpoints. Request bodies are decoded strictly (cases.Decode:
// unknown fields refused, 64 KiB at most); errors are problem+json naming
// the field, never echoing a value. Responses carry only what the caller's
// role may see: personal fields are omitted, not blanked.

type caseCreated struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
}

// duplicateProblem is the 409 answer of a registration that found a possible
// duplicate: the references the caller may see, or only the fact that one
// exists elsewhere. Resend with "confirm_duplicate": true to register anyway.
type duplicateProblem struct {
	Problem
	Duplicates         []string `json:"duplicates"`
	DuplicateElsewhere bool     `json:"duplicate_elsewhere"`
}

func (a *api) handleCaseCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in cases.Input
	if err := cases.Decode(r.Body, &in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	reg, err := a.Cases.Open(r.Context(), u.Actor(), in)
	if err == cases.ErrDuplicate && reg != nil {
		p := duplicateProblem{Problem: Problem{Type: "https://ura.invalid/problems/duplicate", Title: http.StatusText(http.StatusConflict),
			Status: http.StatusConflict, Code: string(errs.Conflict)}, Duplicates: reg.Duplicates, DuplicateElsewhere: reg.DuplicateElsewhere}
		if p.Duplicates == nil {
			p.Duplicates = []string{}
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusConflict)
		writeBody(w, p)
		return
	}
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+reg.ID)
	writeJSON(w, http.StatusCreated, caseCreated{ID: reg.ID, Reference: reg.Reference})
}

// caseJSON is a case as the caller may see it.
type caseJSON struct {
	ID                  string              `json:"id"`
	Reference           string              `json:"reference"`
	OwnerOrg            string              `json:"owner_org"`
	Stage               string              `json:"stage"`
	Status              string              `json:"victim_status"`
	HTCDSStatus         string              `json:"htcds_trafficking_status"`
	CaseStatus          string              `json:"htcds_case_status"`
	IsChild             bool                `json:"is_child"`
	AgeDisputed         bool                `json:"age_disputed"`
	AgeBand             string              `json:"age_band"`
	Sex                 string              `json:"sex"`
	Citizenship         string              `json:"citizenship"`
	RiskLevel           string              `json:"risk_level"`
	ExploitationCountry string              `json:"exploitation_country"`
	Municipality        string              `json:"municipality"`
	OpenedMonth         string              `json:"opened_month"`
	Proceedings         string              `json:"proceedings"`
	NonRemoval          bool                `json:"non_removal"`
	ClosureReason       string              `json:"closure_reason,omitempty"`
	Codes               map[string][]string `json:"codes"`
	Version             int                 `json:"version"`
	UpdatedAt           time.Time           `json:"updated_at"`
	Next                []cases.Stage       `json:"allowed_transitions"`
	Person              *cases.Person       `json:"person,omitempty"`
	Details             *cases.Details      `json:"details,omitempty"`
	Decisions           []decisionJSON      `json:"decisions"`
	Guardians           []cases.Guardian    `json:"guardians"`
}

type decisionJSON struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	DecisionOrgType string    `json:"decision_making_org"`
	DecidedByOrg    string    `json:"decided_by_org"`
	WithAdvocateOrg string    `json:"with_advocate_org,omitempty"`
	SocialWorkerOrg string    `json:"social_worker_org,omitempty"`
	DecidedAt       time.Time `json:"decided_at"`
	Grounds         string    `json:"grounds,omitempty"`
}

func toDecisionJSON(d cases.Decision) decisionJSON {
	return decisionJSON{ID: d.ID, Status: string(d.Status), DecisionOrgType: d.DecisionOrgType, DecidedByOrg: d.DecidedByOrg,
		WithAdvocateOrg: d.WithAdvocateOrg, SocialWorkerOrg: d.SocialWorkerOrg, DecidedAt: d.DecidedAt, Grounds: d.Grounds}
}

func (a *api) handleCaseGet(w http.ResponseWriter, r *http.Request, u *auth.User) {
	c, err := a.Cases.FindCaseByID(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := caseJSON{ID: c.ID, Reference: c.Reference, OwnerOrg: c.OwnerOrg, Stage: string(c.Stage), Status: string(c.Status),
		HTCDSStatus: c.Status.HTCDS(), CaseStatus: c.HTCDSStatus(), IsChild: c.IsChild, AgeDisputed: c.AgeDisputed,
		AgeBand: c.AgeBand, Sex: c.Sex, Citizenship: c.Citizenship, RiskLevel: c.RiskLevel, ExploitationCountry: c.ExploitationCountry,
		Municipality: c.Municipality, OpenedMonth: c.OpenedMonth, Proceedings: c.Proceedings, NonRemoval: c.NonRemoval,
		ClosureReason: c.ClosureReason, Codes: c.Codes, Version: c.Version, UpdatedAt: c.UpdatedAt, Next: c.Next,
		Person: c.Person, Details: c.Details, Decisions: []decisionJSON{}, Guardians: c.Guardians}
	if out.Guardians == nil {
		out.Guardians = []cases.Guardian{}
	}
	if out.Next == nil {
		out.Next = []cases.Stage{}
	}
	for _, d := range c.Decisions {
		out.Decisions = append(out.Decisions, toDecisionJSON(d))
	}
	writeJSON(w, http.StatusOK, out)
}

// caseListJSON is a page of cases. Total is exact up to the count limit;
// TotalCapped says there are more than Total.
type caseListJSON struct {
	Total       int           `json:"total"`
	TotalCapped bool          `json:"total_capped"`
	Cases       []caseSummary `json:"cases"`
}

type caseSummary struct {
	ID           string `json:"id"`
	Reference    string `json:"reference"`
	Stage        string `json:"stage"`
	Status       string `json:"victim_status"`
	IsChild      bool   `json:"is_child"`
	Sex          string `json:"sex"`
	AgeBand      string `json:"age_band"`
	Citizenship  string `json:"citizenship"`
	Municipality string `json:"municipality"`
	OpenedMonth  string `json:"opened_month"`
	RiskLevel    string `json:"risk_level"`
}

// handleCaseList answers GET /api/v1/cases?reference=&name=&birth_date=&stage=
// &status=&child=&sex=&citizenship=&municipality=&exploitation=&opened_from=
// &opened_to=&risk_level=&offset=&limit=. Names in a query string end up in
// proxy logs: clients should prefer reference and statistical filters, and
// the name search is audited.
func (a *api) handleCaseList(w http.ResponseWriter, r *http.Request, u *auth.User) {
	q := r.URL.Query()
	// A name or a birth date in a URL reaches proxy and server logs: those
	// searches go in a request body (POST /api/v1/cases/search).
	for _, k := range []string{"name", "birth_date"} {
		if q.Has(k) {
			WriteProblem(w, r, errs.InvalidField(k, "case.search_in_body"), a.Log)
			return
		}
	}
	// A misspelt filter (sexx=female) would otherwise be ignored and the
	// whole list answered as if it matched. The key is the client's text:
	// it is refused without being repeated.
	for k := range q {
		if !searchKeys[k] {
			WriteProblem(w, r, errs.E(errs.Invalid, "api.query_unknown"), a.Log)
			return
		}
	}
	a.listCases(w, r, u, q)
}

// handleCaseSearch is the list with its filters in a JSON body, so a name or
// a birth date never travels in a URL.
func (a *api) handleCaseSearch(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var body map[string]string
	if err := decodeSearch(r, &body); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	q := url.Values{}
	for k, v := range body {
		q.Set(k, v)
	}
	a.listCases(w, r, u, q)
}

func (a *api) listCases(w http.ResponseWriter, r *http.Request, u *auth.User, q url.Values) {
	f, err := CaseFilterFromQuery(q)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	list, total, err := a.Cases.FindCases(r.Context(), u.Actor(), f)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := caseListJSON{Total: total, Cases: []caseSummary{}}
	if limit, capped := a.Cases.Capped(total); capped {
		out.Total, out.TotalCapped = limit, true
	}
	for _, c := range list {
		out.Cases = append(out.Cases, caseSummary{ID: c.ID, Reference: c.Reference, Stage: string(c.Stage), Status: string(c.Status),
			IsChild: c.IsChild, Sex: c.Sex, AgeBand: c.AgeBand, Citizenship: c.Citizenship, Municipality: c.Municipality,
			OpenedMonth: c.OpenedMonth, RiskLevel: c.RiskLevel})
	}
	writeJSON(w, http.StatusOK, out)
}

// CaseFilterFromQuery reads a CaseFilter from URL parameters (shared with
// the /cases page); empty parameters are ignored.
func CaseFilterFromQuery(q map[string][]string) (cases.CaseFilter, error) {
	var f cases.CaseFilter
	get := func(k string) *string {
		if v := q[k]; len(v) > 0 && v[0] != "" {
			s := v[0]
			return &s
		}
		return nil
	}
	f.Reference, f.Name, f.BirthDate = get("reference"), get("name"), get("birth_date")
	f.Sex, f.Citizenship, f.Municipality = get("sex"), get("citizenship"), get("municipality")
	f.ExploitationCountry, f.Exploitation, f.RiskLevel = get("exploitation_country"), get("exploitation"), get("risk_level")
	f.OpenedFrom, f.OpenedTo = get("opened_from"), get("opened_to")
	if s := get("stage"); s != nil {
		st, ok := cases.ParseStage(*s)
		if !ok {
			return f, errs.InvalidField("stage", "case.stage_invalid")
		}
		f.Stage = &st
	}
	if s := get("status"); s != nil {
		st := cases.Status(*s)
		f.Status = &st
	}
	if s := get("child"); s != nil {
		var b bool
		switch *s {
		case "1", "true":
			b = true
		case "0", "false":
		default:
			return f, errs.InvalidField("child", "validation.invalid_choice")
		}
		f.IsChild = &b
	}
	for k, dst := range map[string]*int{"offset": &f.Offset, "limit": &f.Limit} {
		if s := get(k); s != nil {
			n, err := strconv.Atoi(*s)
			if err != nil || n < 0 {
				return f, errs.InvalidField(k, "case.number_invalid")
			}
			*dst = n
		}
	}
	return f, f.Validate()
}

func (a *api) handleCaseTransition(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in cases.TransitionInput
	if err := cases.Decode(r.Body, &in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	if err := a.Cases.Transition(r.Context(), u.Actor(), r.PathValue("id"), in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.handleCaseGet(w, r, u)
}

func (a *api) handleCaseGuardian(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in cases.GuardianInput
	if err := cases.Decode(r.Body, &in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	g, err := a.Cases.AppointGuardian(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (a *api) handleCaseDecision(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in cases.DecisionInput
	if err := cases.Decode(r.Body, &in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	d, err := a.Cases.Decide(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	d.Grounds = "" // the caller wrote them; a response is no place to echo them
	writeJSON(w, http.StatusCreated, toDecisionJSON(*d))
}

func writeBody(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// handleCaseUpdate changes the facts of a case (and the person, for roles
// that may read her). The body carries the version the caller read: a stale
// version is refused with 409, so two caseworkers never overwrite each other.
func (a *api) handleCaseUpdate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in cases.UpdateInput
	if err := cases.Decode(r.Body, &in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	if err := a.Cases.Update(r.Context(), u.Actor(), r.PathValue("id"), in); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.handleCaseGet(w, r, u)
}

// searchKeys are the filters a search body may carry.
var searchKeys = map[string]bool{"reference": true, "name": true, "birth_date": true, "sex": true, "citizenship": true,
	"municipality": true, "exploitation_country": true, "exploitation": true, "risk_level": true, "opened_from": true,
	"opened_to": true, "stage": true, "status": true, "child": true, "offset": true, "limit": true}

// decodeSearch reads a search body: one JSON object of string values, read
// like every other API body (decodeJSONBody), with known keys only (an unknown
// key is refused, never echoed).
func decodeSearch(r *http.Request, dst *map[string]string) error {
	if err := decodeJSONBody(r.Body, dst); err != nil {
		return err
	}
	for k := range *dst {
		if !searchKeys[k] {
			return errs.E(errs.Invalid, "api.json_unknown_field")
		}
	}
	return nil
}
