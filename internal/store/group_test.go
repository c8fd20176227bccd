package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestGroupTxCommitsEachCallerAlone: 200 concurrent callers share group
// transactions; every third fails after writing (its row and its hook are
// gone, the others kept), a duplicate key fails alone without aborting its
// group (PostgreSQL aborts a transaction on an error outside a savepoint),
// each caller sees its own Now, and the hooks run once per committed caller.
func TestGroupTxCommitsEachCallerAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		base := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		const n = 200
		var hooks atomic.Int64
		errsOf := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				now := base.Add(time.Duration(i) * time.Second)
				errsOf[i] = db.InGroupTx(ctx, now, func(tx *store.Tx) error {
					if !tx.Now.Equal(now) {
						return fmt.Errorf("caller %d sees Now %v", i, tx.Now)
					}
					name := fmt.Sprintf("g%03d", i)
					if i%7 == 0 {
						name = "dup" // only the first to run keeps it
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)`, name, store.FormatTime(tx.Now)); err != nil {
						return err
					}
					tx.AfterCommit(func() { hooks.Add(1) })
					if i%3 == 0 {
						return boom
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want, dupKept := 0, 0
		for i, err := range errsOf {
			switch {
			case i%3 == 0:
				if !errors.Is(err, boom) && !(i%7 == 0 && store.IsUniqueViolation(err)) {
					t.Errorf("caller %d: %v, want boom", i, err)
				}
			case i%7 == 0:
				if err == nil {
					dupKept++
				} else if !store.IsUniqueViolation(err) {
					t.Errorf("caller %d: %v, want a unique violation or success", i, err)
				}
			case err != nil:
				t.Errorf("caller %d: %v", i, err)
			default:
				want++
			}
		}
		if dupKept > 1 {
			t.Errorf("%d callers kept the duplicate key", dupKept)
		}
		var rows int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE name LIKE 'g%'`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != want {
			t.Errorf("%d rows kept, want %d (the callers that succeeded)", rows, want)
		}
		if got := hooks.Load(); got != int64(want+dupKept) {
			t.Errorf("%d hooks ran, want %d", got, want+dupKept)
		}
		// Each row carries its own caller's Now.
		var v string
		if err := db.Read().QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'g001'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != store.FormatTime(base.Add(time.Second)) {
			t.Errorf("g001 written at %s", v)
		}
	})
}

// TestGroupTxCallerGoneBeforeItsTurn: a caller whose context has ended is
// not run and gets the context's error.
func TestGroupTxCallerGoneBeforeItsTurn(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.InGroupTx(ctx, time.Now(), func(tx *store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("InGroupTx = %v, ran %v; want context.Canceled, not run", err, ran)
	}
}
