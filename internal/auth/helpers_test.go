package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// cheapArgon keeps the suite fast; the benchmark uses the real cost.
var cheapArgon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}

const goodPassword = "correct horse battery staple"

// fixture is a service on a fresh store with one organisation of each kind
// used below and an administrator.
type fixture struct {
	svc    *auth.Service
	db     *store.DB
	clk    *clock.Fake
	police *auth.Org
	admin  *auth.User
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	cfg := auth.DefaultConfig()
	cfg.Argon = cheapArgon
	return newFixtureConfig(t, db, cfg)
}

func newFixtureConfig(t testing.TB, db *store.DB, cfg auth.Config) *fixture {
	t.Helper()
	kr, _, err := vault.LoadOrCreate(t.TempDir() + "/master.key")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{svc: auth.New(db, vault.New(db, kr), clk, cfg), db: db, clk: clk}
	ctx := context.Background()
	f.police, err = f.svc.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Police THB Directorate", Type: "police", Municipality: "Prishtinë"})
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	f.admin = f.mustUser(t, "admin@ura.example", access.Admin)
	return f
}

// mustUser creates an account in the police organisation with goodPassword.
func (f *fixture) mustUser(t testing.TB, email string, role access.Role) *auth.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), access.SystemActor, auth.UserInput{
		Email: email, Name: "Arta Krasniqi", Role: role, OrgID: f.police.ID, Password: goodPassword})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", role, err)
	}
	return u
}

var client = auth.Client{IP: "192.0.2.10", RequestID: "req-1"}

// signInFull signs u in to stage full, enrolling a second factor if needed;
// it returns the session token and the TOTP secret (empty for analysts).
func (f *fixture) signInFull(t testing.TB, email string) (token, secret string) {
	t.Helper()
	ctx := context.Background()
	tok, sess, err := f.svc.SignIn(ctx, email, goodPassword, client)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if sess.Stage == auth.StageFull {
		return tok, ""
	}
	if sess.Stage != auth.StageEnrol {
		t.Fatalf("stage = %q, want enrol (use a fresh user)", sess.Stage)
	}
	secret, _, err = f.svc.BeginEnrolment(ctx, tok)
	if err != nil {
		t.Fatalf("BeginEnrolment: %v", err)
	}
	code, _ := auth.TOTPCode(secret, f.clk.Now())
	_, tok, _, err = f.svc.ConfirmEnrolment(ctx, tok, code, client)
	if err != nil {
		t.Fatalf("ConfirmEnrolment: %v", err)
	}
	return tok, secret
}

// wantCode fails unless err carries code (and key, when given).
func wantCode(t testing.TB, err error, code errs.Code, key string) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("err = %v, want code %s", err, code)
	}
	if key != "" && errs.As(err).Key != key {
		t.Fatalf("err key = %q, want %q", errs.As(err).Key, key)
	}
}

// auditCount counts audit events of action with detail (any detail if "").
func auditCount(t testing.TB, db *store.DB, action, detail string) int {
	t.Helper()
	var n int
	q := `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND ($2 = '' OR detail = $2)`
	if err := db.Read().QueryRowContext(context.Background(), q, action, detail).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
