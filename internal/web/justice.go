package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/justice"
)

// The criminal-justice track's pages (/justice, internal/justice): the
// prosecutor's dashboard, filing a criminal case from a victim case, the
// criminal case page with its forms. Every form's field names carry the
// form's prefix in the error map ("ev-date"), so a message shows beside the
// one field it is about although several forms of the page have a date.

// justiceForms maps a form's path to its id and its error prefix.
var justiceForms = map[string][2]string{
	"events": {"event-form", "ev-"}, "references": {"reference-form", "ref-"}, "defendants": {"defendant-form", "def-"},
	"charges": {"charge-form", "chg-"}, "sentences": {"sentence-form", "sen-"}, "assets": {"asset-form", "ast-"},
	"victim": {"victim-form", "vic-"}, "victims": {"link-form", "lnk-"}, "breakglass": {"jbg-form", "jbg-"},
}

// justiceLists are the picklists the forms offer.
type justiceLists struct {
	EventTypes, Outcomes, Systems, Instances, Sexes, Roles, ChargeStages, AssetMeasures         []string
	VictimKinds, InfoTypes, Measures, MeasureStatuses, WitnessStatuses, AllegedOffences         []string
	NonPunishDecisions, CompensationRoutes, CompensationOutcome, Languages, Offences, Countries []string
}

func newJusticeLists(offences []string) justiceLists {
	return justiceLists{EventTypes: justice.EventTypes[1:], Outcomes: justice.Outcomes, Systems: justice.Systems,
		Instances: justice.Instances, Sexes: justice.Sexes, Roles: justice.Roles, ChargeStages: justice.ChargeStages,
		AssetMeasures: justice.AssetMeasures, VictimKinds: justice.VictimKinds, InfoTypes: justice.InfoTypes,
		Measures: justice.Measures, MeasureStatuses: justice.MeasureStatuses, WitnessStatuses: justice.WitnessStatuses,
		AllegedOffences: justice.AllegedOffences, NonPunishDecisions: justice.NonPunishDecisions,
		CompensationRoutes: justice.CompensationRoutes, CompensationOutcome: justice.CompensationOutcome,
		Languages: justice.Languages, Offences: offences}
}

type justiceCaseData struct {
	C     *justice.CriminalCase
	Lists justiceLists
	// Hearings and Judgments are the events the victim and sentence forms offer.
	Hearings, Judgments []justice.Event
	// DefName names a defendant by id as the actor may see them.
	DefName   map[string]string
	ChargeOf  map[string]justice.Charge
	EventOf   map[string]justice.Event
	CanDefend bool
	// CanBreakGlass: the coordinator may open the defendants' identity.
	CanBreakGlass bool
	// Opts are the picklists with their labels, by list name (the
	// template prints them; translating in the template cost most of the
	// page's time).
	Opts map[string][]opt
	// EventRows and DeadlineRows are the events and deadlines with their labels.
	EventRows    []eventRow
	DeadlineRows []deadlineRow
	// VictimOpts are the linked victim cases as the victim form offers them.
	VictimOpts []struct{ ID, Label string }
	form       url.Values
	errorForm  string
}

type opt struct{ V, L string }

type eventRow struct {
	Type, ISO, Day, Label string
}

type deadlineRow struct {
	justice.Deadline
	ISO, Day, Label, StateLabel, Basis string
}

// justiceOpts names each picklist's catalogue prefix.
var justiceOpts = map[string]string{"Systems": "justice.system.", "Instances": "justice.instance.", "EventTypes": "justice.event.",
	"Outcomes": "justice.outcome.", "Sexes": "justice.sex.", "ChargeStages": "justice.charge_stage.", "Offences": "justice.offence.",
	"AssetMeasures": "justice.asset.", "VictimKinds": "justice.kind.", "InfoTypes": "justice.info.", "Measures": "justice.measure.",
	"AllegedOffences": "justice.alleged.", "CompensationRoutes": "justice.route.", "MeasureStatuses": "justice.measure_status.",
	"WitnessStatuses": "justice.witness.", "NonPunishDecisions": "justice.np.", "CompensationOutcome": "justice.comp.",
	"Languages": "justice.lang.", "Roles": "justice.role."}

func (l justiceLists) byName(name string) []string {
	switch name {
	case "Systems":
		return l.Systems
	case "Instances":
		return l.Instances
	case "EventTypes":
		return l.EventTypes
	case "Outcomes":
		return l.Outcomes
	case "Sexes":
		return l.Sexes
	case "ChargeStages":
		return l.ChargeStages
	case "Offences":
		return l.Offences
	case "AssetMeasures":
		return l.AssetMeasures
	case "VictimKinds":
		return l.VictimKinds
	case "InfoTypes":
		return l.InfoTypes
	case "Measures":
		return l.Measures
	case "AllegedOffences":
		return l.AllegedOffences
	case "CompensationRoutes":
		return l.CompensationRoutes
	case "MeasureStatuses":
		return l.MeasureStatuses
	case "WitnessStatuses":
		return l.WitnessStatuses
	case "NonPunishDecisions":
		return l.NonPunishDecisions
	case "CompensationOutcome":
		return l.CompensationOutcome
	case "Languages":
		return l.Languages
	case "Roles":
		return l.Roles
	}
	return nil
}

// V is what was typed in field of form, when that form was refused.
func (d *justiceCaseData) V(form, field string) string {
	if d.errorForm != form {
		return ""
	}
	return d.form.Get(field)
}

func (s *server) handleJusticeCase(w http.ResponseWriter, r *http.Request) {
	s.renderJusticeCase(w, r, http.StatusOK, nil, "")
}

func (s *server) renderJusticeCase(w http.ResponseWriter, r *http.Request, status int, formErr error, form string) {
	st := reqState(r)
	a := st.user.Actor()
	c, err := s.app.Justice.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &justiceCaseData{C: c, Lists: newJusticeLists(justice.DefaultConfig.OffenceCodes(c.Jurisdiction)),
		DefName: map[string]string{}, ChargeOf: map[string]justice.Charge{}, EventOf: map[string]justice.Event{},
		CanDefend:     c.CanRecord && access.Can(a, access.JusticeDefendants),
		CanBreakGlass: !c.Personal && len(c.Defendants) > 0 && access.BreakGlassOpens(a, access.JusticeDefendants)}
	for _, e := range c.Events {
		d.EventOf[e.ID] = e
		if justice.Hearings[e.Type] {
			d.Hearings = append(d.Hearings, e)
		}
		if e.Type == justice.JudgmentFirst || e.Type == justice.FinalJudgment {
			d.Judgments = append(d.Judgments, e)
		}
	}
	tr := st.p.T
	d.Opts = map[string][]opt{}
	if c.CanRecord || c.CanVictim {
		for name, prefix := range justiceOpts {
			for _, v := range d.Lists.byName(name) {
				d.Opts[name] = append(d.Opts[name], opt{v, tr(prefix + v)})
			}
		}
	}
	for _, e := range c.Events {
		label := tr("justice.event." + e.Type)
		if e.Outcome != "" {
			label += " — " + tr("justice.outcome."+e.Outcome)
		}
		if e.Detention {
			label += " — " + tr("justice.detention")
		}
		d.EventRows = append(d.EventRows, eventRow{Type: e.Type, ISO: justice.Day(e.Date), Day: st.p.Date(e.Date), Label: label})
	}
	for _, dl := range c.Deadlines {
		state := tr("justice.deadline." + dl.State)
		if !dl.MetAt.IsZero() {
			state += " (" + st.p.Date(dl.MetAt) + ")"
		}
		d.DeadlineRows = append(d.DeadlineRows, deadlineRow{Deadline: dl, ISO: justice.Day(dl.Due), Day: st.p.Date(dl.Due),
			Label: tr("justice.rule." + dl.Rule.ID), StateLabel: state, Basis: tr("justice.basis." + dl.Rule.ID)})
	}
	for _, def := range c.Defendants {
		if def.Name != "" {
			d.DefName[def.ID] = def.Name
		} else {
			d.DefName[def.ID] = st.p.T("justice.defendant_n", "n", def.Number)
		}
	}
	for _, ch := range c.Charges {
		d.ChargeOf[ch.ID] = ch
	}
	for i, v := range c.Victims {
		label := v.Reference
		if label == "" {
			label = st.p.T("justice.victim_n", "n", i+1)
		}
		d.VictimOpts = append(d.VictimOpts, struct{ ID, Label string }{v.CaseID, label})
	}
	p := s.newPage(r, "justice.case_title", d)
	if len(c.References) > 0 {
		p.Title = st.p.T("justice.case_title_ref", "ref", c.References[0].Number)
	}
	if formErr != nil {
		f := justiceForms[form]
		e := errs.As(formErr)
		p.Form, p.ErrorForm = r.PostForm, f[0]
		d.form, d.errorForm = r.PostForm, f[0]
		msg := st.p.T(e.Key, argList(e.Args)...)
		if e.Field != "" {
			p.Errors[f[1]+e.Field] = msg
		} else {
			p.Error = msg
		}
	}
	s.render(w, r, status, "justice_case", p)
}

// justiceResult answers a form of the criminal case page.
func (s *server) justiceResult(w http.ResponseWriter, r *http.Request, form string, err error) {
	id := r.PathValue("id")
	if err != nil {
		if isFormErr(err) {
			s.renderJusticeCase(w, r, errs.HTTPStatus(err), err, form)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/justice/"+url.PathEscape(id)+"#j-"+form, "flash.justice_saved")
}

func atoi(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		if strings.TrimSpace(v) == "" {
			return 0
		}
		return -1
	}
	return n
}

func (s *server) handleJusticeEvent(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	_, err := s.app.Justice.RecordEvent(r.Context(), a, r.PathValue("id"), justice.EventInput{Type: r.PostFormValue("type"),
		Date: r.PostFormValue("date"), Outcome: r.PostFormValue("outcome"), Detention: r.PostFormValue("detention") == "1"})
	s.justiceResult(w, r, "events", err)
}

func (s *server) handleJusticeReference(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	err := s.app.Justice.AddReference(r.Context(), a, r.PathValue("id"), justice.Reference{System: r.PostFormValue("system"),
		Number: r.PostFormValue("number"), Instance: r.PostFormValue("instance")})
	s.justiceResult(w, r, "references", err)
}

func (s *server) handleJusticeDefendant(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	_ = r.ParseForm()
	_, err := s.app.Justice.AddDefendant(r.Context(), a, r.PathValue("id"), justice.DefendantInput{Name: r.PostFormValue("name"),
		Details: r.PostFormValue("details"), Sex: r.PostFormValue("sex"), Nationality: r.PostFormValue("nationality"),
		Roles: r.PostForm["roles"], Official: r.PostFormValue("official") == "1"})
	s.justiceResult(w, r, "defendants", err)
}

func (s *server) handleJusticeCharge(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	_, err := s.app.Justice.AddCharge(r.Context(), a, r.PathValue("id"), justice.ChargeInput{DefendantID: r.PostFormValue("defendant_id"),
		OffenceCode: r.PostFormValue("offence_code"), Stage: r.PostFormValue("stage"), ReplacesID: r.PostFormValue("replaces_id")})
	s.justiceResult(w, r, "charges", err)
}

func (s *server) handleJusticeSentence(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	months, fine := atoi(r.PostFormValue("imprisonment_months")), atoi(r.PostFormValue("fine_eur"))
	var err error
	switch {
	case months < 0:
		err = errs.InvalidField("imprisonment_months", "justice.error.sentence_range")
	case fine < 0:
		err = errs.InvalidField("fine_eur", "justice.error.sentence_range")
	default:
		_, err = s.app.Justice.RecordSentence(r.Context(), a, r.PathValue("id"), justice.SentenceInput{ChargeID: r.PostFormValue("charge_id"),
			EventID: r.PostFormValue("event_id"), Outcome: r.PostFormValue("outcome"), ImprisonmentMonths: months,
			Suspended: r.PostFormValue("suspended") == "1", FineEUR: fine})
	}
	s.justiceResult(w, r, "sentences", err)
}

func (s *server) handleJusticeAsset(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	value := atoi(r.PostFormValue("value_eur"))
	err := s.app.Justice.AddAsset(r.Context(), a, r.PathValue("id"), justice.AssetInput{DefendantID: r.PostFormValue("defendant_id"),
		Measure: r.PostFormValue("measure"), ValueEUR: value, Date: r.PostFormValue("date")})
	s.justiceResult(w, r, "assets", err)
}

func (s *server) handleJusticeVictim(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	claimed, awarded := atoi(r.PostFormValue("claimed_eur")), atoi(r.PostFormValue("awarded_eur"))
	var err error
	switch {
	case claimed < 0:
		err = errs.InvalidField("claimed_eur", "justice.error.amount")
	case awarded < 0:
		err = errs.InvalidField("awarded_eur", "justice.error.awarded")
	default:
		_, err = s.app.Justice.RecordVictim(r.Context(), a, r.PathValue("id"), justice.VictimInput{CaseID: r.PostFormValue("case_id"),
			Kind: r.PostFormValue("kind"), Code: r.PostFormValue("code"), Status: r.PostFormValue("status"), Lang: r.PostFormValue("lang"),
			Date: r.PostFormValue("date"), EventID: r.PostFormValue("event_id"), Present: r.PostFormValue("present") == "1",
			AdvocatePresent: r.PostFormValue("advocate_present") == "1", Testified: r.PostFormValue("testified") == "1",
			ClaimedEUR: claimed, AwardedEUR: awarded, Decided: r.PostFormValue("decided")})
	}
	s.justiceResult(w, r, "victim", err)
}

// The form to file a criminal case from a victim case.

type justiceNewData struct {
	CaseID      string
	CaseRef     string
	Offences    []string
	Prosecution []*auth.Org
	Instances   []string
}

func (s *server) handleJusticeNew(w http.ResponseWriter, r *http.Request) {
	s.renderJusticeNew(w, r, http.StatusOK, nil)
}

func (s *server) renderJusticeNew(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	caseID := r.URL.Query().Get("case")
	if r.Method == http.MethodPost {
		caseID = r.PostFormValue("case_id")
	}
	ref, err := s.app.Cases.Authorize(r.Context(), s.app.DB.Read(), a, caseID, access.JusticeRecord)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &justiceNewData{CaseID: ref.ID, CaseRef: ref.Reference, Offences: justice.DefaultConfig.OffenceCodes("XK"), Instances: justice.Instances}
	orgs, err := s.app.Auth.FindOrgs(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, o := range orgs {
		if o.Type == "prosecution" && o.Active {
			d.Prosecution = append(d.Prosecution, o)
		}
	}
	p := s.newPage(r, "justice.new_title", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "justice-new-form"
	}
	s.render(w, r, status, "justice_new", p)
}

func (s *server) handleJusticeCreate(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	in := justice.CreateInput{VictimCaseIDs: []string{r.PostFormValue("case_id")}, OffenceCode: r.PostFormValue("offence_code"),
		OffenceDate: r.PostFormValue("offence_date"), ReportDate: r.PostFormValue("report_date"),
		ProsecutionOrgID: r.PostFormValue("prosecution_org_id")}
	for _, sys := range justice.Systems {
		if n := strings.TrimSpace(r.PostFormValue(sys + "_number")); n != "" {
			ref := justice.Reference{System: sys, Number: n}
			if sys == "court" {
				ref.Instance = r.PostFormValue("court_instance")
			}
			in.References = append(in.References, ref)
		}
	}
	id, err := s.app.Justice.Create(r.Context(), a, in)
	if err != nil {
		if isFormErr(err) {
			s.renderJusticeNew(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/justice/"+url.PathEscape(id), "flash.justice_created")
}

// The prosecutor's dashboard.

func (s *server) handleJusticeDashboard(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	d, err := s.app.Justice.Dashboard(r.Context(), st.user.Actor())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The same page serves the prosecution office and the police unit: its
	// title and empty state name the reader's own organisation.
	v := &justiceDashboard{Dashboard: d, LeadKey: "justice.dashboard_lead", EmptyKey: "justice.no_cases"}
	title := "justice.dashboard_title"
	if st.user.Role == access.Police {
		title, v.LeadKey, v.EmptyKey = "justice.dashboard_title_police", "justice.dashboard_lead_police", "justice.no_cases_police"
	}
	s.render(w, r, http.StatusOK, "justice_dashboard", s.newPage(r, title, v))
}

// justiceDashboard is the dashboard with the words for the reader's role.
type justiceDashboard struct {
	*justice.Dashboard
	LeadKey, EmptyKey string
}

// caseJustice is the criminal-justice section of a victim case page.
type caseJustice struct {
	Cases   []*justice.CriminalCase
	CanFile bool
}

func (s *server) caseJustice(r *http.Request, a access.Actor, caseID string) (*caseJustice, error) {
	if s.app.Justice == nil || !access.Can(a, access.JusticeView) {
		return nil, nil
	}
	list, err := s.app.Justice.ForVictimCase(r.Context(), a, caseID)
	if err != nil {
		return nil, err
	}
	cj := &caseJustice{Cases: list}
	if access.Can(a, access.JusticeRecord) {
		_, err := s.app.Cases.Authorize(r.Context(), s.app.DB.Read(), a, caseID, access.JusticeRecord)
		cj.CanFile = err == nil
	}
	if len(list) == 0 && !cj.CanFile {
		return nil, nil
	}
	return cj, nil
}

// handleJusticeLink links another victim case, named by its reference.
func (s *server) handleJusticeLink(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	ref := strings.TrimSpace(r.PostFormValue("reference"))
	var err error
	if ref == "" {
		err = errs.InvalidField("case_id", "validation.required")
	} else {
		var list []*cases.Summary
		list, _, err = s.app.Cases.FindCases(r.Context(), a, cases.CaseFilter{Reference: &ref, Limit: 2})
		switch {
		case err != nil && isFormErr(err):
			err = errs.InvalidField("case_id", "justice.error.victim_case_unknown")
		case err == nil && len(list) != 1:
			err = errs.InvalidField("case_id", "justice.error.victim_case_unknown")
		case err == nil:
			err = s.app.Justice.LinkVictim(r.Context(), a, r.PathValue("id"), list[0].ID)
		}
	}
	s.justiceResult(w, r, "victims", err)
}

// handleJusticeBreakGlass opens the coordinator's emergency access to one
// criminal case's defendants (the reason stored encrypted by breakglass).
func (s *server) handleJusticeBreakGlass(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if _, err := s.app.Justice.Get(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	_, err := s.app.BreakGlass.Open(r.Context(), a, justice.BreakGlassObject, id, r.PostFormValue("reason"))
	if err != nil && isFormErr(err) {
		e := *errs.As(err)
		e.Field = "reason"
		err = &e
	}
	if err == nil {
		s.redirectFlash(w, r, "/justice/"+url.PathEscape(id)+"#j-defendants", "flash.breakglass_opened")
		return
	}
	s.justiceResult(w, r, "breakglass", err)
}
