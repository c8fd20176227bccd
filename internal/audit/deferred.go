package audit

import (
	"context"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// A Deferred collects the AppendNow events of one request, so that a page
// which reads several records (a case with its notes, consent, plan and
// referrals) commits their read events together, once, instead of waiting
// for one group commit per record. The promise of AppendNow still holds
// because the caller — the web and API middleware — calls Flush before the
// first byte of the response is written: nothing read is shown unless its
// event is committed, and if the commit fails the response becomes an error.
type Deferred struct {
	db      *store.DB
	mu      sync.Mutex
	pending []pendingEvent
	flushed bool
}

type pendingEvent struct {
	now time.Time
	e   Event
}

type deferredKey struct{}

// Defer returns a context whose AppendNow calls on db are collected by d
// instead of committed, and d.
func Defer(ctx context.Context, db *store.DB) (context.Context, *Deferred) {
	d := &Deferred{db: db}
	return context.WithValue(ctx, deferredKey{}, d), d
}

// deferredFor returns the Deferred collecting events for db in ctx.
func deferredFor(ctx context.Context, db *store.DB) *Deferred {
	d, _ := ctx.Value(deferredKey{}).(*Deferred)
	if d == nil || d.db != db {
		return nil
	}
	return d
}

// add queues a normalised event; false once the Deferred has been flushed
// (the caller then commits the event itself).
func (d *Deferred) add(now time.Time, e Event) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.flushed {
		return false
	}
	d.pending = append(d.pending, pendingEvent{now: now, e: e})
	return true
}

// Pending says how many events wait for Flush.
func (d *Deferred) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}

// Flush commits the collected events through the group commit and returns
// once they are durable. Events added after Flush are committed by their
// own AppendNow. The error is the commit's: the caller must not send what
// was read.
func (d *Deferred) Flush(ctx context.Context) error {
	d.mu.Lock()
	events := d.pending
	d.pending = nil
	d.flushed = true // from now on AppendNow commits directly
	d.mu.Unlock()
	if len(events) == 0 {
		return nil
	}
	reqs := make([]*request, len(events))
	for i, p := range events {
		reqs[i] = &request{ctx: ctx, now: p.now, e: p.e, done: make(chan struct{})}
	}
	batcherFor(d.db).enqueue(d.db, reqs...)
	var err error
	for _, r := range reqs {
		select {
		case <-r.done:
			if r.err != nil && err == nil {
				err = r.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}
