package stats_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// rawService is the statistics with the case file and referral counting
// from their records every time (their RawStatsSource), the other sources
// as the application registers them.
func rawService(f *fixture) *stats.Service {
	a := f.a
	s := stats.New(a.Clock)
	s.Sources.Register(a.Cases.RawStatsSource())
	s.Sources.Register(a.Referral.RawStatsSource())
	s.Sources.Register(a.Clocks.StatsSource())
	s.Sources.Register(a.Helpline.StatsSource())
	s.Sources.Register(a.Tips.StatsSource())
	s.Sources.Register(a.Justice.StatsSource())
	s.Sources.Register(a.GBV.StatsSource())
	return s
}

// sortedRows is an answer as sorted lines, whatever the order of its rows.
func sortedRows(rows []stats.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s=%v", strings.Join(r.Keys, "|"), r.Value))
	}
	slices.Sort(out)
	return out
}

// TestDashboardAggregatesEqualRaw builds the coordinator's dashboard from
// the kept aggregates (the coarse divisions and stage counts of the case
// file, referral's histogram of the time to an answer: migration 0025) and
// from the records themselves, on both engines, over generated data, for
// several periods and places, and requires every panel to be the same; it
// also asks every division the coarse aggregates answer, by month too.
func TestDashboardAggregatesEqualRaw(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := load(t, e)
			raw := rawService(f)
			p := i18n.For(i18n.Albanian)
			now := f.a.Clock.Now()
			var filters []stats.Filter
			for _, fl := range [][4]string{
				{"2019-01-01", "2028-12-31", "", ""},
				{fmt.Sprint(now.Year()-1, "-01"), fmt.Sprint(now.Year()-1, "-12"), "", ""},
				{fmt.Sprint(now.Year()-2, "-03"), fmt.Sprint(now.Year(), "-02"), "prizren", ""},
				{"2019-01", "2028-12", "", "Prishtinë"},
			} {
				flt, err := stats.ParseFilter(now, fl[0], fl[1], fl[2], fl[3])
				if err != nil {
					t.Fatalf("%v: %v", fl, err)
				}
				filters = append(filters, flt)
			}
			for _, flt := range filters {
				kept, err := f.a.Stats.Dashboard(ctx, f.coord, flt, p)
				if err != nil {
					t.Fatal(err)
				}
				want, err := raw.Dashboard(ctx, f.coord, flt, p)
				if err != nil {
					t.Fatal(err)
				}
				if len(kept) != len(want) || len(kept) < 10 {
					t.Fatalf("%+v: %d panels kept, %d raw", flt, len(kept), len(want))
				}
				for i := range kept {
					if !reflect.DeepEqual(kept[i], want[i]) {
						t.Errorf("%+v: panel %s differs:\nkept %+v\nraw  %+v", flt, kept[i].ID, kept[i].Table, want[i].Table)
					}
				}
				for _, q := range []struct {
					measure string
					by      []string
				}{
					{cases.MeasureVictims, nil}, {cases.MeasureVictims, []string{"month"}},
					{cases.MeasureVictims, []string{"status"}}, {cases.MeasureVictims, []string{"status", "month"}},
					{cases.MeasureVictims, []string{"sex", "status"}}, {cases.MeasureVictims, []string{"status", "sex"}},
					{cases.MeasureVictims, []string{"sex"}}, {cases.MeasureVictims, []string{"age_band", "status"}},
					{cases.MeasureVictims, []string{"citizenship"}}, {cases.MeasureVictims, []string{"citizenship", "month"}},
					{cases.MeasureVictims, []string{"institution", "status"}}, {cases.MeasureVictims, []string{"institution"}},
					{cases.MeasureVictims, []string{"exploitation"}}, {cases.MeasureVictims, []string{"month", "exploitation"}},
					{cases.MeasureOpenCases, nil}, {cases.MeasureOpenCases, []string{"stage"}},
					{"answer_hours", []string{"service_type"}}, {"answer_hours", []string{"month"}},
					{"answer_hours", []string{"service_type", "month"}}, {"answer_hours", nil},
				} {
					got, err := f.a.Stats.Answer(ctx, f.coord, q.measure, q.by, flt)
					if err != nil {
						t.Fatal(err)
					}
					exp, err := raw.Answer(ctx, f.coord, q.measure, q.by, flt)
					if err != nil {
						t.Fatal(err)
					}
					// An empty count is one row of 0 from the aggregates, no row raw.
					if g, w := sortedRows(got), sortedRows(exp); !slices.Equal(g, w) && !(len(w) == 0 && slices.Equal(g, []string{"=0"})) {
						t.Errorf("%+v: %s by %v:\nkept %v\nraw  %v", flt, q.measure, q.by, g, w)
					}
				}
			}
			this, last, err := f.a.Stats.Headline(ctx, f.coord)
			if err != nil {
				t.Fatal(err)
			}
			rthis, rlast, err := raw.Headline(ctx, f.coord)
			if err != nil || this != rthis || last != rlast {
				t.Errorf("headline %d, %d; raw %d, %d (%v)", this, last, rthis, rlast, err)
			}
		})
	}
}

// TestStoreDashboardEqualRaw is TestDashboardAggregatesEqualRaw's panels on
// a store made by `ura demo --cases N` (URA_STATS_DATA, and URA_STATS_DB
// for PostgreSQL, as for BenchmarkStats), for its last full year: the
// aggregates the generator and the migrations filled answer what the
// records do. Skipped without URA_STATS_DATA (slow: the raw path reads
// the year's cases).
func TestStoreDashboardEqualRaw(t *testing.T) {
	dir := os.Getenv("URA_STATS_DATA")
	if dir == "" {
		t.Skip("URA_STATS_DATA not set")
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dir
	if u := os.Getenv("URA_STATS_DB"); u != "" {
		cfg.DB = u
	}
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{a: a, coord: u.Actor()}
	p := i18n.For(i18n.English)
	year := stats.Year(a.Clock.Now().Year() - 1)
	start := time.Now()
	kept, err := a.Stats.Dashboard(ctx, f.coord, year, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kept: %v", time.Since(start))
	start = time.Now()
	want, err := rawService(f).Dashboard(ctx, f.coord, year, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("raw: %v", time.Since(start))
	if len(kept) != len(want) {
		t.Fatalf("%d panels kept, %d raw", len(kept), len(want))
	}
	for i := range kept {
		if !reflect.DeepEqual(kept[i], want[i]) {
			t.Errorf("panel %s differs:\nkept %+v\nraw  %+v", kept[i].ID, kept[i].Table, want[i].Table)
		} else {
			t.Logf("panel %s: equal (%d rows)", kept[i].ID, len(kept[i].Table.Rows))
		}
	}
}
