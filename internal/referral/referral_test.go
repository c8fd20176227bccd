package referral_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestReferralLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		isf := en.service(t, "isf", "Interim Security Facility", referral.TypeSecureFacility, 40, nil)
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 12, nil)
		dv := en.service(t, "dv", "DV Shelter Gjakova", referral.TypeDVShelter, 10, nil)
		c := en.openCase(t, "1995-03-04", "female", "high")
		en.grant(t, c.ID, consent.ScopeOrganisation, en.org("thb"), false)

		props, err := en.svc.Propose(ctx, en.users["police"], c.ID, referral.PlacementQuery{Needs: []string{"accommodation"}})
		if err != nil {
			t.Fatal(err)
		}
		fits := map[string]bool{}
		for _, p := range props {
			fits[p.Service.ID] = p.Fits
		}
		if !fits[isf] || !fits[thb] || fits[dv] {
			t.Errorf("fits = %v; want the ISF and the THB shelter, not the DV shelter", fits)
		}
		if props[0].Service.ID != isf {
			t.Errorf("first proposal %s, want the secure facility for a high-risk victim", props[0].Service.Name)
		}

		r, err := en.svc.Create(ctx, en.users["police"], c.ID, referral.ReferralInput{ServiceID: thb, Urgency: "24h",
			Reason: "Needs safe accommodation tonight"})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != "pending" || !r.Deadline.Equal(en.clk.Now().Add(24*time.Hour)) {
			t.Errorf("state %s deadline %v", r.State, r.Deadline)
		}
		if got := en.note.kinds(en.org("thb")); !slices.Contains(got, referral.NotifyReceived) {
			t.Errorf("receiver notifications %v", got)
		}
		in, n, err := en.svc.FindReferrals(ctx, en.users["thb"], referral.ReferralFilter{Direction: "in"})
		if err != nil || n != 1 || in[0].ID != r.ID || in[0].Reason != "" {
			t.Fatalf("inbox %v %d %v (lists carry no reason)", in, n, err)
		}
		wait, err := en.svc.WaitingOn(ctx, en.users["thb2"])
		if err != nil || len(wait) != 1 {
			t.Errorf("waiting on thb2: %v %v", wait, err)
		}
		if _, err := en.app.Cases.FindCaseByID(ctx, en.users["thb"], c.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("receiver opens the file before accepting: %v, want not found", err)
		}
		seen, err := en.svc.FindReferralByID(ctx, en.users["thb"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if seen.Reason != "Needs safe accommodation tonight" || seen.Case == nil || seen.Case.RiskLevel != "high" {
			t.Errorf("receiver's summary: %+v %+v", seen, seen.Case)
		}
		if _, err := en.svc.FindReferralByID(ctx, en.users["dv"], r.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a third organisation reads the referral: %v", err)
		}
		coord, err := en.svc.FindReferralByID(ctx, en.users["coord"], r.ID)
		if err != nil || coord.Reason != "" {
			t.Errorf("coordinator view: %+v %v (statistics, no reason)", coord, err)
		}

		if _, err := en.svc.Accept(ctx, en.users["thb"], r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := en.app.Cases.FindCaseByID(ctx, en.users["thb"], c.ID); err != nil {
			t.Errorf("receiver after accepting: %v", err)
		}
		board := availability(t, en, thb)
		if board.BedsReserved != 1 || board.BedsFree != 11 {
			t.Errorf("after acceptance: %+v", board)
		}
		st, err := en.svc.Admit(ctx, en.users["thb"], c.ID, thb)
		if err != nil {
			t.Fatal(err)
		}
		if st.ReferralID != r.ID {
			t.Errorf("stay not linked to the referral: %+v", st)
		}
		board = availability(t, en, thb)
		if board.BedsOccupied != 1 || board.BedsReserved != 0 || board.BedsFree != 11 {
			t.Errorf("after admission: %+v", board)
		}
		done, err := en.svc.Complete(ctx, en.users["thb"], r.ID, referral.CompleteInput{Outcome: "delivered",
			Delivered: []referral.Delivered{{On: "2026-05-04", Minutes: 60}}})
		if err != nil || done.State != "completed" {
			t.Fatalf("complete: %+v %v", done, err)
		}
		if _, err := en.svc.Discharge(ctx, en.users["thb"], st.ID, "independent_living"); err != nil {
			t.Fatal(err)
		}
		tl, err := en.app.Cases.Timeline(ctx, en.users["police"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range tl {
			if e.Kind == "referral" {
				lines = append(lines, strings.SplitN(e.Summary, ";", 2)[0])
			}
		}
		for _, want := range []string{"sent", "accepted", "admitted", "completed", "discharged"} {
			if !slices.Contains(lines, want) {
				t.Errorf("timeline %v lacks %s", lines, want)
			}
		}
		for _, e := range tl {
			if strings.Contains(e.Summary, "tonight") {
				t.Errorf("the reason leaked into the timeline: %q", e.Summary)
			}
		}
	})
}

func availability(t *testing.T, en *env, id string) referral.Availability {
	t.Helper()
	list, err := en.svc.Availability(context.Background(), en.users["advocate"])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.ServiceID == id {
			return a
		}
	}
	t.Fatalf("service %s not on the board", id)
	return referral.Availability{}
}

func TestReferralRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 1, nil)
		dv := en.service(t, "dv", "DV Shelter", referral.TypeDVShelter, 5, nil)
		isf := en.service(t, "isf", "ISF", referral.TypeSecureFacility, 40, nil)
		high := en.openCase(t, "1990-01-01", "female", "high")
		low := en.openCase(t, "1991-01-01", "female", "low")
		for _, o := range []string{"thb", "dv", "isf"} {
			en.grant(t, high.ID, consent.ScopeOrganisation, en.org(o), false)
		}
		en.grant(t, low.ID, consent.ScopeOrganisation, en.org("thb"), false)
		// Fill the one THB bed with another case.
		other := en.openCase(t, "1992-01-01", "female", "low")
		en.app.Cases.AddToTeam(ctx, en.users["police"], other.ID, en.org("thb"), "")
		if _, err := en.svc.Admit(ctx, en.users["thb"], other.ID, thb); err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := en.svc.UpdateService(ctx, en.users["isf"], isf, referral.ServiceInput{Name: "ISF", Active: &off}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			caseID string
			in     referral.ReferralInput
			user   string
			code   errs.Code
			key    string
		}{
			{"FullShelter", high.ID, referral.ReferralInput{ServiceID: thb, Urgency: "24h", Reason: "r"}, "police", errs.Conflict, "referral.shelter_full"},
			{"NotEligible", high.ID, referral.ReferralInput{ServiceID: dv, Urgency: "24h", Reason: "r"}, "police", errs.Invalid, "placement.high_risk_secure_only"},
			{"Deactivated", high.ID, referral.ReferralInput{ServiceID: isf, Urgency: "24h", Reason: "r"}, "police", errs.Invalid, "referral.provider_inactive"},
			{"NoConsent", low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "routine", Reason: "r"}, "police", errs.Conflict, "referral.no_consent.no_consent"},
			{"EmergencyWithoutOverrideRight", low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "emergency",
				Reason: "The trafficker found her address today"}, "advocate", errs.Conflict, "referral.no_consent_override"},
			{"EmergencyShortReason", low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "emergency", Reason: "urgent"}, "police", errs.Invalid, "validation.too_short"},
			{"BadUrgency", low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "soon", Reason: "r"}, "police", errs.Invalid, "validation.invalid_choice"},
			{"UnknownService", low.ID, referral.ReferralInput{ServiceID: "nosuch", Urgency: "24h", Reason: "r"}, "police", errs.Invalid, "referral.service_not_found"},
			{"NotOnTeam", low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "24h", Reason: "r"}, "thb", errs.NotFound, "case.not_found"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := en.svc.Create(ctx, en.users[tt.user], tt.caseID, tt.in)
				e := errs.As(err)
				if e == nil || e.Code != tt.code || (tt.key != "validation.too_short" && e.Key != tt.key) {
					t.Errorf("got %v, want %s %s", err, tt.code, tt.key)
				}
			})
		}
		t.Run("EmergencyOverride", func(t *testing.T) {
			r, err := en.svc.Create(ctx, en.users["police"], low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "emergency",
				Reason: "The trafficker found her address today"})
			if err != nil {
				t.Fatal(err)
			}
			if r.ConsentBasis != consent.ReasonOverride || !r.Deadline.Equal(en.clk.Now().Add(2*time.Hour)) {
				t.Errorf("basis %s deadline %v", r.ConsentBasis, r.Deadline)
			}
			if _, err := en.svc.Create(ctx, en.users["police"], low.ID, referral.ReferralInput{ServiceID: dv, Urgency: "24h",
				Reason: "again"}); !errs.Is(err, errs.Conflict) {
				t.Errorf("a second open referral to the same service: %v, want conflict", err)
			}
		})
	})
}

// TestConcurrentAnswer answers one referral from two users of the receiver
// at once, many times: exactly one answer wins, the other is a conflict.
func TestConcurrentAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 40, nil)
		for i := range 4 {
			c := en.openCase(t, "1990-01-0"+string(rune('1'+i)), "female", "medium")
			en.grant(t, c.ID, consent.ScopeService, "accommodation", false)
			r, err := en.svc.Create(ctx, en.users["advocate"], c.ID, referral.ReferralInput{ServiceID: thb, Urgency: "24h", Reason: "r"})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			results := make([]error, 2)
			start := make(chan struct{})
			for j, user := range []string{"thb", "thb2"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if j == 0 {
						_, results[j] = en.svc.Accept(ctx, en.users[user], r.ID)
					} else {
						_, results[j] = en.svc.Decline(ctx, en.users[user], r.ID, referral.DeclineInput{Reason: "no", Code: "no_capacity"})
					}
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for _, err := range results {
				switch {
				case err == nil:
					won++
				case errs.As(err).Key != "referral.already_answered":
					t.Errorf("loser got %v, want referral.already_answered", err)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d answers won (%v)", i, won, results)
			}
		}
	})
}
