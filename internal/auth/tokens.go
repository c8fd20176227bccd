package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Token is an API token as listed: never its secret, which is shown once at
// creation and stored only as a SHA-256.
type Token struct {
	ID         string
	UserID     string
	Label      string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	Revoked    bool
}

// TokenPrefix starts every API token, so secret scanners and people
// recognise a leaked one.
const TokenPrefix = "ura_"

// MaxTokenTTL caps a token's lifetime: a forgotten token must die some day.
const MaxTokenTTL = 366 * 24 * time.Hour

var errToken = errs.E(errs.Unauthenticated, "token.invalid")

// CreateToken makes an API token for userID and returns its plaintext (shown
// once). Users make their own (TokenManage); administrators and the command
// line make anyone's. ttl 0 means Config.TokenTTL.
func (s *Service) CreateToken(ctx context.Context, actor access.Actor, userID, label string, ttl time.Duration) (string, *Token, error) {
	if err := s.checkUserAccess(actor, userID, access.UserManage); err != nil {
		return "", nil, err
	}
	if userID == actor.UserID && !actor.System {
		if err := access.Check(actor, access.TokenManage); err != nil {
			return "", nil, err
		}
	}
	label = strings.TrimSpace(label)
	if utf8.RuneCountInString(label) > 100 || strings.IndexFunc(label, unicode.IsControl) >= 0 {
		return "", nil, errs.InvalidField("label", "validation.too_long").With(map[string]any{"max": 100})
	}
	if ttl <= 0 {
		ttl = s.Config.TokenTTL
	}
	if ttl > MaxTokenTTL {
		return "", nil, errs.InvalidField("ttl", "token.ttl_too_long")
	}
	plain := TokenPrefix + randomToken(32)
	t := &Token{ID: store.NewID(), UserID: userID, Label: label}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		var active int
		err := tx.QueryRowContext(ctx, `SELECT active FROM users WHERE id = $1`, userID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user.not_found")
		}
		if err != nil {
			return errs.Internalf("create token: %w", err)
		}
		if active != 1 {
			return errs.InvalidField("user", "user.inactive")
		}
		t.CreatedAt, t.ExpiresAt = tx.Now, tx.Now.Add(ttl)
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, userID, hashToken(plain), label, store.T(t.CreatedAt), store.T(t.ExpiresAt)); err != nil {
			return errs.Internalf("insert token: %w", err)
		}
		return record(ctx, tx, audit.ActorFrom(actor), "token.create", "api_token", t.ID, "user="+userID)
	})
	if err != nil {
		return "", nil, err
	}
	return plain, t, nil
}

// AuthenticateToken returns the user of an API token (Authorization: Bearer).
// Expired, revoked or malformed tokens, and tokens of closed accounts or
// organisations, are errs.Unauthenticated "token.invalid". Like sessions,
// last use is written at most once a minute.
func (s *Service) AuthenticateToken(ctx context.Context, plaintext string) (*User, error) {
	if !strings.HasPrefix(plaintext, TokenPrefix) || len(plaintext) > 100 {
		return nil, errToken
	}
	now := s.now()
	h := hashToken(plaintext)
	var id string
	var expires, revoked, used store.Time
	dest := []any{&id, &expires, &revoked, &used}
	row := s.DB.Read().QueryRowContext(ctx, `SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id WHERE t.token_hash = $1`, h)
	r, err := scanUser(scanFunc(func(d ...any) error { return row.Scan(append(dest, d...)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errToken
	}
	if err != nil {
		return nil, errs.Internalf("load token: %w", err)
	}
	if revoked.Valid || !now.Before(expires.Time) || !r.Active || !r.orgActive {
		return nil, errToken
	}
	if !used.Valid || now.Sub(used.Time) >= touchEvery {
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, store.T(now), id)
			return err
		})
		if err != nil {
			return nil, errs.Internalf("touch token: %w", err)
		}
	}
	return s.open(ctx, s.DB.Read(), r)
}

const tokenColumns = `id, user_id, label, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var created, expires, used, revoked store.Time
	if err := row.Scan(&t.ID, &t.UserID, &t.Label, &created, &expires, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.Revoked = created.Time, expires.Time, revoked.Valid
	if used.Valid {
		u := used.Time
		t.LastUsedAt = &u
	}
	return &t, nil
}

// FindTokens lists a user's tokens, newest first: one's own, or anyone's for
// those who may list users.
func (s *Service) FindTokens(ctx context.Context, actor access.Actor, userID string) ([]*Token, error) {
	if err := s.checkUserAccess(actor, userID, access.UserList); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, errs.Internalf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, errs.Internalf("scan token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token at once: one's own, or anyone's for an
// administrator. A token the actor may not manage is not found.
func (s *Service) RevokeToken(ctx context.Context, actor access.Actor, id string) error {
	if !access.Can(actor, access.TokenManage) && !access.Can(actor, access.UserManage) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`+tx.ForUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("token.not_found")
		}
		if err != nil {
			return errs.Internalf("load token: %w", err)
		}
		if t.UserID == actor.UserID && !actor.System {
			err = access.Check(actor, access.TokenManage)
		} else if !access.Can(actor, access.UserManage) {
			err = notFound("token.not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
			store.T(tx.Now), id); err != nil {
			return errs.Internalf("revoke token: %w", err)
		}
		return record(ctx, tx, audit.ActorFrom(actor), "token.revoke", "api_token", id, "user="+t.UserID)
	})
}
