package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// Sign-in throttling. Failures are counted in signin_throttle under keyed
// hashes (vault.BlindIndex), so the table holds no address and no email:
//
//   - per client address (domain "signin.ip"): IPMaxFailures in IPWindow
//     refuse the address until its window has passed. This slows one machine
//     trying many accounts.
//   - per account key (domain "signin.account", the normalised email as
//     typed, whether an account has it or not): MaxFailures in LockoutWindow
//     lock it for LockoutDuration. This slows many machines trying one
//     account. Keying by the attempted email, not the user id, means unknown
//     and known emails lock alike, so lockout reveals nothing.
//   - per user for second factors and password changes (domains
//     "signin.second_factor", "password.change"), with the account limits.
//
// A locked account is refused even with the right password, and answers like
// a wrong password does, after the same argon2 work. That is the trade-off of
// any lockout: whoever knows a colleague's email can keep them out for as long
// as they keep failing. Administrators can lift it (ClearLockout); failures
// during a lockout count towards the next one, so a steady guesser keeps it
// closed while an occasional typo never reaches it.

// throttleRow is one counter.
type throttleRow struct {
	failures     int
	windowStart  store.Time
	blockedUntil store.Time
}

// blocked reports whether key is blocked now (read pool, no lock).
func (s *Service) blocked(ctx context.Context, key []byte) (bool, error) {
	var until store.Time
	err := s.DB.Read().QueryRowContext(ctx, `SELECT blocked_until FROM signin_throttle WHERE key_hash = $1`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, errs.Internalf("read throttle: %w", err)
	}
	return until.Valid && s.now().Before(until.Time), nil
}

// fail counts one failure for key in tx: a new window starts when the last one
// has passed; reaching max blocks the key for dur and starts counting afresh.
func (s *Service) fail(ctx context.Context, tx *store.Tx, key []byte, max int, window, dur time.Duration) error {
	now := tx.Now
	// Insert-then-lock, so two first failures on PostgreSQL do not race on the
	// primary key.
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_throttle (key_hash, failures, window_start) VALUES ($1, 0, $2)
		ON CONFLICT (key_hash) DO NOTHING`, key, store.T(now)); err != nil {
		return errs.Internalf("throttle insert: %w", err)
	}
	var r throttleRow
	if err := tx.QueryRowContext(ctx, `SELECT failures, window_start, blocked_until FROM signin_throttle WHERE key_hash = $1`+tx.ForUpdate(),
		key).Scan(&r.failures, &r.windowStart, &r.blockedUntil); err != nil {
		return errs.Internalf("throttle read: %w", err)
	}
	if !now.Before(r.windowStart.Time.Add(window)) {
		r.failures, r.windowStart = 0, store.T(now)
	}
	r.failures++
	if r.failures >= max {
		tx.AfterCommit(metrics.SignInLockouts.Inc)
		r.blockedUntil = store.T(now.Add(dur))
		r.failures, r.windowStart = 0, store.T(now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE signin_throttle SET failures = $1, window_start = $2, blocked_until = $3 WHERE key_hash = $4`,
		r.failures, r.windowStart, r.blockedUntil, key); err != nil {
		return errs.Internalf("throttle update: %w", err)
	}
	return nil
}

// clearThrottle forgets key's failures (after a success).
func clearThrottle(ctx context.Context, tx *store.Tx, key []byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE key_hash = $1`, key); err != nil {
		return errs.Internalf("clear throttle: %w", err)
	}
	return nil
}
