package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// encodingTag starts every canonical encoding, so a future change of the
// encoding cannot be confused with this one.
const encodingTag = "ura.audit.event.v1"

// Canonical returns the bytes an event's hash covers: a version tag, Seq as 8
// bytes big-endian, then At (in store.TimeFormat) and every text field, each as
// a 4-byte big-endian length and its bytes. Length prefixes make the encoding
// unambiguous: no two distinct events encode alike, however their fields are
// split. The hash is SHA-256(previous hash || Canonical). docs/audit.md gives
// the layout for auditors who check the chain with their own tools.
func (e Event) Canonical() []byte {
	var b bytes.Buffer
	writeCanonical(&b, e.Seq, []byte(store.FormatTime(e.At)), eventFields(&e))
	return b.Bytes()
}

// eventFields lists the text fields in canonical order (after seq and at).
func eventFields(e *Event) [10][]byte {
	return [10][]byte{
		[]byte(e.Actor.UserID), []byte(e.Actor.OrgID), []byte(e.Actor.Role),
		[]byte(e.Action), []byte(e.ObjectType), []byte(e.ObjectID),
		[]byte(e.Outcome), []byte(e.Purpose), []byte(e.Detail), []byte(e.RequestID),
	}
}

// writeCanonical streams the encoding into w (a hash while verifying, so
// Verify allocates nothing per event).
func writeCanonical(w io.Writer, seq int64, at []byte, fields [10][]byte) {
	var n [8]byte
	writeField(w, []byte(encodingTag))
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	w.Write(n[:])
	writeField(w, at)
	for _, f := range fields {
		writeField(w, f)
	}
}

func writeField(w io.Writer, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	w.Write(n[:])
	w.Write(b)
}

// chainHash computes SHA-256(prev || canonical) into sum, reusing h.
func chainHash(h hash.Hash, sum []byte, prev []byte, seq int64, at []byte, fields [10][]byte) []byte {
	h.Reset()
	h.Write(prev)
	writeCanonical(h, seq, at, fields)
	return h.Sum(sum[:0])
}

// genesis is the previous hash of event 1.
var genesis = make([]byte, sha256.Size)

// Append adds e to the chain inside the caller's transaction, so an audited
// change and its event commit (or roll back) together. At defaults to tx.Now;
// Seq is assigned here. On PostgreSQL the chain head stays locked until the
// transaction ends, serialising every audited writer across nodes: call Append
// late in the transaction and keep the transaction short.
func Append(ctx context.Context, tx *store.Tx, e Event) (int64, error) {
	if e.At.IsZero() {
		e.At = tx.Now
	}
	seqs, err := appendEvents(ctx, tx, []Event{e})
	if err != nil {
		return 0, err
	}
	return seqs[0], nil
}

const insertEvent = `INSERT INTO audit_events (seq, at, actor_id, actor_org, actor_role, action,
	object_type, object_id, outcome, purpose, detail, request_id, prev_hash, hash)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// appendEvents chains events in order after the current head: one head read
// (locked), one insert per event, one head update.
func appendEvents(ctx context.Context, tx *store.Tx, events []Event) ([]int64, error) {
	for i := range events {
		if err := normalize(&events[i]); err != nil {
			return nil, err
		}
		if events[i].At.IsZero() {
			return nil, fmt.Errorf("%w: At is zero and the transaction has no time", ErrInvalidEvent)
		}
	}
	seq, prev, err := lockHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	var stmt *sql.Stmt
	if len(events) > 1 {
		if stmt, err = tx.PrepareContext(ctx, insertEvent); err != nil {
			return nil, fmt.Errorf("audit: prepare: %w", err)
		}
		defer stmt.Close()
	}
	h := sha256.New()
	seqs := make([]int64, len(events))
	for i := range events {
		e := &events[i]
		seq++
		at := store.FormatTime(e.At)
		sum := chainHash(h, nil, prev, seq, []byte(at), eventFields(e))
		args := []any{seq, at, e.Actor.UserID, e.Actor.OrgID, e.Actor.Role, e.Action,
			e.ObjectType, e.ObjectID, e.Outcome, e.Purpose, e.Detail, e.RequestID, prev, sum}
		if stmt != nil {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertEvent, args...)
		}
		if err != nil {
			return nil, fmt.Errorf("audit: insert event %d: %w", seq, err)
		}
		e.Seq, seqs[i], prev = seq, seq, sum
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev); err != nil {
		return nil, fmt.Errorf("audit: update head: %w", err)
	}
	n := uint64(len(events))
	tx.AfterCommit(func() { metrics.AuditAppended.Add(n) })
	return seqs, nil
}

// lockHead reads the chain head under a row lock, creating it (seq 0, the
// genesis hash) on first use. INSERT … ON CONFLICT DO NOTHING waits for a
// concurrent creator on PostgreSQL, so two first appenders still share one head.
func lockHead(ctx context.Context, tx *store.Tx) (int64, []byte, error) {
	q := `SELECT seq, hash FROM audit_head WHERE id = 1` + tx.ForUpdate()
	var seq int64
	var h []byte
	err := tx.QueryRowContext(ctx, q).Scan(&seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err = tx.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT DO NOTHING`, genesis); err != nil {
			return 0, nil, fmt.Errorf("audit: create head: %w", err)
		}
		err = tx.QueryRowContext(ctx, q).Scan(&seq, &h)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("audit: read head: %w", err)
	}
	return seq, h, nil
}

// Chain links events for a bulk load (the synthetic data generator), which
// writes its own multi-row inserts: OpenChain locks the head in the caller's
// transaction, Link gives each event its sequence number and hashes, and
// Close moves the head. The events must be inserted in the same transaction.
type Chain struct {
	seq  int64
	prev []byte
	h    hash.Hash
}

// OpenChain locks the chain head in tx.
func OpenChain(ctx context.Context, tx *store.Tx) (*Chain, error) {
	seq, prev, err := lockHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &Chain{seq: seq, prev: prev, h: sha256.New()}, nil
}

// Link numbers e (which must have At set) and returns the previous hash and
// its own, the values of the prev_hash and hash columns.
func (c *Chain) Link(e *Event) (prev, sum []byte, err error) {
	if err := normalize(e); err != nil {
		return nil, nil, err
	}
	if e.At.IsZero() {
		return nil, nil, fmt.Errorf("%w: At is zero", ErrInvalidEvent)
	}
	c.seq++
	e.Seq = c.seq
	prev = c.prev
	sum = chainHash(c.h, nil, prev, e.Seq, []byte(store.FormatTime(e.At)), eventFields(e))
	c.prev = sum
	return prev, sum, nil
}

// Close records the new head in tx.
func (c *Chain) Close(ctx context.Context, tx *store.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, c.seq, c.prev); err != nil {
		return fmt.Errorf("audit: update head: %w", err)
	}
	return nil
}
