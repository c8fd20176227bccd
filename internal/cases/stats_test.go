package cases_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// aggregates reads the monthly aggregates as sorted lines.
func aggregates(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT opened_month || '|' || municipality || '|' || victim_status || '|' || sex || '|' || age_band || '|' ||
			is_child || '|' || citizenship || '|' || stage || '|' || institution || '=' || n FROM case_month_counts`,
		`SELECT 'form|' || opened_month || '|' || municipality || '|' || victim_status || '|' || sex || '|' ||
			is_child || '|' || code || '=' || n FROM case_month_forms`,
		// The coarse aggregates of the dashboard (stats_coarse.go).
		`SELECT 'division|' || division || '|' || opened_month || '|' || municipality || '|' || v1 || '|' || v2 || '=' || n
			FROM case_month_divisions`,
		`SELECT 'stage|' || municipality || '|' || stage || '=' || n FROM case_stage_counts`,
	} {
		rows, err := db.Read().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	slices.Sort(out)
	return out
}

// TestMonthlyAggregatesEqualRecount changes cases in every way that moves
// their statistical columns — registration, an edit of the municipality,
// the forms of exploitation and the person, stage changes, decisions,
// closure — and proves the aggregates kept in those transactions (the
// monthly ones and the dashboard's coarse divisions and stage counts) equal
// a full recount from the cases, on both engines.
func TestMonthlyAggregatesEqualRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var ids []string
		for i, m := range []string{"Prizren", "Pejë", "Prizren", "Gjilan"} {
			in := adult("Arta", fmt.Sprintf("Krasniqi%d", i), "1999-04-0"+fmt.Sprint(i+1))
			in.Municipality = m
			if i == 3 {
				in.Exploitation = nil
			}
			id, _ := f.mustOpen(t, police, in)
			ids = append(ids, id)
		}
		check := func(step string) {
			t.Helper()
			homeCountsEqualRaw(t, f.s, db, step)
			kept := aggregates(t, db)
			if err := db.InTx(ctx, f.clk.Now(), func(tx *store.Tx) error { return cases.RecountStats(ctx, tx) }); err != nil {
				t.Fatal(err)
			}
			if recount := aggregates(t, db); !slices.Equal(kept, recount) {
				t.Fatalf("%s: kept aggregates differ from a recount:\nkept    %v\nrecount %v", step, kept, recount)
			}
		}
		check("registered")
		mun, forms := "Ferizaj", []string{"ForcedLabour", "ForcedBegging"}
		if err := f.s.Update(ctx, police, ids[0], cases.UpdateInput{Municipality: &mun, Exploitation: &forms, Version: f.version(t, ids[0])}); err != nil {
			t.Fatal(err)
		}
		p := adult("Arta", "Krasniqi0", "2012-04-01").Person
		p.Sex, p.Citizenship = "male", "AL"
		if err := f.s.Update(ctx, police, ids[1], cases.UpdateInput{Person: &p, Version: f.version(t, ids[1])}); err != nil {
			t.Fatal(err)
		}
		check("edited")
		for _, id := range ids[:3] {
			if err := f.s.Transition(ctx, police, id, cases.TransitionInput{To: cases.StageScreening, Version: f.version(t, id)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.Decide(ctx, police, id, cases.DecisionInput{Status: cases.StatusPresumed, Grounds: "Indicators.", Version: f.version(t, id)}); err != nil {
				t.Fatal(err)
			}
		}
		check("presumed")
		f.mustAdd(t, police, ids[2], advocate.OrgID)
		if _, err := f.s.Decide(ctx, advocate, ids[2], cases.DecisionInput{Status: cases.StatusIdentified, Grounds: "Joint interview.", Version: f.version(t, ids[2])}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Transition(ctx, police, ids[3], cases.TransitionInput{To: cases.StageNotIndicated, Version: f.version(t, ids[3])}); err != nil {
			t.Logf("not indicated: %v", err)
		}
		check("identified")
		if got := aggregates(t, db); len(got) == 0 {
			t.Fatal("no aggregates kept")
		}
	})
}

// homeCountsEqualRaw: the home pages' counts by stage and by year, read
// from the kept counts, equal those counted from the cases.
func homeCountsEqualRaw(t *testing.T, s *cases.Service, db *store.DB, step string) {
	t.Helper()
	ctx := context.Background()
	coord := access.Actor{UserID: "c", OrgID: "o", Role: access.Coordinator}
	stages, err := s.CountByStage(ctx, coord)
	if err != nil {
		t.Fatal(err)
	}
	years, err := s.CountByYear(ctx, coord)
	if err != nil {
		t.Fatal(err)
	}
	var kept, raw []string
	for sg, n := range stages {
		kept = append(kept, fmt.Sprintf("%s=%d", sg, n))
	}
	for _, y := range years {
		kept = append(kept, fmt.Sprintf("%s=%d", y.Year, y.Cases))
	}
	for _, st := range []cases.Status{cases.StatusPresumed, cases.StatusIdentified} {
		for _, from := range []string{"2000-01", time.Now().Format("2006-01")} {
			n, err := s.CountOpenedSince(ctx, coord, st, from)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, fmt.Sprintf("%s %s=%d", st, from, n))
			var want int
			if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE victim_status = $1 AND opened_month >= $2`,
				string(st), from).Scan(&want); err != nil {
				t.Fatal(err)
			}
			raw = append(raw, fmt.Sprintf("%s %s=%d", st, from, want))
		}
	}
	for _, q := range []string{`SELECT stage || '=' || COUNT(*) FROM cases GROUP BY stage`,
		`SELECT SUBSTR(opened_month, 1, 4) || '=' || COUNT(*) FROM cases GROUP BY SUBSTR(opened_month, 1, 4)`} {
		rows, err := db.Read().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			raw = append(raw, v)
		}
		rows.Close()
	}
	slices.Sort(kept)
	slices.Sort(raw)
	if !slices.Equal(kept, raw) {
		t.Errorf("%s: home counts %v, counted from the cases %v", step, kept, raw)
	}
}
