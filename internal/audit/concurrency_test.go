package audit_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestConcurrentAppends: 8 writers, each in its own transactions (and, on
// PostgreSQL, its own connection), must extend one chain without forking it.
func TestConcurrentAppends(t *testing.T) {
	const writers, each = 8, 25
	appendTx := func(db *store.DB, e audit.Event) (int64, error) {
		var seq int64
		err := db.InTx(ctxBg, e.At, func(tx *store.Tx) error {
			var err error
			seq, err = audit.Append(ctxBg, tx, e)
			return err
		})
		return seq, err
	}
	appendNow := func(db *store.DB, e audit.Event) (int64, error) {
		return audit.AppendNow(ctxBg, db, e.At, e)
	}
	for _, mode := range []struct {
		name string
		fn   func(*store.DB, audit.Event) (int64, error)
	}{{"Append", appendTx}, {"AppendNow", appendNow}} {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				var mu sync.Mutex
				var seqs []int64
				var wg sync.WaitGroup
				for w := range writers {
					wg.Go(func() {
						for i := range each {
							e := sampleEvent(w*each + i)
							e.RequestID = fmt.Sprintf("w%d-%d", w, i)
							seq, err := mode.fn(db, e)
							if err != nil {
								t.Errorf("writer %d: %v", w, err)
								return
							}
							mu.Lock()
							seqs = append(seqs, seq)
							mu.Unlock()
						}
					})
				}
				wg.Wait()
				sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
				for i, s := range seqs {
					if s != int64(i+1) {
						t.Fatalf("seqs[%d] = %d, want %d (gap or duplicate)", i, s, i+1)
					}
				}
				if len(seqs) != writers*each {
					t.Fatalf("got %d seqs, want %d", len(seqs), writers*each)
				}
				if _, err := audit.Checkpoint(ctxBg, db, time.Now(), "k1", keyA); err != nil {
					t.Fatal(err)
				}
				rep := mustVerify(t, db)
				want := audit.Report{Events: writers * each, Checkpoints: 1, Head: writers * each}
				if rep != want {
					t.Errorf("Verify = %+v, want %+v", rep, want)
				}
			})
		})
	}
}
