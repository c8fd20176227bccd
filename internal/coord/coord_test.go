package coord_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fixture struct {
	a              *app.App
	sec, pol, shel access.Actor
	polOrg         string
}

func newFixture(t testing.TB, e store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	a, _ := apptest.Open(t, e)
	f := &fixture{a: a}
	for _, x := range []struct {
		name, typ string
		role      access.Role
		dst       *access.Actor
	}{{"Office of the National Coordinator", "coordinator", access.Coordinator, &f.sec},
		{"Kosovo Police THB Directorate", "police", access.Police, &f.pol},
		{"Shelter Drita", "shelter", access.Shelter, &f.shel}} {
		o, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: x.name, Type: access.OrgType(x.typ)})
		if err != nil {
			t.Fatal(err)
		}
		*x.dst = access.Actor{UserID: "u-" + x.typ, OrgID: o.ID, Role: x.role}
	}
	f.polOrg = f.pol.OrgID
	return f
}

func (f *fixture) plan(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	id, err := f.a.Coord.CreatePlan(ctx, f.sec, coord.PlanInput{Title: "Action Plan 2026–2027", Kind: "action_plan", Start: "2026-01-01", End: "2027-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.Coord.AddObjective(ctx, f.sec, id, coord.ObjectiveInput{Code: "SO1", Kind: "strategic", Pillar: "protection", Title: "Victims are identified"}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestBadInput: an activity whose deadline is outside its plan, an indicator
// target for a year outside the plan, a progress report for another
// institution's activity and a percentage over 100 are refused with an
// error naming the field, and nothing is half-saved.
func TestBadInput(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e)
			id := f.plan(t)
			field := func(err error, want string) {
				t.Helper()
				if got := errs.As(err); err == nil || got.Field != want {
					t.Errorf("error %v, want one on field %q", err, want)
				}
			}
			field(f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
				LeadOrgID: f.polOrg, Deadline: "2028-Q1"}), "deadline")
			field(f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
				LeadOrgID: f.polOrg, Deadline: "2026-13-01"}), "deadline")
			field(f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO9", Code: "1.1", Description: "Teams",
				LeadOrgID: f.polOrg, Deadline: "2026-Q1"}), "objective")
			field(f.a.Coord.AddIndicator(ctx, f.sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims",
				Targets: map[string]string{"2026": "10", "2029": "30"}}), "targets")
			field(f.a.Coord.AddIndicator(ctx, f.sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims",
				Measure: "victims", Filter: "colour=blue"}), "filter")
			field(f.a.Coord.AddIndicator(ctx, f.sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims",
				Measure: "no_such_measure"}), "measure")
			p, err := f.a.Coord.Plan(ctx, f.sec, id)
			if err != nil || len(p.Activities) != 0 || len(p.Indicators) != 0 {
				t.Fatalf("refused input was stored: %+v %v", p, err)
			}
			if err := f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
				LeadOrgID: f.polOrg, Deadline: "2026-Q2", Cost: "12 000"}); err != nil {
				t.Fatal(err)
			}
			p, _ = f.a.Coord.Plan(ctx, f.sec, id)
			act := p.Activities[0].ID
			in := coord.ProgressInput{Period: "2026-Q1", Status: "in_progress", Percent: "101", Narrative: "Started."}
			field(func() error { _, err := f.a.Coord.Report(ctx, f.pol, act, in); return err }(), "percent")
			in.Percent = "50"
			if _, err := f.a.Coord.Report(ctx, f.shel, act, in); !errs.Is(err, errs.Forbidden) || errs.As(err).Key != "coord.not_your_activity" {
				t.Errorf("another institution's report: %v", err)
			}
			in.Period = "2028-Q1"
			field(func() error { _, err := f.a.Coord.Report(ctx, f.pol, act, in); return err }(), "period")
			in.Period = "2026-Q1"
			in.Evidence = []coord.File{{Name: "page.html", Data: []byte("<html><script>alert(1)</script></html>")}}
			field(func() error { _, err := f.a.Coord.Report(ctx, f.pol, act, in); return err }(), "evidence")
			if rs, _ := f.a.Coord.Reports(ctx, f.sec, id); len(rs) != 0 {
				t.Errorf("refused reports were stored: %d", len(rs))
			}
			// A monitor may not read a plan it does not monitor, nor report.
			mon := access.Actor{UserID: "m", OrgID: "cso", Role: access.Monitor}
			if _, err := f.a.Coord.Plan(ctx, mon, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("monitor read an unmonitored plan: %v", err)
			}
			if _, err := f.a.Coord.Report(ctx, mon, act, in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("monitor reported: %v", err)
			}
		})
	}
}

// TestAlerts: an activity past its deadline alerts its lead institution and
// the coordinator's office once.
func TestAlerts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, store.SQLite)
	id := f.plan(t)
	if err := f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
		LeadOrgID: f.polOrg, Deadline: "2026-03-31"}); err != nil {
		t.Fatal(err)
	}
	n, err := f.a.Coord.Alert(ctx) // the clock says 2026-05-04
	if err != nil || n != 1 {
		t.Fatalf("alerts: %d, %v; want 1", n, err)
	}
	if n, _ := f.a.Coord.Alert(ctx); n != 0 {
		t.Errorf("the alert was sent again: %d", n)
	}
}

// sampleData is a plan with reports, fixed, for the golden reports.
func sampleData() *coord.ReportData {
	b := 40.0
	p := &coord.Plan{ID: "p1", Title: "Action Plan 2026–2027", Kind: "action_plan", Start: "2026-01-01", End: "2027-12-31", Status: "adopted",
		Objectives: []*coord.Objective{{ID: "o1", Code: "SO1", Kind: "strategic", Pillar: "protection", Title: "Victims are identified and assisted"},
			{ID: "o2", Code: "SO2", Kind: "specific", Pillar: "prevention", Title: "Frontline staff are trained"}}}
	pol, ngo := coord.Org{ID: "pol", Name: "Kosovo Police"}, coord.Org{ID: "ngo", Name: "NGO Vatra"}
	p.Activities = []*coord.Activity{
		{ID: "a1", ObjectiveID: "o1", ObjectiveCode: "SO1", Code: "1.1", Description: "Joint identification teams", Lead: pol, Deadline: "2026-Q2", Due: "2026-06-30", CostEUR: 12000, Funding: "kosovo_budget"},
		{ID: "a2", ObjectiveID: "o1", ObjectiveCode: "SO1", Code: "1.2", Description: "Referral SOP revised", Lead: ngo, Deadline: "2026-09-30", Due: "2026-09-30", CostEUR: 3000, Funding: "donor"},
		{ID: "a3", ObjectiveID: "o2", ObjectiveCode: "SO2", Code: "2.1", Description: "Train 200 police officers", Lead: pol, Deadline: "2027-Q4", Due: "2027-12-31", CostEUR: 25000, Funding: "mixed"}}
	p.Indicators = []*coord.Indicator{
		{ID: "i1", ObjectiveID: "o1", ObjectiveCode: "SO1", Code: "I1", Name: "Victims identified", Level: "outcome", Baseline: &b, Measure: "victims", Filter: "status=identified",
			Definition: "stats.def.victims", Targets: map[int]float64{2026: 50}, Values: map[int]float64{2026: 47}},
		{ID: "i2", ObjectiveID: "o2", ObjectiveCode: "SO2", Code: "I2", Name: "Officers trained", Level: "output", Targets: map[int]float64{2026: 100}, Values: map[int]float64{2026: 80}}}
	rs := []*coord.Progress{
		{ID: "r1", ActivityID: "a1", Period: "2026-Q1", Status: "in_progress", Percent: 40, ExpenditureEUR: 4500, State: "validated"},
		{ID: "r2", ActivityID: "a1", Period: "2026-Q2", Status: "completed", Percent: 100, ExpenditureEUR: 6000, State: "submitted"},
		{ID: "r3", ActivityID: "a3", Period: "2026-Q2", Status: "in_progress", Percent: 20, ExpenditureEUR: 5000, State: "validated"}}
	return &coord.ReportData{Plan: p, Reports: rs, Today: "2026-07-10"}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is missing: the PDF's text is not checked")
	}
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestAnnualReportGolden writes the annual implementation report as PDF in
// the four languages and compares its extracted text with the golden files
// (go test ./internal/coord -run TestAnnualReportGolden -update rewrites them).
func TestAnnualReportGolden(t *testing.T) {
	for _, l := range i18n.Supported {
		t.Run(string(l), func(t *testing.T) {
			d := coord.AnnualReport(sampleData(), 2026, l)
			d.Generated = time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC)
			var buf bytes.Buffer
			if err := report.WritePDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			got := pdftotext(t, buf.Bytes())
			path := filepath.Join("testdata", "annual."+string(l)+".txt")
			if *update {
				os.MkdirAll("testdata", 0o755)
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
				for _, s := range []string{"Annual implementation report 2026", "Implementation by objective", "Joint identification teams",
					"Completed", "Computed from", "Institutions not reporting", "NGO Vatra"} {
					if !strings.Contains(got, s) {
						t.Errorf("the report lacks %q", s)
					}
				}
			}
			if err := report.WriteXLSX(&bytes.Buffer{}, d); err != nil {
				t.Errorf("xlsx: %v", err)
			}
		})
	}
	for _, q := range []coord.Quarter{{Year: 2026, Q: 2}} {
		d := coord.QuarterlyReport(sampleData(), q, i18n.English)
		if err := report.WritePDF(&bytes.Buffer{}, d); err != nil {
			t.Errorf("quarterly: %v", err)
		}
	}
}

// TestExportImportsAgain: a plan exported as XLSX imports as the same plan.
func TestExportImportsAgain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, store.SQLite)
	id := f.plan(t)
	for i, dl := range []string{"2026-Q2", "2027-03-31"} {
		if err := f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: fmt.Sprintf("1.%d", i+1),
			Description: "Activity " + dl, LeadOrgID: f.polOrg, SupportOrgIDs: []string{f.shel.OrgID}, Deadline: dl, Cost: "1000", Funding: "donor"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.a.Coord.AddIndicator(ctx, f.sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims", Level: "outcome",
		Baseline: "12.5", Targets: map[string]string{"2026": "20", "2027": "25"}, Disaggregation: []string{"sex", "age"}, Measure: "victims"}); err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.Supported {
		var buf bytes.Buffer
		if err := f.a.Coord.ExportXLSX(ctx, f.sec, id, l, &buf); err != nil {
			t.Fatal(err)
		}
		res, err := f.a.Coord.Import(ctx, f.sec, coord.PlanInput{Title: "Again " + string(l), Kind: "action_plan", Start: "2026-01-01", End: "2027-12-31"},
			buf.Bytes(), false)
		if err != nil || !res.Imported {
			t.Fatalf("%s: import of the export: %+v %v", l, res, err)
		}
		a, _ := f.a.Coord.Plan(ctx, f.sec, id)
		b, _ := f.a.Coord.Plan(ctx, f.sec, res.PlanID)
		if len(b.Activities) != 2 || b.Activities[1].Deadline != "2027-03-31" || len(b.Activities[0].Support) != 1 ||
			b.Activities[0].CostEUR != 1000 || b.Activities[0].Funding != "donor" {
			t.Errorf("%s: activities %+v", l, b.Activities)
		}
		ia, ib := a.Indicators[0], b.Indicators[0]
		if ib.Measure != "victims" || *ib.Baseline != 12.5 || ib.Targets[2027] != 25 || len(ib.Disaggregation) != 2 || ib.Level != ia.Level {
			t.Errorf("%s: indicator %+v", l, ib)
		}
	}
}

// FuzzParseWorkbook: no workbook makes the import parser panic.
func FuzzParseWorkbook(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		coord.ParseWorkbook(bytes.NewReader(data))
	})
}

// FuzzParseSheet: no grid of cells makes the sheet reader panic, and every
// row it keeps has a spreadsheet row number past the heading.
func FuzzParseSheet(f *testing.F) {
	f.Add("Code|Objective|Description\n1.1|SO1|x\n\n2.1|SO2|y", "activities")
	f.Add("Code|Indicator|Target 2026|Target x\nI1|V|10|", "indicators")
	f.Fuzz(func(t *testing.T, grid, sheet string) {
		var rows [][]string
		for _, line := range strings.Split(grid, "\n") {
			rows = append(rows, strings.Split(line, "|"))
		}
		sh, _ := coord.ParseSheet(sheet, rows)
		for _, r := range sh.Rows {
			if r.N < 2 {
				t.Fatalf("row number %d", r.N)
			}
		}
	})
}

func bigPlan(b testing.TB, f *fixture, acts, inds int) string {
	ctx := context.Background()
	id, err := f.a.Coord.CreatePlan(ctx, f.sec, coord.PlanInput{Title: "Big plan", Kind: "action_plan", Start: "2026-01-01", End: "2028-12-31"})
	if err != nil {
		b.Fatal(err)
	}
	for o := 1; o <= 10; o++ {
		if err := f.a.Coord.AddObjective(ctx, f.sec, id, coord.ObjectiveInput{Code: fmt.Sprintf("SO%d", o), Pillar: coord.Pillars[o%4], Title: "Objective"}); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < acts; i++ {
		if err := f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: fmt.Sprintf("SO%d", i%10+1), Code: fmt.Sprintf("A%d", i),
			Description: "An activity of the plan with a description of ordinary length", LeadOrgID: f.polOrg, SupportOrgIDs: []string{f.shel.OrgID},
			Deadline: fmt.Sprintf("%d-Q%d", 2026+i%3, i%4+1), Cost: "5000"}); err != nil {
			b.Fatal(err)
		}
	}
	p, _ := f.a.Coord.Plan(ctx, f.sec, id)
	for i, a := range p.Activities {
		if i%2 == 0 {
			if _, err := f.a.Coord.Report(ctx, f.pol, a.ID, coord.ProgressInput{Period: "2026-Q1", Status: "in_progress", Percent: "30",
				Narrative: "Progress as planned.", Expenditure: "1000"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; i < inds; i++ {
		in := coord.IndicatorInput{ObjectiveCode: fmt.Sprintf("SO%d", i%10+1), Code: fmt.Sprintf("I%d", i), Name: "An indicator",
			Targets: map[string]string{"2026": "10", "2027": "20", "2028": "30"}}
		if i%10 == 0 {
			in.Measure = "victims"
		}
		if err := f.a.Coord.AddIndicator(ctx, f.sec, id, in); err != nil {
			b.Fatal(err)
		}
	}
	return id
}

// BenchmarkPlanPage is the plan page's data: a plan of 300 activities and
// 150 indicators (15 computed from case data), with 150 progress reports.
func BenchmarkPlanPage(b *testing.B) {
	f := newFixture(b, store.SQLite)
	id := bigPlan(b, f, 300, 150)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.a.Coord.Plan(ctx, f.sec, id); err != nil {
			b.Fatal(err)
		}
		if _, err := f.a.Coord.Reports(ctx, f.sec, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnnualReport builds the annual report of that plan and writes it as PDF.
func BenchmarkAnnualReport(b *testing.B) {
	f := newFixture(b, store.SQLite)
	id := bigPlan(b, f, 300, 150)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := f.a.Coord.Document(ctx, f.sec, id, coord.ReportAnnual, "2026", i18n.English)
		if err != nil {
			b.Fatal(err)
		}
		if err := report.WritePDF(&bytes.Buffer{}, d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTrainingsAndCampaigns: a training tied to a plan activity, its
// participants by institution and sex with pre- and post-test scores (a
// name sealed, never in the table in clear; a score over 100 refused), the
// trainer pool, the training summary; a campaign and an event outside its
// dates refused.
func TestTrainingsAndCampaigns(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e)
			id := f.plan(t)
			if err := f.a.Coord.AddActivity(ctx, f.sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "3.1", Description: "Train police",
				LeadOrgID: f.polOrg, Deadline: "2026-Q4"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.a.Coord.AddTraining(ctx, f.sec, coord.TrainingInput{PlanID: id, ActivityCode: "9.9", Title: "x", Topic: "gbv",
				Type: "initial", StartsOn: "2026-05-01", Hours: "8"}); errs.As(err).Field != "activity" {
				t.Errorf("unknown activity: %v", err)
			}
			tid, err := f.a.Coord.AddTraining(ctx, f.sec, coord.TrainingInput{PlanID: id, ActivityCode: "3.1", Title: "Identifying victims at the border",
				Topic: "thb_identification", Type: "in_service", StartsOn: "2026-05-12", Hours: "16", Venue: "Prishtinë", Trainers: "Trainer A; Trainer B"})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []coord.ParticipantInput{{OrgID: f.polOrg, Position: "Border officer", Sex: "female", Name: "Mimoza Secretname", Pre: "40", Post: "85", Certificate: true},
				{OrgID: f.polOrg, Position: "Border officer", Sex: "male", Pre: "50", Post: "75"},
				{OrgID: f.shel.OrgID, Position: "Case manager", Sex: "female"}} {
				if err := f.a.Coord.AddParticipant(ctx, f.sec, tid, p); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.a.Coord.AddParticipant(ctx, f.sec, tid, coord.ParticipantInput{OrgID: f.polOrg, Sex: "male", Post: "120"}); errs.As(err).Field != "post" {
				t.Errorf("score over 100: %v", err)
			}
			var n int
			f.a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_participants WHERE name_enc IS NOT NULL`).Scan(&n)
			if n != 1 {
				t.Errorf("%d sealed names, want 1", n)
			}
			ts, pool, err := f.a.Coord.Trainings(ctx, f.sec)
			if err != nil || len(ts) != 1 || len(ts[0].Participants) != 3 || len(pool) != 2 || ts[0].ActivityCode != "3.1" {
				t.Fatalf("trainings: %+v %v %v", ts, pool, err)
			}
			if ts[0].Participants[0].Name == "" && ts[0].Participants[1].Name == "" && ts[0].Participants[2].Name == "" {
				t.Error("the secretariat does not see the name")
			}
			ts, _, _ = f.a.Coord.Trainings(ctx, f.pol)
			for _, p := range ts[0].Participants {
				if p.Name != "" {
					t.Error("an institution sees a participant's name")
				}
			}
			d, err := f.a.Coord.Document(ctx, f.sec, id, coord.ReportTraining, "", i18n.English)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Sections[0].Table.Cells[0]; got[2].Value != 2 || got[3].Value != 1 || got[6].Value != 45 || got[7].Value != 80 {
				t.Errorf("training summary row: %+v", got)
			}
			if err := report.WritePDF(&bytes.Buffer{}, d); err != nil {
				t.Error(err)
			}
			cid, err := f.a.Coord.AddCampaign(ctx, f.sec, coord.CampaignInput{PlanID: id, Title: "Know the signs", Audience: "Students",
				Channels: []string{"tv", "school_sessions"}, StartsOn: "2026-10-01", EndsOn: "2026-10-31", Budget: "8000"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.a.Coord.AddCampaignEvent(ctx, f.sec, cid, "2026-11-05", "Prizren", "300"); errs.As(err).Field != "held_on" {
				t.Errorf("event outside the campaign: %v", err)
			}
			if err := f.a.Coord.AddCampaignEvent(ctx, f.sec, cid, "2026-10-05", "Prizren", "300"); err != nil {
				t.Fatal(err)
			}
			if cs, _ := f.a.Coord.Campaigns(ctx, f.pol); len(cs) != 1 || len(cs[0].Events) != 1 || len(cs[0].Channels) != 2 {
				t.Errorf("campaigns: %+v", cs)
			}
		})
	}
}
