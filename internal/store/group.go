package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// maxGroup caps the callers that share one group transaction, so one group
// holds the writer for a few milliseconds at most.
const maxGroup = 64

// InGroupTx runs f like InTx — committed if and only if f returns nil, and
// InGroupTx returns only after the commit — but concurrent callers on one
// store share a transaction (group commit): while one group commits, callers
// that arrive queue, and the next group takes all of them at once. Each f
// runs in a savepoint of its own, so an f that fails is undone alone and
// the others commit; tx.Now is each caller's now and AfterCommit hooks run
// only for the callers that committed. A caller alone adds no wait; under
// load a commit's disk flush is paid once per group instead of once per
// caller. For hot paths that write one small unit of work per request (the
// exchange's outbox and inbox).
//
// f must use tx only while it runs and must not start another transaction.
// If ctx ends before f's turn, f is not run and ctx.Err() is returned; once
// f has run, InGroupTx waits for the commit (the outcome must be known).
// A commit that fails fails every caller of the group, with nothing written.
func (db *DB) InGroupTx(ctx context.Context, now time.Time, f func(tx *Tx) error) error {
	r := &groupCall{ctx: ctx, now: now.UTC(), f: f, done: make(chan struct{})}
	db.group.Add(maxGroup, db.commitGroup, r)
	<-r.done
	return r.err
}

type groupCall struct {
	ctx  context.Context
	now  time.Time
	f    func(tx *Tx) error
	err  error
	done chan struct{}
}

// Batches gathers concurrent requests and hands them, in order, to one
// goroutine in batches of at most max: while a batch is being handled, new
// requests queue, and the next batch takes all of them. The goroutine exits
// as soon as the queue is empty, so an idle store keeps nothing running.
// (The group commit of InGroupTx and of audit.AppendNow.)
type Batches[T any] struct {
	mu      sync.Mutex
	pending []T
	running bool
}

// Add queues rs; handle receives each batch.
func (q *Batches[T]) Add(max int, handle func([]T), rs ...T) {
	q.mu.Lock()
	q.pending = append(q.pending, rs...)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run(max, handle)
	}
}

func (q *Batches[T]) run(max int, handle func([]T)) {
	for {
		q.mu.Lock()
		n := min(len(q.pending), max)
		if n == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		if len(q.pending) == 0 {
			q.pending = nil // let the old backing array go
		}
		q.mu.Unlock()
		handle(batch)
	}
}

// commitGroup runs the group's calls in one transaction, each in a
// savepoint, commits, runs the hooks of those that committed and only then
// answers every caller.
func (db *DB) commitGroup(group []*groupCall) {
	if len(group) == 1 {
		// A caller alone: a plain transaction, without the savepoint's two
		// statements.
		r := group[0]
		if r.err = r.ctx.Err(); r.err == nil {
			r.err = db.InTx(context.WithoutCancel(r.ctx), r.now, r.f)
		}
		close(r.done)
		return
	}
	var after []func()
	defer func() {
		for _, a := range after {
			a()
		}
		for _, r := range group {
			close(r.done)
		}
	}()
	failAll := func(err error) {
		for _, r := range group {
			if r.err == nil {
				r.err = err
			}
		}
		after = nil
	}
	// The transaction outlives any one caller: a caller that goes away
	// after its f ran still has its work committed or rolled back whole.
	ctx := context.WithoutCancel(group[0].ctx)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("begin: %w", err))
		return
	}
	tx := &Tx{Tx: sqlTx, db: db}
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT ura_group`); err != nil {
			_ = sqlTx.Rollback()
			failAll(fmt.Errorf("savepoint: %w", err))
			return
		}
		tx.Now, tx.after = r.now, nil
		if err := r.f(tx); err != nil {
			r.err = err
			if _, rerr := sqlTx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ura_group`); rerr != nil {
				// The engine ended the transaction (a failed disk, say): nothing
				// of the group is kept.
				_ = sqlTx.Rollback()
				failAll(fmt.Errorf("rollback to savepoint: %w", rerr))
				return
			}
		} else {
			after = append(after, tx.after...)
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE SAVEPOINT ura_group`); err != nil {
			_ = sqlTx.Rollback()
			failAll(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
	}
}
