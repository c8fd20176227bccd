package coord_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestEdit: the secretariat edits a plan, its activities and indicators
// with the checks of their creation (a deadline inside the period, targets
// inside the plan's years, a code not taken, a period that still holds its
// activities), a stale form is refused, an activity with reports or an
// indicator with values is not removed, nothing refused is half-saved, and
// every change is in the history with its fields.
func TestEdit(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e)
			c := f.a.Coord
			id := f.plan(t)
			for _, code := range []string{"1.1", "1.2"} {
				if err := c.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: code, Description: "Teams " + code,
					LeadOrgID: f.polOrg, Deadline: "2026-Q2", Cost: "1000"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, code := range []string{"I1", "I2"} {
				if err := c.AddIndicator(ctx, f.sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: code, Name: "Victims",
					Targets: map[string]string{"2026": "10"}}); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := c.Plan(ctx, f.sec, id)
			a1, a2, i1, i2 := p.Activities[0].ID, p.Activities[1].ID, p.Indicators[0].ID, p.Indicators[1].ID
			ver := strconv.Itoa(p.Version)
			in := coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Joint teams", LeadOrgID: f.polOrg,
				SupportOrgIDs: []string{f.shel.OrgID}, Deadline: "2028-Q1", Cost: "2000", Funding: "donor"}
			field := func(err error, want string) {
				t.Helper()
				if got := errs.As(err); err == nil || got.Field != want {
					t.Errorf("error %v, want one on field %q", err, want)
				}
			}
			field(c.UpdateActivity(ctx, f.sec, id, a1, ver, in), "deadline")
			in.Deadline, in.Code = "2026-Q3", "1.2"
			field(c.UpdateActivity(ctx, f.sec, id, a1, ver, in), "code")
			in.Code = "1.1"
			if err := c.UpdateActivity(ctx, f.sec, id, a1, ver, in); err != nil {
				t.Fatalf("edit activity: %v", err)
			}
			if err := c.UpdateActivity(ctx, f.sec, id, a1, ver, in); !errs.Is(err, errs.Conflict) {
				t.Errorf("a stale form: %v, want a conflict", err)
			}
			p, _ = c.Plan(ctx, f.sec, id)
			got := p.Activity(a1)
			if got.Description != "Joint teams" || got.Deadline != "2026-Q3" || got.CostEUR != 2000 || got.Funding != "donor" ||
				len(got.Support) != 1 || got.Support[0].ID != f.shel.OrgID {
				t.Errorf("edited activity: %+v", got)
			}
			ver = strconv.Itoa(p.Version)
			// Indicators: a target outside the plan's years, then a good edit.
			iin := coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims identified", Targets: map[string]string{"2029": "5"}}
			field(c.UpdateIndicator(ctx, f.sec, id, i1, ver, iin), "targets")
			iin.Targets = map[string]string{"2026": "12", "2027": "20"}
			if err := c.UpdateIndicator(ctx, f.sec, id, i1, ver, iin); err != nil {
				t.Fatalf("edit indicator: %v", err)
			}
			p, _ = c.Plan(ctx, f.sec, id)
			if ind := p.Indicators[0]; ind.Name != "Victims identified" || ind.Targets[2027] != 20 || len(ind.Targets) != 2 {
				t.Errorf("edited indicator: %+v", ind)
			}
			// The plan's period must keep its activities and targets.
			pin := coord.PlanInput{Title: "Action Plan 2026", Kind: "action_plan", Start: "2026-01-01", End: "2026-12-31", Status: "adopted"}
			field(c.UpdatePlan(ctx, f.sec, id, "", pin), "end") // the 2027 target
			pin.End = "2027-12-31"
			if err := c.UpdatePlan(ctx, f.sec, id, "", pin); err != nil {
				t.Fatalf("edit plan: %v", err)
			}
			// Removing: refused with a report or a value, done without.
			if _, err := c.Report(ctx, f.pol, a1, coord.ProgressInput{Period: "2026-Q1", Status: "in_progress", Percent: "10", Narrative: "Begun."}); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteActivity(ctx, f.sec, id, a1, ""); !errs.Is(err, errs.Conflict) || errs.As(err).Key != "coord.delete_has_reports" {
				t.Errorf("removing a reported activity: %v", err)
			}
			if err := c.DeleteActivity(ctx, f.sec, id, a2, ""); err != nil {
				t.Errorf("removing an activity: %v", err)
			}
			if err := c.SetValue(ctx, f.sec, id, i1, "2026", "4"); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteIndicator(ctx, f.sec, id, i1, ""); !errs.Is(err, errs.Conflict) {
				t.Errorf("removing an indicator with values: %v", err)
			}
			if err := c.DeleteIndicator(ctx, f.sec, id, i2, ""); err != nil {
				t.Errorf("removing an indicator: %v", err)
			}
			p, _ = c.Plan(ctx, f.sec, id)
			if len(p.Activities) != 1 || len(p.Indicators) != 1 || p.Title != "Action Plan 2026" || p.Status != "adopted" {
				t.Errorf("after the edits: %d activities, %d indicators, %q %q", len(p.Activities), len(p.Indicators), p.Title, p.Status)
			}
			// Only the secretariat edits.
			if err := c.UpdateActivity(ctx, f.pol, id, a1, "", in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("the police edited an activity: %v", err)
			}
			h, err := c.History(ctx, f.sec, coord.TopicPlan, id)
			if err != nil {
				t.Fatal(err)
			}
			var events []string
			for _, x := range h {
				events = append(events, x.Event)
				if x.OrgName != "Office of the National Coordinator" {
					t.Errorf("history entry by %q", x.OrgName)
				}
			}
			for _, want := range []string{"plan_create", "activity_add", "activity_edit", "indicator_edit", "plan_edit", "activity_delete", "indicator_delete"} {
				if !slices.Contains(events, want) {
					t.Errorf("history lacks %s: %v", want, events)
				}
			}
			for _, x := range h {
				if x.Event == "activity_edit" {
					if want := []string{"description", "support", "deadline", "cost", "funding"}; !slices.Equal(x.Fields, want) {
						t.Errorf("activity_edit fields %v, want %v", x.Fields, want)
					}
				}
			}
		})
	}
}

// TestEditOthers: recommendations, trainings and campaigns are edited with
// the checks of their creation; the portal sees a public running campaign
// and nothing else.
func TestEditOthers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite")
	c := f.a.Coord
	id := f.plan(t)
	if err := c.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
		LeadOrgID: f.polOrg, Deadline: "2026-Q4"}); err != nil {
		t.Fatal(err)
	}
	as, err := c.AddAssessment(ctx, f.sec, coord.AssessmentInput{Issuer: "greta", Title: "Third round", Year: "2025"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.AddRecommendation(ctx, f.sec, coord.RecommendationInput{AssessmentID: as, Code: "R1", Body: "Identify", Priority: "high"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateRecommendation(ctx, f.sec, rec, coord.RecommendationEdit{Code: "R1", Body: "Identify", Priority: "low", FollowUp: "nope"}); errs.As(err).Field != "follow_up" {
		t.Errorf("a bad follow-up: %v", err)
	}
	if err := c.UpdateRecommendation(ctx, f.sec, rec, coord.RecommendationEdit{Code: "R1", Body: "Identify victims", Priority: "low", FollowUp: "in_progress"}); err != nil {
		t.Fatal(err)
	}
	tr, err := c.AddTraining(ctx, f.sec, coord.TrainingInput{Title: "Identification", Topic: "thb_identification", Type: "initial", StartsOn: "2026-03-01", Hours: "8"})
	if err != nil {
		t.Fatal(err)
	}
	tin := coord.TrainingInput{PlanID: id, ActivityCode: "9.9", Title: "Identification", Topic: "thb_identification", Type: "initial", StartsOn: "2026-03-01", Hours: "16"}
	if err := c.UpdateTraining(ctx, f.sec, tr, tin); errs.As(err).Field != "activity" {
		t.Errorf("an unknown activity: %v", err)
	}
	tin.ActivityCode = "1.1"
	if err := c.UpdateTraining(ctx, f.sec, tr, tin); err != nil {
		t.Fatal(err)
	}
	ts, _, _ := c.Trainings(ctx, f.sec)
	if ts[0].Hours != 16 || ts[0].ActivityCode != "1.1" || ts[0].PlanID != id {
		t.Errorf("edited training: %+v", ts[0])
	}
	// The clock says 2026-05-04.
	cin := coord.CampaignInput{Title: "Know your rights", Theme: "Labour exploitation", Audience: "internal note", StartsOn: "2026-04-01", EndsOn: "2026-06-30", Budget: "5000"}
	cid, err := c.AddCampaign(ctx, f.sec, cin)
	if err != nil {
		t.Fatal(err)
	}
	if cur, err := c.CurrentCampaign(ctx); err != nil || cur != nil {
		t.Errorf("a campaign not marked public reached the portal: %+v %v", cur, err)
	}
	if err := c.AddCampaignEvent(ctx, f.sec, cid, "2026-05-01", "Prizren", "300"); err != nil {
		t.Fatal(err)
	}
	cin.Public, cin.StartsOn = true, "2026-05-02"
	if err := c.UpdateCampaign(ctx, f.sec, cid, cin); errs.As(err).Field != "starts_on" {
		t.Errorf("an event left outside the campaign: %v", err)
	}
	cin.StartsOn = "2026-04-01"
	if err := c.UpdateCampaign(ctx, f.sec, cid, cin); err != nil {
		t.Fatal(err)
	}
	cur, err := c.CurrentCampaign(ctx)
	if err != nil || cur == nil || cur.Title != "Know your rights" || cur.Theme != "Labour exploitation" || cur.EndsOn != "2026-06-30" {
		t.Errorf("the current campaign: %+v %v", cur, err)
	}
	h, _ := c.History(ctx, f.sec, coord.TopicTrainings, "")
	i := slices.IndexFunc(h, func(e *coord.HistoryEntry) bool { return e.Event == "campaign_edit" })
	if len(h) != 5 || i < 0 || !slices.Contains(h[i].Fields, "public") || h[i].Subject != "Know your rights" {
		t.Errorf("trainings history: %d entries, campaign edit at %d", len(h), i)
	}
	h, _ = c.History(ctx, f.sec, coord.TopicRecommendations, "")
	i = slices.IndexFunc(h, func(e *coord.HistoryEntry) bool { return e.Event == "recommendation_edit" })
	if len(h) != 3 || i < 0 || !slices.Equal(h[i].Fields, []string{"body", "priority", "follow_up"}) {
		t.Errorf("recommendations history: %d entries, the edit at %d", len(h), i)
	}
}

// TestMunicipalReportGolden writes the local action-plan monitoring report
// of a municipality's plan as PDF in the four languages and compares its
// extracted text with the golden files (-update rewrites them); the XLSX is
// written by the same writer.
func TestMunicipalReportGolden(t *testing.T) {
	for _, l := range i18n.Supported {
		t.Run(string(l), func(t *testing.T) {
			sd := sampleData()
			sd.Plan.Kind, sd.Plan.Title = "municipal", "Local Action Plan of Prizren 2026–2027"
			d := coord.MunicipalReport(sd, coord.Quarter{Year: 2026, Q: 2}, l)
			d.Generated = time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC)
			var buf bytes.Buffer
			if err := report.WritePDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			got := pdftotext(t, buf.Bytes())
			path := filepath.Join("testdata", "municipal."+string(l)+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file (run with -update after checking)", path)
			}
			if l == i18n.English {
				// 1.2 (NGO Vatra, due 2026-09-30) ran in Q2 with no report by
				// 2026-07-15; the sample's today is 2026-07-10, so nothing is
				// late yet.
				for _, s := range []string{"Local action-plan monitoring report 2026-Q2", "Joint identification teams", "Completed",
					"Late reports", "10,500", "Of the target"} {
					if !strings.Contains(strings.Join(strings.Fields(got), ""), strings.Join(strings.Fields(s), "")) {
						t.Errorf("the report lacks %q", s)
					}
				}
			}
			if err := report.WriteXLSX(&bytes.Buffer{}, d); err != nil {
				t.Errorf("xlsx: %v", err)
			}
		})
	}
	// After the due day, the activities without a report for the quarter are late.
	sd := sampleData()
	sd.Today = "2026-07-20"
	d := coord.MunicipalReport(sd, coord.Quarter{Year: 2026, Q: 2}, i18n.English)
	late := d.Sections[2].Table
	if len(late.Rows) != 1 || !strings.HasPrefix(late.Rows[0], "1.2 ") {
		t.Errorf("late reports: %v", late.Rows)
	}
}
