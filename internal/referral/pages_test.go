package referral_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestReferralPageKeyset: the inbox in pages, newest first, each page after
// the last referral of the page before, with no gap or repeat; filtered by
// state; an unknown state or cursor is refused on its field; the count of
// pending referrals matches the filtered list.
func TestReferralPageKeyset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		svc := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 40, nil)
		var ids []string
		for range 5 {
			c := en.openCase(t, "1995-03-04", "female", "low")
			en.grant(t, c.ID, consent.ScopeOrganisation, en.org("thb"), false)
			r, err := en.svc.Create(ctx, en.users["police"], c.ID, referral.ReferralInput{ServiceID: svc, Urgency: "routine",
				Reason: "Needs accommodation"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
			if len(ids)%2 == 1 {
				en.clk.Advance(time.Hour) // two pairs share a creation time: the id breaks the tie
			}
		}
		if _, err := en.svc.Accept(ctx, en.users["thb"], ids[0]); err != nil {
			t.Fatal(err)
		}
		thb := en.users["thb"]
		walk := func(f referral.ReferralFilter) []string {
			var got []string
			before := ""
			for range 10 {
				p, err := en.svc.FindReferralPage(ctx, thb, f, before)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Referrals {
					got = append(got, r.ID)
				}
				if p.Older == "" {
					break
				}
				before = p.Older
			}
			return got
		}
		all := walk(referral.ReferralFilter{Direction: "in", Limit: 2})
		if len(all) != 5 {
			t.Fatalf("%d referrals over the pages, want 5", len(all))
		}
		seen := map[string]bool{}
		for i, id := range all {
			if seen[id] {
				t.Errorf("%s listed twice", id)
			}
			seen[id] = true
			if i > 0 && all[i-1] == ids[0] {
				t.Errorf("the oldest referral is not last: %v", all)
			}
		}
		if all[len(all)-1] != ids[0] {
			t.Errorf("oldest last: got %v", all)
		}
		pending := referral.StatePending
		if got := walk(referral.ReferralFilter{Direction: "in", Limit: 3, State: &pending}); len(got) != 4 {
			t.Errorf("%d pending over the pages, want 4", len(got))
		}
		if n, err := en.svc.CountReferrals(ctx, thb, referral.ReferralFilter{Direction: "in", State: &pending}); err != nil || n != 4 {
			t.Errorf("CountReferrals pending = %d, %v; want 4", n, err)
		}
		bad := "lost"
		if _, err := en.svc.FindReferralPage(ctx, thb, referral.ReferralFilter{State: &bad}, ""); errs.As(err) == nil || errs.As(err).Field != "state" {
			t.Errorf("unknown state: %v", err)
		}
		if _, err := en.svc.FindReferralPage(ctx, thb, referral.ReferralFilter{}, "nosuchid"); errs.As(err) == nil || errs.As(err).Field != "before" {
			t.Errorf("unknown cursor: %v", err)
		}
		// A cursor from someone else's list is unknown in one's own.
		if _, err := en.svc.FindReferralPage(ctx, en.users["police"], referral.ReferralFilter{}, ids[1]); errs.As(err) == nil || errs.As(err).Field != "before" {
			t.Errorf("a cursor outside the inbox: %v", err)
		}
	})
}
