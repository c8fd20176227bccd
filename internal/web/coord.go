package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// Coordination (/coord): the plans, their progress reports, the
// recommendation tracker and the coordinator's reports. Handlers are thin:
// everything is decided in internal/coord.

type coordListData struct {
	Plans     []*coord.PlanSummary
	Kinds     []string
	States    []string
	CanManage bool
	Import    *coord.ImportResult
	// ImportErrors are the import's broken rows, as sentences.
	ImportErrors []string
}

func (s *server) handleCoord(w http.ResponseWriter, r *http.Request) {
	s.renderCoord(w, r, http.StatusOK, "", nil, nil)
}

func (s *server) renderCoord(w http.ResponseWriter, r *http.Request, status int, form string, formErr error, imp *coord.ImportResult) {
	st := reqState(r)
	a := st.user.Actor()
	list, err := s.app.Coord.Plans(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &coordListData{Plans: list, Kinds: coord.PlanKinds, States: coord.PlanStates, CanManage: access.Can(a, access.CoordManage), Import: imp}
	if imp != nil {
		for _, e := range imp.Errors {
			var b strings.Builder
			if e.Sheet != "" {
				b.WriteString(st.p.T("coord.sheet."+e.Sheet) + ", ")
			}
			if e.Row > 0 {
				b.WriteString(st.p.T("coord.import_row", "row", e.Row) + ": ")
			}
			if e.Field != "" {
				b.WriteString(st.p.T("coord.col."+e.Field) + " — ")
			}
			b.WriteString(st.p.T(e.Key, argList(e.Args)...))
			d.ImportErrors = append(d.ImportErrors, b.String())
		}
	}
	p := s.newPage(r, "coord.title", d)
	if form != "" {
		p.Form = r.PostForm
		p.ErrorForm = form
		if formErr != nil {
			setFormError(p, st, formErr)
		}
	}
	s.render(w, r, status, "coord", p)
}

func planInput(r *http.Request) coord.PlanInput {
	return coord.PlanInput{Title: r.PostFormValue("title"), Kind: r.PostFormValue("kind"), Start: r.PostFormValue("start"),
		End: r.PostFormValue("end"), Status: r.PostFormValue("status"), AdoptedBy: r.PostFormValue("adopted_by")}
}

func (s *server) handleCoordPlanCreate(w http.ResponseWriter, r *http.Request) {
	id, err := s.app.Coord.CreatePlan(r.Context(), reqState(r).user.Actor(), planInput(r))
	if err != nil {
		if isFormErr(err) {
			s.renderCoord(w, r, errs.HTTPStatus(err), "plan-form", err, nil)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/coord/plans/"+url.PathEscape(id), "flash.coord_saved")
}

// uploaded reads the multipart file field name (at most limit bytes).
func uploaded(r *http.Request, name string, limit int64) ([]coord.File, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []coord.File
	for _, hdr := range r.MultipartForm.File[name] {
		if hdr.Size > limit {
			return nil, errs.InvalidField(name, "attachment.too_large").With(map[string]any{"max": limit >> 20})
		}
		f, err := hdr.Open()
		if err != nil {
			return nil, errs.InvalidField(name, "validation.invalid").Wrap(err)
		}
		data, err := io.ReadAll(io.LimitReader(f, limit+1))
		f.Close()
		if err != nil {
			return nil, errs.InvalidField(name, "validation.invalid").Wrap(err)
		}
		if hdr.Filename == "" && len(data) == 0 {
			continue
		}
		out = append(out, coord.File{Name: hdr.Filename, ClaimedType: hdr.Header.Get("Content-Type"), Data: data})
	}
	return out, nil
}

func bodyErr(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errs.E(errs.TooLarge, "error.too_large")
	}
	return err
}

func (s *server) handleCoordImport(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	in := planInput(r)
	defer func() {
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}()
	files, err := uploaded(r, "file", 20<<20)
	if err == nil && len(files) != 1 {
		err = errs.InvalidField("file", "validation.required")
	}
	var res *coord.ImportResult
	if err == nil {
		res, err = s.app.Coord.Import(r.Context(), st.user.Actor(), in, files[0].Data, r.PostFormValue("partial") == "1")
	}
	if err != nil {
		err = bodyErr(err)
		if isFormErr(err) || errs.Is(err, errs.TooLarge) {
			s.renderCoord(w, r, errs.HTTPStatus(err), "import-form", err, nil)
			return
		}
		s.renderError(w, r, err)
		return
	}
	if !res.Imported {
		s.renderCoord(w, r, http.StatusUnprocessableEntity, "import-form", errs.E(errs.Invalid, "coord.import_refused"), res)
		return
	}
	s.redirectFlash(w, r, "/coord/plans/"+url.PathEscape(res.PlanID), "flash.coord_imported")
}

type coordPlanData struct {
	Plan         *coord.Plan
	Reports      []*coord.Progress
	Institutions []coord.Org
	Measures     []stats.Measure
	Quarters     []string
	Years        []int
	Today        string
	CanManage    bool
	CanComment   bool
	OwnOrg       string
	CanReport    bool
	Lists        map[string][]string
	Formats      []string
	ReportNames  []string
	// Refill names the form refused, so its values are shown again.
	Refill string
	// History is the plan's newest changes, as sentences.
	History []coordHistoryLine
}

func (s *server) handleCoordPlan(w http.ResponseWriter, r *http.Request) {
	s.renderCoordPlan(w, r, http.StatusOK, "", nil)
}

func (s *server) renderCoordPlan(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	id := r.PathValue("id")
	plan, err := s.app.Coord.Plan(ctx, a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	reps, err := s.app.Coord.Reports(ctx, a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &coordPlanData{Plan: plan, Reports: reps, Years: plan.Years(), Today: s.app.Clock.Now().UTC().Format("2006-01-02"),
		CanManage: access.Can(a, access.CoordManage), CanComment: access.Can(a, access.CoordComment),
		CanReport: access.Can(a, access.CoordReport), OwnOrg: a.OrgID, Formats: coord.Formats, ReportNames: coord.ReportNames,
		Lists: map[string][]string{"pillar": coord.Pillars, "objective_kind": coord.ObjectiveKinds, "funding": coord.Fundings,
			"level": coord.Levels, "disaggregation": coord.Disaggregation, "status": coord.Statuses}, Refill: form}
	for _, q := range plan.Quarters() {
		d.Quarters = append(d.Quarters, q.String())
	}
	if plan.Kind != "municipal" {
		// The local monitoring report is a municipality's plan's.
		d.ReportNames = slices.DeleteFunc(slices.Clone(d.ReportNames), func(n string) bool { return n == coord.ReportMunicipal })
	}
	if d.History, err = s.coordHistoryLines(r, coord.TopicPlan, plan.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.CanManage {
		if d.Institutions, err = s.app.Coord.Institutions(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Measures = s.app.Coord.Measures()
	}
	p := s.newPage(r, "coord.plan_title", d)
	p.Title = plan.Title
	if form != "" {
		p.Form = r.PostForm
		p.ErrorForm = form
		if formErr != nil {
			setFormError(p, st, formErr)
		}
	}
	s.render(w, r, status, "coord_plan", p)
}

// coordResult answers a form on the plan page: back to the page with a
// flash, or the page again with the error beside the form.
func (s *server) coordResult(w http.ResponseWriter, r *http.Request, form, anchor string, err error) {
	if err != nil {
		err = bodyErr(err)
		if isFormErr(err) || errs.Is(err, errs.TooLarge) || (errs.Is(err, errs.Forbidden) && errs.As(err).Key != "error.forbidden") {
			s.renderCoordPlan(w, r, errs.HTTPStatus(err), form, err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/coord/plans/"+url.PathEscape(r.PathValue("id"))+"#"+anchor, "flash.coord_saved")
}

func (s *server) handleCoordObjective(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.AddObjective(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.ObjectiveInput{
		Code: r.PostFormValue("code"), Kind: r.PostFormValue("kind"), Pillar: r.PostFormValue("pillar"), Title: r.PostFormValue("title")})
	s.coordResult(w, r, "objective-form", "objectives", err)
}

func (s *server) handleCoordActivity(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := s.app.Coord.AddActivity(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.ActivityInput{
		ObjectiveCode: r.PostFormValue("objective"), Code: r.PostFormValue("code"), Description: r.PostFormValue("description"),
		Output: r.PostFormValue("output"), LeadOrgID: r.PostFormValue("lead"), SupportOrgIDs: r.PostForm["support"],
		Deadline: r.PostFormValue("deadline"), Cost: r.PostFormValue("cost"), Funding: r.PostFormValue("funding"),
		BudgetProgramme: r.PostFormValue("budget_programme")})
	s.coordResult(w, r, "activity-form", "activities", err)
}

func (s *server) handleCoordIndicator(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	targets := map[string]string{}
	for k, v := range r.PostForm {
		if y, ok := strings.CutPrefix(k, "target_"); ok && len(v) > 0 {
			targets[y] = v[0]
		}
	}
	measure, filter := r.PostFormValue("measure"), r.PostFormValue("filter")
	err := s.app.Coord.AddIndicator(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.IndicatorInput{
		ObjectiveCode: r.PostFormValue("objective"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Level: r.PostFormValue("level"), Unit: r.PostFormValue("unit"), Baseline: r.PostFormValue("baseline"),
		BaselineYear: r.PostFormValue("baseline_year"), Targets: targets, Disaggregation: r.PostForm["disaggregation"],
		Source: r.PostFormValue("source"), Measure: measure, Filter: filter})
	s.coordResult(w, r, "indicator-form", "indicators", err)
}

func (s *server) handleCoordValue(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.SetValue(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("indicator"),
		r.PostFormValue("year"), r.PostFormValue("value"))
	s.coordResult(w, r, "value-form", "indicators", err)
}

func (s *server) handleCoordMonitor(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.AddMonitor(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("org"))
	s.coordResult(w, r, "monitor-form", "monitors", err)
}

func (s *server) handleCoordComment(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.AddComment(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("body"))
	s.coordResult(w, r, "comment-form", "comments", err)
}

// handleCoordProgress takes an institution's report on one activity; the
// plan is named in the address for the way back.
func (s *server) handleCoordProgress(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}()
	files, err := uploaded(r, "evidence", s.app.Coord.Limit())
	if err == nil {
		_, err = s.app.Coord.Report(r.Context(), reqState(r).user.Actor(), r.PathValue("activity"), coord.ProgressInput{
			Period: r.PostFormValue("period"), Status: r.PostFormValue("status"), Percent: r.PostFormValue("percent"),
			Narrative: r.PostFormValue("narrative"), Expenditure: r.PostFormValue("expenditure"), Obstacles: r.PostFormValue("obstacles"),
			Evidence: files})
	}
	for i := range files {
		clear(files[i].Data)
	}
	s.coordResult(w, r, "progress-"+r.PathValue("activity"), "activity-"+r.PathValue("activity"), err)
}

func (s *server) handleCoordReview(w http.ResponseWriter, r *http.Request) {
	validate := r.PostFormValue("decision") == "validate"
	err := s.app.Coord.Review(r.Context(), reqState(r).user.Actor(), r.PathValue("progress"), validate, r.PostFormValue("comment"))
	s.coordResult(w, r, "review-"+r.PathValue("progress"), "reports", err)
}

func (s *server) handleCoordEvidence(w http.ResponseWriter, r *http.Request) {
	e, data, err := s.app.Coord.OpenEvidence(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	defer clear(data)
	h := w.Header()
	h.Set("Content-Type", e.MediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

func (s *server) handleCoordExport(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="plan.xlsx"`)
	if err := s.app.Coord.ExportXLSX(r.Context(), st.user.Actor(), r.PathValue("id"), st.lang, w); err != nil {
		w.Header().Del("Content-Disposition")
		s.renderError(w, r, err)
	}
}

var coordReportTypes = map[string]string{"pdf": "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}

func (s *server) handleCoordReport(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	name, format := r.PathValue("name"), r.PathValue("format")
	ct, ok := coordReportTypes[format]
	if !ok {
		s.renderError(w, r, errs.E(errs.NotFound, "coord.not_found"))
		return
	}
	d, err := s.app.Coord.Document(r.Context(), st.user.Actor(), r.PathValue("id"), name, r.URL.Query().Get("period"), st.lang)
	if err != nil {
		if isFormErr(err) {
			r.PostForm = r.URL.Query()
			s.renderCoordPlan(w, r, errs.HTTPStatus(err), "report-form", err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	var buf strings.Builder
	if err := coord.Write(&buf, d, format); err != nil {
		s.renderError(w, r, errs.Internalf("write report: %w", err))
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + format}))
	io.WriteString(w, buf.String())
}

type coordTrackerData struct {
	Tracker   *coord.Tracker
	Plans     []*coord.PlanSummary
	Issuers   []string
	Priority  []string
	FollowUp  []string
	CanManage bool
	History   []coordHistoryLine
}

func (s *server) handleCoordTracker(w http.ResponseWriter, r *http.Request) {
	s.renderCoordTracker(w, r, http.StatusOK, "", nil)
}

func (s *server) renderCoordTracker(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	t, err := s.app.Coord.Tracker(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	plans, err := s.app.Coord.Plans(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &coordTrackerData{Tracker: t, Plans: plans, Issuers: coord.Issuers, Priority: coord.Priority, FollowUp: coord.FollowUp,
		CanManage: access.Can(a, access.CoordManage)}
	if d.History, err = s.coordHistoryLines(r, coord.TopicRecommendations, ""); err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "coord.tracker_title", d)
	if form != "" {
		p.Form = r.PostForm
		p.ErrorForm = form
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "coord_tracker", p)
}

func (s *server) trackerResult(w http.ResponseWriter, r *http.Request, form string, err error) {
	if err != nil {
		if isFormErr(err) {
			s.renderCoordTracker(w, r, errs.HTTPStatus(err), form, err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/coord/recommendations", "flash.coord_saved")
}

func (s *server) handleCoordAssessment(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Coord.AddAssessment(r.Context(), reqState(r).user.Actor(), coord.AssessmentInput{Issuer: r.PostFormValue("issuer"),
		Title: r.PostFormValue("title"), Year: r.PostFormValue("year"), URL: r.PostFormValue("url")})
	s.trackerResult(w, r, "assessment-form", err)
}

func (s *server) handleCoordRecommendation(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Coord.AddRecommendation(r.Context(), reqState(r).user.Actor(), coord.RecommendationInput{
		AssessmentID: r.PostFormValue("assessment"), Code: r.PostFormValue("code"), Body: r.PostFormValue("body"),
		Priority: r.PostFormValue("priority")})
	s.trackerResult(w, r, "recommendation-form", err)
}

func (s *server) handleCoordLink(w http.ResponseWriter, r *http.Request) {
	codes := strings.FieldsFunc(r.PostFormValue("activities"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	err := s.app.Coord.LinkActivities(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("plan"), codes,
		r.PostFormValue("follow_up"))
	s.trackerResult(w, r, "link-"+r.PathValue("id"), err)
}
