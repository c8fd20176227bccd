package store_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// indexNames lists the secondary indexes of a table.
func indexNames(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	if db.Engine == store.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1
			AND indexname NOT LIKE '%_pkey'`
	}
	rows, err := db.Read().QueryContext(context.Background(), q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestDeferredIndexes drops a table's secondary indexes for a bulk load and
// builds them again: by hand, and by Migrate after an interrupted load.
func TestDeferredIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := indexNames(t, db, "case_events")
		if len(before) == 0 {
			t.Fatal("case_events has no secondary index to defer")
		}
		defer1 := func() {
			t.Helper()
			err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
				n, err := store.DeferIndexes(ctx, tx, []string{"case_events", "audit_events"})
				if err == nil && n < len(before) {
					t.Errorf("deferred %d indexes, want at least %d", n, len(before))
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := indexNames(t, db, "case_events"); len(got) != 0 {
				t.Fatalf("after DeferIndexes case_events still has %v", got)
			}
		}
		defer1()
		if n, err := db.BuildDeferredIndexes(ctx); err != nil || n < len(before) {
			t.Fatalf("BuildDeferredIndexes = %d, %v", n, err)
		}
		if got := indexNames(t, db, "case_events"); !equal(got, before) {
			t.Fatalf("after build: %v, want %v", got, before)
		}
		// An interrupted load: the next migrate builds them.
		defer1()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := indexNames(t, db, "case_events"); !equal(got, before) {
			t.Fatalf("after migrate: %v, want %v", got, before)
		}
		if n, err := db.BuildDeferredIndexes(ctx); err != nil || n != 0 {
			t.Fatalf("second build = %d, %v; want nothing left", n, err)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
