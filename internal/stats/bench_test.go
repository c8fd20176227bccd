package stats_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// benchApp is the store the statistics benchmarks read: an existing one
// (URA_STATS_DATA: a directory made by `ura demo --cases N`, opened as it
// is, with the clock at the time of its newest case — use a copy; with
// URA_STATS_DB the PostgreSQL store `ura demo --db URL --data dir` made) or a
// fresh one filled by the bulk generator with URA_BENCH_CASES cases
// (default 10,000), on SQLite or, with URA_BENCH_PG=1 and URA_TEST_PG, on
// PostgreSQL.
func benchApp(b *testing.B) (*app.App, access.Actor) {
	ctx := context.Background()
	var a *app.App
	if dir := os.Getenv("URA_STATS_DATA"); dir != "" {
		cfg := config.Default()
		cfg.DataDir = dir
		if u := os.Getenv("URA_STATS_DB"); u != "" {
			cfg.DB = u // a PostgreSQL store's URL (its key in dir)
		}
		var err error
		if a, err = app.Open(ctx, cfg, app.Options{Migrate: true, Clock: clock.System{}}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { a.Close() })
	} else {
		n := 10_000
		if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
			n = v
		}
		e := store.SQLite
		if os.Getenv("URA_BENCH_PG") == "1" {
			e = store.Postgres
		}
		a, _ = apptest.Open(b, e)
		if _, err := demo.Load(ctx, a); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := scale.Load(ctx, a, scale.Options{Cases: n, Seed: 5})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d cases, %d referrals, %d stays in %v", e, res.Cases, res.Referrals, res.Stays, time.Since(start))
	}
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Coordinator))
	if err != nil {
		b.Fatal(err)
	}
	return a, u.Actor()
}

// BenchmarkStats times, for the last full year of the store, every
// standard report (built raw, all tables) and the dashboard (all panels):
//
//	URA_STATS_DATA=/tmp/copy-of-bench100k go test ./internal/stats -run '^$' -bench Stats -benchtime 10x
//	URA_BENCH_CASES=100000 go test ./internal/stats -run '^$' -bench Stats -benchtime 10x
//	URA_BENCH_PG=1 URA_TEST_PG=… URA_BENCH_CASES=100000 go test ./internal/stats -run '^$' -bench Stats -benchtime 10x
func BenchmarkStats(b *testing.B) {
	a, coord := benchApp(b)
	ctx := context.Background()
	p := i18n.For(i18n.Albanian)
	year := stats.Year(a.Clock.Now().Year() - 1)
	for _, tpl := range stats.Templates {
		b.Run("report-"+tpl.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Stats.BuildReport(ctx, coord, tpl.Name, year, "none", p, time.UTC); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("dashboard", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Stats.Dashboard(ctx, coord, year, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("home-headline", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Stats.Headline(ctx, coord); err != nil {
				b.Fatal(err)
			}
		}
	})
}
