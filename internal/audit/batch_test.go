package audit_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestAppendNowAcksAfterCommit holds the writer (SQLite) or the chain head
// (PostgreSQL) in an open transaction while 16 readers call AppendNow: none may
// return before that transaction ends and the batch commits, and each returned
// seq must already be visible to other connections.
func TestAppendNowAcksAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		holding, release := make(chan struct{}), make(chan struct{})
		var blocker sync.WaitGroup
		blocker.Go(func() {
			err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
				if _, err := audit.Append(ctxBg, tx, sampleEvent(0)); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
			if err != nil {
				t.Errorf("blocker: %v", err)
			}
		})
		<-holding
		const callers = 16
		var acked atomic.Int32
		var wg sync.WaitGroup
		seqs := make([]int64, callers)
		for i := range callers {
			wg.Go(func() {
				seq, err := audit.AppendNow(ctxBg, db, t0, sampleEvent(i+1))
				if err != nil {
					t.Errorf("AppendNow: %v", err)
					return
				}
				acked.Add(1)
				var n int
				if err := db.Read().QueryRowContext(ctxBg, `SELECT COUNT(*) FROM audit_events WHERE seq = $1`, seq).Scan(&n); err != nil || n != 1 {
					t.Errorf("seq %d acknowledged but not visible (count %d, err %v)", seq, n, err)
				}
				seqs[i] = seq
			})
		}
		time.Sleep(150 * time.Millisecond)
		if n := acked.Load(); n != 0 {
			t.Errorf("%d AppendNow calls returned while the writer was held, want 0", n)
		}
		close(release)
		blocker.Wait()
		wg.Wait()
		seen := map[int64]bool{}
		for _, s := range seqs {
			if s < 2 || s > callers+1 || seen[s] {
				t.Errorf("seq %d out of range 2..%d or repeated", s, callers+1)
			}
			seen[s] = true
		}
		if rep := mustVerify(t, db); rep.Problem != nil || rep.Events != callers+1 {
			t.Errorf("Verify = %+v, want %d events and no problem", rep, callers+1)
		}
	})
}

// TestAppendNowReportsFailedCommit: when the batch cannot commit, every caller
// in it gets the error and no seq, so none shows data it could not audit.
func TestAppendNowReportsFailedCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustAppend(t, db, 0, 1)
		mustExec(t, db, `DROP TABLE audit_events`)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				seq, err := audit.AppendNow(ctxBg, db, t0, sampleEvent(i))
				if err == nil || seq != 0 {
					t.Errorf("AppendNow = %d, %v; want 0 and an error", seq, err)
				}
			})
		}
		wg.Wait()
	})
}

// TestAppendNowInvalidEventSparesBatch: one caller's bad event is refused
// before batching, so it never fails the others' commit.
func TestAppendNowInvalidEventSparesBatch(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range 10 {
		wg.Go(func() {
			e := sampleEvent(i)
			if i == 4 {
				e.Detail = "free text"
			}
			_, err := audit.AppendNow(ctxBg, db, t0, e)
			switch {
			case i == 4 && !errors.Is(err, audit.ErrInvalidEvent):
				t.Errorf("bad event: %v, want ErrInvalidEvent", err)
			case i != 4 && err != nil:
				t.Errorf("good event %d: %v", i, err)
			case err == nil:
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if rep := mustVerify(t, db); rep.Events != 9 || ok.Load() != 9 || rep.Problem != nil {
		t.Errorf("stored %d events (%d acks), problem %v; want 9", rep.Events, ok.Load(), rep.Problem)
	}
}
