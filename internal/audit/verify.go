package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"

	"github.com/ura-nrm/ura/internal/store"
)

// Problem is the first place where the stored trail disagrees with itself or
// with a signed checkpoint: the sequence number and one of the Reason values.
type Problem struct {
	Seq    int64
	Reason string
}

// The reasons Verify gives. A reason says what was observed; what the attacker
// did is an inference (docs/audit.md has the table).
const (
	// ReasonHashMismatch: the event's fields (or its hash) were changed.
	ReasonHashMismatch = "hash mismatch"
	// ReasonSequenceGap: the event with this seq is missing (deleted).
	ReasonSequenceGap = "sequence gap"
	// ReasonReordered: this seq holds an event that was chained elsewhere.
	ReasonReordered = "reordered"
	// ReasonBrokenLink: the event is self-consistent but does not follow the
	// event before it (the earlier one was rewritten, or this one forged).
	ReasonBrokenLink = "broken link"
	// ReasonMissingTail: a valid signed checkpoint covers events that are gone.
	ReasonMissingTail = "missing tail after signed checkpoint"
	// ReasonHeadMismatch: audit_head disagrees with the last event.
	ReasonHeadMismatch = "head mismatch"
	// ReasonBadSignature: a checkpoint's signature does not verify.
	ReasonBadSignature = "bad checkpoint signature"
	// ReasonUnknownKey: a checkpoint names a key not given to Verify.
	ReasonUnknownKey = "unknown signing key"
	// ReasonCheckpointMismatch: a validly signed checkpoint names a different
	// hash: the chain was rewritten at or before this seq.
	ReasonCheckpointMismatch = "checkpoint mismatch"
)

// Report sums up a verification. Problem is nil when the trail is intact.
type Report struct {
	Events      int64
	Checkpoints int
	Head        int64
	Problem     *Problem
}

// Verify recomputes the whole chain in one consistent snapshot, streaming the
// events in seq order (constant memory), and checks every checkpoint against
// keys (key id → public key). The error is for I/O only; tampering is
// Report.Problem, at the first seq where it shows.
func Verify(ctx context.Context, db *store.DB, keys map[string]ed25519.PublicKey) (Report, error) {
	var rep Report
	err := db.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		rep, err = verifyTx(ctx, tx, keys)
		return err
	})
	return rep, err
}

func verifyTx(ctx context.Context, tx *sql.Tx, keys map[string]ed25519.PublicKey) (Report, error) {
	var rep Report
	headSeq, headHash, err := readHead(ctx, tx)
	if err != nil {
		return rep, err
	}
	rep.Head = headSeq
	c := newChecker(0, genesis)
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns("e")+`, c.seq, c.hash, c.at, c.key_id, c.signature
		FROM audit_events e LEFT JOIN audit_checkpoints c ON c.seq = e.seq ORDER BY e.seq`)
	if err != nil {
		return rep, fmt.Errorf("audit: read events: %w", err)
	}
	defer rows.Close()
	var r row
	var cp checkpointRow
	var cpSeq sql.NullInt64
	dest := append(r.dest(), &cpSeq, &cp.hash, &cp.at, &cp.keyID, &cp.sig)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return rep, fmt.Errorf("audit: read events: %w", err)
		}
		rep.Events++
		if rep.Problem = c.check(&r); rep.Problem != nil {
			return rep, nil
		}
		if cpSeq.Valid {
			cp.seq = cpSeq.Int64
			if rep.Problem = cp.check(keys); rep.Problem == nil && !bytes.Equal(cp.hash, r.hash) {
				rep.Problem = &Problem{Seq: cp.seq, Reason: ReasonCheckpointMismatch}
			}
			if rep.Problem != nil {
				return rep, nil
			}
			rep.Checkpoints++
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit: read events: %w", err)
	}
	rows.Close()
	last, lastHash := c.next-1, c.prev
	if rep.Problem, err = checkBeyondTail(ctx, tx, last, keys); rep.Problem != nil || err != nil {
		return rep, err
	}
	switch {
	case headSeq != last:
		rep.Problem = &Problem{Seq: min(headSeq, last) + 1, Reason: ReasonHeadMismatch}
	case !bytes.Equal(headHash, lastHash):
		rep.Problem = &Problem{Seq: last, Reason: ReasonHeadMismatch}
	}
	return rep, nil
}

// checkBeyondTail looks at checkpoints with no event: any validly signed one
// proves that events after the last one were deleted; forged ones are reported
// as such.
func checkBeyondTail(ctx context.Context, tx *sql.Tx, last int64, keys map[string]ed25519.PublicKey) (*Problem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints
		WHERE seq > $1 OR seq < 1 ORDER BY seq`, last)
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	defer rows.Close()
	var bad *Problem
	var cp checkpointRow
	for rows.Next() {
		if err := rows.Scan(&cp.seq, &cp.hash, &cp.at, &cp.keyID, &cp.sig); err != nil {
			return nil, fmt.Errorf("audit: read checkpoints: %w", err)
		}
		p := cp.check(keys)
		if p == nil {
			return &Problem{Seq: last + 1, Reason: ReasonMissingTail}, nil
		}
		if bad == nil {
			bad = p
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	return bad, nil
}

// readHead returns the head row, or seq 0 and the genesis hash if none.
func readHead(ctx context.Context, q store.Querier) (int64, []byte, error) {
	var seq int64
	var h []byte
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, genesis, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("audit: read head: %w", err)
	}
	return seq, h, nil
}

// eventColumns lists the stored event columns in row.dest order.
func eventColumns(alias string) string {
	a := alias + "."
	return a + "seq, " + a + "at, " + a + "actor_id, " + a + "actor_org, " + a + "actor_role, " +
		a + "action, " + a + "object_type, " + a + "object_id, " + a + "outcome, " + a + "purpose, " +
		a + "detail, " + a + "request_id, " + a + "prev_hash, " + a + "hash"
}

// row is one stored event as raw bytes: hashing what is stored, byte for
// byte, means no parsing step can hide an edit.
type row struct {
	seq            int64
	at             sql.RawBytes
	f              [10]sql.RawBytes
	prevHash, hash sql.RawBytes
}

func (r *row) dest() []any {
	d := []any{&r.seq, &r.at}
	for i := range r.f {
		d = append(d, &r.f[i])
	}
	return append(d, &r.prevHash, &r.hash)
}

// checker follows the chain from a known point, one event at a time.
type checker struct {
	next      int64
	prev      []byte
	h         hash.Hash
	sum, alt  [sha256.Size]byte
	fieldsBuf [10][]byte
}

func newChecker(after int64, afterHash []byte) *checker {
	return &checker{next: after + 1, prev: bytes.Clone(afterHash), h: sha256.New()}
}

// check verifies r as the next event. With the link intact a wrong hash means
// an edited field; with the link broken, a row whose hash still matches its own
// stored predecessor was rewritten consistently (broken link), and one matching
// neither was moved from elsewhere (reordered).
func (c *checker) check(r *row) *Problem {
	if r.seq != c.next {
		return &Problem{Seq: c.next, Reason: ReasonSequenceGap}
	}
	for i := range r.f {
		c.fieldsBuf[i] = r.f[i]
	}
	got := chainHash(c.h, c.sum[:], c.prev, r.seq, r.at, c.fieldsBuf)
	if !bytes.Equal(got, r.hash) || !bytes.Equal(r.prevHash, c.prev) {
		reason := ReasonHashMismatch
		if !bytes.Equal(r.prevHash, c.prev) && !bytes.Equal(got, r.hash) {
			reason = ReasonReordered
			if bytes.Equal(chainHash(c.h, c.alt[:], r.prevHash, r.seq, r.at, c.fieldsBuf), r.hash) {
				reason = ReasonBrokenLink
			}
		}
		return &Problem{Seq: r.seq, Reason: reason}
	}
	c.prev = append(c.prev[:0], got...)
	c.next++
	return nil
}

// checkpointRow is one stored checkpoint.
type checkpointRow struct {
	seq   int64
	hash  []byte
	at    sql.NullString
	keyID sql.NullString
	sig   []byte
}

// check verifies the signature alone (the hash is compared by the caller).
func (cp *checkpointRow) check(keys map[string]ed25519.PublicKey) *Problem {
	pub, ok := keys[cp.keyID.String]
	if !ok || len(pub) != ed25519.PublicKeySize {
		return &Problem{Seq: cp.seq, Reason: ReasonUnknownKey}
	}
	if !ed25519.Verify(pub, checkpointMessage(cp.seq, cp.hash, cp.at.String), cp.sig) {
		return &Problem{Seq: cp.seq, Reason: ReasonBadSignature}
	}
	return nil
}
