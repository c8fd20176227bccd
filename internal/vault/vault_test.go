package vault_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

// MustKeyring creates a fresh key file in a temporary directory.
func MustKeyring(t testing.TB) (*vault.Keyring, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	kr, created, err := vault.LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate: created=%v err=%v", created, err)
	}
	return kr, path
}

// MustDataKey creates a committed data key.
func MustDataKey(t testing.TB, db *store.DB, v *vault.Vault) string {
	t.Helper()
	var id string
	err := db.InTx(context.Background(), time.Now(), func(tx *store.Tx) error {
		var err error
		id, err = v.NewDataKey(context.Background(), tx, "case")
		return err
	})
	if err != nil {
		t.Fatalf("NewDataKey: %v", err)
	}
	return id
}

func MustSeal(t testing.TB, db *store.DB, v *vault.Vault, keyID string, aad vault.AAD, s string) []byte {
	t.Helper()
	ct, err := v.SealString(context.Background(), db.Read(), keyID, aad, s)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return ct
}

func TestSealOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr, _ := MustKeyring(t)
		v := vault.New(db, kr)
		k1, k2 := MustDataKey(t, db, v), MustDataKey(t, db, v)
		aad := vault.AAD{Table: "persons", Row: "p1", Field: "name"}
		ct := MustSeal(t, db, v, k1, aad, "Drita Krasniqi")

		t.Run("RoundTrip", func(t *testing.T) {
			for _, want := range []string{"", "Drita Krasniqi", "Дрита Красниqи", string(bytes.Repeat([]byte{0}, 3000))} {
				got, err := v.OpenString(ctx, db.Read(), k1, aad, MustSeal(t, db, v, k1, aad, want))
				if err != nil || got != want {
					t.Fatalf("got %q, %v; want %q", got, err, want)
				}
			}
		})
		t.Run("RoundTripFreshVault", func(t *testing.T) {
			got, err := vault.New(db, kr).OpenString(ctx, db.Read(), k1, aad, ct)
			if err != nil || got != "Drita Krasniqi" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
		t.Run("NoPlaintextInCiphertext", func(t *testing.T) {
			if bytes.Contains(ct, []byte("Drita")) {
				t.Fatal("ciphertext contains the plaintext")
			}
		})
		t.Run("SealInCreatingTx", func(t *testing.T) {
			err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
				id, err := v.NewDataKey(ctx, tx, "person")
				if err != nil {
					return err
				}
				ct, err := v.SealString(ctx, tx, id, aad, "x")
				if err != nil {
					return err
				}
				_, err = v.OpenString(ctx, tx, id, aad, ct)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})

		wrong := []struct {
			name  string
			keyID string
			aad   vault.AAD
		}{
			{"ErrTamperedOtherRow", k1, vault.AAD{Table: "persons", Row: "p2", Field: "name"}},
			{"ErrTamperedOtherField", k1, vault.AAD{Table: "persons", Row: "p1", Field: "phone"}},
			{"ErrTamperedOtherTable", k1, vault.AAD{Table: "cases", Row: "p1", Field: "name"}},
			{"ErrTamperedShiftedBoundary", k1, vault.AAD{Table: "person", Row: "sp1", Field: "name"}},
			{"ErrTamperedOtherKey", k2, aad},
		}
		for _, tc := range wrong {
			t.Run(tc.name, func(t *testing.T) {
				_, err := v.Open(ctx, db.Read(), tc.keyID, tc.aad, ct)
				if !errors.Is(err, vault.ErrTampered) {
					t.Fatalf("got %v, want ErrTampered", err)
				}
			})
		}

		t.Run("ErrTamperedSwappedRows", func(t *testing.T) {
			a1 := vault.AAD{Table: "persons", Row: "p1", Field: "phone"}
			a2 := vault.AAD{Table: "persons", Row: "p2", Field: "phone"}
			c1, c2 := MustSeal(t, db, v, k1, a1, "+383 44 000 001"), MustSeal(t, db, v, k1, a2, "+383 44 000 002")
			if _, err := v.Open(ctx, db.Read(), k1, a1, c2); !errors.Is(err, vault.ErrTampered) {
				t.Fatalf("row 1 with row 2's ciphertext: got %v, want ErrTampered", err)
			}
			if _, err := v.Open(ctx, db.Read(), k1, a2, c1); !errors.Is(err, vault.ErrTampered) {
				t.Fatalf("row 2 with row 1's ciphertext: got %v, want ErrTampered", err)
			}
		})
		t.Run("ErrTamperedFlippedBit", func(t *testing.T) {
			for i := range ct {
				bad := bytes.Clone(ct)
				bad[i] ^= 0x01
				if _, err := v.Open(ctx, db.Read(), k1, aad, bad); !errors.Is(err, vault.ErrTampered) {
					t.Fatalf("byte %d flipped: got %v, want ErrTampered", i, err)
				}
			}
		})
	})
}

func TestShred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr, _ := MustKeyring(t)
		v := vault.New(db, kr)
		doomed, kept := MustDataKey(t, db, v), MustDataKey(t, db, v)
		aad := vault.AAD{Table: "cases", Row: "c1", Field: "narrative"}
		ct := MustSeal(t, db, v, doomed, aad, "secret")
		ctKept := MustSeal(t, db, v, kept, aad, "kept")
		other := vault.New(db, kr) // another node, with the key cached
		if _, err := other.Open(ctx, db.Read(), doomed, aad, ct); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error { return v.Shred(ctx, tx, doomed) }); err != nil {
			t.Fatal(err)
		}

		t.Run("ErrShredded", func(t *testing.T) {
			if _, err := v.Open(ctx, db.Read(), doomed, aad, ct); !errors.Is(err, vault.ErrShredded) {
				t.Fatalf("got %v, want ErrShredded", err)
			}
		})
		t.Run("ErrShreddedFreshVault", func(t *testing.T) {
			if _, err := vault.New(db, kr).Open(ctx, db.Read(), doomed, aad, ct); !errors.Is(err, vault.ErrShredded) {
				t.Fatalf("got %v, want ErrShredded", err)
			}
		})
		t.Run("ErrShreddedOnSeal", func(t *testing.T) {
			if _, err := v.Seal(ctx, db.Read(), doomed, aad, []byte("x")); !errors.Is(err, vault.ErrShredded) {
				t.Fatalf("got %v, want ErrShredded", err)
			}
		})
		t.Run("WrappedKeyWiped", func(t *testing.T) {
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM data_keys WHERE id = $1 AND wrapped IS NULL AND destroyed_at IS NOT NULL`, doomed).Scan(&n)
			if n != 1 {
				t.Fatalf("got %d wiped rows, want 1", n)
			}
		})
		t.Run("OtherKeysUnharmed", func(t *testing.T) {
			if got, err := v.OpenString(ctx, db.Read(), kept, aad, ctKept); err != nil || got != "kept" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
		t.Run("ShredTwiceOK", func(t *testing.T) {
			if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error { return v.Shred(ctx, tx, doomed) }); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("RolledBackShredKeepsKey", func(t *testing.T) {
			errRollback := errors.New("rollback")
			err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
				if err := v.Shred(ctx, tx, kept); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if _, err := v.Open(ctx, db.Read(), kept, aad, ctKept); err != nil {
				t.Fatalf("got %v, want the key to survive", err)
			}
		})
	})
}

func TestBlindIndex(t *testing.T) {
	kr, _ := MustKeyring(t)
	v := vault.New(nil, kr)
	a := v.BlindIndex("email", "drita@example.org")
	if got := v.BlindIndex("email", "drita@example.org"); !bytes.Equal(got, a) || len(got) != 32 {
		t.Fatalf("not stable or not 32 bytes: %x vs %x", got, a)
	}
	other, _ := MustKeyring(t)
	tests := []struct {
		name string
		got  []byte
	}{
		{"OtherDomain", v.BlindIndex("name", "drita@example.org")},
		{"OtherValue", v.BlindIndex("email", "drita@example.com")},
		{"DomainValueBoundary", v.BlindIndex("emai", "ldrita@example.org")},
		{"OtherKeyFile", vault.New(nil, other).BlindIndex("email", "drita@example.org")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Equal(tc.got, a) {
				t.Fatal("index collides")
			}
		})
	}
}
