package dedup_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestScanIncremental: past the full-scan limit, a run compares only the
// persons registered since the previous run began — and still finds a new
// person's duplicate among the old ones; a run with nothing new compares
// nobody.
func TestScanIncremental(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.dd.Config.FullScanLimit = 1
		f.mustOpen(t, police, person("Milica", "Đorđević", "1998-03-04"))
		f.mustOpen(t, police, person("Arta", "Krasniqi", "2001-07-19"))
		f.mustOpen(t, police, person("Vlora", "Hoxha", "1995-11-02"))
		// The first run has no watermark: it compares everyone.
		f.clk.Advance(time.Hour)
		rep, err := f.dd.Scan(ctx, f.clk.Now())
		if err != nil || rep.Persons != 3 || rep.Pairs != 0 {
			t.Fatalf("first run %+v, %v: want 3 persons compared, no pair", rep, err)
		}
		f.clk.Advance(time.Hour)
		f.mustOpen(t, police, person("Milica", "Djordjevic", "1998-04-03")) // the first one, typed differently
		f.clk.Advance(time.Hour)
		rep, err = f.dd.Scan(ctx, f.clk.Now())
		if err != nil || rep.Persons != 1 || rep.Pairs != 1 || rep.New != 1 {
			t.Fatalf("incremental run %+v, %v: want the one new person compared and its pair found", rep, err)
		}
		pairs, err := f.dd.List(ctx, coordinator, "")
		if err != nil || len(pairs) != 1 {
			t.Fatalf("List = %d pairs, %v; want 1", len(pairs), err)
		}
		f.clk.Advance(time.Hour)
		rep, err = f.dd.Scan(ctx, f.clk.Now())
		if err != nil || rep.Persons != 0 || rep.Pairs != 0 {
			t.Errorf("run with nothing new %+v, %v: want nobody compared", rep, err)
		}
	})
}
