package loadgen_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/loadgen"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/web"
)

// TestLoad starts the whole application on each engine with the demo data,
// serves it on a loopback port, creates load accounts and runs a short load
// with little think time: no request may fail, and every action of the mix
// must have run. The app's clock is fake, so the TOTP codes come from it.
func TestLoad(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			a, clk := apptest.Open(t, e)
			ctx := context.Background()
			if _, err := demo.Load(ctx, a); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.LoadCases(ctx, a); err != nil {
				t.Fatal(err)
			}
			seedReferrals(t, a, 8)
			h, err := web.New(a)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()

			setup, err := loadgen.Setup(ctx, a.Auth, 12)
			if err != nil {
				t.Fatal(err)
			}
			if setup.Created != 12 || len(setup.Accounts) != 12 || len(setup.Missing) != 0 {
				t.Fatalf("setup: %d created, %d accounts, missing %v", setup.Created, len(setup.Accounts), setup.Missing)
			}
			// A short think time evens out the users' pace: without it the
			// users of cheap pages (the analyst's dashboard) would send most
			// of the requests, and the case work would be rare.
			const requests = 1000
			rep, err := loadgen.Run(ctx, loadgen.Options{URL: srv.URL, Accounts: setup.Accounts, Requests: requests,
				Duration: 20 * time.Second, Seed: 7, Now: clk.Now, Timeout: 10 * time.Second,
				ThinkMin: 10 * time.Millisecond, ThinkMax: 30 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			rep.WriteText(&text)
			t.Logf("\n%s", text.String())
			if rep.Total.Errors != 0 {
				t.Errorf("%d requests failed", rep.Total.Errors)
			}
			if rep.SignedIn != 12 {
				t.Errorf("%d of 12 users signed in", rep.SignedIn)
			}
			if rep.Total.Count != requests {
				t.Errorf("%d requests sent, want exactly %d", rep.Total.Count, requests)
			}
			// The sign-ins are the ramp; the work after them the steady state,
			// where the targets apply; the two add up to the whole run.
			ramp, steady := rep.Phase(loadgen.PhaseRamp), rep.Phase(loadgen.PhaseSteady)
			if ramp.Total.Count+steady.Total.Count != rep.Total.Count || steady.Total.Count == 0 {
				t.Errorf("phases: ramp %d + steady %d requests, run %d", ramp.Total.Count, steady.Total.Count, rep.Total.Count)
			}
			for _, s := range steady.Actions {
				if s.Action == loadgen.ActSignIn {
					t.Errorf("%d sign-ins counted in the steady state", s.Count)
				}
			}
			if m := rep.Machine; m == nil || m.CPUs < 1 || m.SteadySeconds <= 0 || m.LoadStart[0] <= 0 && m.LoadEnd[0] <= 0 {
				t.Errorf("machine record %+v", m)
			} else if _, ok := m.CPU["generator"]; !ok {
				t.Errorf("no generator CPU time in %+v", m)
			}
			for _, act := range []string{loadgen.ActSignIn, loadgen.ActDashboard, loadgen.ActCaseList, loadgen.ActCaseOpen,
				loadgen.ActTimeline, loadgen.ActSearch, loadgen.ActNote, loadgen.ActRefer, loadgen.ActInbox,
				loadgen.ActAnswer, loadgen.ActNotifications} {
				if rep.Action(act).Count == 0 {
					t.Errorf("action %s never ran", act)
				}
			}

			// The second setup resets the same accounts; the old sessions end.
			again, err := loadgen.Setup(ctx, a.Auth, 12)
			if err != nil {
				t.Fatal(err)
			}
			if again.Created != 0 || again.Reset != 12 || again.Accounts[0].Role != access.Police || again.Accounts[0].Password == setup.Accounts[0].Password {
				t.Errorf("second setup: %d created, %d reset", again.Created, again.Reset)
			}

			// A real account in the store refuses load accounts.
			org, err := a.Auth.FindOrgByName(ctx, access.SystemActor, "Demo Police THB Directorate")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "real.person@police.example",
				Name: "Real Person", Role: access.Police, OrgID: org.ID, Password: "correct horse battery staple 7"}); err != nil {
				t.Fatal(err)
			}
			if _, err := loadgen.Setup(ctx, a.Auth, 3); !errors.Is(err, loadgen.ErrRealData) {
				t.Errorf("setup on a store with a real account: %v, want ErrRealData", err)
			}
		})
	}
}

// seedReferrals sends n pending emergency referrals from the demo police,
// each case to a different fitting service in turn, so the providers' load
// users have referrals to answer from the start.
func seedReferrals(t *testing.T, a *app.App, n int) {
	t.Helper()
	ctx := context.Background()
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Police))
	if err != nil {
		t.Fatal(err)
	}
	actor := u.Actor()
	list, _, err := a.Cases.FindCases(ctx, actor, cases.CaseFilter{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for i, c := range list {
		props, err := a.Referral.Propose(ctx, actor, c.ID, referral.PlacementQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var fit []*referral.Proposal
		for _, p := range props {
			if p.Fits && p.Service.OrgID != actor.OrgID {
				fit = append(fit, p)
			}
		}
		if len(fit) == 0 {
			continue
		}
		p := fit[i%len(fit)]
		if _, err := a.Referral.Create(ctx, actor, c.ID, referral.ReferralInput{ServiceID: p.Service.ID,
			Urgency: referral.UrgencyEmergency, Reason: "Seeded for the load test: a safe place is needed at once."}); err != nil {
			t.Fatal(err)
		}
		sent++
	}
	if sent == 0 {
		t.Fatal("no referral could be seeded")
	}
}
