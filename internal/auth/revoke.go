package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// revokeSessions revokes every live session of userID except keep.
func revokeSessions(ctx context.Context, tx *store.Tx, userID string, keep []byte) error {
	if keep == nil {
		keep = []byte{}
	}
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id_hash <> $3`,
		store.T(tx.Now), userID, keep)
	if err != nil {
		return errs.Internalf("revoke sessions: %w", err)
	}
	return nil
}

// FindSessions lists the live sessions of a user: one's own, or anyone's for
// an administrator.
func (s *Service) FindSessions(ctx context.Context, actor access.Actor, userID string) ([]SessionInfo, error) {
	if err := s.checkUserAccess(actor, userID, access.SessionRevoke); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id_hash, stage, created_at, last_seen_at, expires_at FROM sessions
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3 ORDER BY created_at DESC`,
		userID, store.T(now), store.T(now.Add(-s.Config.IdleTimeout)))
	if err != nil {
		return nil, errs.Internalf("list sessions: %w", err)
	}
	defer rows.Close()
	cur := sessionFrom(ctx)
	var out []SessionInfo
	for rows.Next() {
		var h []byte
		var stage string
		var created, seen, expires store.Time
		if err := rows.Scan(&h, &stage, &created, &seen, &expires); err != nil {
			return nil, errs.Internalf("scan session: %w", err)
		}
		out = append(out, SessionInfo{ID: hex.EncodeToString(h[:8]), Stage: Stage(stage), CreatedAt: created.Time,
			LastSeenAt: seen.Time, ExpiresAt: expires.Time, Current: cur != nil && bytes.Equal(cur.IDHash, h)})
	}
	return out, rows.Err()
}

// RevokeSessions signs a user out everywhere: one's own (a lost laptop), or
// anyone's for an administrator.
func (s *Service) RevokeSessions(ctx context.Context, actor access.Actor, userID string) error {
	if err := s.checkUserAccess(actor, userID, access.SessionRevoke); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, userID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("user.not_found")
			}
			return errs.Internalf("revoke sessions: %w", err)
		}
		if err := revokeSessions(ctx, tx, userID, nil); err != nil {
			return err
		}
		return record(ctx, tx, audit.ActorFrom(actor), "session.revoke", "user", userID, "")
	})
}

// Purge deletes sessions that can no longer be used and throttle counters
// that have run out; a background job runs it.
func (s *Service) Purge(ctx context.Context) error {
	return s.inTx(ctx, func(tx *store.Tx) error {
		now := tx.Now
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at <= $2`,
			store.T(now), store.T(now.Add(-s.Config.IdleTimeout))); err != nil {
			return errs.Internalf("purge sessions: %w", err)
		}
		oldest := now.Add(-max(s.Config.LockoutWindow, s.Config.IPWindow))
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE window_start <= $1
			AND (blocked_until IS NULL OR blocked_until <= $2)`, store.T(oldest), store.T(now)); err != nil {
			return errs.Internalf("purge throttle: %w", err)
		}
		return nil
	})
}
