package notify_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// fixture is a whole Ura on one engine with a shelter (three staff: two
// shelter workers, one of them Albanian-speaking, and an administrator who
// may not answer referrals), a police organisation, and a notify.Service
// with a fake clock.
type fixture struct {
	app   *app.App
	clock *clock.Fake
	svc   *notify.Service
	users map[string]*auth.User
	orgs  map[string]string
}

var start = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, e store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	o := storetest.Options(t, e)
	cfg := config.Default()
	cfg.DataDir, cfg.DB = o.DataDir, o.URL
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.PublicURL = "https://ura.example.org"
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	clk := clock.NewFake(start)
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true, Clock: clk, Auth: &ac})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{app: a, clock: clk, users: map[string]*auth.User{}, orgs: map[string]string{}}
	for _, o := range []struct {
		name string
		typ  access.OrgType
	}{{"shelter", "shelter"}, {"police", "police"}} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + o.name, Type: o.typ})
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[o.name] = org.ID
	}
	for _, u := range []struct {
		key, org, lang string
		role           access.Role
	}{
		{"drita", "shelter", "sq", access.Shelter},
		{"mara", "shelter", "", access.Shelter},
		{"admin", "shelter", "", access.Admin},
		{"gone", "shelter", "", access.Shelter},
		{"officer", "police", "sr-Cyrl", access.Police},
	} {
		usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.key + "@staff.example.org",
			Name: "Staff " + u.key, Role: u.role, OrgID: f.orgs[u.org], Password: "notify test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		if u.lang != "" {
			if err := a.Auth.SetLang(ctx, usr.Actor(), u.lang); err != nil {
				t.Fatal(err)
			}
		}
		f.users[u.key] = usr
	}
	if err := a.Auth.SetUserActive(ctx, access.SystemActor, f.users["gone"].ID, false); err != nil {
		t.Fatal(err)
	}
	f.svc = &notify.Service{DB: a.DB, Clock: clk, Users: a.Auth, PublicURL: cfg.PublicURL,
		From: "Ura <ura@example.org>", Batch: 50}
	return f
}

// eachEngine runs f on a fresh fixture per engine.
func eachEngine(t *testing.T, f func(t *testing.T, fx *fixture)) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) { f(t, newFixture(t, e)) })
	}
}

// notify records n in its own transaction, as a capability would.
func (f *fixture) notify(t *testing.T, n notify.Notification) error {
	t.Helper()
	return f.app.DB.InTx(context.Background(), f.clock.Now(), func(tx *store.Tx) error {
		return f.svc.Notify(context.Background(), tx, n)
	})
}

func (f *fixture) mustNotify(t *testing.T, n notify.Notification) {
	t.Helper()
	if err := f.notify(t, n); err != nil {
		t.Fatal(err)
	}
}

// received is a referral to the shelter; the case reference must never
// reach an e-mail.
func (f *fixture) received(id string) notify.Notification {
	return notify.Notification{OrgID: f.orgs["shelter"], Kind: "referral.received", ObjectType: "referral",
		ObjectID: id, CaseRef: "XK-2026-0042"}
}

// outbox returns status and attempts of every outbox row, by row id.
func (f *fixture) outbox(t *testing.T) map[string]string {
	t.Helper()
	rows, err := f.app.DB.Read().QueryContext(context.Background(), `SELECT id, status, attempts FROM notify_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = status + "/" + strconv.Itoa(n)
	}
	return out
}

// fakeMailer records messages or fails, for tests that need no server.
type fakeMailer struct {
	mu   sync.Mutex
	fail error
	got  []notify.Message
}

func (m *fakeMailer) Send(ctx context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.got = append(m.got, msg)
	return nil
}
