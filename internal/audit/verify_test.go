package audit_test

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestVerifyDetectsTampering builds 12 events, a checkpoint at 10, then 2 more,
// and lets an attacker with SQL access change the trail in each way.
func TestVerifyDetectsTampering(t *testing.T) {
	swap := func(a, b int64) func(t *testing.T, db *store.DB) {
		return func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_events SET seq = -1 WHERE seq = $1`, a)
			mustExec(t, db, `UPDATE audit_events SET seq = $1 WHERE seq = $2`, a, b)
			mustExec(t, db, `UPDATE audit_events SET seq = $1 WHERE seq = -1`, b)
		}
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *store.DB)
		want   audit.Problem
	}{
		{"EditedObjectID", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_events SET object_id = 'XK-2026-0999' WHERE seq = 5`)
		}, audit.Problem{Seq: 5, Reason: audit.ReasonHashMismatch}},
		{"EditedTime", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_events SET at = '2026-03-02T08:30:04.000000Z' WHERE seq = 5`)
		}, audit.Problem{Seq: 5, Reason: audit.ReasonHashMismatch}},
		{"EditedOutcome", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_events SET outcome = 'ok' WHERE seq = 4`)
		}, audit.Problem{Seq: 4, Reason: audit.ReasonHashMismatch}},
		{"EditedPrevHash", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_events SET prev_hash = hash WHERE seq = 7`)
		}, audit.Problem{Seq: 7, Reason: audit.ReasonHashMismatch}},
		{"EditedAndRehashed", func(t *testing.T, db *store.DB) {
			got, _, err := audit.Find(ctxBg, db.Read(), audit.Filter{Offset: 12 - 5, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			e := got[0]
			e.Actor.UserID = "someone_else"
			mustExec(t, db, `UPDATE audit_events SET actor_id = $1, hash = $2 WHERE seq = 5`,
				e.Actor.UserID, chainHash(storedHash(t, db, 4), e))
		}, audit.Problem{Seq: 6, Reason: audit.ReasonBrokenLink}},
		{"RewrittenChainUpToHead", func(t *testing.T, db *store.DB) {
			rewriteFrom(t, db, 5, func(e *audit.Event) { e.Outcome = audit.OutcomeDenied })
		}, audit.Problem{Seq: 10, Reason: audit.ReasonCheckpointMismatch}},
		{"DeletedMiddle", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `DELETE FROM audit_events WHERE seq = 6`)
		}, audit.Problem{Seq: 6, Reason: audit.ReasonSequenceGap}},
		{"DeletedTailAfterCheckpointHeadFixed", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `DELETE FROM audit_events WHERE seq > 8`)
			mustExec(t, db, `UPDATE audit_head SET seq = 8, hash = $1`, storedHash(t, db, 8))
		}, audit.Problem{Seq: 9, Reason: audit.ReasonMissingTail}},
		{"DeletedTailHeadNotFixed", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `DELETE FROM audit_events WHERE seq > 11`)
		}, audit.Problem{Seq: 12, Reason: audit.ReasonHeadMismatch}},
		{"HeadDeleted", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `DELETE FROM audit_head`)
		}, audit.Problem{Seq: 1, Reason: audit.ReasonHeadMismatch}},
		{"SwappedSeq", swap(3, 8), audit.Problem{Seq: 3, Reason: audit.ReasonReordered}},
		{"SwappedNeighbours", swap(11, 12), audit.Problem{Seq: 11, Reason: audit.ReasonReordered}},
		{"ForgedSignature", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_checkpoints SET signature = $1`, ed25519.Sign(keyB, []byte("forged")))
		}, audit.Problem{Seq: 10, Reason: audit.ReasonBadSignature}},
		{"UnknownKeyID", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_checkpoints SET key_id = 'k9'`)
		}, audit.Problem{Seq: 10, Reason: audit.ReasonUnknownKey}},
		{"CheckpointTimeEdited", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `UPDATE audit_checkpoints SET at = '2027-01-01T00:00:00.000000Z'`)
		}, audit.Problem{Seq: 10, Reason: audit.ReasonBadSignature}},
		{"ForgedCheckpointBeyondTail", func(t *testing.T, db *store.DB) {
			mustExec(t, db, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (99, $1, 'x', 'k1', $1)`, []byte("junk"))
		}, audit.Problem{Seq: 99, Reason: audit.ReasonBadSignature}},
	}
	for _, engine := range storetest.Engines(t) {
		for _, tt := range tests {
			t.Run(string(engine)+"/"+tt.name, func(t *testing.T) {
				db := storetest.New(t, engine)
				mustAppend(t, db, 0, 10)
				mustCheckpoint(t, db, "k1", keyA)
				mustAppend(t, db, 10, 2)
				if rep := mustVerify(t, db); rep.Problem != nil {
					t.Fatalf("before tampering: %+v", rep.Problem)
				}
				tt.tamper(t, db)
				rep := mustVerify(t, db)
				if rep.Problem == nil {
					t.Fatalf("Verify found no problem, want %+v", tt.want)
				}
				if got := *rep.Problem; got != tt.want {
					t.Errorf("Problem = %+v, want %+v", got, tt.want)
				}
			})
		}
	}
}

func TestCheckpointRefusesBrokenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustAppend(t, db, 0, 4)
		mustCheckpoint(t, db, "k1", keyA)
		mustAppend(t, db, 4, 4)
		mustExec(t, db, `UPDATE audit_events SET detail = 'x' WHERE seq = 6`)
		_, err := audit.Checkpoint(ctxBg, db, t0, "k1", keyA)
		if !errors.Is(err, audit.ErrChainBroken) {
			t.Fatalf("Checkpoint = %v, want ErrChainBroken", err)
		}
		if got := mustVerify(t, db).Checkpoints; got != 1 {
			t.Errorf("checkpoints = %d, want 1 (nothing signed)", got)
		}
	})
}

// rewriteFrom edits event seq with edit and rehashes it and every later event
// and the head, as an attacker who knows the algorithm (but not the signing
// key) would: only a signed checkpoint can tell.
func rewriteFrom(t *testing.T, db *store.DB, seq int64, edit func(e *audit.Event)) {
	t.Helper()
	events, _, err := audit.Find(ctxBg, db.Read(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	prev := storedHash(t, db, seq-1)
	for i := len(events) - 1; i >= 0; i-- { // Find is newest first
		e := events[i]
		if e.Seq < seq {
			continue
		}
		if e.Seq == seq {
			edit(&e)
		}
		h := chainHash(prev, e)
		mustExec(t, db, `UPDATE audit_events SET outcome = $1, prev_hash = $2, hash = $3 WHERE seq = $4`,
			e.Outcome, prev, h, e.Seq)
		prev = h
	}
	mustExec(t, db, `UPDATE audit_head SET hash = $1`, prev)
}
