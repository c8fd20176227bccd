package stats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/report/reporttest"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// fixture is a whole Ura with the demo accounts and a fixed synthetic data
// set (the scale generator, seed 15, 300 cases over seven years).
type fixture struct {
	a       *app.App
	res     scale.Result
	coord   access.Actor
	analyst access.Actor
}

func load(t *testing.T, e store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	a, _ := apptest.Open(t, e)
	if _, err := demo.Load(ctx, a); err != nil {
		t.Fatal(err)
	}
	res, err := scale.Load(ctx, a, scale.Options{Cases: 300, Batch: 100, Seed: 15, EventsPerCase: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{a: a, res: res}
	for _, r := range []access.Role{access.Coordinator, access.Analyst} {
		u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(r))
		if err != nil {
			t.Fatal(err)
		}
		if r == access.Coordinator {
			f.coord = u.Actor()
		} else {
			f.analyst = u.Actor()
		}
	}
	return f
}

func total(rows []stats.Row) float64 {
	n := 0.0
	for _, r := range rows {
		n += r.Value
	}
	return n
}

// TestSourcesAddUp asks every source on both engines and checks the
// answers against what the services count themselves: every division of
// the cases adds up to the cases, open cases to the stage counts, overdue
// tasks to the coordinator's list, referrals and admissions to what was
// generated.
func TestSourcesAddUp(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := load(t, e)
			s := f.a.Stats
			all, err := stats.ParseFilter(f.a.Clock.Now(), "2019-01-01", "2028-12-31", "", "")
			if err != nil {
				t.Fatal(err)
			}
			years, err := f.a.Cases.CountByYear(ctx, f.coord)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, y := range years {
				want += y.Cases
			}
			for _, by := range [][]string{nil, {"sex"}, {"status"}, {"age_band"}, {"child"}, {"citizenship"}, {"institution"}, {"stage"}, {"month"}, {"sex", "age_band", "citizenship"}} {
				rows, err := s.Answer(ctx, f.coord, cases.MeasureVictims, by, all)
				if err != nil {
					t.Fatalf("victims by %v: %v", by, err)
				}
				if got := total(rows); int(got) != want {
					t.Errorf("victims by %v: %v, want %d", by, got, want)
				}
			}
			stages, err := f.a.Cases.CountByStage(ctx, f.coord)
			if err != nil {
				t.Fatal(err)
			}
			open := 0
			for sg, n := range stages {
				if sg != cases.StageClosed {
					open += n
				}
			}
			rows, err := s.Answer(ctx, f.coord, cases.MeasureOpenCases, []string{"stage"}, all)
			if err != nil || int(total(rows)) != open {
				t.Errorf("open cases: %v (%v), want %d", total(rows), err, open)
			}
			overdue, err := f.a.Clocks.Overdue(ctx, f.coord)
			if err != nil {
				t.Fatal(err)
			}
			rows, err = s.Answer(ctx, f.coord, "overdue_tasks", []string{"task_kind"}, all)
			if err != nil || int(total(rows)) != len(overdue) {
				t.Errorf("overdue tasks: %v (%v), want %d", total(rows), err, len(overdue))
			}
			rows, err = s.Answer(ctx, f.coord, "referrals", []string{"service_type"}, all)
			if err != nil || int(total(rows)) < f.res.Referrals {
				t.Errorf("referrals: %v (%v), want at least the %d generated", total(rows), err, f.res.Referrals)
			}
			rows, err = s.Answer(ctx, f.coord, "admissions", []string{"service_type", "month"}, all)
			if err != nil || int(total(rows)) < f.res.Stays {
				t.Errorf("admissions: %v (%v), want at least the %d generated", total(rows), err, f.res.Stays)
			}
			if rows, err = s.Answer(ctx, f.coord, "answer_hours", []string{"service_type"}, all); err != nil || len(rows) == 0 {
				t.Errorf("answer hours: %v, %v", rows, err)
			}
			for _, r := range rows {
				if r.Value < 0 {
					t.Errorf("negative median %v", r)
				}
			}
			// The helpline's source agrees with its own figures.
			figs, err := f.a.Helpline.Figures(ctx, f.coord, all.From, all.To.AddDate(0, 1, 0))
			if err != nil {
				t.Fatal(err)
			}
			rows, err = s.Answer(ctx, f.coord, "helpline_contacts", []string{"category", "channel"}, all)
			if err != nil || int(total(rows)) != figs.Total || figs.Total == 0 {
				t.Errorf("helpline contacts: %v (%v), want the %d of the figures", total(rows), err, figs.Total)
			}
			if _, err := s.Answer(ctx, f.coord, "tips", []string{"state", "month"}, reg(t, f)); err != nil {
				t.Errorf("tips: %v", err)
			}
			// A region keeps only its municipalities' cases.
			reg, _ := stats.ParseFilter(f.a.Clock.Now(), "2019-01-01", "2028-12-31", "prizren", "")
			rows, err = s.Answer(ctx, f.coord, cases.MeasureVictims, nil, reg)
			if err != nil || total(rows) <= 0 || int(total(rows)) >= want {
				t.Errorf("victims in Prizren region: %v (%v), want some of %d", total(rows), err, want)
			}
			// The data quality checks of every registered source, each line a case.
			checks, issues, err := s.Quality(ctx, f.coord, 50)
			if err != nil || len(checks) < 7 {
				t.Errorf("quality: %v checks, %v", checks, err)
			}
			for _, is := range issues {
				if is.CaseID == "" || is.CaseRef == "" || !slices.Contains(checks, is.Check) {
					t.Errorf("quality issue %+v", is)
				}
			}
			if _, _, err := s.Quality(ctx, f.analyst, 50); !errs.Is(err, errs.Forbidden) {
				t.Errorf("analyst quality: %v, want forbidden", err)
			}
			// Unknown measures and dimensions are refused naming the parameter.
			if _, err := s.Answer(ctx, f.coord, "persons", nil, all); errs.As(err).Field != "measure" {
				t.Errorf("unknown measure: %v", err)
			}
			if _, err := s.Answer(ctx, f.coord, cases.MeasureVictims, []string{"name"}, all); errs.As(err).Field != "by" {
				t.Errorf("unknown dimension: %v", err)
			}
			// Roles without statistics are refused.
			if _, err := s.Answer(ctx, access.Actor{UserID: "x", Role: access.Police}, cases.MeasureVictims, nil, all); !errs.Is(err, errs.Forbidden) {
				t.Errorf("police: %v, want forbidden", err)
			}
		})
	}
}

func reg(t *testing.T, f *fixture) stats.Filter {
	t.Helper()
	r, err := stats.ParseFilter(f.a.Clock.Now(), "2019-01-01", "2028-12-31", "prizren", "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReportReleases: every protected report leaves a record of each of
// its tables in the disclosure ledger (who, which table, which period,
// which protection, which audience); a noisy report is a public release
// charged to its family's yearly privacy budget, and the release past the
// budget is refused naming the protection, keeping no record of it; a raw
// report for the coordinator's office records nothing.
func TestReportReleases(t *testing.T) {
	ctx := context.Background()
	a, _ := apptest.Open(t, store.SQLite)
	s := a.Stats
	analyst := access.Actor{UserID: "analyst-1", Role: access.Analyst}
	coord := access.Actor{UserID: "coord-1", Role: access.Coordinator}
	p := i18n.For(i18n.English)
	tpl, _ := stats.TemplateByName("greta")
	n := len(tpl.Tables)
	var led disclosure.Ledger
	count := func(year int) []disclosure.Release {
		rs, err := led.Releases(ctx, a.DB.Read(), "greta", year)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if _, err := s.BuildReport(ctx, coord, "greta", stats.Year(2025), "none", p, nil); err != nil {
		t.Fatal(err)
	}
	if rs := count(2025); len(rs) != 0 {
		t.Errorf("a raw report recorded %d releases", len(rs))
	}
	if _, err := s.BuildReport(ctx, analyst, "greta", stats.Year(2025), "suppress", p, nil); err != nil {
		t.Fatal(err)
	}
	rs := count(2025)
	if len(rs) != n || rs[0].Audience != disclosure.Analyst || rs[0].By != "analyst-1" || rs[0].Policy.Method != disclosure.Suppress ||
		rs[0].Period != "2025-01-01/2025-12-31" {
		t.Fatalf("suppressed report: %d releases %+v, want %d for the analyst", len(rs), rs, n)
	}
	// Two noisy releases fit the year's budget of 1 (0.5 each); the third does not.
	for i := 0; i < 2; i++ {
		r, err := s.BuildReport(ctx, analyst, "greta", stats.Year(2025), "dp", p, nil)
		if err != nil {
			t.Fatalf("noisy release %d: %v", i+1, err)
		}
		if len(r.Doc.Notes) == 0 {
			t.Errorf("a noisy report states no protection")
		}
	}
	_, err := s.BuildReport(ctx, analyst, "greta", stats.Year(2025), "dp", p, nil)
	if e := errs.As(err); e == nil || e.Field != "protection" || e.Key != "disclosure.error.over_budget" {
		t.Fatalf("third noisy release: %v, want refused over the budget", err)
	}
	rs = count(2025)
	public := 0
	for _, r := range rs {
		if r.Audience == disclosure.Public && r.Policy.Method == disclosure.Noise {
			public++
		}
	}
	if len(rs) != 3*n || public != 2*n {
		t.Errorf("after two noisy releases: %d releases (%d public), want %d (%d)", len(rs), public, 3*n, 2*n)
	}
	if left, err := led.Left(ctx, a.DB.Read(), "greta", 2025); err != nil || left > 0.001 {
		t.Errorf("budget left %v (%v), want none", left, err)
	}
	// Another year has its own budget.
	if _, err := s.BuildReport(ctx, analyst, "greta", stats.Year(2024), "dp", p, nil); err != nil {
		t.Errorf("2024: %v", err)
	}
}

// TestMeasureLabels: every name a page or report shows for a registered
// measure — its label, definition, dimensions and their codes — is in the
// catalogue, so no table ever shows a catalogue key.
func TestMeasureLabels(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	keys := map[string]bool{}
	for _, k := range i18n.Keys() {
		keys[k] = true
	}
	need := func(m, k string) {
		if !keys[k] {
			t.Errorf("%s: %q is not in the catalogue", m, k)
		}
	}
	ms := a.Stats.Sources.Measures()
	if len(ms) < 10 {
		t.Fatalf("%d measures registered", len(ms))
	}
	for _, m := range ms {
		need(m.Name, m.Label)
		need(m.Name, m.Definition)
		for _, d := range m.Dims {
			need(m.Name, d.Label)
			if d.Name == stats.DimMonth {
				continue // months are named by the stats.month.* keys
			}
			for _, v := range d.Values {
				need(m.Name+"."+d.Name, d.ValueKey+v)
			}
			if d.Open {
				need(m.Name+"."+d.Name, d.ValueKey+"other")
			}
		}
	}
}

func TestParseFilter(t *testing.T) {
	now := apptest.Start
	for _, c := range []struct {
		from, to, region, mun, field string
	}{
		{"2026-03-01", "2026-01-31", "", "", "to"},
		{"2026-13-01", "", "", "", "from"},
		{"yesterday", "", "", "", "from"},
		{"", "2026-02-30", "", "", "to"},
		{"2000-01-01", "2026-01-01", "", "", "from"},
		{"", "", "atlantis", "", "region"},
		{"", "", "", "Springfield", "municipality"},
		{"", "", "peje", "Prizren", "municipality"},
	} {
		_, err := stats.ParseFilter(now, c.from, c.to, c.region, c.mun)
		if e := errs.As(err); err == nil || e.Field != c.field || e.Code != errs.Invalid {
			t.Errorf("%+v: %v, want invalid %s", c, err, c.field)
		}
	}
	f, err := stats.ParseFilter(now, "2025-02-14", "2025-04-02", "prizren", "Suharekë")
	if err != nil || f.FromMonth() != "2025-02" || f.ToMonth() != "2025-04" || len(f.Places()) != 1 || len(f.Months()) != 3 {
		t.Errorf("filter %+v, %v", f, err)
	}
	f, err = stats.ParseFilter(now, "", "", "", "")
	if err != nil || f.FromMonth() != "2026-01" || f.ToMonth() != "2026-05" {
		t.Errorf("default filter %+v, %v", f, err)
	}
}

// TestReportsGolden builds every standard report over 2025 on a fixed
// synthetic data set (synthSource: seeded, in memory, answering the real
// sources' measures with their dimensions) and compares it with the golden
// files in testdata: raw in English as JSON, CSV and XLSX (its cells), and
// suppressed in Albanian as PDF (its extracted text). -update rewrites them.
// The real sources agree with the services on both engines
// (TestSourcesAddUp); this test fixes what the reports make of the counts.
func TestReportsGolden(t *testing.T) {
	ctx := context.Background()
	s := synthService()
	coord := access.Actor{UserID: "c", Role: access.Coordinator}
	analyst := access.Actor{UserID: "a", Role: access.Analyst}
	en, sq := i18n.For(i18n.English), i18n.For(i18n.Albanian)
	for _, tpl := range stats.Templates {
		r, err := s.BuildReport(ctx, coord, tpl.Name, stats.Year(2025), "none", en, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", tpl.Name, err)
		}
		got, _ := json.MarshalIndent(r.JSON(), "", "  ")
		golden(t, tpl.Name+".json", append(got, '\n'))
		var csv, xlsx, pdf bytes.Buffer
		if err := report.WriteCSV(&csv, r.Doc); err != nil {
			t.Fatalf("%s: CSV: %v", tpl.Name, err)
		}
		golden(t, tpl.Name+".csv", csv.Bytes())
		if err := report.WriteXLSX(&xlsx, r.Doc); err != nil {
			t.Fatalf("%s: XLSX: %v", tpl.Name, err)
		}
		golden(t, tpl.Name+".xlsx.txt", []byte(reporttest.XLSXText(t, xlsx.Bytes())))
		// Suppressed, in Albanian, as an analyst downloads it: the PDF by
		// its extracted text.
		r, err = s.BuildReport(ctx, analyst, tpl.Name, stats.Year(2025), "suppress", sq, time.UTC)
		if err != nil {
			t.Fatalf("%s suppressed: %v", tpl.Name, err)
		}
		if err := report.WritePDF(&pdf, r.Doc); err != nil {
			t.Fatalf("%s: PDF: %v", tpl.Name, err)
		}
		golden(t, tpl.Name+".sq.pdf.txt", []byte(reporttest.PDFText(t, pdf.Bytes(), true)))
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking the change):\n%s", name, diffHead(got, want))
	}
}

func diffHead(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) && i < len(w); i++ {
		if !bytes.Equal(g[i], w[i]) {
			return "line " + itoa(i+1) + ":\n got  " + string(g[i]) + "\n want " + string(w[i])
		}
	}
	return "lengths differ"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestProtectedReportsHideSmallCells builds every standard report with cell
// suppression, as an analyst, and checks that no published cell shows a
// count the raw report has between 1 and k-1, and that rounding leaves
// only multiples of the base.
func TestProtectedReportsHideSmallCells(t *testing.T) {
	ctx := context.Background()
	s := synthService()
	analyst := access.Actor{UserID: "a", Role: access.Analyst}
	coord := access.Actor{UserID: "c", Role: access.Coordinator}
	p := i18n.For(i18n.English)
	for _, tpl := range stats.Templates {
		raw, err := s.BuildReport(ctx, coord, tpl.Name, stats.Year(2025), "none", p, nil)
		if err != nil {
			t.Fatal(err)
		}
		prot, err := s.BuildReport(ctx, analyst, tpl.Name, stats.Year(2025), "suppress", p, nil)
		if err != nil {
			t.Fatalf("%s: %v", tpl.Name, err)
		}
		if prot.Protection != "suppress" {
			t.Errorf("%s: protection %q", tpl.Name, prot.Protection)
		}
		for i, g := range prot.Grids {
			if g.Kind != stats.Count {
				continue
			}
			for r, row := range g.Table.Cells {
				for c, cell := range row {
					v := raw.Grids[i].Table.Cells[r][c].Value
					if v >= 1 && v < float64(s.K) && !cell.Suppressed {
						t.Errorf("%s/%s: cell (%d,%d) of %v published", tpl.Name, g.Spec.Name, r, c, v)
					}
				}
			}
		}
	}
}

// TestRawReportRefusedToAnalyst: an analyst asking for raw figures is
// refused naming the protection, whatever the report.
func TestRawReportRefusedToAnalyst(t *testing.T) {
	s := synthService()
	analyst := access.Actor{UserID: "a", Role: access.Analyst}
	_, err := s.BuildReport(context.Background(), analyst, "greta", stats.Year(2025), "none", i18n.For(i18n.English), nil)
	if e := errs.As(err); e == nil || e.Field != "protection" {
		t.Errorf("raw report for an analyst: %v", err)
	}
	if _, err := stats.ParseProtection(analyst, ""); err != nil {
		t.Error(err)
	}
	if m, _ := stats.ParseProtection(analyst, ""); m != "suppress" {
		t.Errorf("analyst default protection %q, want suppress", m)
	}
}
