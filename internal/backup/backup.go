// Package backup writes a consistent, encrypted snapshot of a running Ura store
// and restores it, on either engine: a SQLite backup restores into PostgreSQL
// and back. The file is a small plaintext header (no personal data) followed by
// gzip-compressed rows in 64 KiB AES-256-GCM segments under a key derived from
// the current master key and a random salt, so a backup is as safe as the
// database it came from and a changed, truncated or reordered file is refused.
// See docs/vault.md for the format and the rotation trade-off.
package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// magic opens every backup file.
const magic = "URA-BACKUP\n"

// formatVersion is the layout of header, segments and records.
const formatVersion = 1

// Stats counts what a backup holds; Bytes is the size of the file.
type Stats struct {
	Tables int
	Rows   int64
	Bytes  int64
}

// header is the plaintext JSON after the magic. Everything in it is bound to
// every segment as associated data.
type header struct {
	Format        int       `json:"format"`
	SchemaVersion int       `json:"schema_version"`
	Created       time.Time `json:"created"`
	Engine        string    `json:"engine"`
	MasterVersion int       `json:"master_version"`
	Salt          []byte    `json:"salt"`
	Compression   string    `json:"compression"`
}

// keys derives the segment key and the key-check key of a backup.
func keys(kr *vault.Keyring, h *header) (enc, check []byte, err error) {
	k, err := kr.DeriveKey(h.MasterVersion, h.Salt, "backup/1", 64)
	if err != nil {
		return nil, nil, err
	}
	return k[:32], k[32:], nil
}

// prefix renders magic, header length and header: the associated data of
// every segment, and what the key check authenticates.
func prefix(hb []byte) []byte {
	b := append([]byte(magic), binary.BigEndian.AppendUint32(nil, uint32(len(hb)))...)
	return append(b, hb...)
}

// Write streams a backup of db to w. It reads inside one snapshot (ReadTx:
// a read transaction on SQLite's WAL, REPEATABLE READ on PostgreSQL), so the
// backup is one point in time while Ura keeps writing.
func Write(ctx context.Context, db *store.DB, kr *vault.Keyring, w io.Writer) (Stats, error) {
	var st Stats
	h := &header{
		Format: formatVersion, Created: time.Now().UTC().Truncate(time.Second), Engine: string(db.Engine),
		MasterVersion: kr.CurrentVersion(), Salt: make([]byte, 32), Compression: "gzip",
	}
	randRead(h.Salt)
	err := db.ReadTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&h.SchemaVersion); err != nil {
			return fmt.Errorf("backup: read schema version: %w", err)
		}
		tables, err := listTables(ctx, tx, db.Engine)
		if err != nil {
			return err
		}
		enc, check, err := keys(kr, h)
		if err != nil {
			return err
		}
		hb, _ := json.Marshal(h)
		pre := prefix(hb)
		mac := hmac.New(sha256.New, check)
		mac.Write(pre)
		clear(check)
		if _, err := w.Write(append(pre, mac.Sum(nil)...)); err != nil {
			return fmt.Errorf("backup: write: %w", err)
		}
		sw := &segmentWriter{w: w, aead: gcm(enc), aad: pre}
		clear(enc)
		zw, _ := gzip.NewWriterLevel(sw, gzip.BestSpeed)
		e := &encoder{w: bufio.NewWriterSize(zw, 64<<10)}
		for _, name := range tables {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := scanTable(ctx, tx, name, func(t table) error {
				e.byte(recTable)
				e.str(t.name)
				e.uvarint(uint64(len(t.cols)))
				for i, c := range t.cols {
					e.str(c)
					e.str(t.types[i])
				}
				return nil
			}, func(vals []any) error {
				e.byte(recRow)
				for _, v := range vals {
					e.value(v)
				}
				return nil
			})
			if err != nil {
				return err
			}
			e.byte(recEnd)
			e.uvarint(uint64(n))
			st.Tables++
			st.Rows += n
		}
		e.byte(recDone)
		e.uvarint(uint64(st.Tables))
		e.uvarint(uint64(st.Rows))
		if err := e.w.Flush(); err != nil {
			return fmt.Errorf("backup: write: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("backup: write: %w", err)
		}
		if err := sw.Close(); err != nil {
			return fmt.Errorf("backup: write: %w", err)
		}
		st.Bytes = int64(len(pre)) + sha256.Size + sw.n
		return nil
	})
	return st, err
}
