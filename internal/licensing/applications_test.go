package licensing_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/licensing"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func user(t testing.TB, a *app.App, r access.Role, org string) access.Actor {
	t.Helper()
	ctx := context.Background()
	if org == "" {
		o, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + store.NewID()[:8], Type: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		org = o.ID
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: store.NewID() + "@licensing.invalid", Name: "User " + string(r),
		Role: r, OrgID: org, Password: "licensing test passphrase 1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func field(t *testing.T, err error, want string) {
	t.Helper()
	e := errs.As(err)
	if e == nil || (e.Field != want && e.Key != want) {
		t.Fatalf("error %v, want one on %s", err, want)
	}
}

// TestLicenceApplication: a provider applies (refused without its
// declaration, premises or documents, and a second time while one is
// pending); the coordinator's office finds it incomplete, then a new one
// complete, schedules the inspection and grants the licence with its expiry
// (or refuses with reasons); the licence is in force at once; another
// provider sees none of it; every step is in the history; a refused
// decision stores nothing.
func TestLicenceApplication(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			l := a.Licensing
			coord := user(t, a, access.Coordinator, "")
			p1, p2 := user(t, a, access.Provider, ""), user(t, a, access.Provider, "")
			police := user(t, a, access.Police, "")
			in := licensing.ApplicationInput{Category: "shelter_trafficking", Premises: "Rr. Dardania 4, Prishtinë",
				Documents: "Statute\nFloor plan\n\nStaff list", Declaration: true}

			bad := in
			bad.Declaration = false
			_, err := l.Apply(ctx, p1, bad)
			field(t, err, "declaration")
			bad = in
			bad.Premises = " "
			_, err = l.Apply(ctx, p1, bad)
			field(t, err, "premises")
			bad = in
			bad.Category = "spa"
			_, err = l.Apply(ctx, p1, bad)
			field(t, err, "category")
			if _, err := l.Apply(ctx, police, in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("the police apply for a licence: %v", err)
			}
			if _, err := l.Apply(ctx, coord, in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("the coordinator applies for a licence: %v", err)
			}
			if as, _ := l.Applications(ctx, coord); len(as) != 0 {
				t.Fatalf("refused applications were stored: %d", len(as))
			}

			x, err := l.Apply(ctx, p1, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Documents) != 3 || x.Status != licensing.AppSubmitted || x.OrgID != p1.OrgID {
				t.Errorf("the application: %+v", x)
			}
			_, err = l.Apply(ctx, p1, in)
			field(t, err, "category")
			if _, err := l.Application(ctx, p2, x.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("another provider reads the application: %v", err)
			}
			if as, _ := l.Applications(ctx, p2); len(as) != 0 {
				t.Errorf("another provider lists %d applications", len(as))
			}
			if err := l.CheckCompleteness(ctx, p1, x.ID, x.Version, true, ""); !errs.Is(err, errs.Forbidden) {
				t.Errorf("the provider checks its own application: %v", err)
			}
			field(t, l.CheckCompleteness(ctx, coord, x.ID, x.Version, false, ""), "note")
			if err := l.CheckCompleteness(ctx, coord, x.ID, x.Version, false, "The fire-safety certificate is missing."); err != nil {
				t.Fatal(err)
			}
			if err := l.ScheduleInspection(ctx, coord, x.ID, x.Version+1, clk.Now().AddDate(0, 0, 7).Format("2006-01-02")); !errs.Is(err, errs.Conflict) {
				t.Errorf("an incomplete application's inspection is scheduled: %v", err)
			}

			// Applied again, complete, inspected, granted.
			in.Documents += "\nFire-safety certificate"
			y, err := l.Apply(ctx, p1, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.CheckCompleteness(ctx, coord, y.ID, y.Version, true, ""); err != nil {
				t.Fatal(err)
			}
			if err := l.CheckCompleteness(ctx, coord, y.ID, y.Version, true, ""); !errs.Is(err, errs.Conflict) {
				t.Errorf("a stale check: %v", err)
			}
			field(t, l.ScheduleInspection(ctx, coord, y.ID, y.Version+1, clk.Now().AddDate(0, 0, -1).Format("2006-01-02")), "inspection_on")
			field(t, l.ScheduleInspection(ctx, coord, y.ID, y.Version+1, "someday"), "inspection_on")
			if err := l.ScheduleInspection(ctx, coord, y.ID, y.Version+1, clk.Now().AddDate(0, 0, 7).Format("2006-01-02")); err != nil {
				t.Fatal(err)
			}
			v := y.Version + 2
			field(t, l.Decide(ctx, coord, y.ID, v, licensing.Decision{Grant: false}), "reasons")
			field(t, l.Decide(ctx, coord, y.ID, v, licensing.Decision{Grant: true, Number: "MLSW-1", ValidUntil: "2020-01-01"}), "valid_until")
			if ls, _ := l.List(ctx, coord); len(ls) != 0 {
				t.Fatalf("a refused grant recorded a licence: %d", len(ls))
			}
			until := clk.Now().AddDate(3, 0, 0).Format("2006-01-02")
			if err := l.Decide(ctx, coord, y.ID, v, licensing.Decision{Grant: true, Number: "MLSW-1", ValidUntil: until}); err != nil {
				t.Fatal(err)
			}
			got, err := l.Application(ctx, p1, y.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != licensing.AppGranted || got.LicenceID == "" || len(got.Steps) != 4 {
				t.Errorf("the granted application: %+v", got)
			}
			lic, err := l.Licence(ctx, p1, got.LicenceID)
			if err != nil || lic.Effective != licensing.StatusActive || lic.ValidUntil != until {
				t.Errorf("the licence granted: %+v (%v)", lic, err)
			}
			if err := l.Decide(ctx, coord, y.ID, got.Version, licensing.Decision{Reasons: "Changed mind."}); !errs.Is(err, errs.Conflict) {
				t.Errorf("a decided application decided again: %v", err)
			}

			// A refusal with reasons.
			in2 := in
			in2.Category = "reintegration"
			z, err := l.Apply(ctx, p2, in2)
			if err != nil {
				t.Fatal(err)
			}
			_ = l.CheckCompleteness(ctx, coord, z.ID, 1, true, "")
			_ = l.ScheduleInspection(ctx, coord, z.ID, 2, clk.Now().Format("2006-01-02"))
			if err := l.Decide(ctx, coord, z.ID, 3, licensing.Decision{Reasons: "Standards 2.1 and 4.3 not met."}); err != nil {
				t.Fatal(err)
			}
			if got, _ := l.Application(ctx, p2, z.ID); got == nil || got.Status != licensing.AppRefused || got.Note == "" {
				t.Errorf("the refused application: %+v", got)
			}
			if as, _ := l.Applications(ctx, coord); len(as) != 3 {
				t.Errorf("the coordinator lists %d applications, want 3", len(as))
			}
		})
	}
}
