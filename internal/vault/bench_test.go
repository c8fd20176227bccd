package vault_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

// BenchmarkSealOpen2KB is the case page's hot path: one 2 KB field sealed and
// opened with its data key cached. Target: well under 50 µs.
func BenchmarkSealOpen2KB(b *testing.B) {
	ctx := context.Background()
	db := storetest.New(b, store.SQLite)
	kr, _ := MustKeyring(b)
	v := vault.New(db, kr)
	k := MustDataKey(b, db, v)
	aad := vault.AAD{Table: "cases", Row: "c1", Field: "narrative"}
	rec := bytes.Repeat([]byte("narrative "), 205)[:2048]
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		ct, err := v.Seal(ctx, db.Read(), k, aad, rec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Open(ctx, db.Read(), k, aad, ct); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewDataKey is one data key per new case or person, committed.
func BenchmarkNewDataKey(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.New(b, e)
			kr, _ := MustKeyring(b)
			v := vault.New(db, kr)
			for b.Loop() {
				if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
					_, err := v.NewDataKey(ctx, tx, "case")
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenUncached is the cost of a cache miss: read and unwrap.
func BenchmarkOpenUncached(b *testing.B) {
	ctx := context.Background()
	db := storetest.New(b, store.SQLite)
	kr, _ := MustKeyring(b)
	v := vault.New(db, kr)
	k := MustDataKey(b, db, v)
	aad := vault.AAD{Table: "cases", Row: "c1", Field: "narrative"}
	ct := MustSeal(b, db, v, k, aad, "x")
	for b.Loop() {
		if _, err := vault.New(db, kr).Open(ctx, db.Read(), k, aad, ct); err != nil {
			b.Fatal(err)
		}
	}
}
