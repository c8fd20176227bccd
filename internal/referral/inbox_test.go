package referral_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestInboxPages: an inbox lists the pending referrals first, then the
// answered ones newest first, and pages through both without a gap or a
// repeat, whatever the page size.
func TestInboxPages(t *testing.T) {
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
			en.clk.Advance(time.Hour)
		}
		for _, id := range ids[:3] { // the three oldest are answered
			if _, err := en.svc.Accept(ctx, en.users["thb"], id); err != nil {
				t.Fatal(err)
			}
		}
		// pending: ids[3], ids[4] by deadline; then answered newest first
		want := []string{ids[3], ids[4], ids[2], ids[1], ids[0]}
		for _, size := range []int{1, 2, 3, 5} {
			var got []string
			for off := 0; off < 10; off += size {
				page, total, err := en.svc.FindReferrals(ctx, en.users["thb"], referral.ReferralFilter{Direction: "in", Limit: size, Offset: off})
				if err != nil || total != 5 {
					t.Fatalf("page size %d offset %d: total %d, %v", size, off, total, err)
				}
				for _, r := range page {
					got = append(got, r.ID)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("page size %d: %d referrals, want %d", size, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("page size %d: position %d is %s, want %s", size, i, got[i], want[i])
				}
			}
		}
	})
}

// TestShelterTypesInQueries: the reserved-beds query and its partial index
// list exactly the shelter types IsShelter knows.
func TestShelterTypesInQueries(t *testing.T) {
	var src []byte
	for _, f := range []string{"directory_cache.go", "services.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "service_type IN ('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility')") {
			t.Errorf("%s counts reserved beds without the shelter types", f)
		}
		src = append(src, b...)
	}
	mig, err := os.ReadFile("../store/migrations/0009_scale.sql")
	if err != nil {
		t.Fatal(err)
	}
	list := "service_type IN ('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility')"
	for _, typ := range []string{referral.TypeTHBShelter, referral.TypeDVShelter, referral.TypeChildShelter, referral.TypeSecureFacility} {
		if !referral.IsShelter(typ) || !strings.Contains(list, "'"+typ+"'") {
			t.Errorf("shelter type %s missing from the list", typ)
		}
	}
	if !strings.Contains(string(src), list) || !strings.Contains(string(mig), list) {
		t.Errorf("the reserved-beds query or its index does not list the shelter types as %q", list)
	}
}
