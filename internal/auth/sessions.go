package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Stage is how far a session has come through sign-in.
type Stage string

// The stages. Only StageFull may use Ura; the others may only finish sign-in.
const (
	StagePassword Stage = "password" // password right, second factor pending
	StageEnrol    Stage = "enrol"    // password right, must set up a second factor first
	StageFull     Stage = "full"
)

// Session is a server-side session. The browser holds a random token; the
// database holds only its SHA-256 (IDHash), so a copy of the database signs
// no one in.
type Session struct {
	UserID     string
	Stage      Stage
	CSRF       string
	Lang       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IDHash     []byte
}

// Full reports whether the session has completed sign-in; every page except
// the sign-in steps must require it.
func (s *Session) Full() bool { return s != nil && s.Stage == StageFull }

// Client describes where a request comes from. IP feeds the per-address
// throttle only (as a keyed hash); it is never stored or audited.
type Client struct {
	IP        string
	RequestID string
}

// SessionInfo is a session as listed on the account page: ID is a short,
// non-secret handle (a prefix of the stored hash), never the token.
type SessionInfo struct {
	ID         string
	Stage      Stage
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Current    bool
}

// touchEvery is how stale last_seen_at may get before Authenticate writes it.
// Writing on every request would put a write (on SQLite, through the single
// writer) in every page view; writing at most once a minute keeps the check a
// read. The price: idle time is measured from the last recorded activity, so
// a session may end up to a minute before IdleTimeout of true inactivity —
// never after it.
const touchEvery = time.Minute

var errExpired = errs.E(errs.Unauthenticated, "session.expired")

type sessionCtxKey struct{}

// WithSession returns ctx carrying the caller's own session, so operations
// such as ChangePassword can spare it.
func WithSession(ctx context.Context, sess *Session) context.Context {
	return context.WithValue(ctx, sessionCtxKey{}, sess)
}

func sessionFrom(ctx context.Context) *Session {
	sess, _ := ctx.Value(sessionCtxKey{}).(*Session)
	return sess
}

// newSession stores a fresh session for userID and returns its token.
func newSession(ctx context.Context, tx *store.Tx, userID string, stage Stage, lang string, created, expires time.Time) (string, *Session, error) {
	tok := randomToken(32)
	sess := &Session{UserID: userID, Stage: stage, CSRF: randomToken(32), Lang: lang,
		CreatedAt: created, LastSeenAt: tx.Now, ExpiresAt: expires, IDHash: hashToken(tok)}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, stage, csrf, lang, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sess.IDHash, userID, string(stage), sess.CSRF, lang,
		store.T(created), store.T(tx.Now), store.T(expires))
	if err != nil {
		return "", nil, errs.Internalf("insert session: %w", err)
	}
	return tok, sess, nil
}

// rotate replaces old by a new session at stage, keeping its sign-in time and
// absolute expiry: a token seen before a stage change (on a shared screen, in
// a proxy log) is worthless after it.
func rotate(ctx context.Context, tx *store.Tx, old *Session, stage Stage) (string, *Session, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, old.IDHash); err != nil {
		return "", nil, errs.Internalf("delete session: %w", err)
	}
	return newSession(ctx, tx, old.UserID, stage, old.Lang, old.CreatedAt, old.ExpiresAt)
}

const sessionColumns = `s.id_hash, s.stage, s.csrf, s.lang, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, `

// loadSession reads the session of token with its user, and checks it is live
// at now: not revoked, not past its absolute or idle limit, user and
// organisation active. Any failure is the same session.expired.
func (s *Service) loadSession(ctx context.Context, q store.Querier, token string, now time.Time) (*Session, *userRow, error) {
	if token == "" {
		return nil, nil, errExpired
	}
	var sess Session
	var stage string
	var created, seen, expires, revoked store.Time
	dest := []any{&sess.IDHash, &stage, &sess.CSRF, &sess.Lang, &created, &seen, &expires, &revoked}
	row := q.QueryRowContext(ctx, `SELECT `+sessionColumns+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN organisations o ON o.id = u.org_id WHERE s.id_hash = $1`, hashToken(token))
	r, err := scanUser(scanFunc(func(d ...any) error { return row.Scan(append(dest, d...)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errExpired
	}
	if err != nil {
		return nil, nil, errs.Internalf("load session: %w", err)
	}
	sess.UserID, sess.Stage = r.ID, Stage(stage)
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = created.Time, seen.Time, expires.Time
	switch {
	case revoked.Valid, !now.Before(sess.ExpiresAt), !now.Before(sess.LastSeenAt.Add(s.Config.IdleTimeout)),
		!r.Active, !r.orgActive:
		return nil, nil, errExpired
	}
	return &sess, r, nil
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Authenticate checks a session token on each request and returns the session
// (at whatever stage: callers must require Full for anything but finishing
// sign-in) and its user. It refuses with errs.Unauthenticated
// "session.expired" a session idle for IdleTimeout, older than
// AbsoluteTimeout, revoked, or whose user or organisation was closed. It reads
// only, except to record activity at most once a minute (see touchEvery).
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *User, error) {
	now := s.now()
	sess, r, err := s.loadSession(ctx, s.DB.Read(), token, now)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1`,
				store.T(now), sess.IDHash)
			return err
		})
		if err != nil {
			return nil, nil, errs.Internalf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	u, err := s.open(ctx, s.DB.Read(), r)
	if err != nil {
		return nil, nil, err
	}
	return sess, u, nil
}

// SignOut ends the session of token. Signing out twice, or with an expired
// token, is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	h := hashToken(token)
	return s.inTx(ctx, func(tx *store.Tx) error {
		var userID, orgID, role string
		err := tx.QueryRowContext(ctx, `SELECT u.id, u.org_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.id_hash = $1`, h).Scan(&userID, &orgID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return errs.Internalf("sign out: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h); err != nil {
			return errs.Internalf("sign out: %w", err)
		}
		return record(ctx, tx, audit.Actor{UserID: userID, OrgID: orgID, Role: role}, "auth.signout", "user", userID, "")
	})
}
