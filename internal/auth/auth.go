// Package auth holds Ura's accounts and how people prove who they are:
// organisations, users, passwords (argon2id), TOTP second factor with recovery
// codes, server-side sessions, API tokens and sign-in throttling.
//
// Users' email and name are personal data: sealed under the user's own data
// key and found by a blind index, so the users table alone says nothing about
// who works where. Every change is audited in the transaction that makes it,
// with ids only, never an email or a name.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"runtime"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Config tunes authentication. DefaultConfig gives the values Ura ships with.
type Config struct {
	// IdleTimeout ends a session with no recorded activity for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, active or not.
	AbsoluteTimeout time.Duration
	// TokenTTL is the lifetime of an API token created without one.
	TokenTTL time.Duration
	// Argon is the cost of password hashing; hashes made with other
	// parameters are re-hashed at the next successful sign-in.
	Argon Argon2Params
	// Issuer names Ura in authenticator apps.
	Issuer string
	// MaxFailures failed sign-ins for one account key within LockoutWindow
	// lock it for LockoutDuration.
	MaxFailures     int
	LockoutWindow   time.Duration
	LockoutDuration time.Duration
	// IPMaxFailures failed sign-ins from one client address within IPWindow
	// refuse that address until the window ends.
	IPMaxFailures int
	IPWindow      time.Duration
}

// DefaultConfig returns the shipped settings: 15 min idle, 8 h absolute,
// tokens 90 days, argon2id at RFC 9106's second recommended option (t=3,
// m=64 MiB, p=4: about 74 ms on a 2-core machine, see docs/auth.md), 5
// failures per account in 15 min lock it for 15 min, 20 per address in 15 min.
func DefaultConfig() Config {
	return Config{
		IdleTimeout:     15 * time.Minute,
		AbsoluteTimeout: 8 * time.Hour,
		TokenTTL:        90 * 24 * time.Hour,
		Argon:           DefaultArgon2Params(),
		Issuer:          "Ura",
		MaxFailures:     5,
		LockoutWindow:   15 * time.Minute,
		LockoutDuration: 15 * time.Minute,
		IPMaxFailures:   20,
		IPWindow:        15 * time.Minute,
	}
}

// Service is the auth capability. It is safe for concurrent use.
type Service struct {
	DB     *store.DB
	Vault  *vault.Vault
	Clock  clock.Clock
	Config Config
	// Changes hears of account changes waiting for approval and decided
	// (approvals.go); nil sends no notification.
	Changes ChangeNotifier

	// hashSlots bounds concurrent argon2 runs: each holds Argon.Memory KiB,
	// so a burst of sign-ins queues instead of exhausting memory.
	hashSlots chan struct{}
	// dummyHash is verified against for unknown accounts, so they cost what
	// a known account costs.
	dummyHash string
}

// New returns the service. Zero fields of cfg take their defaults.
func New(db *store.DB, v *vault.Vault, clk clock.Clock, cfg Config) *Service {
	d := DefaultConfig()
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = d.IdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = d.AbsoluteTimeout
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = d.TokenTTL
	}
	if cfg.Argon == (Argon2Params{}) {
		cfg.Argon = d.Argon
	}
	if cfg.Issuer == "" {
		cfg.Issuer = d.Issuer
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = d.MaxFailures
	}
	if cfg.LockoutWindow <= 0 {
		cfg.LockoutWindow = d.LockoutWindow
	}
	if cfg.LockoutDuration <= 0 {
		cfg.LockoutDuration = d.LockoutDuration
	}
	if cfg.IPMaxFailures <= 0 {
		cfg.IPMaxFailures = d.IPMaxFailures
	}
	if cfg.IPWindow <= 0 {
		cfg.IPWindow = d.IPWindow
	}
	if clk == nil {
		clk = clock.System{}
	}
	s := &Service{DB: db, Vault: v, Clock: clk, Config: cfg,
		hashSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	s.dummyHash = mustHash(cfg.Argon, randomToken(24))
	return s
}

// now is the one clock reading of an operation, in UTC.
func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// inTx runs f in a write transaction stamped with the service clock.
func (s *Service) inTx(ctx context.Context, f func(tx *store.Tx) error) error {
	return s.DB.InTx(ctx, s.now(), f)
}

// record appends an ok audit event in tx, by actor a, on one object.
func record(ctx context.Context, tx *store.Tx, a audit.Actor, action, objType, objID, detail string) error {
	return recordEvent(ctx, tx, audit.Event{Actor: a, Action: action, ObjectType: objType, ObjectID: objID, Detail: detail})
}

// recordEvent appends e in tx, stamped with the transaction's time.
func recordEvent(ctx context.Context, tx *store.Tx, e audit.Event) error {
	e.At = tx.Now
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return errs.Internalf("audit %s: %w", e.Action, err)
	}
	return nil
}

// randomToken returns n random bytes in unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how sessions and API tokens are stored: the token has 256
// random bits, so a plain SHA-256 cannot be reversed by guessing.
func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// notFound is the answer for a record that is missing or that the actor may
// not see: the two must look the same.
func notFound(key string) error { return errs.E(errs.NotFound, key) }

// checkOther authorises act on another user's account: actors without the
// right who may not even list users get not found, as if it did not exist.
func checkOther(a access.Actor, act access.Action) error {
	if access.Can(a, act) {
		return nil
	}
	if !access.Can(a, access.UserList) {
		return notFound("user.not_found")
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}
