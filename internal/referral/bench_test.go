package referral_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// fillDirectory inserts n services of the given types round-robin (with
// eligibility on some) in one transaction, spread over the providers.
func fillDirectory(b *testing.B, en *env, n int, types []string) {
	b.Helper()
	orgs := []string{en.org("thb"), en.org("dv"), en.org("isf"), en.org("child"), en.org("advocate")}
	err := en.app.DB.InTx(context.Background(), en.clk.Now(), func(tx *store.Tx) error {
		for i := range n {
			typ := types[i%len(types)]
			beds := 0
			if referral.IsShelter(typ) {
				beds = 5 + i%30
			}
			ageMin, sex := -1, ""
			if i%7 == 0 {
				ageMin, sex = 18, "female"
			}
			if _, err := tx.ExecContext(context.Background(), `INSERT INTO services (id, org_id, name, type, sex, age_min,
				languages, beds_total, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'sq,en', $7, $8, $8)`,
				store.NewID(), orgs[i%len(orgs)], "Service "+strconv.Itoa(i), typ, sex, ageMin, beds, store.T(tx.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPropose: the placements of one case over 5,000 services (every
// type), read with their occupancy and ranked. Target: under 10 ms.
func BenchmarkPropose(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			en := newEnv(b, e)
			fillDirectory(b, en, 5000, referral.Types)
			c := en.openCase(b, "1990-01-01", "female", "high")
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				ps, err := en.svc.Propose(ctx, en.users["police"], c.ID, referral.PlacementQuery{Languages: []string{"sq"}})
				if err != nil || len(ps) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAvailability: the live board over 500 shelters with stays and
// accepted referrals counted. Target: under 50 ms.
func BenchmarkAvailability(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			en := newEnv(b, e)
			fillDirectory(b, en, 500, []string{referral.TypeTHBShelter, referral.TypeDVShelter, referral.TypeChildShelter,
				referral.TypeSecureFacility})
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				list, err := en.svc.Availability(ctx, en.users["advocate"])
				if err != nil || len(list) != 500 {
					b.Fatal(len(list), err)
				}
			}
		})
	}
}
