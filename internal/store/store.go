// Package store opens Ura's database — embedded SQLite by default, PostgreSQL for
// larger deployments — runs the embedded migrations, and hands out transactions.
// Capability packages write one set of SQL for both engines; the true dialect
// differences live in dialect.go alone.
//
// Schema rules that keep the two engines (and backups between them) identical:
// columns are TEXT, INTEGER/BIGINT, DOUBLE PRECISION or BLOB only; booleans are
// INTEGER 0/1; times are TEXT in store.TimeFormat (UTC, fixed width, so they sort).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Engine names a database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open store. For SQLite, writes go through one connection (SQLite has
// one writer; queuing in Go beats busy-waiting in the engine) and reads through a
// pool; for PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	write  *sql.DB
	read   *sql.DB
	// Path is the SQLite file (empty for PostgreSQL).
	Path string
	// URL is the PostgreSQL connection string (empty for SQLite).
	URL   string
	group Batches[*groupCall] // InGroupTx's callers
}

// Options choose what Open opens.
type Options struct {
	// DataDir holds the SQLite file ura.db when URL is empty.
	DataDir string
	// URL is a postgres:// connection string; empty means SQLite in DataDir.
	URL string
	// MaxConns caps the PostgreSQL pool (and the SQLite read pool); 0 means 16.
	MaxConns int
}

// DBFile is the SQLite file name inside the data directory.
const DBFile = "ura.db"

// Open opens the store without migrating it.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.MaxConns <= 0 {
		o.MaxConns = 16
	}
	if o.URL != "" {
		if !strings.HasPrefix(o.URL, "postgres://") && !strings.HasPrefix(o.URL, "postgresql://") {
			return nil, errors.New("database URL must start with postgres://")
		}
		db, err := sql.Open("pgx", o.URL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(o.MaxConns)
		db.SetMaxIdleConns(o.MaxConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w", redactURL(err, o.URL))
		}
		return &DB{Engine: Postgres, write: db, read: db, URL: o.URL}, nil
	}
	if o.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(o.DataDir, DBFile)
	return openSQLite(ctx, path, o.MaxConns)
}

// OpenSQLiteFile opens a SQLite store at an exact path (backups, tests).
func OpenSQLiteFile(ctx context.Context, path string) (*DB, error) {
	return openSQLite(ctx, path, 4)
}

func openSQLite(ctx context.Context, path string, maxRead int) (*DB, error) {
	// synchronous(FULL) with WAL: a commit is on disk before it is acknowledged,
	// so an acknowledged write survives a power cut (NORMAL could lose the tail).
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)",
		"synchronous(FULL)", "temp_store(MEMORY)", "cache_size(-32000)", "secure_delete(1)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + uriPath(path) + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		return nil, fmt.Errorf("restrict database file: %w", err)
	}
	rq := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "query_only(1)", "cache_size(-16000)"} {
		rq.Add("_pragma", p)
	}
	r, err := sql.Open("sqlite", "file:"+uriPath(path)+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(maxRead)
	r.SetMaxIdleConns(maxRead)
	return &DB{Engine: SQLite, write: w, read: r, Path: path}, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// PoolStats returns the statistics of the write and read connection pools
// (for /metrics).
func (db *DB) PoolStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
}

// Querier is what both *sql.DB and *sql.Tx offer; read helpers take it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Read returns the read pool, for queries outside a transaction.
func (db *DB) Read() Querier { return db.read }

// Tx is a write transaction.
type Tx struct {
	*sql.Tx
	db *DB
	// Now is the one clock reading of the transaction, set by the caller of InTx.
	Now   time.Time
	after []func()
}

// Engine tells which engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.db.Engine }

// AfterCommit registers f to run once the transaction has committed (for
// notifications and caches that must not see rolled-back data).
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// InTx runs f in a write transaction and commits it if f returns nil. On SQLite
// the transaction takes the write lock at BEGIN (IMMEDIATE), so two writers
// never deadlock on an upgrade; on PostgreSQL it runs at READ COMMITTED and
// callers lock what they update with SELECT … FOR UPDATE (see ForUpdate).
func (db *DB) InTx(ctx context.Context, now time.Time, f func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, db: db, Now: now.UTC()}
	if err := f(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, a := range tx.after {
		a()
	}
	return nil
}

// WithoutForeignKeys runs f with SQLite's foreign-key enforcement off on the
// writer connection, for a bulk writer whose rows are consistent by
// construction (the scale generator) or checked afterwards (a restore).
// SQLite keeps a statement journal — a copy of every page a multi-row
// statement touches — for any statement that might have to be undone alone,
// and a declared foreign key makes every insert such a statement, even with
// the checks deferred; that copying was the largest cost of a bulk load
// (docs/benchmarks.md, "Bulk load"). On PostgreSQL f just runs. The pragma
// cannot change inside a transaction, so f must not be called inside one.
func (db *DB) WithoutForeignKeys(ctx context.Context, f func() error) error {
	if db.Engine != SQLite {
		return f()
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("foreign keys off: %w", err)
	}
	defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	return f()
}

// BeginWrite begins a write transaction that the caller commits: for bulk
// writers (a restore) that commit as they go. Prefer InTx.
func (db *DB) BeginWrite(ctx context.Context) (*sql.Tx, error) { return db.write.BeginTx(ctx, nil) }

// ReadTx runs f in a read-only transaction that sees one consistent snapshot
// (backups, reports that read several tables).
func (db *DB) ReadTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return f(tx)
}

func redactURL(err error, u string) error {
	p, perr := url.Parse(u)
	if perr != nil || p.User == nil {
		return err
	}
	if pw, ok := p.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "****"))
	}
	return err
}

// uriPath escapes the characters that end a path in an SQLite URI filename,
// so a data directory named "cases #2" or "a?b" opens the right file.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
