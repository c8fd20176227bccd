package referral_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// env is a whole Ura on a fresh store with the organisations of a Kosovo
// referral: police, a prosecution office, a victim advocacy office, a
// Centre for Social Work, the ISF, an NGO THB shelter, a DV shelter, a
// child shelter, and the coordinator. Each has one user (two at the THB
// shelter, for concurrent answers). Notifications are recorded.
type env struct {
	app   *app.App
	svc   *referral.Service
	clk   *clock.Fake
	users map[string]access.Actor
	orgs  map[string]string
	note  *recorder
	cases int
}

// names are fictional persons, one per case, so no two cases look like duplicates.
var names = [][2]string{{"Arta", "Provaj"}, {"Blerta", "Krasniqi"}, {"Drita", "Gashi"}, {"Elira", "Hoxha"},
	{"Fatime", "Berisha"}, {"Greta", "Morina"}, {"Hana", "Shala"}, {"Ilirjana", "Kelmendi"}, {"Jeta", "Rexhepi"}}

// recorder is a Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []referral.Notification
}

func (r *recorder) Notify(_ context.Context, _ *store.Tx, n referral.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

func (r *recorder) kinds(org string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.sent {
		if n.OrgID == org {
			out = append(out, n.Kind)
		}
	}
	return out
}

var people = []struct {
	user, org string
	role      access.Role
	orgType   access.OrgType
}{
	{"police", "Police THB", access.Police, "police"},
	{"prosecutor", "Prosecution", access.Prosecutor, "prosecution"},
	{"advocate", "Victim Advocates", access.Advocate, "victim_advocacy"},
	{"csw", "CSW Prishtina", access.SocialWorker, "social_work"},
	{"isf", "ISF", access.Shelter, "shelter"},
	{"thb", "NGO THB Shelter", access.Shelter, "shelter"},
	{"thb2", "NGO THB Shelter", access.Shelter, "shelter"},
	{"dv", "DV Shelter", access.Shelter, "shelter"},
	{"child", "Child Shelter", access.NGO, "shelter"},
	{"coord", "Coordinator", access.Coordinator, "coordinator"},
}

func newEnv(t testing.TB, e store.Engine) *env {
	t.Helper()
	ctx := context.Background()
	o := storetest.Options(t, e)
	cfg := config.Default()
	cfg.DataDir, cfg.DB = o.DataDir, o.URL
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	clk := clock.NewFake(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)) // a Monday
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true, Clock: clk, Auth: &ac})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	en := &env{app: a, svc: a.Referral, clk: clk, users: map[string]access.Actor{}, orgs: map[string]string{}, note: &recorder{}}
	en.svc.Notifier = en.note
	for _, p := range people {
		if en.orgs[p.org] == "" {
			org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: p.org, Type: p.orgType})
			if err != nil {
				t.Fatal(err)
			}
			en.orgs[p.org] = org.ID
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: p.user + "@referral.invalid", Name: "User " + p.user,
			Role: p.role, OrgID: en.orgs[p.org], Password: "referral test passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		en.users[p.user] = u.Actor()
	}
	return en
}

func (en *env) org(user string) string { return en.users[user].OrgID }

// service adds a service of the user's organisation, created by the coordinator.
func (en *env) service(t testing.TB, user, name, typ string, beds int, el *referral.Eligibility) string {
	t.Helper()
	in := referral.ServiceInput{Name: name, Type: typ, Organisation: en.org(user), Eligibility: el}
	if referral.IsShelter(typ) {
		in.BedsTotal = &beds
	}
	o, err := en.svc.CreateService(context.Background(), en.users["coord"], in)
	if err != nil {
		t.Fatalf("create service %s: %v", name, err)
	}
	return o.ID
}

// openCase registers a case by the police with the advocate and the CSW on
// its team, and records data-processing consent.
func (en *env) openCase(t testing.TB, birth, sex, risk string) *cases.Registered {
	t.Helper()
	ctx := context.Background()
	n := names[en.cases%len(names)]
	en.cases++
	r, err := en.app.Cases.Open(ctx, en.users["police"], cases.Input{Person: cases.Person{GivenName: n[0], FamilyName: n[1],
		BirthDate: birth, Sex: sex, Citizenship: "XK"}, RiskLevel: risk, Exploitation: []string{"SexualExploitation"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"advocate", "csw"} {
		if err := en.app.Cases.AddToTeam(ctx, en.users["police"], r.ID, en.org(u), ""); err != nil {
			t.Fatal(err)
		}
	}
	en.grant(t, r.ID, consent.ScopeDataProcessing, "", birth > "2008-06")
	return r
}

// grant records a consent grant on the case (the guardian's for a child).
func (en *env) grant(t testing.TB, caseID string, scope consent.Scope, target string, child bool) {
	t.Helper()
	in := consent.GrantInput{Scope: scope, Target: target, GivenBy: consent.ByPerson, Language: "sq",
		Informed: consent.Informed{Purpose: true, DataUse: true, StorageDuration: true, AccessRight: true, Withdrawal: true}}
	if child {
		in.GivenBy, in.ChildView = consent.ByGuardian, consent.ChildAgrees
		if _, ok, _ := cases.CurrentGuardian(context.Background(), en.app.DB.Read(), caseID); !ok {
			if _, err := en.app.Cases.AppointGuardian(context.Background(), en.users["police"], caseID, cases.GuardianInput{
				Kind: cases.GuardianCSWOfficer, Name: "Guardian Test", Authority: "CSW", DecisionRef: "1/2026",
				DecisionDate: "2026-05-01"}); err != nil {
				t.Fatalf("guardian: %v", err)
			}
		}
	}
	if _, err := en.app.Consent.Record(context.Background(), en.users["police"], caseID, in); err != nil {
		t.Fatalf("consent: %v", err)
	}
}

func intp(n int) *int { return &n }
