// Package jobs runs Ura's background work inside `ura serve` on tickers:
// signing audit checkpoints, reminding of due case tasks, purging expired
// sessions. Each job takes a lease in the job_locks table, so with several nodes on one PostgreSQL exactly one node
// runs it at a time; jobs are idempotent, so a node that dies mid-run leaves
// nothing for the next holder to undo.
package jobs

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/audit"
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
		{Name: "notify.deliver", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, _, err := a.Notify.Deliver(ctx, now)
			return err
		}},
	}
}

// Start runs the platform's jobs in the background.
func Start(ctx context.Context, a *app.App, extra ...Job) *Runner {
	ctx, cancel := context.WithCancel(ctx)
	r := &Runner{cancel: cancel}
	holder := holderID()
	for _, j := range append(Platform(a), extra...) {
		r.wg.Add(1)
		go func(j Job) {
			defer r.wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				runOnce(ctx, a, holder, j)
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

func runOnce(ctx context.Context, a *app.App, holder string, j Job) {
	now := a.Clock.Now()
	ok, err := Acquire(ctx, a.DB, j.Name, holder, now, j.Every)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			a.Log.Warn("job lease failed", "job", j.Name, "err", err)
		}
		return
	}
	if !ok {
		return
	}
	start := time.Now()
	err = j.Run(ctx, now)
	// Which node ran which job when: with several nodes, the log shows that
	// each job runs on one node at a time and moves when a node dies.
	a.Log.Info("job ran", "job", j.Name, "node", holder, "started", start, "took", time.Since(start))
	if err != nil && !errors.Is(err, context.Canceled) {
		a.Log.Error("job failed", "job", j.Name, "err", err)
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
