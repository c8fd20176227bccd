package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
)

// t0 is the time of the first test event; each further event is a second later.
var t0 = time.Date(2026, 3, 2, 8, 30, 0, 123456000, time.UTC)

// Test signing keys, deterministic so failures reproduce.
var (
	keyA  = ed25519.NewKeyFromSeed(seed(1))
	keyB  = ed25519.NewKeyFromSeed(seed(2))
	pubs  = map[string]ed25519.PublicKey{"k1": keyA.Public().(ed25519.PublicKey)}
	ctxBg = context.Background()
)

func seed(b byte) []byte {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = b
	}
	return s
}

// sampleEvent returns the i-th event of a varied, realistic trail.
func sampleEvent(i int) audit.Event {
	actions := []string{"case.read", "case.update", "auth.signin", "auth.signin_failed", "user.create"}
	orgs := []string{"org-police", "org-shelter", "org-ministry"}
	e := audit.Event{
		At:         t0.Add(time.Duration(i) * time.Second),
		Actor:      audit.Actor{UserID: fmt.Sprintf("u%d", i%4), OrgID: orgs[i%3], Role: "case_worker"},
		Action:     actions[i%5],
		ObjectType: "case",
		ObjectID:   fmt.Sprintf("XK-2026-%04d", i%7),
		RequestID:  fmt.Sprintf("req-%d", i),
	}
	if i%5 == 3 {
		e.Outcome, e.ObjectType, e.ObjectID, e.Detail = audit.OutcomeFailed, "user", fmt.Sprintf("u%d", i%4), "reason=bad_password"
	}
	if i%6 == 5 {
		e.Purpose = fmt.Sprintf("break_glass:bg%d", i)
	}
	return e
}

// mustAppend appends events 0..n-1 (one transaction each) and returns their seqs.
func mustAppend(t testing.TB, db *store.DB, from, n int) []int64 {
	t.Helper()
	var seqs []int64
	for i := from; i < from+n; i++ {
		e := sampleEvent(i)
		err := db.InTx(ctxBg, e.At, func(tx *store.Tx) error {
			seq, err := audit.Append(ctxBg, tx, e)
			seqs = append(seqs, seq)
			return err
		})
		if err != nil {
			t.Fatalf("append event %d: %v", i, err)
		}
	}
	return seqs
}

func mustCheckpoint(t testing.TB, db *store.DB, keyID string, key ed25519.PrivateKey) int64 {
	t.Helper()
	seq, err := audit.Checkpoint(ctxBg, db, t0.Add(time.Hour), keyID, key)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return seq
}

// mustExec runs raw SQL as an attacker with database access would.
func mustExec(t testing.TB, db *store.DB, q string, args ...any) {
	t.Helper()
	err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctxBg, q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

func mustVerify(t testing.TB, db *store.DB) audit.Report {
	t.Helper()
	rep, err := audit.Verify(ctxBg, db, pubs)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// storedHash returns the stored hash of event seq.
func storedHash(t testing.TB, db *store.DB, seq int64) []byte {
	t.Helper()
	var h []byte
	if err := db.Read().QueryRowContext(ctxBg, `SELECT hash FROM audit_events WHERE seq = $1`, seq).Scan(&h); err != nil {
		t.Fatalf("read hash %d: %v", seq, err)
	}
	return h
}

// chainHash is the documented hash: SHA-256(prev || Canonical).
func chainHash(prev []byte, e audit.Event) []byte {
	s := sha256.Sum256(append(append([]byte{}, prev...), e.Canonical()...))
	return s[:]
}
