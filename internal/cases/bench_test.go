package cases_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// benchCases is how many cases the benchmarks run among (URA_BENCH_CASES
// overrides it, e.g. for a quick run).
func benchCases() int {
	if n, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// bulkCases fills the store with n cases the fast way: one statement per
// table generating the rows in SQL (a recursive CTE both engines run), all
// sharing one data key and a dummy ciphertext that is never opened. The
// rows are real enough for the planner: distinct ids, references, owners
// (one of four organisations), stages and months, team rows and five
// timeline entries each.
func bulkCases(tb testing.TB, f *fixture, n int) {
	tb.Helper()
	ctx := context.Background()
	err := f.db.InTx(ctx, t0, func(tx *store.Tx) error {
		key, err := f.s.Vault.NewDataKey(ctx, tx, "bench")
		if err != nil {
			return err
		}
		gen := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + strconv.Itoa(n) + `) `
		blob := "BLOB"
		if f.db.Engine == store.Postgres {
			blob = "BYTEA" // the one dialect difference of this setup
		}
		orgs := `CASE i % 4 WHEN 0 THEN 'o-police' WHEN 1 THEN 'o-ngo' WHEN 2 THEN 'o-shelter' ELSE 'o-social' END`
		stmts := []string{
			gen + `INSERT INTO persons (id, key_id, data_enc, sex, age_band, citizenship, is_child, created_at, updated_at)
				SELECT 'bp' || i, CAST($1 AS TEXT), CAST($2 AS ` + blob + `), 'female', '18-24', 'XK', 0, CAST($3 AS TEXT), CAST($3 AS TEXT) FROM n`,
			gen + `INSERT INTO cases (id, reference, owner_org, person_id, key_id, stage, victim_status, is_child, age_band, sex,
				citizenship, municipality, opened_month, version, created_at, updated_at)
				SELECT 'bc' || i, 'XK-2025-B' || i, ` + orgs + `, 'bp' || i, CAST($1 AS TEXT),
				CASE i % 3 WHEN 0 THEN 'screening' WHEN 1 THEN 'assistance_active' ELSE 'closed' END, 'possible',
				CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END, '18-24', 'female', 'XK', 'Prizren',
				CASE i % 12 WHEN 0 THEN '2025-01' WHEN 1 THEN '2025-02' WHEN 2 THEN '2025-03' ELSE '2025-04' END, 1, CAST($2 AS TEXT), CAST($2 AS TEXT) FROM n`,
			gen + `INSERT INTO case_team (case_id, org_id, user_id, role_in_case, via, added_at, added_by)
				SELECT 'bc' || i, ` + orgs + `, '', 'owner', 'owner', CAST($1 AS TEXT), 'bench' FROM n`,
			gen + `INSERT INTO case_codes (case_id, field, code) SELECT 'bc' || i, 'exploitation',
				CASE i % 2 WHEN 0 THEN 'SexualExploitation' ELSE 'ForcedLabour' END FROM n`,
		}
		now := store.T(tx.Now)
		for i, q := range stmts {
			a := [][]any{{key, []byte{0}, now}, {key, now}, {now}, nil}[i]
			if _, err := tx.ExecContext(ctx, q, a...); err != nil {
				return fmt.Errorf("bulk: %w", err)
			}
		}
		for k := 0; k < 5; k++ {
			if _, err := tx.ExecContext(ctx, gen+`INSERT INTO case_events (id, case_id, at, kind, actor_id, actor_org, visibility, summary)
				SELECT 'be' || i || '-' || CAST($1 AS TEXT), 'bc' || i, CAST($2 AS TEXT), 'note', 'bench', 'o-police', 'team', 'bench' FROM n`, strconv.Itoa(k), store.T(tx.Now)); err != nil {
				return fmt.Errorf("bulk events: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if f.db.Engine == store.Postgres {
		if _, err := f.db.Read().ExecContext(ctx, `ANALYZE`); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkOpenCase opens one case with 200 timeline entries among
// benchCases() cases, the way the case page does (FindCaseByID: access
// check, case, codes, team, decisions, timeline, person decryption and the
// committed audit event of the read). Target: under 20 ms.
func BenchmarkOpenCase(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.New(b, e)
			f := newFixture(b, db)
			bulkCases(b, f, benchCases())
			ctx := context.Background()
			id, _ := f.mustOpen(b, police, adult("Ana", "Djordjevic", "1990-05-02"))
			err := db.InTx(ctx, t0, func(tx *store.Tx) error {
				for i := 0; i < 199; i++ {
					if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: id, Kind: "note", ActorID: police.UserID,
						ActorOrg: police.OrgID, Summary: "bench"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				c, err := f.s.FindCaseByID(ctx, police, id)
				if err != nil || len(c.Timeline) != 200 || c.Person == nil {
					b.Fatalf("open: %v (%d entries)", err, len(c.Timeline))
				}
			}
		})
	}
}

// BenchmarkFindCases lists the first page of a filtered, scoped search among
// benchCases() cases (the /cases page of a police user).
func BenchmarkFindCases(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.New(b, e)
			f := newFixture(b, db)
			bulkCases(b, f, benchCases())
			ctx := context.Background()
			st := cases.StageScreening
			b.ResetTimer()
			for b.Loop() {
				list, total, err := f.s.FindCases(ctx, police, cases.CaseFilter{Stage: &st, Exploitation: ptr("SexualExploitation")})
				if err != nil || len(list) == 0 || total == 0 {
					b.Fatalf("find: %v", err)
				}
			}
		})
	}
}
