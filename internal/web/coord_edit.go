package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/errs"
)

// Editing in the coordination (/coord/…/edit): one page shape for every
// item the secretariat keeps — a plan, an objective, an activity, an
// indicator, a recommendation, a training, a campaign. The handler lists
// the fields with their current values (or, when the form was refused, what
// was typed), the template draws them; internal/coord decides.

type coordEditData struct {
	// Subject names the item (its code or title) beside the heading.
	Subject string
	Action  string
	Back    string
	Version string
	Fields  []coordField
	// Delete is the removal form's address, when the item may be removed.
	Delete string
}

type coordField struct {
	Name, Label, Type, Value, Hint string
	Values                         []string
	Options                        []coordOption
	Required                       bool
}

type coordOption struct{ Value, Label string }

// coordFields builds the fields: a value typed into a refused form wins
// over the stored one.
type coordFields struct {
	t      func(string, ...any) string
	post   url.Values
	fields []coordField
}

func (b *coordFields) val(name, cur string) string {
	if b.post != nil {
		return b.post.Get(name)
	}
	return cur
}

func (b *coordFields) vals(name string, cur []string) []string {
	if b.post != nil {
		return b.post[name]
	}
	return cur
}

func (b *coordFields) add(typ, name, cur string, required bool) *coordFields {
	b.fields = append(b.fields, coordField{Name: name, Label: b.t("coord.col." + name), Type: typ, Value: b.val(name, cur), Required: required})
	return b
}

func (b *coordFields) text(name, cur string, required bool) *coordFields {
	return b.add("text", name, cur, required)
}

func (b *coordFields) area(name, cur string, required bool) *coordFields {
	return b.add("textarea", name, cur, required)
}

func (b *coordFields) hint(key string) *coordFields {
	b.fields[len(b.fields)-1].Hint = b.t(key)
	return b
}

// choice is a select of codes labelled through prefix+code.
func (b *coordFields) choice(name, cur string, list []string, prefix string) *coordFields {
	f := coordField{Name: name, Label: b.t("coord.col." + name), Type: "select", Value: b.val(name, cur)}
	for _, c := range list {
		f.Options = append(f.Options, coordOption{c, b.t(prefix + c)})
	}
	b.fields = append(b.fields, f)
	return b
}

// checks is a group of boxes of codes (typ "checks") or of institutions
// (opts given).
func (b *coordFields) checks(name string, cur []string, opts []coordOption) *coordFields {
	b.fields = append(b.fields, coordField{Name: name, Label: b.t("coord.col." + name), Type: "checks", Values: b.vals(name, cur), Options: opts})
	return b
}

func (b *coordFields) codes(list []string, prefix string) []coordOption {
	var out []coordOption
	for _, c := range list {
		out = append(out, coordOption{c, b.t(prefix + c)})
	}
	return out
}

func orgOptions(os []coord.Org) []coordOption {
	out := make([]coordOption, len(os))
	for i, o := range os {
		out[i] = coordOption{o.ID, o.Name}
	}
	return out
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// renderCoordEdit draws the edit page of one kind of item; formErr is the
// refusal of the form (edit-form or delete-form) just sent.
func (s *server) renderCoordEdit(w http.ResponseWriter, r *http.Request, kind string, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	b := &coordFields{t: st.p.T}
	if form == "edit-form" {
		b.post = r.PostForm
	}
	d := &coordEditData{Action: r.URL.Path}
	if !strings.HasSuffix(d.Action, "/edit") {
		d.Action = strings.TrimSuffix(d.Action, "/delete") + "/edit"
	}
	title := "coord.edit." + kind
	id := r.PathValue("id")
	var plan *coord.Plan
	var orgs []coord.Org
	if kind == "plan" || kind == "objective" || kind == "activity" || kind == "indicator" {
		var err error
		if plan, err = s.app.Coord.Plan(ctx, a, id); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Version = strconv.Itoa(plan.Version)
		if form != "" && r.PostFormValue("version") != "" && !errs.Is(formErr, errs.Conflict) {
			d.Version = r.PostFormValue("version")
		}
		d.Back = "/coord/plans/" + url.PathEscape(plan.ID)
	}
	notFound := func() { s.renderError(w, r, errs.E(errs.NotFound, "coord.not_found")) }
	item := r.PathValue("item")
	switch kind {
	case "plan":
		d.Subject = plan.Title
		b.text("title", plan.Title, true).choice("kind", plan.Kind, coord.PlanKinds, "coord.plan_kind.").
			add("date", "start", plan.Start, true).add("date", "end", plan.End, true).
			choice("status", plan.Status, coord.PlanStates, "coord.plan_state.").text("adopted_by", plan.AdoptedBy, false)
	case "objective":
		i := slices.IndexFunc(plan.Objectives, func(o *coord.Objective) bool { return o.ID == item })
		if i < 0 {
			notFound()
			return
		}
		o := plan.Objectives[i]
		d.Subject, d.Back = o.Code, d.Back+"#objectives"
		b.text("code", o.Code, true).choice("kind", o.Kind, coord.ObjectiveKinds, "coord.objective_kind.").
			choice("pillar", o.Pillar, coord.Pillars, "coord.pillar.").text("title", o.Title, true)
	case "activity":
		act := plan.Activity(item)
		if act == nil {
			notFound()
			return
		}
		var err error
		if orgs, err = s.app.Coord.Institutions(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Subject, d.Back, d.Delete = act.Code, d.Back+"#activity-"+act.ID, strings.TrimSuffix(d.Action, "/edit")+"/delete"
		var objs []coordOption
		for _, o := range plan.Objectives {
			objs = append(objs, coordOption{o.Code, o.Code + " " + o.Title})
		}
		var support []string
		for _, o := range act.Support {
			support = append(support, o.ID)
		}
		b.fields = append(b.fields, coordField{Name: "objective", Label: b.t("coord.col.objective"), Type: "select", Value: b.val("objective", act.ObjectiveCode), Options: objs})
		b.text("code", act.Code, true).area("description", act.Description, true).area("output", act.Output, false)
		lead := coordField{Name: "lead", Label: b.t("coord.col.lead"), Type: "select", Value: b.val("lead", act.Lead.ID), Options: orgOptions(orgs)}
		if !slices.ContainsFunc(orgs, func(o coord.Org) bool { return o.ID == act.Lead.ID }) {
			lead.Options = append([]coordOption{{act.Lead.ID, act.Lead.Name}}, lead.Options...)
		}
		b.fields = append(b.fields, lead)
		b.checks("support", support, orgOptions(orgs))
		b.text("deadline", act.Deadline, true).hint("coord.deadline_hint").text("cost", strconv.FormatInt(act.CostEUR, 10), false).
			choice("funding", act.Funding, coord.Fundings, "coord.funding.").text("budget_programme", act.BudgetProgramme, false)
	case "indicator":
		i := slices.IndexFunc(plan.Indicators, func(x *coord.Indicator) bool { return x.ID == item })
		if i < 0 {
			notFound()
			return
		}
		ind := plan.Indicators[i]
		d.Subject, d.Back, d.Delete = ind.Code, d.Back+"#indicators", strings.TrimSuffix(d.Action, "/edit")+"/delete"
		var objs []coordOption
		for _, o := range plan.Objectives {
			objs = append(objs, coordOption{o.Code, o.Code + " " + o.Title})
		}
		b.fields = append(b.fields, coordField{Name: "objective", Label: b.t("coord.col.objective"), Type: "select", Value: b.val("objective", ind.ObjectiveCode), Options: objs})
		b.text("code", ind.Code, true).text("name", ind.Name, true).choice("level", ind.Level, coord.Levels, "coord.level.").
			text("unit", ind.Unit, false).text("baseline", num(ind.Baseline), false)
		by := ""
		if ind.BaselineYear > 0 {
			by = strconv.Itoa(ind.BaselineYear)
		}
		b.text("baseline_year", by, false)
		for _, y := range plan.Years() {
			cur := ""
			if v, ok := ind.Targets[y]; ok {
				cur = strconv.FormatFloat(v, 'f', -1, 64)
			}
			name := "target_" + strconv.Itoa(y)
			b.fields = append(b.fields, coordField{Name: name, Label: b.t("coord.col.target") + " " + strconv.Itoa(y), Type: "text", Value: b.val(name, cur)})
		}
		b.checks("disaggregation", ind.Disaggregation, b.codes(coord.Disaggregation, "coord.disaggregation."))
		b.text("source", ind.Source, false)
		ms := coordField{Name: "measure", Label: b.t("coord.col.measure"), Type: "select", Value: b.val("measure", ind.Measure),
			Options: []coordOption{{"", b.t("coord.measure_none")}}, Hint: b.t("coord.measure_hint")}
		for _, m := range s.app.Coord.Measures() {
			ms.Options = append(ms.Options, coordOption{m.Name, b.t(m.Label)})
		}
		b.fields = append(b.fields, ms)
		b.text("filter", ind.Filter, false)
	case "recommendation":
		t, err := s.app.Coord.Tracker(ctx, a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		var rec *coord.Recommendation
		for _, as := range t.Assessments {
			for _, x := range as.Recommendations {
				if x.ID == id {
					rec = x
				}
			}
		}
		if rec == nil {
			notFound()
			return
		}
		d.Subject, d.Back = rec.Code, "/coord/recommendations#rec-"+rec.ID
		b.text("code", rec.Code, false).area("body", rec.Body, true).choice("priority", rec.Priority, coord.Priority, "coord.priority.").
			choice("follow_up", rec.FollowUp, coord.FollowUp, "coord.follow_up.")
	case "training", "campaign":
		plans, err := s.app.Coord.Plans(ctx, a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		planOpts := []coordOption{{"", b.t("coord.no_plan")}}
		for _, p := range plans {
			planOpts = append(planOpts, coordOption{p.ID, p.Title})
		}
		planField := func(cur string) coordField {
			return coordField{Name: "plan", Label: b.t("coord.col.plan"), Type: "select", Value: b.val("plan", cur), Options: planOpts}
		}
		if kind == "training" {
			ts, _, err := s.app.Coord.Trainings(ctx, a)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			i := slices.IndexFunc(ts, func(t *coord.Training) bool { return t.ID == id })
			if i < 0 {
				notFound()
				return
			}
			tr := ts[i]
			d.Subject, d.Back = tr.Title, "/coord/trainings#training-"+tr.ID
			b.text("title", tr.Title, true).choice("topic", tr.Topic, coord.TrainingTopics, "coord.topic.").
				choice("type", tr.Type, coord.TrainingTypes, "coord.training_type.").add("date", "starts_on", tr.StartsOn, true).
				add("number", "hours", strconv.Itoa(tr.Hours), true).text("venue", tr.Venue, false).
				text("trainers", strings.Join(tr.Trainers, "; "), false)
			b.fields = append(b.fields, planField(tr.PlanID))
			b.text("activity", tr.ActivityCode, false)
		} else {
			cs, err := s.app.Coord.Campaigns(ctx, a)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			i := slices.IndexFunc(cs, func(c *coord.Campaign) bool { return c.ID == id })
			if i < 0 {
				notFound()
				return
			}
			c := cs[i]
			d.Subject, d.Back = c.Title, "/coord/trainings#campaign-"+c.ID
			b.text("title", c.Title, true).text("theme", c.Theme, false).text("audience", c.Audience, false).
				checks("channels", c.Channels, b.codes(coord.Channels, "coord.channel.")).
				add("date", "starts_on", c.StartsOn, true).add("date", "ends_on", c.EndsOn, true).
				text("budget", strconv.FormatInt(c.BudgetEUR, 10), false)
			b.fields = append(b.fields, planField(c.PlanID))
			b.text("activity", c.ActivityCode, false)
			pub := ""
			if c.Public {
				pub = "1"
			}
			b.fields = append(b.fields, coordField{Name: "public", Label: b.t("coord.col.public"), Type: "check", Value: b.val("public", pub),
				Hint: b.t("coord.public_hint")})
		}
	default:
		notFound()
		return
	}
	d.Fields = b.fields
	p := s.newPage(r, title, d)
	p.Title = st.p.T(title, "name", d.Subject)
	if form != "" {
		p.Form = r.PostForm
		p.ErrorForm = form
		if formErr != nil {
			setFormError(p, st, formErr)
		}
	}
	s.render(w, r, status, "coord_edit", p)
}

// coordEditResult answers an edit or a removal: back where the item is
// shown, or the edit page again with the error beside the form.
func (s *server) coordEditResult(w http.ResponseWriter, r *http.Request, kind, form, back string, err error) {
	if err != nil {
		if isFormErr(err) {
			s.renderCoordEdit(w, r, kind, errs.HTTPStatus(err), form, err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, back, "flash.coord_saved")
}

func (s *server) planBack(r *http.Request, anchor string) string {
	return "/coord/plans/" + url.PathEscape(r.PathValue("id")) + anchor
}

func (s *server) handleCoordPlanEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "plan", http.StatusOK, "", nil)
}

func (s *server) handleCoordPlanEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdatePlan(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("version"), planInput(r))
	s.coordEditResult(w, r, "plan", "edit-form", s.planBack(r, ""), err)
}

func (s *server) handleCoordObjectiveEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "objective", http.StatusOK, "", nil)
}

func (s *server) handleCoordObjectiveEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdateObjective(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("item"), r.PostFormValue("version"),
		coord.ObjectiveInput{Code: r.PostFormValue("code"), Kind: r.PostFormValue("kind"), Pillar: r.PostFormValue("pillar"), Title: r.PostFormValue("title")})
	s.coordEditResult(w, r, "objective", "edit-form", s.planBack(r, "#objectives"), err)
}

func (s *server) handleCoordActivityEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "activity", http.StatusOK, "", nil)
}

func activityInput(r *http.Request) coord.ActivityInput {
	r.ParseForm()
	return coord.ActivityInput{ObjectiveCode: r.PostFormValue("objective"), Code: r.PostFormValue("code"), Description: r.PostFormValue("description"),
		Output: r.PostFormValue("output"), LeadOrgID: r.PostFormValue("lead"), SupportOrgIDs: r.PostForm["support"],
		Deadline: r.PostFormValue("deadline"), Cost: r.PostFormValue("cost"), Funding: r.PostFormValue("funding"),
		BudgetProgramme: r.PostFormValue("budget_programme")}
}

func (s *server) handleCoordActivityEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdateActivity(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("item"), r.PostFormValue("version"),
		activityInput(r))
	s.coordEditResult(w, r, "activity", "edit-form", s.planBack(r, "#activity-"+r.PathValue("item")), err)
}

func (s *server) handleCoordActivityDelete(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.DeleteActivity(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("item"), r.PostFormValue("version"))
	s.coordEditResult(w, r, "activity", "delete-form", s.planBack(r, "#activities"), err)
}

func (s *server) handleCoordIndicatorEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "indicator", http.StatusOK, "", nil)
}

func indicatorInput(r *http.Request) coord.IndicatorInput {
	r.ParseForm()
	targets := map[string]string{}
	for k, v := range r.PostForm {
		if y, ok := strings.CutPrefix(k, "target_"); ok && len(v) > 0 {
			targets[y] = v[0]
		}
	}
	return coord.IndicatorInput{ObjectiveCode: r.PostFormValue("objective"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Level: r.PostFormValue("level"), Unit: r.PostFormValue("unit"), Baseline: r.PostFormValue("baseline"),
		BaselineYear: r.PostFormValue("baseline_year"), Targets: targets, Disaggregation: r.PostForm["disaggregation"],
		Source: r.PostFormValue("source"), Measure: r.PostFormValue("measure"), Filter: r.PostFormValue("filter")}
}

func (s *server) handleCoordIndicatorEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdateIndicator(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("item"), r.PostFormValue("version"),
		indicatorInput(r))
	s.coordEditResult(w, r, "indicator", "edit-form", s.planBack(r, "#indicators"), err)
}

func (s *server) handleCoordIndicatorDelete(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.DeleteIndicator(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("item"), r.PostFormValue("version"))
	s.coordEditResult(w, r, "indicator", "delete-form", s.planBack(r, "#indicators"), err)
}

func (s *server) handleCoordRecommendationEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "recommendation", http.StatusOK, "", nil)
}

func (s *server) handleCoordRecommendationEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdateRecommendation(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.RecommendationEdit{
		Code: r.PostFormValue("code"), Body: r.PostFormValue("body"), Priority: r.PostFormValue("priority"), FollowUp: r.PostFormValue("follow_up")})
	s.coordEditResult(w, r, "recommendation", "edit-form", "/coord/recommendations", err)
}

func (s *server) handleCoordTrainingEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "training", http.StatusOK, "", nil)
}

func (s *server) handleCoordTrainingEdit(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.UpdateTraining(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.TrainingInput{PlanID: r.PostFormValue("plan"),
		ActivityCode: r.PostFormValue("activity"), Title: r.PostFormValue("title"), Topic: r.PostFormValue("topic"), Type: r.PostFormValue("type"),
		StartsOn: r.PostFormValue("starts_on"), Hours: r.PostFormValue("hours"), Venue: r.PostFormValue("venue"), Trainers: r.PostFormValue("trainers")})
	s.coordEditResult(w, r, "training", "edit-form", "/coord/trainings#training-"+url.PathEscape(r.PathValue("id")), err)
}

func (s *server) handleCoordCampaignEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderCoordEdit(w, r, "campaign", http.StatusOK, "", nil)
}

func (s *server) handleCoordCampaignEdit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := s.app.Coord.UpdateCampaign(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.CampaignInput{PlanID: r.PostFormValue("plan"),
		ActivityCode: r.PostFormValue("activity"), Title: r.PostFormValue("title"), Theme: r.PostFormValue("theme"),
		Audience: r.PostFormValue("audience"), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Budget: r.PostFormValue("budget"), Channels: r.PostForm["channels"], Public: r.PostFormValue("public") == "1"})
	s.coordEditResult(w, r, "campaign", "edit-form", "/coord/trainings#campaign-"+url.PathEscape(r.PathValue("id")), err)
}

// coordHistory is the history section's data: the entries as sentences.
type coordHistoryLine struct {
	At   string
	ISO  string
	Text string
}

// coordHistoryLines renders a topic's newest entries as translated
// sentences: who (the organisation), what (the event, the item's code or
// title), which fields.
func (s *server) coordHistoryLines(r *http.Request, topic, planID string) ([]coordHistoryLine, error) {
	st := reqState(r)
	h, err := s.app.Coord.History(r.Context(), st.user.Actor(), topic, planID)
	if err != nil {
		return nil, err
	}
	out := make([]coordHistoryLine, 0, len(h))
	for _, e := range h {
		who := e.OrgName
		if who == "" {
			who = st.p.T("coord.history.someone")
		}
		key := "coord.history." + e.Event
		if st.p.T(key) == key {
			key = "coord.history.changed"
		}
		text := st.p.T(key, "who", who, "subject", e.Subject)
		if len(e.Fields) > 0 {
			names := make([]string, len(e.Fields))
			for i, f := range e.Fields {
				names[i] = st.p.T("coord.col." + f)
			}
			text += " " + st.p.T("coord.history.fields", "fields", strings.Join(names, ", "))
		}
		out = append(out, coordHistoryLine{At: st.p.DateTime(e.At), ISO: e.At.UTC().Format("2006-01-02T15:04:05Z"), Text: text})
	}
	return out, nil
}
