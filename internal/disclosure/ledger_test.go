package disclosure

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var day = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func release(table, audience string, p Policy) Release {
	return Release{By: "u-coordinator", Report: "greta", Table: table, Period: "2025-01-01/2025-12-31",
		Audience: audience, Policy: p, Year: 2025}
}

func record(t *testing.T, db *store.DB, l Ledger, r Release) error {
	t.Helper()
	return db.InTx(context.Background(), day, func(tx *store.Tx) error {
		_, err := l.Record(context.Background(), tx, r)
		return err
	})
}

func TestLedgerBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := Ledger{Budgets: map[string]float64{"tip": 0.5}}
		dp := func(e float64) Policy { return Policy{Method: Noise, Epsilon: e} }
		for _, e := range []float64{0.4, 0.4} {
			if err := record(t, db, l, release("victims_by_sex", Public, dp(e))); err != nil {
				t.Fatal(err)
			}
		}
		err := record(t, db, l, release("victims_by_age", Public, dp(0.3)))
		if !IsCode(err, CodeOverBudget) {
			t.Fatalf("a release past the budget: %v", err)
		}
		if got := err.Error(); got != "This release would spend ε = 0.3 of report greta for 2025, but only ε = 0.2 of the year's budget of 1 is left." {
			t.Fatalf("message %q", got)
		}
		// Exactly what is left passes (ε is kept in millionths, no float drift).
		if err := record(t, db, l, release("victims_by_age", Public, dp(0.2))); err != nil {
			t.Fatal(err)
		}
		if left, err := l.Left(ctx, db.Read(), "greta", 2025); err != nil || left != 0 {
			t.Fatalf("left %v %v", left, err)
		}
		// Another year, another family, another budget.
		if err := record(t, db, l, Release{By: "u", Report: "greta", Table: "x", Period: "2026", Audience: Public, Policy: dp(1), Year: 2026}); err != nil {
			t.Fatal(err)
		}
		if err := record(t, db, l, Release{By: "u", Report: "tip", Table: "x", Period: "2025", Audience: Public, Policy: dp(0.6), Year: 2025}); !IsCode(err, CodeOverBudget) {
			t.Fatalf("tip's budget is 0.5: %v", err)
		}
		// Suppression and rounding spend nothing.
		if err := record(t, db, l, release("by_citizenship", Partner, Policy{Method: Suppress})); err != nil {
			t.Fatal(err)
		}
		rs, err := l.Releases(ctx, db.Read(), "greta", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 4 {
			t.Fatalf("%d releases recorded, want 4 (the refused one leaves nothing): %+v", len(rs), rs)
		}
		var r Release
		for _, x := range rs {
			if x.Table == "by_citizenship" {
				r = x
			}
		}
		if r.Policy.Method != Suppress || r.Policy.K != 10 || r.Audience != Partner || r.By != "u-coordinator" || !r.At.Equal(day) {
			t.Fatalf("release read back %+v", r)
		}
		if spent, _ := l.Spent(ctx, db.Read(), "greta", 2025); spent != 1 {
			t.Fatalf("spent %v", spent)
		}
	})
}

func TestLedgerRawAndProtected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := Ledger{}
		raw := Policy{Method: None}
		if err := record(t, db, l, release("by_sex", Public, raw)); !IsCode(err, CodeRawOutsideOffice) {
			t.Fatalf("raw to the public: %v", err)
		}
		if err := record(t, db, l, release("by_sex", Office, raw)); err != nil {
			t.Fatal(err)
		}
		if err := record(t, db, l, release("by_sex", Office, raw)); err != nil {
			t.Fatalf("the same raw table again: %v", err)
		}
		err := record(t, db, l, release("by_sex", Office, Policy{Method: Round}))
		if !IsCode(err, CodeRawAndProtected) {
			t.Fatalf("a protected version after the raw one: %v", err)
		}
		// Protected to the analysts, then any protection again: allowed.
		for _, p := range []Policy{{Method: Suppress}, {Method: Round}, {Method: Noise, Epsilon: 0.1}} {
			if err := record(t, db, l, release("by_sex", Analyst, p)); err != nil {
				t.Fatal(err)
			}
		}
		// Another period of the same table is another table.
		r := release("by_sex", Office, Policy{Method: Suppress})
		r.Period = "2024-01-01/2024-12-31"
		if err := record(t, db, l, r); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLedgerBadRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := Ledger{}
		ok := release("t", Public, Policy{Method: Suppress})
		for _, c := range []struct {
			edit func(*Release)
			code string
		}{
			{func(r *Release) { r.Report = "" }, CodeBadRelease},
			{func(r *Release) { r.Table = "" }, CodeBadRelease},
			{func(r *Release) { r.Period = "" }, CodeBadRelease},
			{func(r *Release) { r.By = "" }, CodeBadRelease},
			{func(r *Release) { r.Year = 0 }, CodeBadRelease},
			{func(r *Release) { r.Audience = "press" }, CodeBadRelease},
			{func(r *Release) { r.Policy = Policy{Method: Suppress, K: 1} }, CodeKTooSmall},
			{func(r *Release) { r.Policy = Policy{Method: Noise, Epsilon: 0} }, CodeEpsilon},
			{func(r *Release) { r.Policy = Policy{Method: "blur"} }, CodeUnknownMethod},
		} {
			r := ok
			c.edit(&r)
			if err := record(t, db, l, r); !IsCode(err, c.code) {
				t.Errorf("%+v: %v, want %s", r, err, c.code)
			}
		}
		rs, _ := l.Releases(context.Background(), db.Read(), "greta", 2025)
		if len(rs) != 0 {
			t.Fatalf("refused releases recorded: %+v", rs)
		}
	})
}

// TestLedgerConcurrentReleases: twenty releases of ε = 0.1 at once against a
// budget of 1.0: exactly ten pass, on both engines.
func TestLedgerConcurrentReleases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := Ledger{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed, refused := 0, 0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := release("t"+string(rune('a'+i)), Public, Policy{Method: Noise, Epsilon: 0.1})
				err := db.InTx(context.Background(), day, func(tx *store.Tx) error {
					_, err := l.Record(context.Background(), tx, r)
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					passed++
				case IsCode(err, CodeOverBudget):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if passed != 10 || refused != 10 {
			t.Fatalf("%d passed, %d refused; want 10 and 10", passed, refused)
		}
	})
}
