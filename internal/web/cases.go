package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
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
		setFormError(p, st, listFieldError(err))
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
	// Screening is the screening the case is registered from, if any.
	Screening *screeningOrigin
	// EditID, Version, HasPerson and HasDetails turn the form into the edit
	// form of an existing case (case_edit.go).
	EditID                string
	Version               int
	HasPerson, HasDetails bool
}

// screeningOrigin is what the registration form says about the screening
// it starts from: when, the signal in words, and whether the case will
// start as a presumed victim.
type screeningOrigin struct {
	ID, Profile, Outcome string
	At                   time.Time
	Presumed             bool
}

// profileExploitation is the form of exploitation each screening profile
// stands for, ticked in advance on a case registered from a screening.
var profileExploitation = map[identify.Profile]string{
	identify.AdultLabour: "ForcedLabour", identify.AdultSexual: "SexualExploitation",
	identify.ChildLabour: "ChildLabour", identify.ChildSexual: "SexualExploitation",
}

func (s *server) handleCaseNew(w http.ResponseWriter, r *http.Request) {
	f := url.Values{}
	if id := r.URL.Query().Get("screening"); id != "" {
		f.Set("screening_id", id)
		if sc, err := s.screeningForCase(r, id); err == nil && sc != nil {
			if code := profileExploitation[sc.Profile]; code != "" {
				f.Set(cases.FieldExploitation, code)
			}
			f.Set("narrative", sc.Note)
		}
	}
	s.renderCaseNew(w, r, http.StatusOK, f, nil, nil)
}

// screeningForCase finds the screening a case is registered from; one
// already attached, or not the actor's to read, gives nothing to pre-fill
// (registration then says why).
func (s *server) screeningForCase(r *http.Request, id string) (*identify.Screening, error) {
	a := reqState(r).user.Actor()
	if !access.Can(a, access.ScreeningRead) {
		return nil, nil
	}
	sc, err := s.app.Screenings.Find(r.Context(), a, id)
	if err != nil || sc.CaseID != "" {
		return nil, err
	}
	return sc, nil
}

func (s *server) renderCaseNew(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error, reg *cases.Registered) {
	st := reqState(r)
	d := &caseNewData{Sexes: cases.Sexes, Fields: cases.PicklistFields, Picklists: cases.Picklists, Risks: cases.RiskLevels,
		Checked: map[string]bool{}, DocTypes: []string{"passport", "id_card", "birth_certificate", "residence_permit", "other"}}
	p := s.newPage(r, "case.new_title", d)
	p.Form = form
	for _, f := range cases.PicklistFields {
		for _, c := range form[f] {
			d.Checked[f+"."+c] = true
		}
	}
	if id := form.Get("screening_id"); id != "" {
		if sc, err := s.screeningForCase(r, id); err == nil && sc != nil {
			d.Screening = &screeningOrigin{ID: sc.ID, At: sc.At, Profile: st.p.T("screening.profile." + string(sc.Profile)),
				Outcome: st.p.T("screening.outcome." + string(sc.Outcome)), Presumed: sc.Indicated}
		} else if formErr == nil && reg == nil {
			formErr = errs.E(errs.NotFound, "case.screening_unavailable")
			status = http.StatusNotFound
		}
	}
	if reg != nil {
		d.Duplicates, d.Elsewhere, d.ShowConfirm = reg.Duplicates, reg.DuplicateElsewhere, true
	} else if formErr != nil {
		setFormError(p, st, formErr)
		p.ErrorForm = "case-form"
	}
	s.render(w, r, status, "case_new", p)
}

// listFieldError places a refused filter's message: beside the field the
// list form shows it for, else above the form (a filter value from a
// hand-made URL).
func listFieldError(err error) error {
	e := errs.As(err)
	switch e.Field {
	case "name", "birth_date", "stage", "status", "open", "proceedings", "guardian", "shelter", "opened", "":
		return e
	case "opened_from", "opened_to":
		c := *e
		c.Field = "opened"
		return &c
	}
	c := *e
	c.Field = ""
	return &c
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
		ScreeningID:      get("screening_id"),
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
		s.renderCaseNew(w, r, http.StatusConflict, r.PostForm, err, reg)
	case err != nil && (isFormErr(err) || errs.Is(err, errs.NotFound) && r.PostForm.Get("screening_id") != ""):
		// A screening gone meanwhile (attached elsewhere) is said beside the form.
		s.renderCaseNew(w, r, errs.HTTPStatus(err), r.PostForm, err, nil)
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
	// CanAskPartner: the contact point may ask a partner country whether it
	// knows this case's person (/exchange/person: only an encoding is sent,
	// so also for a person the contact point may not read).
	CanAskPartner bool
	// Records are the consent, care, notes and tasks sections (caserecords.go).
	Records *caseRecords
	// History is the case history as sentences, the newest entries
	// (casehistory.go).
	History *historyView
	// Nav lists the page's sections for the in-page navigation.
	Nav []caseNavItem
	// NextDeadline is the earliest open task's due time (zero: none) and
	// its label.
	NextDeadline      time.Time
	NextDeadlineLabel string
	NextOverdue       bool
	// ConsentFix is set when a referral was refused for want of consent:
	// the message beside the referral form links to the consent form.
	ConsentFix bool
	// Stale is set when a form was refused because the case changed
	// meanwhile: the page shows the case as it is now.
	Stale bool
	// Open is the id of the form asked for (?open=note-form, the header's
	// quick actions): it is shown open, also without JavaScript.
	Open string
	// Actions are the header's quick actions, each with an access key.
	Actions []caseAction
	// Justice is the criminal-justice section (justice.go); nil for the
	// roles that may not see the criminal file.
	Justice *caseJustice
}

// caseAction is a quick action of the case header: a link that opens a
// form of the page.
type caseAction struct{ Form, Label, Key string }

// caseNavItem is one link of the case page's section navigation.
type caseNavItem struct{ ID, Label string }

func (s *server) handleCase(w http.ResponseWriter, r *http.Request) {
	s.renderCase(w, r, http.StatusOK, nil)
}

// caseForms names, by the last part of a form's path, the id of the form on
// the case page: a refused form is opened, its message shown beside it and
// linked from the error summary.
var caseForms = map[string]string{
	"transitions": "transition-form", "decisions": "decision-form", "team": "team-form",
	"breakglass": "breakglass-form", "consent": "consent-form", "withdraw": "withdraw-form", "risk": "risk-form",
	"needs": "needs-form", "plan": "plan-form", "items": "plan-item-form", "progress": "progress-form",
	"notes": "note-form", "documents": "document-form", "referrals": "referral-form", "stays": "admit-form",
	"discharge": "discharge-form", "screenings": "screening-attach-form", "guardians": "guardian-form",
	"extend": "discharge-form", "gbv-type": "gbv-type-form", "incidents": "incident-form", "risk-assessments": "dvrisk-form", "safety-plans": "safety-form",
	"orders": "order-form", "violations": "violation-form", "dependants": "dependant-form", "perpetrators": "perpetrator-form",
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
		CanBreakGlass: access.Can(a, access.BreakGlassUse) && c.Person == nil,
		CanAskPartner: access.Can(a, access.ExchangeSend)}
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
	if d.Justice, err = s.caseJustice(r, a, c.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if t := d.Records.Tasks; t != nil {
		for _, row := range t.Open {
			if d.NextDeadline.IsZero() || row.DueAt.Before(d.NextDeadline) {
				d.NextDeadline, d.NextDeadlineLabel, d.NextOverdue = row.DueAt, row.Label, row.Overdue
			}
		}
	}
	d.Nav = caseNav(st.p.T, c, d)
	d.Actions = caseActions(st.p.T, d)
	for _, act := range d.Actions {
		if r.URL.Query().Get("open") == act.Form {
			d.Open = act.Form
		}
	}
	p := s.newPage(r, "case.title", d)
	p.Title = c.Reference
	if formErr != nil {
		e := errs.As(formErr)
		d.Stale = e == cases.ErrStale || e.Key == cases.ErrStale.Key
		if d.Stale {
			formErr = errs.E(errs.Conflict, "case.stale_form")
		}
		d.ConsentFix = strings.HasPrefix(e.Key, "referral.no_consent.") && d.Records.Consent != nil && d.Records.Consent.CanRecord
		setFormError(p, st, formErr)
		p.Form = r.PostForm
		parts := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
		p.ErrorForm = caseForms[parts[len(parts)-1]]
		if p.ErrorForm == "transition-form" && r.PostFormValue("to") == string(cases.StageClosed) {
			p.ErrorForm = "case-close"
		}
	}
	s.render(w, r, status, "case", p)
}

// caseActions are the forms most used from the case page, reachable from
// its header with one key (access keys C, R, N, D).
func caseActions(t func(string, ...any) string, d *caseData) []caseAction {
	rec := d.Records
	var out []caseAction
	if rec.Consent != nil && rec.Consent.CanRecord {
		out = append(out, caseAction{"consent-form", t("case.consent_record"), "c"})
	}
	if rec.Referrals != nil && rec.Referrals.CanRefer && len(rec.Referrals.Fitting) > 0 {
		out = append(out, caseAction{"referral-form", t("referrals.refer"), "r"})
	}
	if rec.Notes != nil && rec.Notes.CanNoteWrite {
		out = append(out, caseAction{"note-form", t("note.add"), "n"})
	}
	if d.Case.CanDecide {
		out = append(out, caseAction{"decision-form", t("case.decision_add"), "d"})
	}
	return out
}

// caseNav lists the sections the case page shows, in order.
func caseNav(t func(string, ...any) string, c *cases.Case, d *caseData) []caseNavItem {
	rec := d.Records
	items := []struct {
		id, key string
		on      bool
	}{
		{"case-summary", "case.summary", true},
		{"case-person", "case.person", c.Person != nil},
		{"case-details", "case.exploitation", c.Details != nil},
		{"case-team", "case.team", true},
		{"case-decisions", "case.decisions", true},
		{"guardian", "case.guardian.title", rec.Guardian != nil},
		{"consent", "case.consent", rec.Consent != nil},
		{"gbv", "gbv.section", rec.GBV != nil},
		{"risk", "case.risk_needs", rec.Care != nil},
		{"plan", "case.plan", rec.Care != nil},
		{"case-notes", "case.notes", rec.Notes != nil && (rec.Notes.CanNoteRead || rec.Notes.CanNoteWrite)},
		{"case-documents", "document.list", rec.Notes != nil && (rec.Notes.CanDocRead || rec.Notes.CanDocWrite)},
		{"referrals", "referrals.section", rec.Referrals != nil},
		{"case-stays", "stays.title", rec.Referrals != nil},
		{"tasks", "case.tasks", rec.Tasks != nil},
		{"screenings", "case.screenings", rec.Screenings != nil},
		{"case-justice", "justice.section", d.Justice != nil},
		{"history", "case.timeline", d.History != nil},
	}
	var out []caseNavItem
	for _, it := range items {
		if it.on {
			out = append(out, caseNavItem{ID: it.id, Label: t(it.key)})
		}
	}
	return out
}

// caseFormResult answers a case form: back to the case page with a flash,
// or the page again with the error.
func (s *server) caseFormResult(w http.ResponseWriter, r *http.Request, err error, flash string) {
	switch {
	case err == nil:
		// An explicit fragment: the browser would otherwise keep the form's
		// own (#decision-form) and open it again.
		anchor := "#case-summary"
		parts := strings.Split(r.URL.Path, "/")
		switch parts[len(parts)-1] {
		case "decisions":
			anchor = "#case-decisions"
		case "team":
			anchor = "#case-team"
		}
		s.redirectFlash(w, r, "/cases/"+r.PathValue("id")+anchor, flash)
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
