package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/store"
)

// TestCoordEditPages: the secretariat edits an activity through its page; a
// deadline outside the plan is refused beside the field with the typed
// values kept and nothing saved; removing an activity with a report is
// refused with a sentence; a good edit shows in the plan's history as a
// sentence in every language, with no code or id; other roles may not edit.
func TestCoordEditPages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	en.clk.Set(mustTime(t, "2026-05-10T09:00:00Z"))
	sec := en.users[access.Coordinator].Actor()
	c := en.app.Coord
	planID, err := c.CreatePlan(ctx, sec, coord.PlanInput{Title: "Action Plan 2026–2027", Kind: "action_plan", Start: "2026-01-01", End: "2027-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddObjective(ctx, sec, planID, coord.ObjectiveInput{Code: "SO1", Pillar: "protection", Title: "Victims are identified"}); err != nil {
		t.Fatal(err)
	}
	polOrg := en.users[access.Police].OrgID
	for _, code := range []string{"1.1", "1.2"} {
		if err := c.AddActivity(ctx, sec, planID, coord.ActivityInput{ObjectiveCode: "SO1", Code: code, Description: "Teams " + code,
			LeadOrgID: polOrg, Deadline: "2026-Q2"}); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := c.Plan(ctx, sec, planID)
	a1, a2 := p.Activities[0].ID, p.Activities[1].ID
	if _, err := c.Report(ctx, en.users[access.Police].Actor(), a1, coord.ProgressInput{Period: "2026-Q1", Status: "in_progress", Percent: "10", Narrative: "Begun."}); err != nil {
		t.Fatal(err)
	}
	tok, csrf := en.session(t, access.Coordinator)
	base := "/coord/plans/" + planID
	page := en.getBody(t, base, tok)
	if !strings.Contains(page, base+"/activities/"+a2+"/edit") || !strings.Contains(page, base+"/edit") {
		t.Fatal("the plan page has no edit links")
	}
	edit := en.getBody(t, base+"/activities/"+a2+"/edit", tok)
	if !strings.Contains(edit, `value="Teams 1.2"`) && !strings.Contains(edit, ">Teams 1.2</textarea>") {
		t.Error("the edit form does not show the stored description")
	}
	form := url.Values{"version": {regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(edit)[1]}, "objective": {"SO1"},
		"code": {"1.2"}, "description": {"Referral SOP revised"}, "lead": {polOrg}, "deadline": {"2029-Q1"}, "cost": {"3 000"}, "funding": {"donor"}}
	rec := en.postForm(base+"/activities/"+a2+"/edit", tok, csrf, form)
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(body, `id="err-deadline"`) || !strings.Contains(body, `value="2029-Q1"`) ||
		!strings.Contains(body, "Referral SOP revised") {
		t.Fatalf("a deadline outside the plan: %d, error beside the field and typed values kept? %s", rec.Code, excerptOf(body, "err-"))
	}
	if p, _ := c.Plan(ctx, sec, planID); p.Activity(a2).Description != "Teams 1.2" {
		t.Error("the refused edit was saved")
	}
	form.Set("deadline", "2026-Q3")
	if rec := en.postForm(base+"/activities/"+a2+"/edit", tok, csrf, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", rec.Code, excerptOf(rec.Body.String(), "error"))
	}
	// The same form again is stale.
	if rec := en.postForm(base+"/activities/"+a2+"/edit", tok, csrf, form); rec.Code != http.StatusConflict ||
		!strings.Contains(rec.Body.String(), "Someone else changed this plan") {
		t.Errorf("a stale form: %d", rec.Code)
	}
	rec = en.postForm(base+"/activities/"+a1+"/delete", tok, csrf, nil)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "has 1 progress reports") {
		t.Errorf("removing a reported activity: %d %s", rec.Code, excerptOf(rec.Body.String(), "delete-form-error"))
	}
	// Every edit page opens for the secretariat.
	p, _ = c.Plan(ctx, sec, planID)
	for _, path := range []string{base + "/edit", base + "/objectives/" + p.Objectives[0].ID + "/edit", base + "/activities/" + a1 + "/edit"} {
		en.getBody(t, path, tok)
	}
	// The history, in every language: sentences, no code or id.
	idRE := regexp.MustCompile(`\b[A-Z2-7]{26}\b|\b[a-z]+_[a-z_]+\b`)
	for _, lang := range []string{"en", "sq", "sr-Latn", "sr-Cyrl"} {
		req := base + "?lang=" + lang
		body := en.getBody(t, req, tok)
		i := strings.Index(body, `id="history-list"`)
		if i < 0 {
			t.Fatalf("%s: no history", lang)
		}
		h := body[i : i+strings.Index(body[i:], "</ol>")]
		if strings.Count(h, "<li>") < 4 {
			t.Errorf("%s: history entries: %s", lang, h)
		}
		text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(h[strings.Index(h, ">")+1:], " ")
		if m := idRE.FindString(text); m != "" {
			t.Errorf("%s: history shows a code or id %q: %s", lang, m, text)
		}
		if want := map[string]string{"en": "edited activity 1.2", "sq": "redaktoi aktivitetin 1.2", "sr-Latn": "izmenjena je aktivnost 1.2"}[lang]; !strings.Contains(text, want) {
			t.Errorf("history: %s", text)
		}
	}
	// Other roles: refused.
	ptok, pcsrf := en.session(t, access.Police)
	if rec := en.postForm(base+"/activities/"+a2+"/edit", ptok, pcsrf, form); rec.Code != http.StatusForbidden {
		t.Errorf("the police edited: %d", rec.Code)
	}
	if rec := en.fetch(base+"/activities/"+a2+"/edit", ptok); rec.Code != http.StatusForbidden {
		t.Errorf("the police opened the edit page: %d", rec.Code)
	}
}

func excerptOf(body, near string) string {
	i := strings.Index(body, near)
	if i < 0 {
		if len(body) > 400 {
			return body[:400]
		}
		return body
	}
	j := min(len(body), i+400)
	return body[max(0, i-200):j]
}

// TestCoordStranger: every coordination page — the plans, a municipal plan
// with its history, the tracker, the trainings and campaigns, and each edit
// page — in Albanian and Serbian (both scripts) shows no raw code, id or
// key=value and none of the English texts of the coordination catalogue.
func TestCoordStranger(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	en.clk.Set(mustTime(t, "2026-05-10T09:00:00Z"))
	sec := en.users[access.Coordinator].Actor()
	c := en.app.Coord
	planID, err := c.CreatePlan(ctx, sec, coord.PlanInput{Title: "Plani lokal i Prizrenit 2026–2027", Kind: "municipal", Start: "2026-01-01", End: "2027-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.AddObjective(ctx, sec, planID, coord.ObjectiveInput{Code: "SO1", Pillar: "prevention", Title: "Të rinjtë i njohin shenjat"}))
	polOrg := en.users[access.Police].OrgID
	must(c.AddActivity(ctx, sec, planID, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Seanca në shkolla",
		LeadOrgID: polOrg, Deadline: "2026-Q2", Cost: "1000", Funding: "donor"}))
	must(c.AddIndicator(ctx, sec, planID, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Nxënës", Targets: map[string]string{"2026": "100"},
		Disaggregation: []string{"sex"}, Measure: "victims"}))
	p, _ := c.Plan(ctx, sec, planID)
	must(c.UpdateActivity(ctx, sec, planID, p.Activities[0].ID, "", coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Seanca në shkolla",
		LeadOrgID: polOrg, Deadline: "2026-Q3", Cost: "1200", Funding: "municipal"}))
	as, err := c.AddAssessment(ctx, sec, coord.AssessmentInput{Issuer: "greta", Title: "Raundi i tretë", Year: "2025"})
	must(err)
	rec, err := c.AddRecommendation(ctx, sec, coord.RecommendationInput{AssessmentID: as, Code: "R1", Body: "Identifikimi", Priority: "high"})
	must(err)
	must(c.UpdateRecommendation(ctx, sec, rec, coord.RecommendationEdit{Code: "R1", Body: "Identifikimi i viktimave", Priority: "high", FollowUp: "in_progress"}))
	tr, err := c.AddTraining(ctx, sec, coord.TrainingInput{PlanID: planID, ActivityCode: "1.1", Title: "Trajnim", Topic: "gbv", Type: "tot", StartsOn: "2026-03-01", Hours: "8"})
	must(err)
	cp, err := c.AddCampaign(ctx, sec, coord.CampaignInput{PlanID: planID, ActivityCode: "1.1", Title: "Njihni shenjat", StartsOn: "2026-05-01",
		EndsOn: "2026-06-30", Channels: []string{"radio"}, Public: true})
	must(err)
	must(c.AddCampaignEvent(ctx, sec, cp, "2026-05-05", "Prizren", "120"))
	p, _ = c.Plan(ctx, sec, planID)
	base := "/coord/plans/" + planID
	pages := []string{"/coord", base, "/coord/recommendations", "/coord/trainings", base + "/edit",
		base + "/objectives/" + p.Objectives[0].ID + "/edit", base + "/activities/" + p.Activities[0].ID + "/edit",
		base + "/indicators/" + p.Indicators[0].ID + "/edit", "/coord/recommendations/" + rec + "/edit", "/coord/trainings/" + tr + "/edit",
		"/coord/campaigns/" + cp + "/edit"}
	cat := func(l string) map[string]string {
		b, err := os.ReadFile("../i18n/catalog/" + l + ".json")
		must(err)
		raw := map[string]any{}
		must(json.Unmarshal(b, &raw))
		m := map[string]string{}
		for k, v := range raw {
			if s, ok := v.(string); ok {
				m[k] = s
			}
		}
		return m
	}
	english := cat("en")
	tok, _ := en.session(t, access.Coordinator)
	// The municipal plan offers its monitoring report, as PDF and XLSX.
	if !strings.Contains(en.getBody(t, base, tok), `id="report-municipal"`) {
		t.Error("the municipal plan does not offer its monitoring report")
	}
	for _, f := range []string{"pdf", "xlsx"} {
		rec := en.fetch(base+"/reports/municipal/"+f+"?period=2026-Q2", tok)
		if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
			t.Errorf("municipal report %s: %d, %d bytes", f, rec.Code, rec.Body.Len())
		}
	}
	if rec := en.fetch(base+"/reports/municipal/pdf?period=2029-Q1", tok); rec.Code != http.StatusBadRequest {
		t.Errorf("a quarter outside the plan: %d", rec.Code)
	}
	for _, l := range []string{"sq", "sr-Latn", "sr-Cyrl"} {
		other := cat(l)
		for _, path := range pages {
			body := en.getBody(t, path+"?lang="+l, tok)
			i, j := strings.Index(body, "<main"), strings.Index(body, "</main>")
			text := visibleText(body[i:j])
			if m := rawCode.FindString(text); m != "" {
				t.Errorf("%s %s: a raw code %q", l, path, m)
			}
			for k, v := range english {
				if strings.HasPrefix(k, "coord.") && len(v) >= 8 && other[k] != v && !strings.Contains(v, "{") && strings.Contains(text, v) {
					t.Errorf("%s %s: English text %q (%s)", l, path, v, k)
				}
			}
		}
	}
}
