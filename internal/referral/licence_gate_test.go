package referral_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/licensing"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestReferralRefusesUnlicensedProvider (R3.1): with the setting off a
// provider without a licence receives referrals; with it on, a provider
// without a licence, or whose licence expired or was suspended, is refused
// beside the service field and nothing is stored; a licence in force lets
// the referral through. The directory shows each provider's status.
func TestReferralRefusesUnlicensedProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		lic := en.app.Licensing
		coord := en.users["coord"]
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 12, nil)
		c := en.openCase(t, "1995-03-04", "female", "medium")
		en.grant(t, c.ID, consent.ScopeOrganisation, en.org("thb"), false)
		in := referral.ReferralInput{ServiceID: thb, Urgency: "routine", Reason: "Needs safe accommodation"}

		if err := lic.SetRequired(ctx, coord, true); err != nil {
			t.Fatal(err)
		}
		if err := lic.SetRequired(ctx, en.users["thb"], true); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a shelter turning the rule on: %v", err)
		}
		_, err := en.svc.Create(ctx, en.users["police"], c.ID, in)
		if e := errs.As(err); e == nil || e.Field != "service_id" || e.Key != "licensing.refused.none" {
			t.Fatalf("referral to an unlicensed provider: %v", err)
		}
		day := en.clk.Now().Format("2006-01-02")
		l, err := lic.Record(ctx, coord, licensing.LicenceInput{OrgID: en.org("thb"), Number: "MLSW-2026-001",
			Category: "shelter_trafficking", IssuedOn: "2025-06-01", ValidUntil: en.clk.Now().AddDate(0, 0, 10).Format("2006-01-02")})
		if err != nil {
			t.Fatal(err)
		}
		if l.Effective != licensing.StatusActive {
			t.Errorf("new licence %s", l.Effective)
		}
		list, _, err := en.svc.FindServices(ctx, en.users["police"], referral.ServiceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range list {
			if o.ID == thb && o.Licence != licensing.StatusActive {
				t.Errorf("directory shows %q", o.Licence)
			}
		}
		rem, err := lic.Reminders(ctx, coord)
		if err != nil || len(rem) != 1 || rem[0].Kind != "licence_expiring" {
			t.Errorf("reminders %+v %v", rem, err)
		}
		// The licence expires: the referral is refused, nothing stored.
		en.clk.Advance(11 * 24 * time.Hour)
		_, err = en.svc.Create(ctx, en.users["police"], c.ID, in)
		if e := errs.As(err); e == nil || e.Key != "licensing.refused.expired" {
			t.Fatalf("referral to an expired licence: %v", err)
		}
		if _, n, _ := en.svc.FindReferrals(ctx, en.users["thb"], referral.ReferralFilter{Direction: "in"}); n != 0 {
			t.Errorf("%d referrals stored", n)
		}
		rem, _ = lic.Reminders(ctx, coord)
		if len(rem) != 1 || rem[0].Kind != "licence_expired" {
			t.Errorf("reminders after expiry %+v", rem)
		}
		// Renewed, then suspended.
		if err := lic.SetStatus(ctx, coord, l.ID, licensing.StatusSuspended, "2027-12-31", l.Version); err != nil {
			t.Fatal(err)
		}
		if err := lic.SetStatus(ctx, coord, l.ID, licensing.StatusActive, "", l.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale form: %v", err)
		}
		_, err = en.svc.Create(ctx, en.users["police"], c.ID, in)
		if e := errs.As(err); e == nil || e.Key != "licensing.refused.suspended" {
			t.Fatalf("referral to a suspended licence: %v", err)
		}
		if err := lic.SetStatus(ctx, coord, l.ID, licensing.StatusActive, "", l.Version+1); err != nil {
			t.Fatal(err)
		}
		if _, err := en.svc.Create(ctx, en.users["police"], c.ID, in); err != nil {
			t.Fatalf("referral to a licensed provider: %v", err)
		}
		// The rule off: an unlicensed provider receives referrals again.
		if err := lic.SetRequired(ctx, coord, false); err != nil {
			t.Fatal(err)
		}
		_ = day
		// Providers see their own licences only.
		own, err := lic.List(ctx, access.Actor{UserID: "p", OrgID: en.org("thb"), Role: access.Provider})
		if err != nil || len(own) != 1 {
			t.Errorf("provider's own licences: %d %v", len(own), err)
		}
		other, err := lic.List(ctx, access.Actor{UserID: "p", OrgID: en.org("dv"), Role: access.Provider})
		if err != nil || len(other) != 0 {
			t.Errorf("another provider sees %d licences (%v)", len(other), err)
		}
		if _, err := lic.Licence(ctx, access.Actor{UserID: "p", OrgID: en.org("dv"), Role: access.Provider}, l.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another provider's licence: %v", err)
		}
	})
}

// TestInspection: every standard of the checklist needs a finding; one
// not fully met needs a corrective action due after the inspection; a
// refused inspection stores nothing; an overdue action is a reminder.
func TestInspection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		lic, coord := en.app.Licensing, en.users["coord"]
		set := licensing.Sets[0]
		items := map[string]licensing.ItemInput{}
		for _, c := range set.Codes() {
			items[c] = licensing.ItemInput{Result: licensing.Met, Evidence: "Seen on site"}
		}
		in := licensing.InspectionInput{OrgID: en.org("thb"), Set: set.ID, InspectedOn: "2026-05-01", Items: items}
		delete(items, "staff_ratio")
		_, err := lic.RecordInspection(ctx, coord, in)
		if e := errs.As(err); e == nil || e.Field != "std-staff_ratio-result" {
			t.Fatalf("missing finding: %v", err)
		}
		items["staff_ratio"] = licensing.ItemInput{Result: licensing.Partly}
		_, err = lic.RecordInspection(ctx, coord, in)
		if e := errs.As(err); e == nil || e.Field != "std-staff_ratio-action" {
			t.Fatalf("no corrective action: %v", err)
		}
		items["staff_ratio"] = licensing.ItemInput{Result: licensing.Partly, CorrectiveAction: "Second night worker", DueOn: "2026-04-01"}
		_, err = lic.RecordInspection(ctx, coord, in)
		if e := errs.As(err); e == nil || e.Field != "std-staff_ratio-due" {
			t.Fatalf("due before the inspection: %v", err)
		}
		if all, _ := lic.Inspections(ctx, coord); len(all) != 0 {
			t.Fatalf("refused inspections stored: %d", len(all))
		}
		items["staff_ratio"] = licensing.ItemInput{Result: licensing.Partly, CorrectiveAction: "Second night worker", DueOn: "2026-05-03"}
		ins, err := lic.RecordInspection(ctx, coord, in)
		if err != nil {
			t.Fatal(err)
		}
		if ins.Met != len(set.Codes())-1 || ins.Partly != 1 || ins.Items[0].Code != set.Codes()[0] {
			t.Errorf("inspection %+v", ins)
		}
		rem, _ := lic.Reminders(ctx, coord)
		if len(rem) != 1 || rem[0].Kind != "action_overdue" || rem[0].Ref != "staff_ratio" {
			t.Errorf("reminders %+v", rem)
		}
		if err := lic.CompleteAction(ctx, coord, ins.ID, "staff_ratio", "2026-05-04"); err != nil {
			t.Fatal(err)
		}
		if rem, _ := lic.Reminders(ctx, coord); len(rem) != 0 {
			t.Errorf("reminders after the action: %+v", rem)
		}
	})
}

// TestServedBy: the persons a provider served in a period, counted for a
// grant's report: a referral accepted in the period is new, one accepted
// before and still running continues; a referral to another provider and
// one still pending are not counted; only codes and counts come out.
func TestServedBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 12, nil)
		dv := en.service(t, "dv", "DV Shelter", referral.TypeDVShelter, 12, nil)
		refer := func(svc, org string) *referral.Referral {
			c := en.openCase(t, "1995-03-04", "female", "low")
			en.grant(t, c.ID, consent.ScopeOrganisation, en.org(org), false)
			r, err := en.svc.Create(ctx, en.users["police"], c.ID, referral.ReferralInput{ServiceID: svc, Urgency: "routine", Reason: "Safe stay"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		old := refer(thb, "thb")
		if _, err := en.svc.Accept(ctx, en.users["thb"], old.ID); err != nil {
			t.Fatal(err)
		}
		en.clk.Advance(40 * 24 * time.Hour)
		from := en.clk.Now().Format("2006-01-02")
		fresh := refer(thb, "thb")
		if _, err := en.svc.Accept(ctx, en.users["thb"], fresh.ID); err != nil {
			t.Fatal(err)
		}
		refer(thb, "thb") // pending: not served
		other := refer(dv, "dv")
		if _, err := en.svc.Accept(ctx, en.users["dv"], other.ID); err != nil {
			t.Fatal(err)
		}
		to := en.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")
		got, err := en.svc.ServedBy(ctx, en.org("thb"), from, to)
		if err != nil {
			t.Fatal(err)
		}
		var newN, cont int64
		for _, s := range got {
			if s.ServiceType != referral.TypeTHBShelter || s.Sex != "female" || s.AgeBand == "" || s.NationalityGroup == "" {
				t.Errorf("row %+v", s)
			}
			if s.New {
				newN += s.Count
			} else {
				cont += s.Count
			}
		}
		if newN != 1 || cont != 1 {
			t.Errorf("new %d, continuing %d; want 1 and 1 (%+v)", newN, cont, got)
		}
	})
}
