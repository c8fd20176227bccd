package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// ErrChainBroken is returned by Checkpoint when the events since the last
// checkpoint do not verify: signing them would vouch for a tampered trail.
var ErrChainBroken = errors.New("audit: the chain does not verify (run ura audit verify)")

// checkpointTag starts every signed checkpoint message.
const checkpointTag = "ura.audit.checkpoint.v1"

// checkpointMessage is what a checkpoint signs: a tag, seq (8 bytes
// big-endian), then the head hash and the time, each length-prefixed.
func checkpointMessage(seq int64, hash []byte, at string) []byte {
	var b bytes.Buffer
	var n [8]byte
	writeField(&b, []byte(checkpointTag))
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	b.Write(n[:])
	writeField(&b, hash)
	writeField(&b, []byte(at))
	return b.Bytes()
}

// Checkpoint signs the current head, so that deleting events after it (and
// fixing audit_head to match) is detected. It is a no-op, returning the head
// seq, when the head is already checkpointed or the chain is empty (seq 0).
//
// Before signing, it verifies the events added since the previous checkpoint
// (in a read snapshot, without blocking appenders), so a signature never
// vouches for an edit. Copy checkpoints off the server (or publish their
// hashes): an attacker with the database can delete the tail together with its
// checkpoints, and only a copy elsewhere shows that.
func Checkpoint(ctx context.Context, db *store.DB, now time.Time, keyID string, key ed25519.PrivateKey) (seq int64, err error) {
	if len(key) != ed25519.PrivateKeySize {
		return 0, errors.New("audit: checkpoint key is not an Ed25519 private key")
	}
	if keyID == "" {
		return 0, errors.New("audit: checkpoint key id is empty")
	}
	if err := checkCode("key id", keyID, maxActorID); err != nil {
		return 0, err
	}
	var head []byte
	var done bool
	err = db.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		seq, head, done, err = verifySinceCheckpoint(ctx, tx)
		return err
	})
	if err != nil || done {
		return seq, err
	}
	at := store.FormatTime(now)
	sig := ed25519.Sign(key, checkpointMessage(seq, head, at))
	err = db.InTx(ctx, now, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature)
			VALUES ($1, $2, $3, $4, $5)`, seq, head, at, keyID, sig)
		return err
	})
	if store.IsUniqueViolation(err) {
		return seq, nil // another node signed the same head first
	}
	if err != nil {
		return 0, fmt.Errorf("audit: store checkpoint: %w", err)
	}
	return seq, nil
}

// verifySinceCheckpoint reads the head and checks the events after the latest
// checkpoint lead to it; done means there is nothing new to sign.
func verifySinceCheckpoint(ctx context.Context, tx *sql.Tx) (seq int64, head []byte, done bool, err error) {
	seq, head, err = readHead(ctx, tx)
	if err != nil || seq == 0 {
		return seq, head, true, err
	}
	var cpSeq int64
	cpHash := genesis
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&cpSeq, &cpHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, false, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	switch {
	case cpSeq == seq && bytes.Equal(cpHash, head):
		return seq, head, true, nil
	case cpSeq >= seq:
		return 0, nil, false, fmt.Errorf("%w: head %d is not after the latest checkpoint %d", ErrChainBroken, seq, cpSeq)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns("e")+` FROM audit_events e
		WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq`, cpSeq, seq)
	if err != nil {
		return 0, nil, false, fmt.Errorf("audit: read events: %w", err)
	}
	defer rows.Close()
	c := newChecker(cpSeq, cpHash)
	var r row
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, nil, false, fmt.Errorf("audit: read events: %w", err)
		}
		if p := c.check(&r); p != nil {
			return 0, nil, false, fmt.Errorf("%w: seq %d: %s", ErrChainBroken, p.Seq, p.Reason)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, false, fmt.Errorf("audit: read events: %w", err)
	}
	if c.next-1 != seq || !bytes.Equal(c.prev, head) {
		return 0, nil, false, fmt.Errorf("%w: seq %d: %s", ErrChainBroken, c.next, ReasonHeadMismatch)
	}
	return seq, head, false, nil
}
