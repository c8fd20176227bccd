// Package jobs runs Ura's background work inside `ura serve` on tickers:
// signing audit checkpoints, reminding of due case tasks, purging expired
// sessions. Each job takes a lease in the job_locks table, so with several
// nodes on one PostgreSQL exactly one node runs it at a time. The lease lasts
// one interval and is renewed while the job runs (every third of an
// interval), so a run longer than its interval — a long duplicate scan, a slow
// relay — keeps it, and no second node starts the same job beside it; a node
// that dies stops renewing, and its lease runs out within one interval. A run
// whose lease is lost (the database unreachable for a whole interval) is
// cancelled. Jobs are idempotent, so a node that dies mid-run leaves nothing
// for the next holder to undo.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

// Runner runs jobs until stopped.
type Runner struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Stop ends the runner and waits for running jobs to finish.
func (r *Runner) Stop() {
	r.cancel()
	r.wg.Wait()
}

// Platform returns the platform's own jobs.
func Platform(a *app.App) []Job {
	return []Job{
		{Name: "audit.checkpoint", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
			id, key := a.Keyring.AuditSigningKey()
			_, err := audit.Checkpoint(ctx, a.DB, now, id, key)
			return err
		}},
		{Name: "tasks.remind", Every: 10 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Clocks.Remind(ctx, now)
			return err
		}},
		{Name: "referrals.sweep", Every: 5 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Referral.Sweep(ctx, now)
			return err
		}},
		{Name: "sessions.purge", Every: 10 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
			return a.Auth.Purge(ctx)
		}},
		{Name: "dedup.scan", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Dedup.Scan(ctx, now)
			return err
		}},
		{Name: "coord.alert", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Coord.Alert(ctx)
			return err
		}},
		{Name: "licences.remind", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Licensing.Remind(ctx, now)
			return err
		}},
		{Name: "grants.remind", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Grants.Remind(ctx, now)
			return err
		}},
		{Name: "notify.deliver", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, _, err := a.Notify.Deliver(ctx, now)
			return err
		}},
	}
}

// Start runs the platform's jobs in the background.
func Start(ctx context.Context, a *app.App, extra ...Job) *Runner {
	return Node{DB: a.DB, Clock: a.Clock, Log: a.Log}.Start(ctx, append(Platform(a), extra...)...)
}

// Node is one process running jobs against a store: ura serve has one;
// tests start two on one store to play two nodes.
type Node struct {
	DB    *store.DB
	Clock clock.Clock
	Log   *slog.Logger
	// Holder names the node in job_locks; empty means host name and a random suffix.
	Holder string
}

// Start runs js in the background until the runner is stopped.
func (n Node) Start(ctx context.Context, js ...Job) *Runner {
	if n.Holder == "" {
		n.Holder = holderID()
	}
	if n.Clock == nil {
		n.Clock = clock.System{}
	}
	if n.Log == nil {
		n.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Runner{cancel: cancel}
	for _, j := range js {
		r.wg.Add(1)
		go func(j Job) {
			defer r.wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				n.runOnce(ctx, j)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}(j)
	}
	return r
}

func (n Node) runOnce(ctx context.Context, j Job) {
	now := n.Clock.Now()
	ok, err := Acquire(ctx, n.DB, j.Name, n.Holder, now, j.Every)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			n.Log.Warn("job lease failed", "job", j.Name, "err", err)
		}
		return
	}
	if !ok {
		return
	}
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		n.renew(jctx, cancel, j)
	}()
	start := time.Now()
	err = j.Run(jctx, now)
	cancel()
	<-renewed
	// Which node ran which job when: with several nodes, the log shows that
	// each job runs on one node at a time and moves when a node dies.
	n.Log.Info("job ran", "job", j.Name, "node", n.Holder, "started", start, "took", time.Since(start))
	metrics.JobRuns.Inc(j.Name)
	if err != nil && !errors.Is(err, context.Canceled) {
		metrics.JobFailures.Inc(j.Name)
		n.Log.Error("job failed", "job", j.Name, "err", err)
	}
}

// renew extends the lease of a running job every third of its interval until
// ctx ends; when the lease is found in another holder's hands (or cannot be
// renewed before it runs out), it cancels the run.
func (n Node) renew(ctx context.Context, cancel context.CancelFunc, j Job) {
	every := j.Every / 3
	if every <= 0 {
		every = j.Every
	}
	t := time.NewTicker(every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The renewal is not cut short when the run ends: a statement
		// cancelled mid-flight costs the pool its connection, and the next
		// lease would wait for a new one.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), j.Every)
		ok, err := Acquire(rctx, n.DB, j.Name, n.Holder, n.Clock.Now(), j.Every)
		rcancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && ok:
			last = time.Now()
		case err == nil && !ok:
			n.Log.Error("job lease lost: run cancelled", "job", j.Name, "node", n.Holder)
			cancel()
			return
		case time.Since(last) >= j.Every:
			n.Log.Error("job lease not renewed in time: run cancelled", "job", j.Name, "node", n.Holder, "err", err)
			cancel()
			return
		default:
			n.Log.Warn("job lease renewal failed", "job", j.Name, "err", err)
		}
	}
}

// Acquire takes or renews the lease of job name for holder until now+ttl; it
// reports false when another holder's lease is still valid.
func Acquire(ctx context.Context, db *store.DB, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	got := false
	err := db.InTx(ctx, now, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE job_locks SET holder = $1, expires_at = $2
			WHERE name = $3 AND (holder = $1 OR expires_at < $4)`,
			holder, store.T(now.Add(ttl)), name, store.T(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			got = true
			return nil
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO job_locks (name, holder, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO NOTHING`, name, holder, store.T(now.Add(ttl)))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		got = n == 1
		return nil
	})
	return got, err
}

func holderID() string {
	h, _ := os.Hostname()
	return h + "/" + store.NewID()[:8]
}
