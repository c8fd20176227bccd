package cases

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// BenchmarkCoarseWrite is what the coarse aggregates add to the
// transaction of a change: a registration (every division and the stage
// count, +1) and a stage change with a decision (the status divisions and
// the stage count moved; two transactions an iteration, there and back),
// each against "base", a transaction with the monthly aggregates' upserts.
func BenchmarkCoarseWrite(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.New(b, e)
			ctx := context.Background()
			k := &statKey{month: "2026-05", municipality: "Prizren", status: "possible", sex: "female", band: "18-24",
				citizenship: "XK", stage: "screening", forms: []string{"SexualExploitation"}}
			moved := *k
			moved.status, moved.stage = "presumed", "identification"
			now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
			// The same transaction with the monthly aggregates' one upsert
			// only: the base the coarse writes add to.
			b.Run("base", func(b *testing.B) {
				for b.Loop() {
					if err := db.InTx(ctx, now, func(tx *store.Tx) error { return addStat(ctx, tx, k, 1) }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("register", func(b *testing.B) {
				for b.Loop() {
					if err := db.InTx(ctx, now, func(tx *store.Tx) error { return addCoarse(ctx, tx, k, 1) }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("move", func(b *testing.B) {
				for b.Loop() {
					if err := db.InTx(ctx, now, func(tx *store.Tx) error { return moveCoarse(ctx, tx, k, &moved) }); err != nil {
						b.Fatal(err)
					}
					if err := db.InTx(ctx, now, func(tx *store.Tx) error { return moveCoarse(ctx, tx, &moved, k) }); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
