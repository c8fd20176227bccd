package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/licensing"
)

// Licensing (/licensing): the coordinator's office records providers'
// licences, inspects them against the minimum standards and decides
// whether referral requires a licence in force (R3.1); a provider reads
// its own licences and inspections. Handlers are thin: internal/licensing
// checks and audits.

type licensingData struct {
	Licences    []*licensing.Licence
	Inspections []*licensing.Inspection
	Apps        []*licensing.Application
	CanApply    bool
	Reminders   []licensing.Reminder
	Providers   []*auth.Org
	Categories  []string
	Statuses    []string
	Required    bool
	CanManage   bool
	Today       string
}

func (s *server) handleLicensing(w http.ResponseWriter, r *http.Request) {
	s.renderLicensing(w, r, http.StatusOK, "", nil)
}

func (s *server) renderLicensing(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	d := &licensingData{Categories: licensing.Categories, Statuses: licensing.Statuses, CanManage: access.Can(a, access.LicenceManage),
		Today: s.now().Format("2006-01-02")}
	var err error
	if d.Licences, err = s.app.Licensing.List(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.Inspections, err = s.app.Licensing.Inspections(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.Apps, err = s.app.Licensing.Applications(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	d.CanApply = access.Can(a, access.LicenceApply)
	if d.Reminders, err = s.app.Licensing.Reminders(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.CanManage {
		if d.Providers, err = s.app.Licensing.Providers(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Required, err = licensing.Required(ctx, s.app.DB.Read()); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "licensing.title", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = form
	}
	s.render(w, r, status, "licensing", p)
}

// formFailed re-renders with the error beside the form, or shows the error page.
func (s *server) formFailed(w http.ResponseWriter, r *http.Request, err error, again func(int, error)) {
	if isFormErr(err) {
		again(errs.HTTPStatus(err), err)
		return
	}
	s.renderError(w, r, err)
}

func (s *server) handleLicenceRecord(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	in := licensing.LicenceInput{OrgID: r.PostFormValue("organisation"), Number: r.PostFormValue("number"),
		Category: r.PostFormValue("category"), IssuedOn: r.PostFormValue("issued_on"), ValidUntil: r.PostFormValue("valid_until"),
		Conditions: r.PostFormValue("conditions")}
	if _, err := s.app.Licensing.Record(r.Context(), a, in); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderLicensing(w, r, st, "licence-form", e) })
		return
	}
	s.redirectFlash(w, r, "/licensing#licences", "flash.licence_recorded")
}

func (s *server) handleLicenceStatus(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	id := r.PathValue("id")
	if err := s.app.Licensing.SetStatus(r.Context(), a, id, r.PostFormValue("status"), r.PostFormValue("valid_until"), v); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderLicensing(w, r, st, "licence-status-"+id, e) })
		return
	}
	s.redirectFlash(w, r, "/licensing#licences", "flash.licence_changed")
}

func (s *server) handleLicensingSetting(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	if err := s.app.Licensing.SetRequired(r.Context(), a, r.PostFormValue("required") == "1"); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderLicensing(w, r, st, "licensing-setting", e) })
		return
	}
	s.redirectFlash(w, r, "/licensing#setting", "flash.licensing_setting")
}

type inspectionFormData struct {
	Set       *licensing.StandardSet
	Providers []*auth.Org
	Results   []string
}

func (s *server) handleInspectionNew(w http.ResponseWriter, r *http.Request) {
	s.renderInspectionForm(w, r, http.StatusOK, nil)
}

func (s *server) renderInspectionForm(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	provs, err := s.app.Licensing.Providers(r.Context(), st.user.Actor())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "licensing.inspection_new", &inspectionFormData{Set: licensing.Sets[0], Providers: provs, Results: licensing.Results})
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "inspection-form"
	}
	s.render(w, r, status, "licensing_inspection_form", p)
}

func (s *server) handleInspectionRecord(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	set := licensing.Sets[0]
	in := licensing.InspectionInput{OrgID: r.PostFormValue("organisation"), Set: set.ID, InspectedOn: r.PostFormValue("inspected_on"),
		Items: map[string]licensing.ItemInput{}}
	for _, c := range set.Codes() {
		in.Items[c] = licensing.ItemInput{Result: r.PostFormValue("std-" + c + "-result"), Evidence: r.PostFormValue("std-" + c + "-evidence"),
			CorrectiveAction: r.PostFormValue("std-" + c + "-action"), DueOn: r.PostFormValue("std-" + c + "-due")}
	}
	ins, err := s.app.Licensing.RecordInspection(r.Context(), a, in)
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderInspectionForm(w, r, st, e) })
		return
	}
	s.redirectFlash(w, r, "/licensing/inspections/"+url.PathEscape(ins.ID), "flash.inspection_recorded")
}

type inspectionData struct {
	Inspection *licensing.Inspection
	CanManage  bool
	Today      string
}

func (s *server) handleInspection(w http.ResponseWriter, r *http.Request) {
	s.renderInspection(w, r, http.StatusOK, nil)
}

func (s *server) renderInspection(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ins, err := s.app.Licensing.Inspection(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "licensing.inspection", &inspectionData{Inspection: ins, CanManage: access.Can(a, access.LicenceManage),
		Today: s.now().Format("2006-01-02")})
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "done-" + r.PostFormValue("standard")
	}
	s.render(w, r, status, "licensing_inspection", p)
}

func (s *server) handleInspectionDone(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if err := s.app.Licensing.CompleteAction(r.Context(), a, id, r.PostFormValue("standard"), r.PostFormValue("done_on")); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderInspection(w, r, st, e) })
		return
	}
	s.redirectFlash(w, r, "/licensing/inspections/"+url.PathEscape(id), "flash.action_done")
}

// Licence applications (/licensing/applications): a provider applies for
// its organisation and follows its applications; the coordinator's office
// checks completeness, schedules the inspection and decides.

func (s *server) handleLicenceApply(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	in := licensing.ApplicationInput{Category: r.PostFormValue("category"), Premises: r.PostFormValue("premises"),
		Documents: r.PostFormValue("documents"), Declaration: r.PostFormValue("declaration") == "yes"}
	x, err := s.app.Licensing.Apply(r.Context(), a, in)
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderLicensing(w, r, st, "lapply-form", e) })
		return
	}
	s.redirectFlash(w, r, "/licensing/applications/"+url.PathEscape(x.ID), "flash.licence_applied")
}

type licenceAppData struct {
	App          *licensing.Application
	CanManage    bool
	InspectionOn string // the scheduled day, in words
	Today        string
}

func (s *server) handleLicenceApplication(w http.ResponseWriter, r *http.Request) {
	s.renderLicenceApplication(w, r, http.StatusOK, "", nil)
}

func (s *server) renderLicenceApplication(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	x, err := s.app.Licensing.Application(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &licenceAppData{App: x, CanManage: access.Can(a, access.LicenceManage), Today: s.now().Format("2006-01-02")}
	if t, err := time.Parse("2006-01-02", x.InspectionOn); err == nil {
		d.InspectionOn = st.p.Date(t)
	}
	p := s.newPage(r, "licensing.application", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = form
	}
	s.render(w, r, status, "licensing_application", p)
}

// licenceAppDone answers a coordinator's step on an application.
func (s *server) licenceAppDone(w http.ResponseWriter, r *http.Request, err error, form, flash string) {
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderLicenceApplication(w, r, st, form, e) })
		return
	}
	s.redirectFlash(w, r, "/licensing/applications/"+url.PathEscape(r.PathValue("id"))+"#history", flash)
}

func (s *server) handleLicenceAppCheck(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	res := r.PostFormValue("result")
	var err error
	if res != "complete" && res != "incomplete" {
		err = errs.InvalidField("result", "validation.required")
	} else {
		err = s.app.Licensing.CheckCompleteness(r.Context(), a, r.PathValue("id"), v, res == "complete", r.PostFormValue("note"))
	}
	s.licenceAppDone(w, r, err, "lcheck-form", "flash.licence_app_checked")
}

func (s *server) handleLicenceAppSchedule(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	err := s.app.Licensing.ScheduleInspection(r.Context(), a, r.PathValue("id"), v, r.PostFormValue("inspection_on"))
	s.licenceAppDone(w, r, err, "lschedule-form", "flash.licence_app_scheduled")
}

func (s *server) handleLicenceAppDecide(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	f := r.PostFormValue
	var err error
	switch f("decision") {
	case "grant", "refuse":
		err = s.app.Licensing.Decide(r.Context(), a, r.PathValue("id"), v, licensing.Decision{Grant: f("decision") == "grant",
			Number: f("number"), ValidUntil: f("valid_until"), Conditions: f("conditions"), Reasons: f("reasons")})
	default:
		err = errs.InvalidField("decision", "validation.required")
	}
	s.licenceAppDone(w, r, err, "ldecide-form", "flash.licence_app_decided")
}
