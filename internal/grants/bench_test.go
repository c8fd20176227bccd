package grants_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/store"
)

func benchEngine() store.Engine {
	if os.Getenv("URA_BENCH_PG") == "1" {
		return store.Postgres
	}
	return store.SQLite
}

// BenchmarkRanking ranks a call of 200 applications, each scored on five
// criteria by five evaluators who declared no conflict (5,000 scores).
// Target: under 200 ms.
//
//	go test ./internal/grants -run '^$' -bench Ranking -benchtime 20x
func BenchmarkRanking(b *testing.B) {
	ctx := context.Background()
	a, clk := apptest.Open(b, benchEngine())
	g := a.Grants
	coord := user(b, a, access.Coordinator, "")
	in := callInput(clk.Now().Add(24 * time.Hour))
	in.Lots, in.MaxGrant, in.Budget = "", "60000", "2000000"
	in.Criteria = append(in.Criteria, grants.Criterion{Label: "Sustainability", Max: 20, Weight: 15},
		grants.Criterion{Label: "Budget", Max: 20, Weight: 15})
	c, err := g.CreateCall(ctx, coord, in)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.PublishCall(ctx, coord, c.ID); err != nil {
		b.Fatal(err)
	}
	var evs []access.Actor
	for range 5 {
		evs = append(evs, user(b, a, access.Evaluator, ""))
	}
	for i := range 200 {
		p := user(b, a, access.Provider, "")
		x, err := g.Submit(ctx, p, grants.ApplicationInput{CallID: c.ID, Title: "Action " + strconv.Itoa(i), Summary: "Services",
			TargetGroups: "Victims", Municipalities: "Prishtinë", Requested: strconv.Itoa(10000 + i*100), Total: "70000", DurationMonths: "24"})
		if err != nil {
			b.Fatal(err)
		}
		if err := g.AdminCheck(ctx, coord, x.ID, true, ""); err != nil {
			b.Fatal(err)
		}
		for j, ev := range evs {
			if err := g.Assign(ctx, coord, x.ID, ev.UserID); err != nil {
				b.Fatal(err)
			}
			if err := g.Declare(ctx, ev, x.ID, false); err != nil {
				b.Fatal(err)
			}
			sc := grants.ScoreInput{}
			for k, cr := range []int{20, 30, 10, 20, 20} {
				sc["c"+strconv.Itoa(k+1)] = struct {
					Score   string `json:"score"`
					Comment string `json:"comment"`
				}{Score: strconv.Itoa((i*7 + j*3 + k) % (cr + 1)), Comment: "Justified"}
			}
			if err := g.SaveScores(ctx, ev, x.ID, sc); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		_, ranked, err := g.Ranking(ctx, coord, c.ID)
		if err != nil || len(ranked) != 200 || ranked[0].Evaluators != 5 {
			b.Fatal(len(ranked), err)
		}
	}
}

// BenchmarkFunderReport: the funder's report (persons served by the busiest
// provider over the last full year, five tables, suppressed) on a store
// filled by the bulk generator with URA_BENCH_CASES cases (default 20,000).
// Target: under 2 s at a million cases.
//
//	URA_BENCH_CASES=100000 go test ./internal/grants -run '^$' -bench FunderReport -benchtime 10x
func BenchmarkFunderReport(b *testing.B) {
	ctx := context.Background()
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	a, clk := apptest.Open(b, benchEngine())
	if _, err := demo.Load(ctx, a); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := scale.Load(ctx, a, scale.Options{Cases: n, Seed: 5})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cases, %d referrals in %v", res.Cases, res.Referrals, time.Since(start))
	var org string
	var refs int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT to_org, COUNT(*) FROM referrals GROUP BY to_org ORDER BY 2 DESC LIMIT 1`).
		Scan(&org, &refs); err != nil {
		b.Fatal(err)
	}
	year := clk.Now().Year() - 1
	benchReport(b, a, org, refs, year)
}

// benchReport times the funder's report of a contract of org over year,
// written directly (the benchmark times the report, not the procedure
// before it), for a funder linked to the contract's call.
func benchReport(b *testing.B, a *app.App, org string, refs, year int) {
	ctx := context.Background()
	now := store.FormatTime(a.Clock.Now())
	err := a.DB.InTx(ctx, a.Clock.Now(), func(tx *store.Tx) error {
		for _, q := range []string{
			`DELETE FROM grant_call_funders WHERE call_id = 'bcall'`,
			`DELETE FROM grant_contracts WHERE id = 'bk'`,
			`DELETE FROM grant_applications WHERE id = 'bapp'`,
			`DELETE FROM grant_calls WHERE id = 'bcall'`,
			`INSERT INTO grant_calls (id, reference, title, funder, procedure, budget_cents, min_grant_cents, max_grant_cents,
				deadline, status, created_by, created_at) VALUES ('bcall', 'B-1', 'Bench', 'EU', 'open', 100, 1, 100, '` + now + `',
				'awarded', 'x', '` + now + `')`,
			`INSERT INTO grant_applications (id, call_id, org_id, title, requested_cents, total_cents, duration_months, status,
				submitted_by, submitted_at) VALUES ('bapp', 'bcall', '` + org + `', 'Bench', 100, 100, 12, 'selected', 'x', '` + now + `')`,
			`INSERT INTO grant_contracts (id, application_id, org_id, number, start_on, end_on, amount_cents, signed_at, created_by)
				VALUES ('bk', 'bapp', '` + org + `', 'B/1', '` + strconv.Itoa(year) + `-01-01', '` + strconv.Itoa(year) + `-12-31', 100, '` + now + `', 'x')`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	funder := user(b, a, access.Funder, "")
	if err := a.Grants.AddCallFunder(ctx, user(b, a, access.Coordinator, ""), "bcall", funder.UserID); err != nil {
		b.Fatal(err)
	}
	tr := i18n.For(i18n.English).T
	served := 0.0
	b.ResetTimer()
	for b.Loop() {
		doc, _, err := a.Grants.Figures(ctx, funder, grants.FiguresQuery{ContractID: "bk"}, tr)
		if err != nil {
			b.Fatal(err)
		}
		t := doc.Sections[0].Table
		served = t.Cells[len(t.Rows)-1][2].Value
	}
	b.StopTimer()
	raw, _, _ := a.Grants.Figures(ctx, access.Actor{UserID: "c", Role: access.Coordinator}, grants.FiguresQuery{ContractID: "bk", Raw: true}, tr)
	t := raw.Sections[0].Table
	b.Logf("provider with %d referrals; %v persons served in %d (suppressed total shown to the funder: %v)", refs,
		t.Cells[len(t.Rows)-1][2].Value, year, served)
}

// BenchmarkFunderReportStore is BenchmarkFunderReport on an existing data
// directory (URA_BENCH_DATA, migrated and written to: use a copy), over the
// year in which its busiest provider had most referrals (URA_BENCH_YEAR: another).
//
//	cp -a /work/bench100k /tmp/b100k
//	URA_BENCH_DATA=/tmp/b100k/bench100k go test ./internal/grants -run '^$' -bench FunderReportStore -benchtime 10x
func BenchmarkFunderReportStore(b *testing.B) {
	dir := os.Getenv("URA_BENCH_DATA")
	if dir == "" {
		b.Skip("URA_BENCH_DATA names no data directory")
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dir
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	var nCases int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&nCases); err != nil {
		b.Fatal(err)
	}
	var org string
	var refs int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT to_org, COUNT(*) FROM referrals GROUP BY to_org ORDER BY 2 DESC LIMIT 1`).
		Scan(&org, &refs); err != nil {
		b.Fatal(err)
	}
	var year string
	var inYear int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT substr(answered_at, 1, 4), COUNT(*) FROM referrals WHERE to_org = $1
		AND answered_at IS NOT NULL AND answered_at <> '' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`, org).Scan(&year, &inYear); err != nil {
		b.Fatal(err)
	}
	y, _ := strconv.Atoi(year)
	b.Logf("%d cases; busiest provider: %d referrals, %d answered in %d", nCases, refs, inYear, y)
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_YEAR")); err == nil && v > 0 {
		y = v // another year than the busiest, e.g. the last full one
	}
	benchReport(b, a, org, refs, y)
}
