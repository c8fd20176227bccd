package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
)

// The case pages: the list (/cases), registration (/cases/new) and the case
// page (/cases/{id}). Lists and URLs carry references and statistical fields
// only; a search by name or birth date is a POST, so no name ever lands in a
// URL, the browser history or an access log.

type caseListData struct {
	Cases       []*cases.Summary
	Total       int
	Capped      bool // more than Total match
	Stages      []cases.Stage
	Statuses    []cases.Status
	Sexes       []string
	Exploit     []string
	Proceedings []string
	CanCreate   bool
	CanSearch   bool
	// CanGuardian and CanShelter offer the filters "guardian not
	// appointed" and "in our shelter now".
	CanGuardian, CanShelter bool
	Searched                bool
	PrevHref                string
	NextHref                string
	FilterForm              url.Values
}

func (s *server) handleCases(w http.ResponseWriter, r *http.Request) {
	s.renderCaseList(w, r, r.URL.Query(), false)
}

// handleCaseSearch runs a search by name or birth date sent in a form body.
func (s *server) handleCaseSearch(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	for _, k := range []string{"name", "birth_date", "reference"} {
		if v := strings.TrimSpace(r.PostFormValue(k)); v != "" {
			q.Set(k, v)
		}
	}
	s.renderCaseList(w, r, q, true)
}

func (s *server) renderCaseList(w http.ResponseWriter, r *http.Request, q url.Values, searched bool) {
	st := reqState(r)
	a := st.user.Actor()
	d := caseListData{Stages: cases.Stages, Statuses: cases.Statuses, Sexes: cases.Sexes, Exploit: cases.Picklists[cases.FieldExploitation], Proceedings: cases.Proceedings,
		CanCreate: access.Can(a, access.CaseCreate), CanSearch: access.Can(a, access.CaseViewPersonal), Searched: searched, FilterForm: q,
		CanGuardian: access.Can(a, access.TaskView), CanShelter: access.Can(a, access.StayRecord)}
	p := s.newPage(r, "case.list_title", &d)
	p.Form = q
	f, err := api.CaseFilterFromQuery(q)
	if err == nil && !searched {
		err = s.caseListSets(r, a, q, &f)
	}
	if err == nil {
		d.Cases, d.Total, err = s.app.Cases.FindCases(r.Context(), a, f)
	}
	more := d.Total
	if limit, capped := s.app.Cases.Capped(d.Total); capped {
		d.Total, d.Capped = limit, true
	}
	status := http.StatusOK
	if err != nil {
		if !isFormErr(err) && !errs.Is(err, errs.Forbidden) {
			s.renderError(w, r, err)
			return
		}
		setFormError(p, st, err)
		status = errs.HTTPStatus(err)
	}
	if !searched {
		limit := f.Limit
		if limit <= 0 {
			limit = 50
		}
		page := func(off int) string {
			qq := url.Values{}
			for k, v := range q {
				qq[k] = v
			}
			qq.Set("offset", strconv.Itoa(off))
			return "/cases?" + qq.Encode()
		}
		if f.Offset > 0 {
			d.PrevHref = page(max(0, f.Offset-limit))
		}
		if f.Offset+limit < more {
			d.NextHref = page(f.Offset + limit)
		}
	}
	s.render(w, r, status, "cases", p)
}

// caseListSets reads the case list's filters that the home pages link to:
// open (1: not closed, 0: closed), guardian=missing (child cases whose
// guardian-appointment task is open) and shelter=now (the people staying
// in the actor's organisation's shelters). The last two are sets another
// package keeps (clocks, referral), handed to the case list as ids; the
// list still keeps only the cases the actor may see.
func (s *server) caseListSets(r *http.Request, a access.Actor, q url.Values, f *cases.CaseFilter) error {
	if f.Status != nil && !slices.Contains(cases.Statuses, *f.Status) {
		return errs.InvalidField("status", "validation.invalid_choice")
	}
	switch q.Get("open") {
	case "":
	case "1", "0":
		open := q.Get("open") == "1"
		f.Open = &open
	default:
		return errs.InvalidField("open", "validation.invalid_choice")
	}
	switch v := q.Get("proceedings"); {
	case v == "":
	case v == "active":
		f.InProceedings = true
	case slices.Contains(cases.Proceedings, v):
		f.Proceedings = &v
	default:
		return errs.InvalidField("proceedings", "validation.invalid_choice")
	}
	intersect := func(ids []string) {
		if f.IDs == nil {
			f.IDs = ids
			return
		}
		keep := map[string]bool{}
		for _, id := range ids {
			keep[id] = true
		}
		out := []string{}
		for _, id := range f.IDs {
			if keep[id] {
				out = append(out, id)
			}
		}
		f.IDs = out
	}
	switch q.Get("guardian") {
	case "":
	case "missing":
		if s.app.Clocks == nil || !access.Can(a, access.TaskView) {
			return errs.InvalidField("guardian", "case.filter_not_yours")
		}
		ids, err := s.app.Clocks.OpenTaskCases(r.Context(), a, clocks.GuardianAppointment)
		if err != nil {
			return err
		}
		intersect(ids)
	default:
		return errs.InvalidField("guardian", "validation.invalid_choice")
	}
	switch q.Get("shelter") {
	case "":
	case "now":
		if s.app.Referral == nil || !access.Can(a, access.StayRecord) {
			return errs.InvalidField("shelter", "case.filter_not_yours")
		}
		ids, err := s.app.Referral.OpenStayCases(r.Context(), a)
		if err != nil {
			return err
		}
		intersect(ids)
	default:
		return errs.InvalidField("shelter", "validation.invalid_choice")
	}
	return nil
}

type caseNewData struct {
	Sexes       []string
	Fields      []string
	Picklists   map[string][]string
	Risks       []string
	Duplicates  []string
	Elsewhere   bool
	Checked     map[string]bool
	DocTypes    []string
	ShowConfirm bool
	// EditID, Version, HasPerson and HasDetails turn the form into the edit
	// form of an existing case (case_edit.go).
	EditID                string
	Version               int
	HasPerson, HasDetails bool
}

func (s *server) handleCaseNew(w http.ResponseWriter, r *http.Request) {
	s.renderCaseNew(w, r, http.StatusOK, nil, nil)
}

func (s *server) renderCaseNew(w http.ResponseWriter, r *http.Request, status int, formErr error, reg *cases.Registered) {
	st := reqState(r)
	d := &caseNewData{Sexes: cases.Sexes, Fields: cases.PicklistFields, Picklists: cases.Picklists, Risks: cases.RiskLevels,
		Checked: map[string]bool{}, DocTypes: []string{"passport", "id_card", "birth_certificate", "residence_permit", "other"}}
	p := s.newPage(r, "case.new_title", d)
	if r.Method == http.MethodPost {
		p.Form = r.PostForm
		for _, f := range cases.PicklistFields {
			for _, c := range r.PostForm[f] {
				d.Checked[f+"."+c] = true
			}
		}
	}
	if reg != nil {
		d.Duplicates, d.Elsewhere, d.ShowConfirm = reg.Duplicates, reg.DuplicateElsewhere, true
	} else if formErr != nil {
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "case_new", p)
}

// caseInputFromForm reads the registration form.
func caseInputFromForm(f url.Values) cases.Input {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	in := cases.Input{
		Person: cases.Person{GivenName: get("given_name"), FamilyName: get("family_name"), BirthDate: get("birth_date"),
			BirthDateEstimated: f.Get("birth_date_estimated") == "1", Sex: get("sex"), Citizenship: get("citizenship"),
			AgeDisputed: f.Get("age_disputed") == "1"},
		Exploitation: f[cases.FieldExploitation], Control: f[cases.FieldControl], Recruitment: f[cases.FieldRecruitment],
		ExploitationCountry: get("exploitation_country"), Municipality: get("municipality"), RiskLevel: get("risk_level"),
		Details: cases.Details{RecruitmentPlace: get("recruitment_place"), RecruitmentDate: get("recruitment_date"),
			ExploitationPlace: get("exploitation_place"), ExploitationFrom: get("exploitation_from"),
			ExploitationTo: get("exploitation_to"), Narrative: get("narrative")},
		ConfirmDuplicate: f.Get("confirm_duplicate") == "1",
	}
	for _, a := range strings.Split(f.Get("aliases"), "\n") {
		if a = strings.TrimSpace(a); a != "" {
			in.Person.Aliases = append(in.Person.Aliases, a)
		}
	}
	if n := get("document_number"); n != "" {
		in.Person.Documents = []cases.Document{{Type: get("document_type"), Number: n, Country: strings.ToUpper(get("document_country"))}}
	}
	if ph := get("phone"); ph != "" {
		in.Person.Contacts = []cases.Contact{{Type: "phone", Value: ph}}
	}
	return in
}

func (s *server) handleCaseCreate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	reg, err := s.app.Cases.Open(r.Context(), st.user.Actor(), caseInputFromForm(r.PostForm))
	switch {
	case err == cases.ErrDuplicate:
		s.renderCaseNew(w, r, http.StatusConflict, err, reg)
	case err != nil && isFormErr(err):
		s.renderCaseNew(w, r, errs.HTTPStatus(err), err, nil)
	case err != nil:
		s.renderError(w, r, err)
	default:
		s.redirectFlash(w, r, "/cases/"+reg.ID, "flash.case_created")
	}
}

type caseData struct {
	Case           *cases.Case
	ClosureReasons []string
	Decidable      []cases.Status
	Orgs           []*auth.Org
	CanBreakGlass  bool
	// Records are the consent, care, notes and tasks sections (caserecords.go).
	Records *caseRecords
	// History is the case history as sentences, the newest entries
	// (casehistory.go).
	History *historyView
}

func (s *server) handleCase(w http.ResponseWriter, r *http.Request) {
	s.renderCase(w, r, http.StatusOK, nil)
}

func (s *server) renderCase(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	c, err := s.app.Cases.FindCaseByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &caseData{Case: c, ClosureReasons: cases.ClosureReasons,
		Decidable:     []cases.Status{cases.StatusPresumed, cases.StatusIdentified, cases.StatusNotVictim},
		CanBreakGlass: access.Can(a, access.BreakGlassUse) && c.Person == nil}
	if c.CanManageTeam {
		if d.Orgs, err = s.app.Auth.FindOrgs(r.Context(), a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if d.Records, err = s.loadCaseRecords(r, a, c, st.p); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.History, err = s.historyOf(r.Context(), st, a, c.ID, c.Timeline, historyPreview); err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "case.title", d)
	p.Title = c.Reference
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
	}
	s.render(w, r, status, "case", p)
}

// caseFormResult answers a case form: back to the case page with a flash,
// or the page again with the error.
func (s *server) caseFormResult(w http.ResponseWriter, r *http.Request, err error, flash string) {
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/cases/"+r.PathValue("id"), flash)
	case isFormErr(err):
		s.renderCase(w, r, errs.HTTPStatus(err), err)
	default:
		s.renderError(w, r, err)
	}
}

func formVersion(r *http.Request) int {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	return v
}

func (s *server) handleCaseTransition(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	err := s.app.Cases.Transition(r.Context(), st.user.Actor(), r.PathValue("id"), cases.TransitionInput{
		To: cases.Stage(r.PostFormValue("to")), Reason: r.PostFormValue("reason"), Version: formVersion(r)})
	s.caseFormResult(w, r, err, "flash.case_stage_changed")
}

func (s *server) handleCaseDecision(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Cases.Decide(r.Context(), st.user.Actor(), r.PathValue("id"), cases.DecisionInput{
		Status: cases.Status(r.PostFormValue("status")), Grounds: r.PostFormValue("grounds"), Version: formVersion(r)})
	s.caseFormResult(w, r, err, "flash.case_decided")
}

func (s *server) handleCaseTeam(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	err := s.app.Cases.AddToTeam(r.Context(), st.user.Actor(), r.PathValue("id"), r.PostFormValue("org"), "")
	s.caseFormResult(w, r, err, "flash.saved")
}

// handleCaseBreakGlass opens the coordinator's emergency access to one case
// (the reason is stored encrypted by breakglass) and shows the case again.
func (s *server) handleCaseBreakGlass(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	c, err := s.app.Cases.FindCaseByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	_, err = s.app.BreakGlass.Open(r.Context(), a, "case", c.Reference, r.PostFormValue("reason"))
	if err != nil && isFormErr(err) {
		e := errs.As(err)
		e2 := *e
		e2.Field = "breakglass_reason"
		err = &e2
	}
	s.caseFormResult(w, r, err, "flash.breakglass_opened")
}
