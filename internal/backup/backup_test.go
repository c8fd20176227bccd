package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/backup"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

// platformTables are the tables the fixtures fill, compared after restore.
var platformTables = []string{"settings", "data_keys", "organisations", "users", "audit_events", "audit_head", "job_locks"}

func MustKeyring(t testing.TB) *vault.Keyring {
	t.Helper()
	kr, _, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// MustFill inserts n users (with their organisations, data keys and sealed
// fields) and n audit events, with SQL directly.
func MustFill(t testing.TB, db *store.DB, kr *vault.Keyring, n int) {
	t.Helper()
	ctx := context.Background()
	v := vault.New(db, kr)
	now := store.FormatTime(time.Now())
	err := db.InTx(ctx, time.Now(), func(tx *store.Tx) (err error) {
		exec := func(q string, args ...any) {
			if err == nil {
				_, err = tx.ExecContext(ctx, q, args...)
			}
		}
		exec(`INSERT INTO settings (name, value) VALUES ('instance.country', 'XK'), ('weird', 'ë "quoted" \n')`)
		exec(`INSERT INTO organisations (id, name, type, created_at, updated_at) VALUES ('o1', 'Qendra', 'ngo', $1, $1)`, now)
		exec(`INSERT INTO job_locks (name, holder, expires_at) VALUES ('retention', 'node-1', $1)`, now)
		for i := range n {
			k, kerr := v.NewDataKey(ctx, tx, "user")
			if kerr != nil {
				return kerr
			}
			id := fmt.Sprintf("u%05d", i)
			email, _ := v.SealString(ctx, tx, k, vault.AAD{Table: "users", Row: id, Field: "email"}, id+"@example.org")
			name, _ := v.SealString(ctx, tx, k, vault.AAD{Table: "users", Row: id, Field: "name"}, "Name "+id)
			exec(`INSERT INTO users (id, org_id, role, key_id, email_index, email_enc, name_enc, password_hash,
				totp_last_step, password_changed_at, created_at, updated_at, locked_until)
				VALUES ($1, 'o1', 'caseworker', $2, $3, $4, $5, 'hash', $6, $7, $7, $7, NULL)`,
				id, k, v.BlindIndex("email", id), email, name, int64(1)<<40+int64(i), now)
			exec(`INSERT INTO audit_events (seq, at, actor_id, action, prev_hash, hash) VALUES ($1, $2, $3, 'user.create', $4, $5)`,
				int64(i+1), now, id, []byte{}, bytes.Repeat([]byte{byte(i)}, 32))
		}
		exec(`INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)`, int64(n), []byte{1, 2, 3})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dump renders every fixture table as sorted text, comparable across engines.
func dump(t testing.TB, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range platformTables {
		rows, err := db.Read().QueryContext(context.Background(), `SELECT * FROM `+tbl+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintf(&b, "%s:", tbl)
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					fmt.Fprintf(&b, " x%x", x)
				case nil:
					b.WriteString(" NULL")
				default:
					fmt.Fprintf(&b, " %v", x)
				}
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

func mustWrite(t testing.TB, db *store.DB, kr *vault.Keyring) ([]byte, backup.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := backup.Write(context.Background(), db, kr, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), st
}

func TestRoundTrip(t *testing.T) {
	kr := MustKeyring(t)
	for _, from := range storetest.Engines(t) {
		for _, to := range storetest.Engines(t) {
			t.Run(string(from)+"_to_"+string(to), func(t *testing.T) {
				ctx := context.Background()
				src := storetest.New(t, from)
				MustFill(t, src, kr, 50)
				b, wst := mustWrite(t, src, kr)
				dst := storetest.New(t, to)
				rst, err := backup.Restore(ctx, dst, kr, bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := dump(t, dst), dump(t, src); got != want {
					t.Fatalf("restored rows differ:\ngot  %.500s\nwant %.500s", got, want)
				}
				if wst.Rows != 50*3+5 || rst.Rows != wst.Rows || rst.Tables != wst.Tables || rst.Bytes != int64(len(b)) || wst.Bytes != int64(len(b)) {
					t.Fatalf("stats: wrote %+v, restored %+v, file %d bytes", wst, rst, len(b))
				}
				if bytes.Contains(b, []byte("Qendra")) || bytes.Contains(b, []byte("caseworker")) {
					t.Fatal("backup holds plain text")
				}
				var id, keyID string
				var enc []byte
				dst.Read().QueryRowContext(ctx, `SELECT id, key_id, name_enc FROM users WHERE id = 'u00007'`).Scan(&id, &keyID, &enc)
				got, err := vault.New(dst, kr).OpenString(ctx, dst.Read(), keyID, vault.AAD{Table: "users", Row: id, Field: "name"}, enc)
				if err != nil || got != "Name u00007" {
					t.Fatalf("sealed field after restore: got %q, %v", got, err)
				}
			})
		}
	}
}

// mustBeEmpty fails unless every fixture table of db is empty.
func mustBeEmpty(t *testing.T, db *store.DB) {
	t.Helper()
	for _, tbl := range platformTables {
		var n int
		db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+tbl).Scan(&n)
		if n != 0 {
			t.Fatalf("%s has %d rows after a refused restore", tbl, n)
		}
	}
}

func TestRestoreRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		kr := MustKeyring(t)
		MustFill(t, db, kr, 400) // several segments
		good, _ := mustWrite(t, db, kr)
		if len(good) < 3*64<<10 {
			t.Logf("backup is %d bytes", len(good))
		}
		flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x20; return b }
		tests := []struct {
			name string
			file []byte
			kr   *vault.Keyring
			want string
		}{
			{"ErrEmptyFile", nil, kr, "not a Ura backup"},
			{"ErrTruncatedInHeader", good[:20], kr, "corrupted"},
			{"ErrTruncatedMidway", good[:len(good)/2], kr, "corrupted"},
			{"ErrTruncatedFinalSegment", good[:len(good)-1], kr, "corrupted"},
			{"ErrTruncatedAtSegmentBoundary", good[:len(good)-segmentTail(good)], kr, "corrupted"},
			{"ErrTrailingBytes", append(bytes.Clone(good), 0), kr, "corrupted"},
			{"ErrFlippedHeaderByte", flip(20), kr, ""},
			{"ErrFlippedFirstSegmentByte", flip(300), kr, "corrupted"},
			{"ErrFlippedMiddleByte", flip(len(good) / 2), kr, "corrupted"},
			{"ErrFlippedLastByte", flip(len(good) - 1), kr, "corrupted"},
			{"ErrWrongKeyFile", good, MustKeyring(t), "not made with this key file"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				dst := storetest.New(t, db.Engine)
				_, err := backup.Restore(context.Background(), dst, tc.kr, bytes.NewReader(tc.file))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want an error with %q", err, tc.want)
				}
				mustBeEmpty(t, dst)
			})
		}
		t.Run("ErrWrongKeyFileIsErrWrongKey", func(t *testing.T) {
			_, err := backup.Restore(context.Background(), storetest.New(t, db.Engine), MustKeyring(t), bytes.NewReader(good))
			if !errors.Is(err, backup.ErrWrongKey) {
				t.Fatalf("got %v, want ErrWrongKey", err)
			}
		})
		t.Run("ErrNotEmpty", func(t *testing.T) {
			_, err := backup.Restore(context.Background(), db, kr, bytes.NewReader(good))
			if !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("got %v, want ErrNotEmpty", err)
			}
		})
		t.Run("ErrNewerSchema", func(t *testing.T) {
			src := storetest.New(t, db.Engine)
			src.InTx(context.Background(), time.Now(), func(tx *store.Tx) error {
				_, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')`)
				return err
			})
			b, _ := mustWrite(t, src, kr)
			_, err := backup.Restore(context.Background(), storetest.New(t, db.Engine), kr, bytes.NewReader(b))
			if err == nil || !strings.Contains(err.Error(), "newer Ura") {
				t.Fatalf("got %v, want a newer-schema refusal", err)
			}
		})
	})
}

// segmentTail is the size of the last segment frame of a backup, found by
// walking the frames after the header.
func segmentTail(b []byte) int {
	i := len("URA-BACKUP\n")
	hl := int(b[i])<<24 | int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
	i += 4 + hl + 32
	last := 0
	for i < len(b) {
		n := int(b[i+1])<<24 | int(b[i+2])<<16 | int(b[i+3])<<8 | int(b[i+4])
		last = 5 + n
		i += last
	}
	return last
}
