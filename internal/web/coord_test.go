package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// planWorkbook is an action plan as a ministry keeps it; broken adds a row
// whose deadline is outside the plan and one naming an unknown institution.
func planWorkbook(t *testing.T, lead, support string, broken bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	put := func(sheet string, rows [][]any) {
		if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("Objectives", [][]any{{"Code", "Kind", "Pillar", "Title"},
		{"SO1", "strategic", "Protection", "Victims are identified and assisted"},
		{"SO2", "specific", "prevention", "Frontline staff are trained"}})
	acts := [][]any{{"Code", "Objective", "Description", "Lead institution", "Supporting institutions", "Deadline", "Cost (EUR)", "Funding source"},
		{"1.1", "SO1", "Joint identification teams in every region", lead, support, "2026-Q2", "12000", "Kosovo budget"},
		{"1.2", "SO1", "Referral SOP revised", lead, "", "2026-09-30", "3000", "donor"},
		{"2.1", "SO2", "Train 200 police officers", lead, "", "2027-Q4", "25000", "mixed"}}
	if broken {
		acts = append(acts, []any{"2.2", "SO2", "Outside the plan", lead, "", "2030-Q1", "1", "donor"},
			[]any{"2.3", "SO2", "Unknown lead", "Ministry of Nowhere", "", "2026-Q3", "1", "donor"})
	}
	put("Activities", acts)
	put("Indicators", [][]any{{"Code", "Objective", "Indicator", "Level", "Unit", "Baseline", "Target 2026", "Target 2027", "Measure", "Filter"},
		{"I1", "SO1", "Victims registered", "outcome", "persons", "40", "50", "60", "victims", ""},
		{"I2", "SO2", "Officers trained", "output", "persons", "0", "100", "200", "", ""}})
	f.DeleteSheet("Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (en *env) multipart(t *testing.T, path, cookie, csrf string, fields url.Values, files map[string][]byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for name, data := range files {
		field, fn, _ := strings.Cut(name, ":")
		fw, err := w.CreateFormFile(field, fn)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

func (en *env) fetch(path, cookie string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

// TestCoordinationFlow is the flow through the pages: the
// secretariat imports an action plan from XLSX (a workbook with broken rows
// is refused whole, every broken row named by its number); the lead
// institution reports quarterly progress with evidence, and may not report
// on another's activity or above 100 %; the secretariat validates; a GRETA
// recommendation is linked to two activities; an indicator computed from
// case data fills itself; the annual report comes as PDF and XLSX; a
// monitor sees only the plans it monitors.
func TestCoordinationFlow(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			en.clk.Set(mustTime(t, "2026-05-10T09:00:00Z"))
			lead := en.users[access.Police]
			leadOrg := "Org police"
			coordTok, coordCSRF := en.session(t, access.Coordinator)
			plan := url.Values{"title": {"Action Plan 2026–2027"}, "kind": {"action_plan"}, "start": {"2026-01-01"}, "end": {"2027-12-31"}, "status": {"adopted"}}

			// Broken rows: nothing imported, every broken row named.
			rec := en.multipart(t, "/coord/import", coordTok, coordCSRF, plan, map[string][]byte{"file:plan.xlsx": planWorkbook(t, leadOrg, "Org shelter", true)})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("broken import: %d", rec.Code)
			}
			body := rec.Body.String()
			for _, want := range []string{"row 5", "row 6", "outside the plan", "Ministry of Nowhere"} {
				if !strings.Contains(body, want) {
					t.Errorf("broken import page lacks %q", want)
				}
			}
			if list, _ := en.app.Coord.Plans(ctx, en.users[access.Coordinator].Actor()); len(list) != 0 {
				t.Fatalf("a refused import stored %d plans", len(list))
			}
			// The valid rows with the user's confirmation.
			plan.Set("partial", "1")
			rec = en.multipart(t, "/coord/import", coordTok, coordCSRF, plan, map[string][]byte{"file:plan.xlsx": planWorkbook(t, leadOrg, "Org shelter", true)})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("partial import: %d %s", rec.Code, rec.Body.String())
			}
			planPath := rec.Header().Get("Location")
			planID := strings.TrimPrefix(planPath, "/coord/plans/")
			p, err := en.app.Coord.Plan(ctx, en.users[access.Coordinator].Actor(), planID)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Objectives) != 2 || len(p.Activities) != 3 || len(p.Indicators) != 2 {
				t.Fatalf("imported %d objectives, %d activities, %d indicators", len(p.Objectives), len(p.Activities), len(p.Indicators))
			}
			a11 := p.Activities[0]
			if a11.Lead.ID != lead.OrgID || len(a11.Support) != 1 || a11.Due != "2026-06-30" {
				t.Errorf("activity 1.1: %+v", a11)
			}

			// The institution reports on its own activity, with evidence.
			polTok, polCSRF := en.session(t, access.Police)
			progress := "/coord/plans/" + planID + "/activities/" + a11.ID + "/progress"
			bad := url.Values{"period": {"2026-Q1"}, "status": {"in_progress"}, "percent": {"140"}, "narrative": {"Teams set up in two regions."}}
			if rec := en.multipart(t, progress, polTok, polCSRF, bad, nil); rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("percent over 100: %d", rec.Code)
			} else if !strings.Contains(rec.Body.String(), "from 0 to 100") || !strings.Contains(rec.Body.String(), "Teams set up in two regions.") {
				t.Errorf("percent over 100: no message beside the field or the text lost")
			}
			good := url.Values{"period": {"2026-Q1"}, "status": {"in_progress"}, "percent": {"40"}, "narrative": {"Teams set up in two regions."},
				"expenditure": {"4500"}}
			rec = en.multipart(t, progress, polTok, polCSRF, good, map[string][]byte{"evidence:minutes.txt": []byte("Minutes of the first joint team meeting.\n")})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("report: %d %s", rec.Code, rec.Body.String())
			}
			// Another institution may not report on it.
			shTok, shCSRF := en.session(t, access.Shelter)
			if rec := en.multipart(t, progress, shTok, shCSRF, good, nil); rec.Code != http.StatusForbidden ||
				!strings.Contains(rec.Body.String(), "does not lead this activity") {
				t.Errorf("another institution's report: %d", rec.Code)
			}
			reps, err := en.app.Coord.Reports(ctx, en.users[access.Coordinator].Actor(), planID)
			if err != nil || len(reps) != 1 || len(reps[0].Evidence) != 1 {
				t.Fatalf("reports: %+v %v", reps, err)
			}
			// The secretariat validates.
			rec = en.postForm("/coord/plans/"+planID+"/progress/"+reps[0].ID+"/review", coordTok, coordCSRF, url.Values{"decision": {"validate"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("validate: %d %s", rec.Code, rec.Body.String())
			}
			if rec := en.fetch("/coord/evidence/"+reps[0].Evidence[0].ID, coordTok); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Minutes") {
				t.Errorf("evidence download: %d", rec.Code)
			}

			// A GRETA recommendation linked to two activities.
			rec = en.postForm("/coord/assessments", coordTok, coordCSRF, url.Values{"issuer": {"greta"}, "title": {"Third evaluation round"}, "year": {"2025"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("assessment: %d", rec.Code)
			}
			tr, _ := en.app.Coord.Tracker(ctx, en.users[access.Coordinator].Actor())
			rec = en.postForm("/coord/recommendations", coordTok, coordCSRF, url.Values{"assessment": {tr.Assessments[0].ID}, "code": {"R12"},
				"body": {"Ensure formal identification does not depend on cooperation."}, "priority": {"high"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("recommendation: %d", rec.Code)
			}
			tr, _ = en.app.Coord.Tracker(ctx, en.users[access.Coordinator].Actor())
			rec = en.postForm("/coord/recommendations/"+tr.Assessments[0].Recommendations[0].ID+"/links", coordTok, coordCSRF,
				url.Values{"plan": {planID}, "activities": {"1.1, 1.2"}, "follow_up": {"in_progress"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("link: %d %s", rec.Code, rec.Body.String())
			}
			tr, _ = en.app.Coord.Tracker(ctx, en.users[access.Coordinator].Actor())
			if got := len(tr.Assessments[0].Recommendations[0].Activities); got != 2 || len(tr.Unanswered) != 0 {
				t.Errorf("recommendation linked to %d activities, %d unanswered", got, len(tr.Unanswered))
			}

			// The indicator computed from case data fills itself.
			for _, name := range []string{"Arta", "Blerta"} {
				if _, err := en.app.Cases.Open(ctx, lead.Actor(), cases.Input{Person: cases.Person{GivenName: name, FamilyName: "Testaj",
					BirthDate: "1999-02-03", Sex: "female", Citizenship: "XK"}, Municipality: "Ferizaj"}); err != nil {
					t.Fatal(err)
				}
			}
			p, _ = en.app.Coord.Plan(ctx, en.users[access.Coordinator].Actor(), planID)
			if v := p.Indicators[0].Values[2026]; v != 2 || p.Indicators[0].Definition == "" {
				t.Errorf("computed indicator 2026 = %v (definition %q), want 2", v, p.Indicators[0].Definition)
			}
			if err := en.app.Coord.SetValue(ctx, en.users[access.Coordinator].Actor(), planID, p.Indicators[0].ID, "2026", "99"); err == nil {
				t.Error("a computed indicator was typed")
			}
			page := en.fetch(planPath, coordTok)
			if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "computed from Ura") {
				t.Errorf("plan page: %d", page.Code)
			}

			// The annual report as PDF and XLSX.
			for _, f := range []string{"pdf", "xlsx"} {
				rec := en.fetch("/coord/plans/"+planID+"/reports/annual/"+f+"?period=2026", coordTok)
				if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
					t.Errorf("annual report %s: %d, %d bytes", f, rec.Code, rec.Body.Len())
				}
			}
			if rec := en.fetch("/coord/plans/"+planID+"/export.xlsx", coordTok); rec.Code != http.StatusOK {
				t.Errorf("export: %d", rec.Code)
			}

			// A monitor sees only the plans it monitors, and comments on them.
			monTok, monCSRF := en.session(t, access.Monitor)
			if rec := en.fetch(planPath, monTok); rec.Code != http.StatusNotFound {
				t.Errorf("monitor on a plan it does not monitor: %d", rec.Code)
			}
			if rec := en.postForm("/coord/plans/"+planID+"/monitors", coordTok, coordCSRF, url.Values{"org": {en.users[access.Monitor].OrgID}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("add monitor: %d", rec.Code)
			}
			if rec := en.fetch(planPath, monTok); rec.Code != http.StatusOK {
				t.Errorf("monitor on its plan: %d", rec.Code)
			}
			if rec := en.postForm("/coord/plans/"+planID+"/comments", monTok, monCSRF, url.Values{"body": {"Activity 1.2 lacks a budget line."}}); rec.Code != http.StatusSeeOther {
				t.Errorf("monitor comment: %d", rec.Code)
			}
			// Trainings and campaigns: the secretariat records, institutions read.
			if rec := en.postForm("/coord/trainings", coordTok, coordCSRF, url.Values{"title": {"Identification at the border"}, "topic": {"thb_identification"},
				"type": {"in_service"}, "starts_on": {"2026-05-12"}, "hours": {"16"}, "trainers": {"Trainer A; Trainer B"}, "plan": {planID}, "activity": {"2.1"}}); rec.Code != http.StatusSeeOther {
				t.Errorf("training: %d", rec.Code)
			}
			if rec := en.postForm("/coord/campaigns", coordTok, coordCSRF, url.Values{"title": {"Know the signs"}, "starts_on": {"2026-10-01"},
				"ends_on": {"2026-09-01"}}); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "The end comes before the start.") {
				t.Errorf("campaign ending before it starts: %d", rec.Code)
			}
			if rec := en.fetch("/coord/trainings", polTok); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Identification at the border") {
				t.Errorf("trainings page for an institution: %d", rec.Code)
			}
			if rec := en.fetch("/cases", monTok); rec.Code != http.StatusForbidden {
				t.Errorf("monitor on the case list: %d", rec.Code)
			}
			_ = coord.Statuses
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// BenchmarkCoordPlanPage is the server time of the plan page (rendered, as
// the coordinator sees it with every form) for an action plan of 300
// activities and 150 indicators, 15 of them computed from case data, with
// 150 progress reports (docs/benchmarks.md, "Coordination").
func BenchmarkCoordPlanPage(b *testing.B) {
	en := newEnv(b, store.SQLite)
	ctx := context.Background()
	sec, pol := en.users[access.Coordinator].Actor(), en.users[access.Police].Actor()
	c := en.app.Coord
	id, err := c.CreatePlan(ctx, sec, coord.PlanInput{Title: "Big plan", Kind: "action_plan", Start: "2026-01-01", End: "2028-12-31"})
	if err != nil {
		b.Fatal(err)
	}
	for o := 1; o <= 10; o++ {
		c.AddObjective(ctx, sec, id, coord.ObjectiveInput{Code: fmt.Sprintf("SO%d", o), Pillar: coord.Pillars[o%4], Title: "Objective"})
	}
	for i := 0; i < 300; i++ {
		if err := c.AddActivity(ctx, sec, id, coord.ActivityInput{ObjectiveCode: fmt.Sprintf("SO%d", i%10+1), Code: fmt.Sprintf("A%d", i),
			Description: "An activity of the plan with a description of ordinary length", LeadOrgID: pol.OrgID,
			SupportOrgIDs: []string{en.users[access.Shelter].OrgID}, Deadline: fmt.Sprintf("%d-Q%d", 2026+i%3, i%4+1), Cost: "5000"}); err != nil {
			b.Fatal(err)
		}
	}
	p, _ := c.Plan(ctx, sec, id)
	for i, a := range p.Activities {
		if i%2 == 0 {
			if _, err := c.Report(ctx, pol, a.ID, coord.ProgressInput{Period: "2026-Q1", Status: "in_progress", Percent: "30",
				Narrative: "Progress as planned.", Expenditure: "1000"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; i < 150; i++ {
		in := coord.IndicatorInput{ObjectiveCode: fmt.Sprintf("SO%d", i%10+1), Code: fmt.Sprintf("I%d", i), Name: "An indicator",
			Targets: map[string]string{"2026": "10", "2027": "20", "2028": "30"}}
		if i%10 == 0 {
			in.Measure = "victims"
		}
		if err := c.AddIndicator(ctx, sec, id, in); err != nil {
			b.Fatal(err)
		}
	}
	tok, _ := en.session(b, access.Coordinator)
	for b.Loop() {
		if rec := en.fetch("/coord/plans/"+id, tok); rec.Code != http.StatusOK {
			b.Fatalf("plan page: %d", rec.Code)
		}
	}
}
