package dedup_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

const reason = "Same passport photo confirmed by both caseworkers"

// snapshot renders every row a merge touches, so a merge and its undo can
// be compared with the state before, column by column.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, key_id, data_enc, sex, age_band, citizenship, is_child, created_at, updated_at, COALESCE(merged_into, '-') FROM persons ORDER BY id`,
		`SELECT id, reference, person_id, version, updated_at FROM cases ORDER BY id`,
		`SELECT person_id, kind, value FROM person_index ORDER BY person_id, kind, value`,
		`SELECT person_id, value FROM person_dedup_keys ORDER BY person_id, value`,
		`SELECT id, person_a, person_b, score, state, COALESCE(decided_at, '-'), decided_by FROM duplicate_candidates ORDER BY id`,
	} {
		rows, err := db.Read().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestMergeAndUndoRestoreEveryRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		policeCase, _ := f.mustOpen(t, police, person("Milica", "Đorđević", "1998-03-04"))
		ngoCase, _ := f.mustOpen(t, ngo, person("Milica", "Djordjevic", "1998-04-03"))
		if _, err := f.dd.Scan(ctx, t0); err != nil {
			t.Fatal(err)
		}
		pairs, err := f.dd.List(ctx, coordinator, "open")
		if err != nil || len(pairs) != 1 {
			t.Fatalf("List = %d pairs, %v; want 1", len(pairs), err)
		}
		p := pairs[0]
		if len(p.A.Cases)+len(p.B.Cases) != 2 || p.Score < dedup.DefaultConfig().Threshold || !strings.Contains(p.Evidence, "family=exact") {
			t.Errorf("pair %+v: want both cases, a score above the threshold and the evidence", p)
		}
		before := snapshot(t, db)

		tests := []struct {
			name  string
			actor access.Actor
			in    dedup.MergeInput
			want  errs.Code
		}{
			{"PoliceMayNotMerge", police, dedup.MergeInput{Reason: reason}, errs.Forbidden},
			{"ReasonRequired", coordinator, dedup.MergeInput{Reason: "same"}, errs.Invalid},
			{"SurvivorMustBeOfThePair", coordinator, dedup.MergeInput{Reason: reason, Survivor: "someone"}, errs.Invalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := f.dd.Merge(ctx, tt.actor, p.ID, tt.in); !errs.Is(err, tt.want) {
					t.Errorf("Merge = %v, want %s", err, tt.want)
				}
			})
		}
		mergeID, err := f.dd.Merge(ctx, coordinator, p.ID, dedup.MergeInput{Reason: reason})
		if err != nil {
			t.Fatal(err)
		}
		var a, b string
		db.Read().QueryRowContext(ctx, `SELECT person_id FROM cases WHERE id = $1`, policeCase).Scan(&a)
		db.Read().QueryRowContext(ctx, `SELECT person_id FROM cases WHERE id = $1`, ngoCase).Scan(&b)
		if a != b {
			t.Errorf("after the merge the cases point at %s and %s, want one person", a, b)
		}
		if _, err := f.dd.Merge(ctx, coordinator, p.ID, dedup.MergeInput{Reason: reason}); !errs.Is(err, errs.Conflict) {
			t.Errorf("second merge = %v, want conflict", err)
		}
		if merged, _ := f.dd.List(ctx, coordinator, "merged"); len(merged) != 1 || merged[0].MergeID != mergeID {
			t.Errorf("merged pairs = %+v, want the pair with its merge", merged)
		}
		entries, _ := f.cases.Timeline(ctx, ngo, ngoCase)
		if !slices.ContainsFunc(entries, func(e cases.TimelineEntry) bool { return e.Kind == "merge" }) {
			t.Error("no merge entry on the merged case's timeline")
		}
		f.clk.Advance(time.Minute)
		if err := f.dd.Unmerge(ctx, police, mergeID, reason); !errs.Is(err, errs.Forbidden) {
			t.Errorf("police undo = %v, want forbidden", err)
		}
		if err := f.dd.Unmerge(ctx, coordinator, mergeID, "Different mothers named after all"); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, db); after != before {
			t.Errorf("rows after merge and undo differ from before:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		if err := f.dd.Unmerge(ctx, coordinator, mergeID, reason); !errs.Is(err, errs.Conflict) {
			t.Errorf("second undo = %v, want conflict", err)
		}
	})
}

// TestReviewIsForTheCoordinatorOnly: every other role is refused the list,
// and a shelter user never sees a candidate.
func TestReviewIsForTheCoordinatorOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, r := range access.Roles {
			a := access.Actor{UserID: "u", OrgID: "o", Role: r}
			_, err := f.dd.List(context.Background(), a, "")
			if got, want := err == nil, r == access.Coordinator; got != want {
				t.Errorf("%s: List = %v, want allowed %v", r, err, want)
			}
		}
		if err := f.dd.Dismiss(context.Background(), shelter, "x"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("shelter Dismiss = %v, want forbidden", err)
		}
	})
}
