package vault_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

// FuzzOpen feeds arbitrary bytes to Open: it must fail cleanly, never panic,
// and never accept bytes it did not seal. Seeds are in testdata/fuzz/FuzzOpen.
func FuzzOpen(f *testing.F) {
	ctx := context.Background()
	db := storetest.New(f, store.SQLite)
	kr, _ := MustKeyring(f)
	v := vault.New(db, kr)
	k := MustDataKey(f, db, v)
	aad := vault.AAD{Table: "t", Row: "r", Field: "f"}
	f.Add(MustSeal(f, db, v, k, aad, "a sealed value"))
	f.Fuzz(func(t *testing.T, ct []byte) {
		pt, err := v.Open(ctx, db.Read(), k, aad, ct)
		if err == nil && string(pt) != "a sealed value" {
			t.Fatalf("Open accepted forged bytes: %q", pt)
		}
	})
}
