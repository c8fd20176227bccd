package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// ErrNotEmpty means the target store already holds data: restore never merges.
var ErrNotEmpty = errors.New("backup: the target database is not empty; restore needs a new, migrated one")

// ErrWrongKey means the backup was made under another key file.
var ErrWrongKey = errors.New("backup: this backup was not made with this key file")

// ErrOtherRestore means the target holds the unfinished restore of another
// backup file.
var ErrOtherRestore = errors.New("backup: the target holds an unfinished restore of another backup; finish it with that file, or restore into a new store")

// progressTable records how far a restore has committed (one row), in the
// same transaction as the rows it counts: a restore that was interrupted
// resumes after the last committed batch, without duplicates. It belongs to
// the target and is dropped when the restore is complete.
const progressTable = "restore_progress"

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// BatchRows is how many rows go in one transaction (default 20,000):
	// the bound on the write-ahead log (SQLite) and on the work an
	// interruption loses.
	BatchRows int
	// Progress, when set, receives a line per table and at the end.
	Progress io.Writer
	// AfterBatch, when set, is called after each committed batch (tests).
	AfterBatch func(rows int64)
	// CacheMB is SQLite's page cache while the rows go in (default 1024):
	// the bound on the restore's memory, with the index builds' sorts
	// (which get at most indexCacheMB).
	CacheMB int
}

// indexCacheMB is SQLite's page cache while the deferred indexes build; a
// sort's memory is sized from it.
const indexCacheMB = 256

// Restore reads a backup into db, which must be migrated and empty, with the
// default options (see RestoreWith).
func Restore(ctx context.Context, db *store.DB, kr *vault.Keyring, r io.ReadSeeker) (Stats, error) {
	return RestoreWith(ctx, db, kr, r, RestoreOptions{})
}

// RestoreWith reads a backup into db in two passes. The first authenticates
// every segment and checks the record counts and that every table and column
// exists in the target, writing nothing: a corrupted, truncated or foreign
// file leaves the target as it was. The second inserts the rows in
// transactions of BatchRows rows, so the write-ahead log and the memory stay
// bounded, with the secondary indexes deferred and built once at the end
// (store.DeferIndexes). Each transaction records its progress; a restore
// interrupted at any point (a kill, a power cut) resumes where it stopped
// when run again with the same file. At the end the rows of every table are
// counted against the backup's counts.
//
// A backup from a newer schema than this Ura is refused. One from an older
// schema restores when its columns still exist in the target (migrations that
// only add tables, or columns with defaults); otherwise migrate the target only
// to the backup's version, restore, then migrate (see docs/vault.md).
func RestoreWith(ctx context.Context, db *store.DB, kr *vault.Keyring, r io.ReadSeeker, o RestoreOptions) (Stats, error) {
	if o.BatchRows <= 0 {
		o.BatchRows = 20000
	}
	if o.CacheMB <= 0 {
		o.CacheMB = 1024
	}
	// Pass 1: verify.
	st, id, err := readAll(ctx, db, kr, r, nil)
	if err != nil {
		return Stats{Bytes: st.Bytes}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Stats{}, fmt.Errorf("backup: rewind: %w", err)
	}
	prog, err := startRestore(ctx, db, id)
	if err != nil {
		return Stats{}, err
	}
	if o.Progress != nil && (prog.table > 0 || prog.rows > 0) {
		fmt.Fprintf(o.Progress, "resuming: %d tables and %d rows of the next were restored before\n", prog.table, prog.rows)
	}
	// Pass 2: load.
	l := &loader{db: db, o: o, prog: prog, id: id}
	if db.Engine == store.Postgres {
		if l.conn, err = db.WriteConn(ctx); err != nil {
			return Stats{}, fmt.Errorf("backup: %w", err)
		}
	}
	var st2 Stats
	err = db.BulkLoad(ctx, o.CacheMB, func() error {
		// Rows arrive parents first; SQLite's foreign keys are checked once
		// at the end instead of row by row (store.WithoutForeignKeys).
		err := db.WithoutForeignKeys(ctx, func() error {
			var err error
			st2, _, err = readAll(ctx, db, kr, r, l)
			if l.sqlTx != nil {
				_ = l.sqlTx.Rollback()
			}
			if l.conn != nil {
				l.conn.Close()
			}
			return err
		})
		if err != nil {
			return err
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "%d rows loaded; building indexes\n", st2.Rows)
		}
		// SQLite sizes a sort's memory from the page cache: with a smaller
		// cache while the indexes build, the two do not add up.
		if err := db.SetCacheMB(ctx, min(o.CacheMB, indexCacheMB)); err != nil {
			return err
		}
		if _, err := db.BuildDeferredIndexes(ctx); err != nil {
			return err
		}
		return foreignKeyCheck(ctx, db)
	})
	if err != nil {
		return Stats{Bytes: st2.Bytes}, err
	}
	// Every table holds what the backup says it holds.
	for _, c := range l.counts {
		var n int64
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(c.name)).Scan(&n); err != nil {
			return st2, fmt.Errorf("backup: count %s: %w", c.name, err)
		}
		if n != c.n {
			return st2, fmt.Errorf("backup: table %s holds %d rows after the restore, the backup %d", c.name, n, c.n)
		}
	}
	if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DROP TABLE `+progressTable)
		return err
	}); err != nil {
		return st2, fmt.Errorf("backup: finish: %w", err)
	}
	return st2, nil
}

// foreignKeyCheck checks every foreign key of a SQLite store (a no-op on
// PostgreSQL, whose keys were enforced row by row). It runs on the writer
// connection inside the bulk load, with its page cache still large: through a
// reader's 16 MB cache the parent lookups read most pages from disk (21 s
// instead of about 5 at 100,000 cases).
func foreignKeyCheck(ctx context.Context, db *store.DB) error {
	if db.Engine != store.SQLite {
		return nil
	}
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return fmt.Errorf("backup: foreign key check: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("backup: foreign key check: %w", err)
	}
	bad := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backup: foreign key check: %w", err)
	}
	if bad {
		return errors.New("backup: a restored row refers to a row the backup does not hold")
	}
	return nil
}

// readAll reads the whole file through sink (nil: verify only) and returns
// its counts and identity (a hash of its header, unique per backup).
func readAll(ctx context.Context, db *store.DB, kr *vault.Keyring, r io.Reader, l *loader) (Stats, string, error) {
	var st Stats
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	h, pre, err := readHeader(br, kr)
	if err != nil {
		return st, "", err
	}
	sum := sha256.Sum256(pre)
	id := hex.EncodeToString(sum[:])
	var target int
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&target); err != nil {
		return st, id, fmt.Errorf("backup: target is not migrated: %w", err)
	}
	switch {
	case h.SchemaVersion > store.LatestVersion():
		return st, id, fmt.Errorf("backup: made by a newer Ura (schema %d, this one knows %d); upgrade Ura to restore it", h.SchemaVersion, store.LatestVersion())
	case h.SchemaVersion > target:
		return st, id, fmt.Errorf("backup: schema %d is newer than the target's %d; migrate the target first", h.SchemaVersion, target)
	}
	enc, _, err := keys(kr, h)
	if err != nil {
		return st, id, err
	}
	sr := &segmentReader{r: br, aead: gcm(enc), aad: pre}
	clear(enc)
	zr, err := gzip.NewReader(sr)
	if err != nil {
		return st, id, corrupt(err)
	}
	if err := load(ctx, db, &decoder{r: bufio.NewReaderSize(zr, 64<<10)}, &st, l); err != nil {
		return st, id, corrupt(err)
	}
	// The gzip trailer (CRC) and the final segment must both be there.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return st, id, corrupt(err)
	}
	if _, err := io.Copy(io.Discard, sr); err != nil || !sr.done {
		return st, id, corrupt(err)
	}
	st.Bytes = cr.n
	return st, id, nil
}

// progress is where a restore stands: tables restored whole, and rows of the
// next one.
type progress struct {
	table int
	rows  int64
}

// startRestore begins a restore of backup id into db, or finds the one to
// resume. A new restore needs an empty target; it defers the indexes of
// every table in the same transaction as its progress record.
func startRestore(ctx context.Context, db *store.DB, id string) (progress, error) {
	var p progress
	err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+progressTable+` (
			id INTEGER PRIMARY KEY, backup TEXT NOT NULL, tables_done INTEGER NOT NULL, rows_done INTEGER NOT NULL,
			started_at TEXT NOT NULL, updated_at TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("backup: progress: %w", err)
		}
		var backup string
		err := tx.QueryRowContext(ctx, `SELECT backup, tables_done, rows_done FROM `+progressTable+` WHERE id = 1`).Scan(&backup, &p.table, &p.rows)
		if err == nil {
			if backup != id {
				return ErrOtherRestore
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("backup: progress: %w", err)
		}
		if err := checkEmpty(ctx, tx, db.Engine); err != nil {
			return err
		}
		tables, err := listTables(ctx, tx, db.Engine)
		if err != nil {
			return err
		}
		if _, err := store.DeferIndexes(ctx, tx, tables); err != nil {
			return err
		}
		now := store.FormatTime(time.Now())
		_, err = tx.ExecContext(ctx, `INSERT INTO `+progressTable+` (id, backup, tables_done, rows_done, started_at, updated_at)
			VALUES (1, $1, 0, 0, $2, $2)`, id, now)
		return err
	})
	return p, err
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

// tableCount is a table's row count in the backup.
type tableCount struct {
	name string
	n    int64
}

// loader writes rows in batches after the progress recorded so far.
type loader struct {
	db     *store.DB
	o      RestoreOptions
	prog   progress
	id     string
	counts []tableCount
	sqlTx  *sql.Tx
	batch  int // rows in the open transaction
	// conn is the PostgreSQL connection the batches run on (COPY needs
	// the driver's connection); nil on SQLite.
	conn *sql.Conn
	// The prepared INSERT of the open transaction, for rows of stmtTable.
	stmt      *sql.Stmt
	stmtTable string
	stmtRows  int
}

// load walks the record stream, checks its counts, and hands the rows to l
// (nil: verify only; the tables and columns are still checked against the
// target).
func load(ctx context.Context, db *store.DB, d *decoder, st *Stats, l *loader) error {
	for {
		tag, err := d.byte()
		if err != nil {
			return err
		}
		switch tag {
		case recTable:
			n, err := loadTable(ctx, db, d, st.Tables, l)
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

// Multi-row statements: under SQLite's 32,766 host parameters, a size both
// engines parse fast.
const (
	maxParams = 30000
	maxRows   = 500
)

// copyRows is how many rows go in one COPY on PostgreSQL.
const copyRows = 5000

func loadTable(ctx context.Context, db *store.DB, d *decoder, ordinal int, l *loader) (int64, error) {
	name, err := d.str()
	if err != nil {
		return 0, err
	}
	ncols, err := d.uvarint()
	if err != nil || ncols == 0 || ncols > 1000 {
		return 0, errFormat
	}
	target, err := columns(ctx, db.Read(), name)
	if err != nil {
		return 0, fmt.Errorf("backup: table %s is not in the target schema", name)
	}
	cols := make([]string, ncols)
	types := make([]string, ncols)
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
		cols[i] = quote(cols[i])
	}
	// Rows already committed by an earlier run are read and skipped.
	var skip int64
	write := l != nil
	if write {
		switch {
		case ordinal < l.prog.table:
			write = false
		case ordinal == l.prog.table:
			skip = l.prog.rows
		}
	}
	per := max(1, min(maxRows, maxParams/int(ncols)))
	if db.Engine == store.Postgres {
		per = copyRows // COPY has no parameters to count
	}
	if l != nil {
		per = max(1, min(per, l.o.BatchRows))
	}
	var pending []any
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := l.insert(ctx, name, cols, len(pending)/int(ncols), pending); err != nil {
			return err
		}
		pending = pending[:0]
		return nil
	}
	var n int64
	for {
		tag, err := d.byte()
		if err != nil {
			return n, err
		}
		switch tag {
		case recRow:
			keep := write && n >= skip
			for i := 0; i < int(ncols); i++ {
				if !keep {
					// Verifying, or a row an earlier run wrote: read
					// past it without building values.
					if err := d.skipValue(); err != nil {
						return n, err
					}
					continue
				}
				v, err := d.value()
				if err != nil {
					return n, err
				}
				if v, err = normalize(v, types[i]); err != nil {
					return n, errFormat
				}
				pending = append(pending, v)
			}
			n++
			if write && n > skip && len(pending) == per*int(ncols) {
				if err := flush(); err != nil {
					return n, err
				}
				if err := l.rowsDone(ctx, ordinal, n, per); err != nil {
					return n, err
				}
			}
		case recEnd:
			want, err := d.uvarint()
			if err != nil || want != uint64(n) {
				return n, errFormat
			}
			if l != nil {
				l.counts = append(l.counts, tableCount{name: name, n: n})
			}
			if write {
				k := len(pending) / int(ncols)
				if err := flush(); err != nil {
					return n, err
				}
				// The table is whole: the next run starts at the next one.
				if err := l.rowsDone(ctx, ordinal+1, 0, k); err != nil {
					return n, err
				}
				if err := l.commit(ctx); err != nil {
					return n, err
				}
				if l.o.Progress != nil {
					fmt.Fprintf(l.o.Progress, "%s: %d rows\n", name, n)
				}
			}
			return n, nil
		default:
			return n, errFormat
		}
	}
}

// insert writes rows rows of table in the open transaction (opening one).
// The full-size statement of a table is prepared once per transaction and
// reused: parsing a 500-row INSERT costs as much as running it.
func (l *loader) insert(ctx context.Context, table string, cols []string, rows int, args []any) error {
	if l.sqlTx == nil {
		var sqlTx *sql.Tx
		var err error
		if l.conn != nil {
			sqlTx, err = l.conn.BeginTx(ctx, nil)
		} else {
			sqlTx, err = l.db.BeginWrite(ctx)
		}
		if err != nil {
			return fmt.Errorf("backup: begin: %w", err)
		}
		l.sqlTx = sqlTx
		if l.db.Engine == store.Postgres {
			// The batch and its progress record commit together; losing the
			// last commits in a crash only means resuming a little earlier.
			if _, err := sqlTx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
				return fmt.Errorf("backup: begin: %w", err)
			}
		}
	}
	if l.conn != nil {
		return l.copyRows(ctx, table, cols, rows, args)
	}
	if l.stmt == nil || l.stmtTable != table || l.stmtRows != rows {
		if l.stmt != nil {
			l.stmt.Close()
			l.stmt = nil
		}
		st, err := l.sqlTx.PrepareContext(ctx, insertSQL(l.db.Engine, table, cols, rows))
		if err != nil {
			return fmt.Errorf("backup: restore rows of %s: %w", table, err)
		}
		l.stmt, l.stmtTable, l.stmtRows = st, table, rows
	}
	if _, err := l.stmt.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("backup: restore rows of %s: %w", table, err)
	}
	return nil
}

// copyRows writes rows with PostgreSQL's COPY (binary), in the transaction
// open on l.conn.
func (l *loader) copyRows(ctx context.Context, table string, cols []string, rows int, args []any) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = unquote(c)
	}
	n := len(cols)
	src := make([][]any, rows)
	for i := range src {
		src[i] = args[i*n : (i+1)*n]
	}
	err := l.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromRows(src))
		return err
	})
	if err != nil {
		return fmt.Errorf("backup: restore rows of %s: %w", table, err)
	}
	return nil
}

// insertSQL is a multi-row INSERT of rows rows into table.
func insertSQL(e store.Engine, table string, cols []string, rows int) string {
	var b strings.Builder
	if e == store.SQLite {
		// With foreign keys off, OR FAIL spares SQLite its statement
		// journal (a copy of every page a statement touches); a failure
		// still rolls the batch back.
		b.WriteString(`INSERT OR FAIL INTO ` + quote(table))
	} else {
		b.WriteString(`INSERT INTO ` + quote(table))
	}
	b.WriteString(` (` + strings.Join(cols, ", ") + `) VALUES `)
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if e == store.SQLite {
				b.WriteByte('?') // numbered parameters are a linear search each in SQLite
			} else {
				b.WriteString("$" + strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// rowsDone records that the first rows rows of table ordinal (all tables
// before it) are written, and commits once the batch is full.
func (l *loader) rowsDone(ctx context.Context, ordinal int, rows int64, added int) error {
	if l.sqlTx == nil {
		return nil
	}
	if _, err := l.sqlTx.ExecContext(ctx, `UPDATE `+progressTable+` SET tables_done = $1, rows_done = $2, updated_at = $3 WHERE id = 1`,
		ordinal, rows, store.FormatTime(time.Now())); err != nil {
		return fmt.Errorf("backup: progress: %w", err)
	}
	l.batch += added
	if l.batch >= l.o.BatchRows {
		return l.commit(ctx)
	}
	return nil
}

func (l *loader) commit(ctx context.Context) error {
	if l.sqlTx == nil {
		return nil
	}
	if l.stmt != nil {
		l.stmt.Close()
		l.stmt = nil
	}
	err := l.sqlTx.Commit()
	l.sqlTx = nil
	if err != nil {
		return fmt.Errorf("backup: commit: %w", err)
	}
	if l.o.AfterBatch != nil {
		l.o.AfterBatch(int64(l.batch))
	}
	l.batch = 0
	return nil
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
