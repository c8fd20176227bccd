package audit_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestDeferredCommitsAtFlush: within a deferred request, read events wait
// for Flush and are then committed together; after Flush, AppendNow commits
// at once again; another store's events are never collected.
func TestDeferredCommitsAtFlush(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		count := func() int {
			got, _, err := audit.Find(ctxBg, db.Read(), audit.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		ctx, d := audit.Defer(ctxBg, db)
		for i := range 3 {
			if _, err := audit.AppendNow(ctx, db, t0, sampleEvent(i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(); n != 0 || d.Pending() != 3 {
			t.Fatalf("before Flush: %d events committed, %d pending; want 0 and 3", n, d.Pending())
		}
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 3 {
			t.Fatalf("after Flush: %d events, want 3", n)
		}
		if _, err := audit.AppendNow(ctx, db, t0, sampleEvent(9)); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 4 || d.Pending() != 0 {
			t.Errorf("an event after Flush: %d committed, %d pending; want 4 and 0", n, d.Pending())
		}
		rep, err := audit.Verify(ctxBg, db, nil)
		if err != nil || rep.Problem != nil {
			t.Errorf("verify: %+v, %v", rep.Problem, err)
		}
		other := storetest.New(t, store.SQLite)
		if _, err := audit.AppendNow(ctx, other, t0, sampleEvent(1)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := audit.Find(ctxBg, other.Read(), audit.Filter{}); len(got) != 1 {
			t.Errorf("another store's event was held back")
		}
	})
}

// TestDeferredFlushFails: a Flush on a closed store reports the failure,
// so the caller sends an error instead of what was read.
func TestDeferredFlushFails(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	ctx, d := audit.Defer(ctxBg, db)
	if _, err := audit.AppendNow(ctx, db, t0, sampleEvent(1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := d.Flush(ctx); err == nil {
		t.Fatal("Flush on a closed store succeeded")
	}
}
