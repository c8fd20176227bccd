package audit_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

const fuzzEvents = 8

var eventCols = []string{"seq", "at", "actor_id", "actor_org", "actor_role", "action", "object_type",
	"object_id", "outcome", "purpose", "detail", "request_id", "prev_hash", "hash"}

var checkpointCols = []string{"seq", "hash", "at", "key_id", "signature"}

// FuzzVerify tampers with a signed 8-event chain (checkpoints at 5 and at the
// head, 8) in fuzzer-chosen ways and checks that Verify never panics, reports a
// problem whenever the stored trail differs from the original, and none when
// the mutations cancel out. Deleting checkpoints is left out: without a copy
// kept elsewhere that is undetectable by design (docs/audit.md).
//
// Each 4 bytes of input are one mutation (op, a, b, c): flip a bit in an event
// column, delete an event, swap two events' seq, flip a bit in a checkpoint
// column, truncate the tail and fix the head, or flip a bit in the head.
func FuzzVerify(f *testing.F) {
	db := storetest.New(f, store.SQLite)
	mustAppend(f, db, 0, 5)
	mustCheckpoint(f, db, "k1", keyA)
	mustAppend(f, db, 5, fuzzEvents-5)
	mustCheckpoint(f, db, "k1", keyA)
	original := dumpState(f, db.Read())
	restore := snapshotSQL(f, db)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, ops []byte) {
		err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
			for _, q := range restore {
				if _, err := tx.ExecContext(ctxBg, q.sql, q.args...); err != nil {
					return err
				}
			}
			for i := 0; i+4 <= len(ops) && i < 64; i += 4 {
				mutate(tx, ops[i], ops[i+1], ops[i+2], ops[i+3])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := audit.Verify(ctxBg, db, pubs)
		if err != nil {
			t.Fatal(err)
		}
		changed := dumpState(t, db.Read()) != original
		switch {
		case changed && rep.Problem == nil:
			t.Fatalf("trail changed but Verify found no problem: %+v", rep)
		case !changed && rep.Problem != nil:
			t.Fatalf("trail unchanged but Verify reports %+v", *rep.Problem)
		}
	})
}

// mutate applies one mutation; statements that fail (a seq collision) are
// rolled back by SQLite alone and leave the trail as it was.
func mutate(tx *store.Tx, op, a, b, c byte) {
	seqA, seqB := int64(a%fuzzEvents)+1, int64(b%fuzzEvents)+1
	switch op % 6 {
	case 0:
		flip(tx, "audit_events", eventCols[int(b)%len(eventCols)], seqA, c)
	case 1:
		tx.Exec(`DELETE FROM audit_events WHERE seq = $1`, seqA)
	case 2:
		tx.Exec(`UPDATE audit_events SET seq = -1 WHERE seq = $1`, seqA)
		tx.Exec(`UPDATE audit_events SET seq = $1 WHERE seq = $2`, seqA, seqB)
		tx.Exec(`UPDATE audit_events SET seq = $1 WHERE seq = -1`, seqB)
	case 3:
		cp := []int64{5, fuzzEvents}[a%2]
		flip(tx, "audit_checkpoints", checkpointCols[int(b)%len(checkpointCols)], cp, c)
	case 4:
		keep := int64(a % fuzzEvents)
		tx.Exec(`DELETE FROM audit_events WHERE seq > $1`, keep)
		tx.Exec(`UPDATE audit_head SET seq = $1, hash = COALESCE((SELECT hash FROM audit_events WHERE seq = $1), zeroblob(32))`, keep)
	case 5:
		flip(tx, "audit_head", []string{"seq", "hash"}[a%2], 1, c)
	}
}

// flip changes one bit of one stored value (or adds a byte to an empty one).
func flip(tx *store.Tx, table, col string, seq int64, c byte) {
	key := "seq"
	if table == "audit_head" {
		key = "id"
	}
	if col == "seq" {
		tx.Exec(`UPDATE `+table+` SET seq = (seq | $1) - (seq & $1) WHERE `+key+` = $2`, 1<<(c%7), seq)
		return
	}
	var v []byte
	var typ string
	if err := tx.QueryRow(`SELECT `+col+`, typeof(`+col+`) FROM `+table+` WHERE `+key+` = $1`, seq).Scan(&v, &typ); err != nil {
		return
	}
	if len(v) == 0 {
		v = []byte{c}
	} else {
		v[int(c/8)%len(v)] ^= 1 << (c % 8)
	}
	var arg any = v
	if typ == "text" {
		arg = string(v)
	}
	tx.Exec(`UPDATE `+table+` SET `+col+` = $1 WHERE `+key+` = $2`, arg, seq)
}

type stmt struct {
	sql  string
	args []any
}

// snapshotSQL returns statements that put the chain back as it is now.
func snapshotSQL(t testing.TB, db *store.DB) []stmt {
	t.Helper()
	out := []stmt{{sql: `DELETE FROM audit_events`}, {sql: `DELETE FROM audit_checkpoints`}, {sql: `DELETE FROM audit_head`}}
	for _, tbl := range []struct {
		name string
		cols []string
	}{{"audit_events", eventCols}, {"audit_checkpoints", checkpointCols}, {"audit_head", []string{"id", "seq", "hash"}}} {
		rows, err := db.Read().QueryContext(ctxBg, `SELECT `+strings.Join(tbl.cols, ", ")+` FROM `+tbl.name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(tbl.cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			marks := make([]string, len(vals))
			for i := range marks {
				marks[i] = fmt.Sprintf("$%d", i+1)
			}
			out = append(out, stmt{`INSERT INTO ` + tbl.name + ` (` + strings.Join(tbl.cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`, vals})
		}
		rows.Close()
	}
	return out
}

// dumpState renders the three audit tables, for comparison.
func dumpState(t testing.TB, q store.Querier) string {
	t.Helper()
	var b bytes.Buffer
	for _, query := range []string{
		`SELECT ` + strings.Join(eventCols, ", ") + ` FROM audit_events ORDER BY seq`,
		`SELECT ` + strings.Join(checkpointCols, ", ") + ` FROM audit_checkpoints ORDER BY seq`,
		`SELECT id, seq, hash FROM audit_head ORDER BY id`,
	} {
		rows, err := q.QueryContext(ctxBg, query)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%q\n", vals)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// FuzzCanonical: two events encode alike exactly when they are equal, however
// their text is split between fields ('|' separates fields in the input).
func FuzzCanonical(f *testing.F) {
	f.Add(int64(1), int64(0), "a|bc", int64(1), int64(0), "ab|c")
	f.Add(int64(7), int64(1_000_000), "u|o|r|case.read", int64(7), int64(1_000_000), "u|o|r|case.read")
	f.Fuzz(func(t *testing.T, seqA, atA int64, a string, seqB, atB int64, b string) {
		ea, eb := fuzzEvent(seqA, atA, a), fuzzEvent(seqB, atB, b)
		same := ea == eb
		if enc := bytes.Equal(ea.Canonical(), eb.Canonical()); enc != same {
			t.Fatalf("events equal = %v but encodings equal = %v:\n%+v\n%+v", same, enc, ea, eb)
		}
	})
}

func fuzzEvent(seq, at int64, s string) audit.Event {
	const maxMicros = 253402300799999999 // 9999-12-31, the last time TimeFormat renders
	if at < 0 {
		at = -(at + 1)
	}
	f := strings.SplitN(s, "|", 10)
	f = append(f, make([]string, 10-len(f))...)
	return audit.Event{Seq: seq, At: time.UnixMicro(at % maxMicros).UTC(),
		Actor: audit.Actor{UserID: f[0], OrgID: f[1], Role: f[2]}, Action: f[3], ObjectType: f[4],
		ObjectID: f[5], Outcome: f[6], Purpose: f[7], Detail: f[8], RequestID: f[9]}
}
