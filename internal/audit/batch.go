package audit

import (
	"context"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/ura-nrm/ura/internal/store"
)

// maxBatch caps the events committed in one group-commit transaction, so one
// batch holds the writer (and, on PostgreSQL, the head lock) for a few
// milliseconds at most.
const maxBatch = 256

// AppendNow appends e in a transaction of its own, for events that audit no
// change: reads of personal data, failed sign-ins. It returns only once the
// event is committed (durably on SQLite: synchronous FULL), so a caller that
// shows personal data after AppendNow returns has always left a trace.
// Within a request whose context carries a Deferred (Defer), the event is
// collected instead and committed by Deferred.Flush before the response.
//
// Reads are the most frequent events and each would cost a disk flush, so
// concurrent AppendNow calls on one store share a transaction (group commit):
// while one batch commits, newly arriving events queue, and the next batch
// takes all of them (up to 256) at once. A caller alone adds no wait; under
// load the batch grows with the commit latency, so throughput is bounded by
// the insert rate rather than by fsync. If ctx ends first, AppendNow returns
// ctx.Err() and the event may or may not be recorded (never silently both
// shown and lost: the caller must not show the data on error).
func AppendNow(ctx context.Context, db *store.DB, now time.Time, e Event) (int64, error) {
	if e.At.IsZero() {
		e.At = now
	}
	if err := normalize(&e); err != nil {
		return 0, err
	}
	if e.At.IsZero() {
		return 0, invalid("At", "is zero and so is now")
	}
	if d := deferredFor(ctx, db); d != nil && d.add(now, e) {
		return 0, nil // committed by d.Flush before the response
	}
	r := &request{ctx: ctx, now: now, e: e, done: make(chan struct{})}
	batcherFor(db).enqueue(db, r)
	select {
	case <-r.done:
		return r.seq, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

type request struct {
	ctx  context.Context
	now  time.Time
	e    Event
	seq  int64
	err  error
	done chan struct{}
}

// batcher queues AppendNow requests for one store. At most one batch commits
// at a time.
type batcher struct {
	store.Batches[*request]
}

func (b *batcher) enqueue(db *store.DB, rs ...*request) {
	b.Add(maxBatch, func(batch []*request) { commitBatch(db, batch) }, rs...)
}

// commitBatch appends the batch in one transaction and acknowledges every
// request only after the commit returned: the same error for all on failure.
func commitBatch(db *store.DB, batch []*request) {
	// Requests whose callers have gone are still written: the caller may have
	// shown data just before its context ended.
	ctx := context.WithoutCancel(batch[0].ctx)
	events := make([]Event, len(batch))
	for i, r := range batch {
		events[i] = r.e
	}
	var seqs []int64
	err := db.InTx(ctx, batch[0].now, func(tx *store.Tx) error {
		var err error
		seqs, err = appendEvents(ctx, tx, events)
		return err
	})
	for i, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.seq = seqs[i]
		}
		close(r.done)
	}
}

// batchers maps each open store to its batcher. Keys are weak pointers and a
// cleanup removes the entry, so a closed and forgotten store (tests open
// hundreds) is not kept alive by this map.
var batchers sync.Map // weak.Pointer[store.DB] → *batcher

func batcherFor(db *store.DB) *batcher {
	key := weak.Make(db)
	if v, ok := batchers.Load(key); ok {
		return v.(*batcher)
	}
	v, loaded := batchers.LoadOrStore(key, &batcher{})
	if !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[store.DB]) { batchers.Delete(k) }, key)
	}
	return v.(*batcher)
}
