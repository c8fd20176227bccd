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
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// ErrNotEmpty means the target store already holds data: restore never merges.
var ErrNotEmpty = errors.New("backup: the target database is not empty; restore needs a new, migrated one")

// ErrWrongKey means the backup was made under another key file.
var ErrWrongKey = errors.New("backup: this backup was not made with this key file")

// Restore reads a backup into db, which must be migrated and empty. Every row
// goes in one transaction that commits only after the last segment has been
// authenticated and the counts checked, so a corrupted, truncated or foreign
// file leaves the target as empty as it was.
//
// A backup from a newer schema than this Ura is refused. One from an older
// schema restores when its columns still exist in the target (migrations that
// only add tables, or columns with defaults); otherwise migrate the target only
// to the backup's version, restore, then migrate (see docs/vault.md).
func Restore(ctx context.Context, db *store.DB, kr *vault.Keyring, r io.Reader) (Stats, error) {
	var st Stats
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	h, pre, err := readHeader(br, kr)
	if err != nil {
		return st, err
	}
	var target int
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&target); err != nil {
		return st, fmt.Errorf("backup: target is not migrated: %w", err)
	}
	switch {
	case h.SchemaVersion > store.LatestVersion():
		return st, fmt.Errorf("backup: made by a newer Ura (schema %d, this one knows %d); upgrade Ura to restore it", h.SchemaVersion, store.LatestVersion())
	case h.SchemaVersion > target:
		return st, fmt.Errorf("backup: schema %d is newer than the target's %d; migrate the target first", h.SchemaVersion, target)
	}
	enc, _, err := keys(kr, h)
	if err != nil {
		return st, err
	}
	sr := &segmentReader{r: br, aead: gcm(enc), aad: pre}
	clear(enc)
	err = db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		if err := checkEmpty(ctx, tx, db.Engine); err != nil {
			return err
		}
		if db.Engine == store.SQLite {
			// Rows arrive parents first; deferring checks to commit also
			// covers a table that refers to itself.
			if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
		}
		zr, err := gzip.NewReader(sr)
		if err != nil {
			return corrupt(err)
		}
		if err := load(ctx, tx, &decoder{r: bufio.NewReaderSize(zr, 64<<10)}, &st); err != nil {
			return corrupt(err)
		}
		// The gzip trailer (CRC) and the final segment must both be there.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return corrupt(err)
		}
		if _, err := io.Copy(io.Discard, sr); err != nil || !sr.done {
			return corrupt(err)
		}
		return nil
	})
	st.Bytes = cr.n
	if err != nil {
		return Stats{Bytes: cr.n}, err
	}
	return st, nil
}

// corrupt reports a stream failure as corruption, keeping other errors (a
// database refusing a row, a cancelled context) as they are.
func corrupt(err error) error {
	if err == nil || errors.Is(err, errFormat) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errCorrupt
	}
	return err
}

func readHeader(br *bufio.Reader, kr *vault.Keyring) (*header, []byte, error) {
	m := make([]byte, len(magic)+4)
	if _, err := io.ReadFull(br, m); err != nil || string(m[:len(magic)]) != magic {
		return nil, nil, errors.New("backup: not a Ura backup file")
	}
	n := binary.BigEndian.Uint32(m[len(magic):])
	if n > 64<<10 {
		return nil, nil, errCorrupt
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, nil, errCorrupt
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, nil, errCorrupt
	}
	if h.Format != formatVersion || h.Compression != "gzip" {
		return nil, nil, fmt.Errorf("backup: unknown backup format %d (%s); a newer Ura wrote it", h.Format, h.Compression)
	}
	pre := prefix(hb)
	_, check, err := keys(kr, &h)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: made under master key version %d, which this key file does not hold (another key file, or retired by rotation): %w", h.MasterVersion, ErrWrongKey)
	}
	mac := hmac.New(sha256.New, check)
	mac.Write(pre)
	clear(check)
	got := make([]byte, sha256.Size)
	if _, err := io.ReadFull(br, got); err != nil {
		return nil, nil, errCorrupt
	}
	if !hmac.Equal(got, mac.Sum(nil)) {
		return nil, nil, fmt.Errorf("%w (or its header was altered)", ErrWrongKey)
	}
	return &h, pre, nil
}

func checkEmpty(ctx context.Context, tx *store.Tx, e store.Engine) error {
	tables, err := listTables(ctx, tx, e)
	if err != nil {
		return err
	}
	for _, t := range tables {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+quote(t)+` LIMIT 1`).Scan(&one)
		if err == nil {
			return fmt.Errorf("%w (table %s has rows)", ErrNotEmpty, t)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return nil
}

// load inserts the record stream into tx and checks its counts.
func load(ctx context.Context, tx *store.Tx, d *decoder, st *Stats) error {
	for {
		tag, err := d.byte()
		if err != nil {
			return err
		}
		switch tag {
		case recTable:
			n, err := loadTable(ctx, tx, d)
			if err != nil {
				return err
			}
			st.Tables++
			st.Rows += n
		case recDone:
			tables, err1 := d.uvarint()
			rows, err2 := d.uvarint()
			if err1 != nil || err2 != nil || tables != uint64(st.Tables) || rows != uint64(st.Rows) {
				return errFormat
			}
			return nil
		default:
			return errFormat
		}
	}
}

func loadTable(ctx context.Context, tx *store.Tx, d *decoder) (int64, error) {
	name, err := d.str()
	if err != nil {
		return 0, err
	}
	ncols, err := d.uvarint()
	if err != nil || ncols == 0 || ncols > 1000 {
		return 0, errFormat
	}
	target, err := columns(ctx, tx, name)
	if err != nil {
		return 0, fmt.Errorf("backup: table %s is not in the target schema", name)
	}
	cols := make([]string, ncols)
	types := make([]string, ncols)
	ph := make([]string, ncols)
	for i := range cols {
		if cols[i], err = d.str(); err != nil {
			return 0, err
		}
		if _, err = d.str(); err != nil { // the source's declared type: informative
			return 0, err
		}
		t, ok := target[cols[i]]
		if !ok {
			return 0, fmt.Errorf("backup: column %s.%s is not in the target schema", name, cols[i])
		}
		types[i] = t
		ph[i] = fmt.Sprintf("$%d", i+1)
		cols[i] = quote(cols[i])
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+quote(name)+` (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`)
	if err != nil {
		return 0, fmt.Errorf("backup: restore %s: %w", name, err)
	}
	defer stmt.Close()
	vals := make([]any, ncols)
	var n int64
	for {
		tag, err := d.byte()
		if err != nil {
			return n, err
		}
		switch tag {
		case recRow:
			for i := range vals {
				v, err := d.value()
				if err != nil {
					return n, err
				}
				if vals[i], err = normalize(v, types[i]); err != nil {
					return n, errFormat
				}
			}
			if _, err := stmt.ExecContext(ctx, vals...); err != nil {
				return n, fmt.Errorf("backup: restore a row of %s: %w", name, err)
			}
			n++
		case recEnd:
			want, err := d.uvarint()
			if err != nil || want != uint64(n) {
				return n, errFormat
			}
			return n, nil
		default:
			return n, errFormat
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
