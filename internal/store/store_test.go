package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second migrate applied %d migrations, want 0", n)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema: %v", err)
		}
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01T00:00:00.000000Z')`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaNewer) {
			t.Errorf("CheckSchema = %v, want ErrSchemaNewer", err)
		}
		if _, err := db.Migrate(ctx); !errors.Is(err, store.ErrSchemaNewer) {
			t.Errorf("Migrate = %v, want ErrSchemaNewer", err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
			if _, err := tx.Exec(`INSERT INTO settings (name, value) VALUES ('a', 'b')`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("settings rows after rollback = %d, want 0", n)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ins := func() error {
			return db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
				_, err := tx.Exec(`INSERT INTO settings (name, value) VALUES ('k', 'v')`)
				return err
			})
		}
		if err := ins(); err != nil {
			t.Fatal(err)
		}
		if err := ins(); !store.IsUniqueViolation(err) {
			t.Errorf("IsUniqueViolation(%v) = false, want true", err)
		}
	})
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	fi, err := os.Stat(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("database file mode = %v, want no access for group or others", fi.Mode().Perm())
	}
}

func TestTimeRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		want := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
		err := db.InTx(ctx, want, func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO settings (name, value) VALUES ('t', $1)`, store.T(tx.Now))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got store.Time
		if err := db.Read().QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 't'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Valid || !got.Time.Equal(want) {
			t.Errorf("got %v, want %v", got.Time, want)
		}
	})
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data #2 ?x %41")
	db, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFile)); err != nil {
		t.Errorf("the database is not in the data directory: %v", err)
	}
}

// TestMigrateAppliesAGap: a migration numbered below one already applied (two
// branches merged, each with its own number) is still applied, and until it
// is the schema counts as out of date.
func TestMigrateAppliesAGap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Undo 0009 by hand, as if it had arrived after the later ones.
		err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
			for _, q := range []string{
				`DROP INDEX referrals_to_created`, `DROP INDEX referrals_from_state`, `DROP INDEX stays_referral`,
				`DROP INDEX referrals_reserved`, `DROP INDEX persons_updated`,
				`ALTER TABLE referrals DROP COLUMN admitted_at`,
				`DELETE FROM schema_migrations WHERE version = 9`,
			} {
				if _, err := tx.Exec(q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaOld) {
			t.Errorf("CheckSchema with 0009 missing = %v, want ErrSchemaOld", err)
		}
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("migrate applied %d migrations, want 1 (the gap)", n)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema after filling the gap: %v", err)
		}
	})
}

// TestNewOrderedID: the bulk writers' ids have NewID's form, differ, and
// share their first characters within a second (what keeps a bulk load's
// inserts together).
func TestNewOrderedID(t *testing.T) {
	a, b := store.NewOrderedID(), store.NewOrderedID()
	if len(a) != len(store.NewID()) || a == b {
		t.Fatalf("NewOrderedID = %q, %q", a, b)
	}
	for _, c := range a {
		if !strings.ContainsRune("abcdefghijkmnpqrstuvwxyz23456789", c) {
			t.Fatalf("NewOrderedID %q has %q", a, c)
		}
	}
	if a[:5] != b[:5] { // the first 25 bits change every 128 s
		t.Errorf("two ids a moment apart share no prefix: %q, %q", a, b)
	}
}
