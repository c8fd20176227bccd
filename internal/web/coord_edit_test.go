package web_test

import (
	"context"
	"net/http"
	"net/url"
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
