package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

type dataKeyRow struct {
	id, purpose, created string
	version              int
	wrapped              []byte
}

// copyDataKeys reads data_keys, as a backup would hold them.
func copyDataKeys(t *testing.T, db *store.DB) []dataKeyRow {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT id, purpose, master_version, wrapped, created_at FROM data_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []dataKeyRow
	for rows.Next() {
		var r dataKeyRow
		if err := rows.Scan(&r.id, &r.purpose, &r.version, &r.wrapped, &r.created); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func restoreDataKeys(t *testing.T, e store.Engine, rows []dataKeyRow) *store.DB {
	t.Helper()
	db := storetest.New(t, e)
	err := db.InTx(context.Background(), time.Now(), func(tx *store.Tx) error {
		for _, r := range rows {
			if _, err := tx.Exec(`INSERT INTO data_keys (id, purpose, master_version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)`,
				r.id, r.purpose, r.version, r.wrapped, r.created); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRotate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr, path := MustKeyring(t)
		oldKeyFile, _ := os.ReadFile(path)
		v := vault.New(db, kr)
		aad := vault.AAD{Table: "cases", Row: "c1", Field: "narrative"}
		doomed := MustDataKey(t, db, v)
		ctDoomed := MustSeal(t, db, v, doomed, aad, "shredded story")
		keys := map[string][]byte{}
		for range 7 {
			k := MustDataKey(t, db, v)
			keys[k] = MustSeal(t, db, v, k, aad, "kept story")
		}
		before := copyDataKeys(t, db) // the backup of the day
		if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error { return v.Shred(ctx, tx, doomed) }); err != nil {
			t.Fatal(err)
		}

		res, err := vault.Rotate(ctx, db, path)
		if err != nil {
			t.Fatal(err)
		}
		if res.From != 1 || res.To != 2 || res.Rewrapped != 7 || len(res.Retired) != 1 || res.Retired[0] != 1 {
			t.Fatalf("got %+v, want 1→2, 7 re-wrapped, version 1 retired", res)
		}
		newKr, err := vault.Load(path)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("OldDataOpens", func(t *testing.T) {
			for _, vv := range []*vault.Vault{v, vault.New(db, newKr)} {
				for k, ct := range keys {
					if got, err := vv.OpenString(ctx, db.Read(), k, aad, ct); err != nil || got != "kept story" {
						t.Fatalf("got %q, %v", got, err)
					}
				}
			}
		})
		t.Run("AllKeysAtNewVersion", func(t *testing.T) {
			for _, r := range copyDataKeys(t, db) {
				if r.version != 2 {
					t.Fatalf("key %s at version %d, want 2", r.id, r.version)
				}
			}
		})
		t.Run("OldVersionGoneFromFile", func(t *testing.T) {
			if got := newKr.CurrentVersion(); got != 2 {
				t.Fatalf("got current %d, want 2", got)
			}
			if _, err := newKr.DeriveKey(1, nil, "test", 32); err == nil {
				t.Fatal("version 1 still in the key file")
			}
		})
		t.Run("AuditKeyKept", func(t *testing.T) {
			id1, _ := kr.AuditSigningKey()
			id2, _ := newKr.AuditSigningKey()
			if id1 != id2 {
				t.Fatalf("audit signing key changed: %s → %s", id1, id2)
			}
		})
		t.Run("OldBackupCannotYieldShreddedKey", func(t *testing.T) {
			old := restoreDataKeys(t, db.Engine, before)
			_, err := vault.New(old, newKr).Open(ctx, old.Read(), doomed, aad, ctDoomed)
			if !errors.Is(err, vault.ErrShredded) {
				t.Fatalf("got %v, want ErrShredded", err)
			}
			// The old key file would still open it: that is why rotation retires it.
			p := filepath.Join(t.TempDir(), "old.key")
			os.WriteFile(p, oldKeyFile, 0o600)
			oldKr, err := vault.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := vault.New(old, oldKr).Open(ctx, old.Read(), doomed, aad, ctDoomed); err != nil {
				t.Fatalf("old key file on old backup: %v", err)
			}
		})
		t.Run("RunningNodePicksUpNewVersion", func(t *testing.T) {
			k := MustDataKey(t, db, v) // v was loaded before the rotation
			var got int
			db.Read().QueryRowContext(ctx, `SELECT master_version FROM data_keys WHERE id = $1`, k).Scan(&got)
			if got != 2 {
				t.Fatalf("new key wrapped under version %d, want 2", got)
			}
		})
	})
}

func TestRotateResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr, path := MustKeyring(t)
		v := vault.New(db, kr)
		aad := vault.AAD{Table: "persons", Row: "p", Field: "name"}
		keys := map[string][]byte{}
		for range 5 {
			k := MustDataKey(t, db, v)
			keys[k] = MustSeal(t, db, v, k, aad, "name")
		}
		crash := errors.New("crash")
		restore := vault.SetRotateHook(2, func() error { return crash })
		_, err := vault.Rotate(ctx, db, path)
		restore()
		if !errors.Is(err, crash) {
			t.Fatalf("got %v, want the simulated crash", err)
		}
		t.Run("MidwayDataOpens", func(t *testing.T) {
			mid, err := vault.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			for k, ct := range keys {
				if _, err := vault.New(db, mid).Open(ctx, db.Read(), k, aad, ct); err != nil {
					t.Fatal(err)
				}
			}
		})
		res, err := vault.Rotate(ctx, db, path)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Resumed || res.To != 2 || res.Rewrapped != 3 {
			t.Fatalf("got %+v, want a resumed rotation to 2 re-wrapping the last 3", res)
		}
		final, _ := vault.Load(path)
		for k, ct := range keys {
			if _, err := vault.New(db, final).Open(ctx, db.Read(), k, aad, ct); err != nil {
				t.Fatal(err)
			}
		}
	})
}
