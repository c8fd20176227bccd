package notify

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Outbox statuses.
const (
	StatusQueued  = "queued"
	StatusSent    = "sent"
	StatusFailed  = "failed"  // gave up after GiveUp; shown to administrators
	StatusSkipped = "skipped" // the account was deactivated before sending
)

// DefaultBackoffs are the waits after the 1st, 2nd, … failed attempt; the
// last repeats. A mail server down for a weekend is retried every six hours
// until the row is GiveUp old.
var DefaultBackoffs = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour}

// Backoff returns the wait after the given number of failed attempts (≥ 1).
func (s *Service) Backoff(attempts int) time.Duration {
	b := s.Backoffs
	if len(b) == 0 {
		b = DefaultBackoffs
	}
	if attempts < 1 {
		attempts = 1
	}
	return b[min(attempts, len(b))-1]
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return 20
}

func (s *Service) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return 10 * time.Minute
}

func (s *Service) giveUp() time.Duration {
	if s.GiveUp > 0 {
		return s.GiveUp
	}
	return 72 * time.Hour
}

// claimed is one outbox row this sender holds.
type claimed struct {
	id, userID, kind, objectType, objectID string
	attempts                               int
	created                                time.Time
}

// Deliver sends the e-mails that are due at now and reports how many were
// sent and how many failed this round (failures are retried later unless
// they are GiveUp old). Without a Mailer it sends nothing and says so once.
// Several Deliver calls, on one node or many, never send one row twice at
// the same time: each claims its rows first (claim).
func (s *Service) Deliver(ctx context.Context, now time.Time) (sent, failed int, err error) {
	if s.Mailer == nil {
		s.warnOnce.Do(func() {
			s.log().Warn("e-mail notifications stay queued: SMTP is not configured (set URA_SMTP_HOST and URA_SMTP_FROM)")
		})
		return 0, 0, nil
	}
	holder := store.NewID()
	rows, err := s.claim(ctx, now, holder)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for i, r := range rows {
		// Stop before the claim could lapse mid-send and another node
		// take the row; what is left is released for the next round.
		if ctx.Err() != nil || time.Since(start) > s.lease()/2 {
			return sent, failed, s.release(context.WithoutCancel(ctx), now, holder, rows[i:])
		}
		status, class := s.send(ctx, r)
		if err := s.finish(context.WithoutCancel(ctx), now, holder, r, status, class); err != nil {
			return sent, failed, err
		}
		switch status {
		case StatusSent:
			sent++
		case StatusQueued, StatusFailed:
			failed++
			s.log().Warn("notification e-mail not sent", "outbox", r.id, "attempt", r.attempts+1, "error", class)
		}
	}
	return sent, failed, nil
}

// claim takes up to Batch due rows for holder. The UPDATE re-checks the
// lease in its own WHERE, so on PostgreSQL a concurrent claimer that waited
// for the row lock sees the new lease and skips the row; on SQLite the one
// writer serialises claimers. The same SQL serves both engines.
func (s *Service) claim(ctx context.Context, now time.Time, holder string) ([]claimed, error) {
	var out []claimed
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET lease_until = $1, lease_holder = $2
			WHERE id IN (SELECT id FROM notify_outbox WHERE status = 'queued' AND next_at <= $3
				AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_at, id LIMIT `+itoa(s.batch())+`)
			AND status = 'queued' AND (lease_until IS NULL OR lease_until < $3)`,
			store.T(now.Add(s.lease())), holder, store.T(now))
		if err != nil {
			return errs.Internalf("claim outbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.user_id, n.kind, n.object_type, n.object_id, o.attempts, o.created_at
			FROM notify_outbox o JOIN notifications n ON n.id = o.notification_id
			WHERE o.lease_holder = $1 AND o.status = 'queued' ORDER BY o.next_at, o.id`, holder)
		if err != nil {
			return errs.Internalf("read claimed outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			var created store.Time
			if err := rows.Scan(&c.id, &c.userID, &c.kind, &c.objectType, &c.objectID, &c.attempts, &created); err != nil {
				return errs.Internalf("scan outbox: %w", err)
			}
			c.created = created.Time
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// finish records the outcome of one send, if holder still holds the row.
func (s *Service) finish(ctx context.Context, now time.Time, holder string, r claimed, status, class string) error {
	return s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var err error
		switch status {
		case StatusSent, StatusSkipped:
			_, err = tx.ExecContext(ctx, `UPDATE notify_outbox SET status = $1, attempts = attempts + 1, sent_at = $2,
				last_error = $3, lease_until = NULL, lease_holder = '' WHERE id = $4 AND lease_holder = $5`,
				status, store.T(now), class, r.id, holder)
		default:
			next := now.Add(s.Backoff(r.attempts + 1))
			if next.Sub(r.created) > s.giveUp() {
				_, err = tx.ExecContext(ctx, `UPDATE notify_outbox SET status = 'failed', attempts = attempts + 1,
					failed_at = $1, last_error = $2, lease_until = NULL, lease_holder = '' WHERE id = $3 AND lease_holder = $4`,
					store.T(now), class, r.id, holder)
				break
			}
			_, err = tx.ExecContext(ctx, `UPDATE notify_outbox SET attempts = attempts + 1, next_at = $1,
				last_error = $2, lease_until = NULL, lease_holder = '' WHERE id = $3 AND lease_holder = $4`,
				store.T(next), class, r.id, holder)
		}
		if err != nil {
			return errs.Internalf("record delivery: %w", err)
		}
		return nil
	})
}

// release gives back rows claimed but not attempted.
func (s *Service) release(ctx context.Context, now time.Time, holder string, rows []claimed) error {
	return s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET lease_until = NULL, lease_holder = ''
				WHERE id = $1 AND lease_holder = $2`, r.id, holder); err != nil {
				return errs.Internalf("release outbox: %w", err)
			}
		}
		return nil
	})
}

// OutboxEntry is one outbox row as an administrator sees it: who (an account
// id), what kind, how it went — never an address or the server's words.
type OutboxEntry struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	NextAt    time.Time  `json:"next_at"`
	FailedAt  *time.Time `json:"failed_at,omitempty"`
}

// Outbox lists the e-mails not (yet) sent, the failed ones first, so an
// administrator sees a mail server that has been refusing Ura's messages.
func (s *Service) Outbox(ctx context.Context, actor access.Actor) ([]OutboxEntry, error) {
	if err := access.Check(actor, access.NotificationOutbox); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT o.id, o.user_id, n.kind, o.status, o.attempts, o.last_error,
		o.created_at, o.next_at, o.failed_at FROM notify_outbox o JOIN notifications n ON n.id = o.notification_id
		WHERE o.status IN ('queued', 'failed') ORDER BY o.status, o.created_at DESC, o.id LIMIT 500`)
	if err != nil {
		return nil, errs.Internalf("list outbox: %w", err)
	}
	defer rows.Close()
	out := []OutboxEntry{}
	for rows.Next() {
		var e OutboxEntry
		var created, next, failedAt store.Time
		if err := rows.Scan(&e.ID, &e.UserID, &e.Kind, &e.Status, &e.Attempts, &e.LastError, &created, &next, &failedAt); err != nil {
			return nil, errs.Internalf("scan outbox: %w", err)
		}
		e.CreatedAt, e.NextAt = created.Time, next.Time
		if failedAt.Valid {
			t := failedAt.Time
			e.FailedAt = &t
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("list outbox: %w", err)
	}
	return out, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// OutboxStats is what an administrator on call watches of the outbox: how
// many e-mails wait, how long the oldest has waited, how many were given up.
type OutboxStats struct {
	Queued int
	// OldestQueued is when the oldest waiting e-mail was queued (zero: none).
	OldestQueued time.Time
	Failed       int
}

// Stats reads the outbox counts (for /metrics: numbers only, nothing about
// whom the e-mails are for).
func (s *Service) Stats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var oldest sql.NullString
	// Both read through the (status, next_at) index: sent rows, the bulk
	// of the table, are not scanned.
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM notify_outbox WHERE status = 'queued'`).
		Scan(&st.Queued, &oldest)
	if err == nil {
		err = s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_outbox WHERE status = 'failed'`).Scan(&st.Failed)
	}
	if err != nil {
		return st, errs.Internalf("outbox stats: %w", err)
	}
	if oldest.Valid {
		if t, err := store.ParseTime(oldest.String); err == nil {
			st.OldestQueued = t
		}
	}
	return st, nil
}
