package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/report"
)

// Grants (/grants): the coordinator's office writes and publishes calls,
// checks applications, assigns evaluators, awards and follows contracts;
// providers apply and report; evaluators declare and score the
// applications assigned to them; funders read protected figures only.
// internal/grants checks every access and audits every change.

type grantsData struct {
	Calls        []*grants.Call
	Applications []*grants.Application
	Contracts    []*grants.Contract
	Reminders    []grants.ReportReminder
	CanManage    bool
	CanApply     bool
	IsEvaluator  bool
	CanFunding   bool
}

func (s *server) handleGrants(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	ctx := r.Context()
	d := &grantsData{CanManage: access.Can(a, access.GrantManage), CanApply: access.Can(a, access.GrantApply),
		IsEvaluator: access.Can(a, access.GrantEvaluate), CanFunding: access.Can(a, access.FundingRecord)}
	var err error
	if d.Calls, err = s.app.Grants.Calls(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.CanApply || d.IsEvaluator {
		if d.Applications, err = s.app.Grants.Applications(ctx, a, ""); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if !d.IsEvaluator {
		if d.Contracts, err = s.app.Grants.Contracts(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Reminders, err = s.app.Grants.Reminders(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "grants", s.newPage(r, "grants.title", d))
}

type callFormData struct {
	Procedures []string
	Rows       []int
	// ConceptRows: the rows of the concept-note grid (restricted procedure).
	ConceptRows []int
}

func (s *server) handleCallNew(w http.ResponseWriter, r *http.Request) {
	s.renderCallForm(w, r, http.StatusOK, nil)
}

func (s *server) renderCallForm(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	p := s.newPage(r, "grants.call_new", &callFormData{Procedures: grants.Procedures, Rows: []int{1, 2, 3, 4, 5}, ConceptRows: []int{1, 2, 3}})
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "call-form"
	}
	s.render(w, r, status, "grants_call_form", p)
}

func (s *server) handleCallCreate(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	in := grants.CallInput{Reference: f("reference"), Title: f("title"), Funder: f("funder"), Programme: f("programme"),
		Procedure: f("procedure"), Lots: f("lots"), Eligibility: f("eligibility"), Budget: f("budget"), MinGrant: f("min_grant"),
		MaxGrant: f("max_grant"), CofinancingPct: f("cofinancing_min_pct"), DeadlineConcept: f("deadline_concept"), Deadline: f("deadline")}
	var err error
	if in.Criteria, err = criteriaForm(f, "criterion-", "c", 5, true); err == nil {
		in.ConceptCriteria, err = criteriaForm(f, "concept-", "k", 3, false)
	}
	if err != nil {
		s.renderCallForm(w, r, http.StatusBadRequest, err)
		return
	}
	c, err := s.app.Grants.CreateCall(r.Context(), a, in)
	if err != nil {
		if e := errs.As(err); e.Field == "criteria" {
			err = errs.InvalidField("criterion-1-label", e.Key).With(e.Args)
		}
		s.formFailed(w, r, err, func(st int, e error) { s.renderCallForm(w, r, st, e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(c.ID), "flash.call_created")
}

// criteriaForm reads up to count criteria rows of the call form (prefix
// "criterion-" or "concept-"): label, maximum, weight and, withMin, the
// eliminatory minimum; empty rows are skipped, a number that is not one is
// refused naming its field.
func criteriaForm(f func(string) string, prefix, code string, count int, withMin bool) ([]grants.Criterion, error) {
	var out []grants.Criterion
	for i := 1; i <= count; i++ {
		n := prefix + strconv.Itoa(i)
		label := f(n + "-label")
		if label == "" && f(n+"-max") == "" && f(n+"-weight") == "" {
			continue
		}
		mx, err := strconv.Atoi(f(n + "-max"))
		if err != nil {
			return nil, errs.InvalidField(n+"-max", "grants.criterion_max")
		}
		wt, err := strconv.Atoi(f(n + "-weight"))
		if err != nil {
			return nil, errs.InvalidField(n+"-weight", "grants.criterion_weight")
		}
		mn := 0
		if v := f(n + "-min"); withMin && v != "" {
			if mn, err = strconv.Atoi(v); err != nil {
				return nil, errs.InvalidField(n+"-min", "grants.criterion_min").With(map[string]any{"max": mx})
			}
		}
		out = append(out, grants.Criterion{Code: code + strconv.Itoa(i), Label: label, Max: mx, Weight: wt, EliminatoryMin: mn})
	}
	return out, nil
}

type callData struct {
	Call      *grants.Call
	Apps      []*grants.Application
	Ranked    []*grants.Ranked
	CanManage bool
	CanApply  bool
	Applied   bool
	Deadline  string
	// The funder accounts that read the figures of the call's contracts.
	Funders   []grants.CallFunder
	FunderAcc []*auth.User
	// The restricted procedure's concept stage.
	Concepts      []*grants.ConceptNote
	ConceptGrid   []grants.Criterion
	ConceptOpen   bool // concept notes are still accepted
	IsEvaluator   bool
	ShortlistOpen bool // the coordinator may draw the shortlist
	Shortlisted   bool // the provider's concept note is shortlisted
	ConceptSent   bool // the provider has sent its concept note
}

func (s *server) handleCall(w http.ResponseWriter, r *http.Request) {
	s.renderCall(w, r, http.StatusOK, "", nil)
}

func (s *server) renderCall(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	c, err := s.app.Grants.Call(ctx, a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &callData{Call: c, CanManage: access.Can(a, access.GrantManage), CanApply: access.Can(a, access.GrantApply),
		Deadline: st.p.DateTime(c.Deadline)}
	if d.Apps, err = s.app.Grants.Applications(ctx, a, c.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Applied = d.CanApply && len(d.Apps) > 0
	if c.Procedure == "restricted" {
		d.IsEvaluator = access.Can(a, access.GrantEvaluate)
		if d.Concepts, err = s.app.Grants.ConceptNotes(ctx, a, c.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.ConceptGrid, err = s.app.Grants.ConceptGrid(ctx, s.app.DB.Read(), c.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.ConceptOpen = s.app.Grants.ConceptOpen(c)
		d.ShortlistOpen = d.CanManage && c.Status == grants.CallPublished && !d.ConceptOpen && len(d.Concepts) > 0
		for _, n := range d.Concepts {
			if n.Status != grants.ConceptSubmitted {
				d.ShortlistOpen = false
			}
			if d.CanApply {
				d.ConceptSent = true
				d.Shortlisted = d.Shortlisted || n.Status == grants.ConceptShortlisted
			}
		}
	}
	if d.CanManage {
		if _, d.Ranked, err = s.app.Grants.Ranking(ctx, a, c.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Funders, err = s.app.Grants.CallFunders(ctx, a, c.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.FunderAcc, err = s.app.Grants.FunderAccounts(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "grants.call", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = form
	}
	s.render(w, r, status, "grants_call", p)
}

func (s *server) handleCallPublish(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if err := s.app.Grants.PublishCall(r.Context(), a, id); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "publish-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id), "flash.call_published")
}

func (s *server) handleCallFunder(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if err := s.app.Grants.AddCallFunder(r.Context(), a, id, r.PostFormValue("funder_user")); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "funder-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id)+"#funders", "flash.call_funder_added")
}

func (s *server) handleCallConcept(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if _, err := s.app.Grants.SubmitConcept(r.Context(), a, id, r.PostFormValue("title"), r.PostFormValue("summary")); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "concept-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id)+"#concepts", "flash.concept_submitted")
}

func (s *server) handleConceptScore(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id, note := r.PathValue("id"), r.PostFormValue("note")
	grid, err := s.app.Grants.ConceptGrid(r.Context(), s.app.DB.Read(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	in := grants.ScoreInput{}
	for _, k := range grid {
		in[k.Code] = struct {
			Score   string `json:"score"`
			Comment string `json:"comment"`
		}{Score: r.PostFormValue("score-" + k.Code), Comment: r.PostFormValue("comment-" + k.Code)}
	}
	if err := s.app.Grants.ScoreConcept(r.Context(), a, note, r.PostFormValue("conflict") == "none", in); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "cscore-"+note, e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id)+"#concepts", "flash.scores_saved")
}

func (s *server) handleCallShortlist(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	_ = r.ParseForm()
	if err := s.app.Grants.Shortlist(r.Context(), a, id, r.PostForm["notes"]); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "shortlist-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id)+"#concepts", "flash.shortlist_drawn")
}

func (s *server) handleCallApply(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	id := r.PathValue("id")
	in := grants.ApplicationInput{CallID: id, Lot: f("lot"), Title: f("title"), Summary: f("summary"), Partners: f("partners"),
		TargetGroups: f("target_groups"), Municipalities: f("municipalities"), Requested: f("requested"), Total: f("total_cost"),
		DurationMonths: f("duration_months")}
	x, err := s.app.Grants.Submit(r.Context(), a, in)
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "apply-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/applications/"+url.PathEscape(x.ID), "flash.application_submitted")
}

func (s *server) handleCallAward(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	if err := s.app.Grants.Award(r.Context(), a, id); err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderCall(w, r, st, "award-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/calls/"+url.PathEscape(id)+"#ranking", "flash.call_awarded")
}

// writeDocument writes a report.Document as PDF through the one writer.
func (s *server) writeDocument(w http.ResponseWriter, r *http.Request, doc *report.Document, name string) {
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, doc); err != nil {
		s.renderError(w, r, errs.Internalf("write pdf: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

func (s *server) handleCallReport(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	doc, err := s.app.Grants.EvaluationReport(r.Context(), st.user.Actor(), r.PathValue("id"), string(st.lang), st.p.T)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeDocument(w, r, doc, "evaluation-report.pdf")
}

type appData struct {
	App         *grants.Application
	Call        *grants.Call
	Assignments []grants.Assignment
	Evaluators  []*auth.User
	Scores      map[string]grants.Score
	CanManage   bool
	IsEvaluator bool
	Contract    bool
	Headings    []string
	Kinds       []string
	Rows        []int
}

func (s *server) handleApplication(w http.ResponseWriter, r *http.Request) {
	s.renderApplication(w, r, http.StatusOK, "", nil)
}

func (s *server) renderApplication(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	x, err := s.app.Grants.Application(ctx, a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.app.Grants.Call(ctx, a, x.CallID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &appData{App: x, Call: c, CanManage: access.Can(a, access.GrantManage), IsEvaluator: access.Can(a, access.GrantEvaluate),
		Headings: grants.Headings, Kinds: grants.PaymentKinds, Rows: []int{1, 2, 3, 4}}
	if d.CanManage {
		if d.Assignments, err = s.app.Grants.Assignments(ctx, a, x.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Evaluators, err = s.app.Grants.Evaluators(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Contract = x.Status == grants.AppSelected || x.Status == grants.AppReserve
	}
	if d.IsEvaluator && !x.Hidden {
		if d.Scores, err = s.app.Grants.MyScores(ctx, a, x.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "grants.application", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = form
	}
	s.render(w, r, status, "grants_application", p)
}

func (s *server) appDone(w http.ResponseWriter, r *http.Request, err error, form, flash string) {
	id := r.PathValue("id")
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderApplication(w, r, st, form, e) })
		return
	}
	s.redirectFlash(w, r, "/grants/applications/"+url.PathEscape(id)+"#"+form, flash)
}

func (s *server) handleAppCheck(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	err := s.app.Grants.AdminCheck(r.Context(), a, r.PathValue("id"), r.PostFormValue("result") == "passed", r.PostFormValue("admin_note"))
	if err == nil && r.PostFormValue("result") != "passed" && r.PostFormValue("result") != "rejected" {
		err = errs.InvalidField("result", "validation.invalid_choice")
	}
	s.appDone(w, r, err, "check-form", "flash.application_checked")
}

func (s *server) handleAppAssign(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	s.appDone(w, r, s.app.Grants.Assign(r.Context(), a, r.PathValue("id"), r.PostFormValue("evaluator")), "assign-form", "flash.evaluator_assigned")
}

func (s *server) handleAppDeclare(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	v := r.PostFormValue("conflict")
	if v != "none" && v != "declared" {
		s.appDone(w, r, errs.InvalidField("conflict", "grants.declaration_required"), "declare-form", "")
		return
	}
	err := s.app.Grants.Declare(r.Context(), a, r.PathValue("id"), v == "declared")
	if err == nil && v == "declared" {
		s.redirectFlash(w, r, "/grants", "flash.conflict_declared")
		return
	}
	s.appDone(w, r, err, "declare-form", "flash.no_conflict_declared")
}

func (s *server) handleAppScores(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	x, err := s.app.Grants.Application(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.app.Grants.Call(r.Context(), a, x.CallID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	in := grants.ScoreInput{}
	for _, k := range c.Criteria {
		in[k.Code] = struct {
			Score   string `json:"score"`
			Comment string `json:"comment"`
		}{Score: r.PostFormValue("score-" + k.Code), Comment: r.PostFormValue("comment-" + k.Code)}
	}
	s.appDone(w, r, s.app.Grants.SaveScores(r.Context(), a, x.ID, in), "score-form", "flash.scores_saved")
}

func (s *server) handleAppContract(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	in := grants.ContractInput{ApplicationID: r.PathValue("id"), Number: f("number"), StartOn: f("start_on"), EndOn: f("end_on"),
		Amount: f("amount"), Cofinancing: f("cofinancing"), CoordinatorAbroad: f("coordinator_abroad") == "1"}
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		in.Budget = append(in.Budget, struct{ Heading, Description, Amount string }{f("budget-" + n + "-heading"),
			f("budget-" + n + "-description"), f("budget-" + n + "-amount")})
		in.Payments = append(in.Payments, struct{ Kind, DueOn, Amount string }{f("payment-" + n + "-kind"), f("payment-" + n + "-due"),
			f("payment-" + n + "-amount")})
	}
	k, err := s.app.Grants.CreateContract(r.Context(), a, in)
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderApplication(w, r, st, "contract-form", e) })
		return
	}
	s.redirectFlash(w, r, "/grants/contracts/"+url.PathEscape(k.ID), "flash.contract_signed")
}

type contractData struct {
	Contract  *grants.Contract
	CanManage bool
	CanApply  bool
	Kinds     []string
	Levels    []string
	Today     string
	Month     string
}

func (s *server) handleContract(w http.ResponseWriter, r *http.Request) {
	s.renderContract(w, r, http.StatusOK, "", nil)
}

func (s *server) renderContract(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	k, err := s.app.Grants.Contract(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &contractData{Contract: k, CanManage: access.Can(a, access.GrantManage), CanApply: access.Can(a, access.GrantApply),
		Kinds: grants.PaymentKinds, Levels: grants.Levels, Today: s.now().Format("2006-01-02"), Month: s.now().Format("2006-01")}
	p := s.newPage(r, "grants.contract", d)
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = form
	}
	s.render(w, r, status, "grants_contract", p)
}

func (s *server) contractDone(w http.ResponseWriter, r *http.Request, err error, form, flash string) {
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderContract(w, r, st, form, e) })
		return
	}
	s.redirectFlash(w, r, "/grants/contracts/"+url.PathEscape(r.PathValue("id"))+"#"+form, flash)
}

func (s *server) handleContractPayment(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.AddPayment(r.Context(), a, r.PathValue("id"), f("kind"), f("due_on"), f("amount")),
		"payment-form", "flash.payment_added")
}

func (s *server) handleContractPaid(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.MarkPaid(r.Context(), a, r.PathValue("id"), f("payment"), f("paid_on")),
		"paid-"+f("payment"), "flash.payment_paid")
}

func (s *server) handleContractReport(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.SubmitReport(r.Context(), a, r.PathValue("id"), f("report"), f("narrative"), f("spent")),
		"report-"+f("report"), "flash.report_submitted")
}

func (s *server) handleContractReview(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.ReviewReport(r.Context(), a, r.PathValue("id"), f("report"), f("status")),
		"review-"+f("report"), "flash.report_reviewed")
}

func (s *server) handleContractAmend(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.Amend(r.Context(), a, r.PathValue("id"), f("reason"), f("amount"), f("end_on")),
		"amend-form", "flash.contract_amended")
}

func (s *server) handleContractIndicator(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.AddIndicator(r.Context(), a, r.PathValue("id"), f("level"), f("name"), f("baseline"), f("target")),
		"indicator-form", "flash.indicator_added")
}

func (s *server) handleContractActual(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	s.contractDone(w, r, s.app.Grants.RecordActual(r.Context(), a, r.PathValue("id"), f("indicator"), f("period"), f("actual")),
		"actual-"+f("indicator"), "flash.actual_recorded")
}

type figuresListData struct {
	Contracts []*grants.Contract
}

func (s *server) handleFiguresList(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	ks, err := s.app.Grants.Contracts(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "grants_figures_list", s.newPage(r, "grants.figures_list", &figuresListData{Contracts: ks}))
}

type figuresData struct {
	Doc      *report.Document
	Contract *grants.Contract
	CanRaw   bool
	Raw      bool
	Query    string
}

func (s *server) grantFigures(r *http.Request) (*report.Document, *grants.Contract, error) {
	st := reqState(r)
	q := r.URL.Query()
	return s.app.Grants.Figures(r.Context(), st.user.Actor(), grants.FiguresQuery{ContractID: r.PathValue("id"), From: q.Get("from"),
		To: q.Get("to"), Raw: q.Get("raw") == "1", Lang: string(st.lang)}, st.p.T)
}

func (s *server) handleFigures(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	doc, k, err := s.grantFigures(r)
	d := &figuresData{Doc: doc, Contract: k, CanRaw: access.ScopeOf(a, access.GrantFigures) == access.All, Raw: r.URL.Query().Get("raw") == "1",
		Query: r.URL.RawQuery}
	p := s.newPage(r, "grants.figures_title", d)
	p.Form = r.URL.Query()
	if err != nil {
		if isFormErr(err) {
			setFormError(p, st, err)
			p.ErrorForm = "figures-filter"
			s.render(w, r, errs.HTTPStatus(err), "grants_figures", p)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "grants_figures", p)
}

func (s *server) handleFiguresPDF(w http.ResponseWriter, r *http.Request) {
	doc, _, err := s.grantFigures(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeDocument(w, r, doc, "grant-figures.pdf")
}

type fundingData struct {
	Years     []*grants.FundingYear
	Providers []*auth.Org
	Sources   []string
}

func (s *server) handleFunding(w http.ResponseWriter, r *http.Request) {
	s.renderFunding(w, r, http.StatusOK, nil)
}

func (s *server) renderFunding(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ys, err := s.app.Grants.FundingRecord(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	provs, err := s.app.Grants.Providers(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "grants.funding", &fundingData{Years: ys, Providers: provs, Sources: grants.FundingSources})
	if formErr != nil {
		p.Form = r.PostForm
		setFormError(p, st, formErr)
		p.ErrorForm = "funding-form"
	}
	s.render(w, r, status, "grants_funding", p)
}

func (s *server) handleFundingRecord(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	f := r.PostFormValue
	err := s.app.Grants.RecordFunding(r.Context(), a, grants.FundingInput{OrgID: f("organisation"), Year: f("year"), Source: f("source"),
		Amount: f("amount"), DailyRate: f("daily_rate"), Note: f("note")})
	if err != nil {
		s.formFailed(w, r, err, func(st int, e error) { s.renderFunding(w, r, st, e) })
		return
	}
	s.redirectFlash(w, r, "/grants/funding", "flash.funding_recorded")
}

// grantsHome puts the grant roles' numbers on their home page, each a link
// to the list that shows them: an evaluator's applications waiting for a
// declaration or scores, a provider's applications, contracts and reports
// due, a funder's contracts with their figures.
func (s *server) grantsHome(r *http.Request, add func(id, label string, n int, href string)) error {
	a := reqState(r).user.Actor()
	ctx := r.Context()
	if access.Can(a, access.GrantEvaluate) || access.Can(a, access.GrantApply) {
		apps, err := s.app.Grants.Applications(ctx, a, "")
		if err != nil {
			return err
		}
		label := "home.grant_applications"
		if access.Can(a, access.GrantEvaluate) {
			label = "home.grant_assigned"
		}
		add("home-applications", label, len(apps), "/grants#applications")
		if access.Can(a, access.GrantEvaluate) {
			return nil
		}
	}
	ks, err := s.app.Grants.Contracts(ctx, a)
	if err != nil {
		return err
	}
	if access.Can(a, access.GrantApply) {
		add("home-contracts", "home.grant_contracts", len(ks), "/grants#contracts")
		rem, err := s.app.Grants.Reminders(ctx, a)
		if err != nil {
			return err
		}
		add("home-reports-due", "home.grant_reports_due", len(rem), "/grants#reminders")
		ls, err := s.app.Licensing.List(ctx, a)
		if err != nil {
			return err
		}
		add("home-licences", "home.licences", len(ls), "/licensing#licences")
		return nil
	}
	add("home-contracts", "home.grant_contracts", len(ks), "/grants/figures")
	return nil
}
