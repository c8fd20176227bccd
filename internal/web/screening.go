package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/identify"
)

// The screening pages: choose a profile, tick the indicators, read the
// signal with its explanation, optionally save it; and the Palermo checklist
// for the forms of exploitation outside the four lists. The texts are built
// here from the catalogues, so the templates stay simple loops.

type option struct {
	Value, Label string
	Selected     bool
}

type indicatorView struct {
	ID, Label, Weight string
	Checked           bool
}

type dimensionGroup struct {
	Code, Name string
	Indicators []indicatorView
}

type screeningFormData struct {
	Profiles       []option
	Profile        identify.Profile
	ProfileLabel   string
	Child          bool
	RecruitmentAct bool
	Groups         []dimensionGroup
	Version        string
	Palermo        palermoFormData
	CanRead        bool
	Unattached     []savedRow
}

type savedRow struct {
	ID, Profile, Outcome string
	At                   time.Time
}

func (s *server) handleScreeningForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("profile")
	p, ok := identify.ParseProfile(q)
	if q != "" && !ok {
		s.renderScreeningForm(w, r, http.StatusBadRequest, "", nil, false, errs.InvalidField("profile", "screening.error.profile"))
		return
	}
	s.renderScreeningForm(w, r, http.StatusOK, p, nil, false, nil)
}

func (s *server) renderScreeningForm(w http.ResponseWriter, r *http.Request, status int, prof identify.Profile, checked []string, ract bool, formErr error) {
	st := reqState(r)
	c := identify.Default()
	d := screeningFormData{Profile: prof, Child: prof.Child(), RecruitmentAct: ract, Version: c.Version,
		Palermo: newPalermoForm(st.p, nil)}
	if r.Method == http.MethodPost && r.URL.Path == "/screening/palermo" {
		in := palermoInput(r) // what was ticked stays ticked
		d.Palermo = newPalermoForm(st.p, &in)
	}
	for _, p := range identify.Profiles {
		d.Profiles = append(d.Profiles, option{Value: string(p), Label: st.p.T("screening.profile." + string(p)), Selected: p == prof})
	}
	if prof != "" {
		d.ProfileLabel = st.p.T("screening.profile." + string(prof))
		on := map[string]bool{}
		for _, id := range checked {
			on[id] = true
		}
		for _, dim := range identify.Dimensions {
			g := dimensionGroup{Code: identify.DimensionCode(st.p, dim), Name: identify.DimensionName(st.p, dim)}
			for _, in := range c.Indicators(prof) {
				if in.Dimension == dim {
					g.Indicators = append(g.Indicators, indicatorView{ID: in.ID, Label: in.Label(st.lang),
						Weight: st.p.T("screening.weight." + in.Weight.String()), Checked: on[in.ID]})
				}
			}
			d.Groups = append(d.Groups, g)
		}
	}
	actor := st.user.Actor()
	if access.Can(actor, access.ScreeningRead) && formErr == nil {
		list, err := s.app.Screenings.FindUnattached(r.Context(), actor)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.CanRead = true
		for _, sc := range list {
			d.Unattached = append(d.Unattached, savedRow{ID: sc.ID, At: sc.At,
				Profile: st.p.T("screening.profile." + string(sc.Profile)), Outcome: st.p.T("screening.outcome." + string(sc.Outcome))})
		}
	}
	pg := s.newPage(r, "screening.title", d)
	if formErr != nil {
		setFormError(pg, st, formErr)
		switch f := errs.As(formErr).Field; {
		case f == "profile" && prof == "":
			pg.ErrorForm = "profile-form"
		case r.URL.Path == "/screening/palermo":
			pg.ErrorForm = "palermo-form"
		default:
			pg.ErrorForm = "screening-form"
		}
		if r.Method == http.MethodPost {
			pg.Form = r.PostForm
		}
	}
	s.render(w, r, status, "screening", pg)
}

// screeningInput reads the indicator form (also the save form, which repeats it).
func screeningInput(r *http.Request) identify.Input {
	r.ParseForm()
	return identify.Input{Profile: identify.Profile(r.PostForm.Get("profile")), Indicators: r.PostForm["indicator"],
		RecruitmentAct: r.PostForm.Get("recruitment_act") == "1"}
}

// renderInputError shows the form again with the message; an unknown
// profile shows the profile choice only, so nothing unknown is echoed.
func (s *server) renderInputError(w http.ResponseWriter, r *http.Request, in identify.Input, err error) {
	if !isFormErr(err) {
		s.renderError(w, r, err)
		return
	}
	prof, ok := identify.ParseProfile(string(in.Profile))
	if !ok {
		s.renderScreeningForm(w, r, http.StatusBadRequest, "", nil, false, err)
		return
	}
	s.renderScreeningForm(w, r, http.StatusBadRequest, prof, in.Indicators, in.RecruitmentAct && prof.Child(), err)
}

func (s *server) handleScreeningAssess(w http.ResponseWriter, r *http.Request) {
	in := screeningInput(r)
	res, err := identify.Default().Assess(in)
	if err != nil {
		s.renderInputError(w, r, in, err)
		return
	}
	st := reqState(r)
	v := newResultView(st.p, st.lang, &res)
	v.CanSave = access.Can(st.user.Actor(), access.ScreeningRecord)
	v.CanRegister = v.CanSave && access.Can(st.user.Actor(), access.CaseCreate)
	v.CanAttach = v.CanSave && access.Can(st.user.Actor(), access.CaseEdit)
	v.Input = in.Indicators
	s.render(w, r, http.StatusOK, "screening_result", s.newPage(r, "screening.result_title", v))
}

func (s *server) handleScreeningSave(w http.ResponseWriter, r *http.Request) {
	in := screeningInput(r)
	st := reqState(r)
	a := st.user.Actor()
	sc, err := s.app.Screenings.Record(r.Context(), a, identify.RecordInput{Input: in, Note: r.PostForm.Get("note")})
	if err != nil {
		s.renderInputError(w, r, in, err)
		return
	}
	// "Save and register a case" carries the screening on to the case form.
	if r.PostForm.Get("then") == "case" && access.Can(a, access.CaseCreate) {
		s.redirectFlash(w, r, "/cases/new?screening="+url.QueryEscape(sc.ID), "flash.screening_saved")
		return
	}
	// "Save and attach to an existing case" opens the attach form.
	if r.PostForm.Get("then") == "attach" && access.Can(a, access.CaseEdit) {
		s.redirectFlash(w, r, "/screening/"+sc.ID+"?open=attach-form#attach-form", "flash.screening_saved")
		return
	}
	s.redirectFlash(w, r, "/screening/"+sc.ID, "flash.screening_saved")
}

func (s *server) handleScreeningView(w http.ResponseWriter, r *http.Request) {
	s.renderScreeningView(w, r, http.StatusOK, nil)
}

// renderScreeningView shows a saved screening with what can be done with
// it: register a case from it, or attach it to an existing case by the
// case's reference (the form that failed shows its message beside it).
func (s *server) renderScreeningView(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	sc, err := s.app.Screenings.Find(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := newResultView(st.p, st.lang, &sc.Result)
	v.Saved = &savedView{ID: sc.ID, At: sc.At, CaseID: sc.CaseID, Note: sc.Note}
	v.CanRegister = sc.CaseID == "" && access.Can(a, access.CaseCreate)
	v.CanAttach = sc.CaseID == "" && access.Can(a, access.CaseEdit)
	v.OpenAttach = r.URL.Query().Get("open") == "attach-form"
	w.Header().Set("Cache-Control", "no-store")
	p := s.newPage(r, "screening.saved_title", v)
	if formErr != nil {
		setFormError(p, st, formErr)
		p.ErrorForm = "attach-form"
		p.Form = r.PostForm
	}
	s.render(w, r, status, "screening_result", p)
}

// handleScreeningAttach attaches a saved screening to the case whose
// reference was typed, if the actor may edit that case.
func (s *server) handleScreeningAttach(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	ref := strings.ToUpper(strings.TrimSpace(r.PostFormValue("reference")))
	if ref == "" {
		s.renderScreeningView(w, r, http.StatusBadRequest, errs.InvalidField("reference", "validation.required"))
		return
	}
	notFound := errs.InvalidField("reference", "screening.attach_not_found")
	list, _, err := s.app.Cases.FindCases(r.Context(), a, cases.CaseFilter{Reference: &ref, Limit: 1})
	if err != nil && !isFormErr(err) && !absent(err) {
		s.renderError(w, r, err)
		return
	}
	if err != nil || len(list) == 0 {
		s.renderScreeningView(w, r, http.StatusNotFound, notFound)
		return
	}
	caseID := list[0].ID
	err = s.app.Screenings.AttachToCase(r.Context(), a, r.PathValue("id"), caseID)
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/cases/"+caseID+"#screenings", "flash.screening_attached")
	case absent(err):
		s.renderScreeningView(w, r, http.StatusNotFound, notFound)
	case isFormErr(err):
		s.renderScreeningView(w, r, errs.HTTPStatus(err), err)
	default:
		s.renderError(w, r, err)
	}
}

// handleCaseScreeningAttach attaches one of the organisation's saved
// screenings from the case page.
func (s *server) handleCaseScreeningAttach(w http.ResponseWriter, r *http.Request) {
	err := s.app.Screenings.AttachToCase(r.Context(), reqState(r).user.Actor(), r.PostFormValue("screening_id"), r.PathValue("id"))
	if errs.Is(err, errs.NotFound) && r.PostFormValue("screening_id") != "" {
		// The screening went (attached elsewhere meanwhile): say so beside the form.
		err = errs.E(errs.Conflict, "screening.error.attached")
	}
	s.recordResult(w, r, "screening", "screenings", err, "flash.screening_attached")
}

// resultView is the result page: the signal, each dimension with the
// indicators that counted and the clause applied, and the combination.
type resultView struct {
	Profile        identify.Profile
	ProfileLabel   string
	Version        string
	Indicated      bool
	Outcome        string
	Notice         string
	Rule           string
	Combination    []string
	Dimensions     []dimensionView
	RecruitmentAct bool
	CanSave        bool
	CanRegister    bool // save and register a case (unsaved), or register one (saved)
	CanAttach      bool
	OpenAttach     bool // the attach form was asked for
	Input          []string
	Saved          *savedView
}

type dimensionView struct {
	Name, Sentence string
	Positive       bool
	Counted        []indicatorView
}

type savedView struct {
	ID, CaseID, Note string
	At               time.Time
}

func newResultView(p *i18n.Printer, lang i18n.Lang, res *identify.Result) *resultView {
	c := identify.Default()
	v := &resultView{Profile: res.Profile, ProfileLabel: p.T("screening.profile." + string(res.Profile)), Version: res.Version,
		Indicated: res.Indicated, Outcome: p.T("screening.outcome." + string(res.Outcome)), Notice: p.T("screening.signal_notice"),
		Rule: p.T("screening.explain.rule_" + res.RuleName()), Combination: res.CombinationSentences(p),
		RecruitmentAct: res.RecruitmentAct}
	for _, d := range res.Dimensions {
		dv := dimensionView{Name: identify.DimensionName(p, d.Dimension), Sentence: identify.DimensionSentence(p, d), Positive: d.Positive}
		for _, id := range d.Indicators {
			iv := indicatorView{ID: id, Label: id}
			if in, ok := c.Indicator(id); ok {
				iv.Label, iv.Weight = in.Label(lang), p.T("screening.weight."+in.Weight.String())
			}
			dv.Counted = append(dv.Counted, iv)
		}
		v.Dimensions = append(v.Dimensions, dv)
	}
	return v
}

// Palermo checklist.

type palermoFormData struct {
	Forms       []option
	Acts, Means []option
	Child       bool
	Purpose     bool
}

func newPalermoForm(p *i18n.Printer, in *identify.PalermoInput) palermoFormData {
	var d palermoFormData
	if in == nil {
		in = &identify.PalermoInput{}
	}
	d.Child, d.Purpose = in.Child, in.Purpose
	for _, f := range identify.Forms {
		d.Forms = append(d.Forms, option{Value: string(f), Label: p.T("palermo.form." + string(f)), Selected: f == in.Form})
	}
	for _, a := range identify.Acts {
		d.Acts = append(d.Acts, option{Value: string(a), Label: p.T("palermo.act." + string(a)), Selected: has(in.Acts, a)})
	}
	for _, m := range identify.MeansList {
		d.Means = append(d.Means, option{Value: string(m), Label: p.T("palermo.means." + string(m)), Selected: has(in.Means, m)})
	}
	return d
}

func has[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// palermoInput reads the Palermo checklist form.
func palermoInput(r *http.Request) identify.PalermoInput {
	r.ParseForm()
	in := identify.PalermoInput{Form: identify.Form(r.PostForm.Get("form")), Child: r.PostForm.Get("child") == "1",
		Purpose: r.PostForm.Get("purpose") == "1"}
	for _, a := range r.PostForm["act"] {
		in.Acts = append(in.Acts, identify.Act(a))
	}
	for _, m := range r.PostForm["means"] {
		in.Means = append(in.Means, identify.Means(m))
	}
	return in
}

type palermoView struct {
	Indicated bool
	Summary   string
	Elements  []elementView
}

type elementView struct {
	Name, Status string
	Met          bool
}

func (s *server) handlePalermo(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	in := palermoInput(r)
	res, err := identify.CheckPalermo(in)
	if err != nil {
		s.renderScreeningForm(w, r, http.StatusBadRequest, "", nil, false, errs.As(err))
		return
	}
	form := st.p.T("palermo.form." + string(res.Form))
	v := palermoView{Indicated: res.Indicated}
	if res.Indicated {
		v.Summary = st.p.T("palermo.result.indicated", "form", form)
	} else {
		v.Summary = st.p.T("palermo.result.not_indicated", "form", form)
	}
	status := func(met, needed bool) (string, bool) {
		switch {
		case met:
			return st.p.T("palermo.status.met"), true
		case !needed:
			return st.p.T("palermo.status.not_needed"), true
		}
		return st.p.T("palermo.status.missing"), false
	}
	for _, e := range []struct {
		key         string
		met, needed bool
	}{{"act", res.Act, true}, {"means", res.Means, res.MeansRequired}, {"purpose", res.Purpose, true}} {
		text, ok := status(e.met, e.needed)
		v.Elements = append(v.Elements, elementView{Name: st.p.T("palermo.element." + e.key), Status: text, Met: ok})
	}
	s.render(w, r, http.StatusOK, "screening_palermo", s.newPage(r, "palermo.result_title", v))
}
