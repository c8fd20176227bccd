package store

import (
	"context"
	"database/sql"
	"fmt"
)

// BulkLoad tunes the writer connection for a bulk writer into a new store
// (a restore) while f runs, and puts the store's settings back afterwards,
// on success or failure. On SQLite:
//
//   - synchronous=OFF: a commit is not flushed to disk. A killed process
//     loses nothing it committed (the operating system still has the
//     pages), so a restore interrupted by a kill resumes; a power cut or an
//     operating-system crash during the load can leave the file damaged, and
//     the restore must then start again into a new store (it is new and
//     empty by definition).
//   - cache_size of cacheMB: the page cache that keeps the primary keys'
//     pages (random ids) between batches; it bounds the memory.
//   - journal_size_limit: the write-ahead log is cut back after each
//     checkpoint instead of keeping the size of the largest batch.
//
// Afterwards synchronous is FULL again and a TRUNCATE checkpoint copies the
// log into the database file and syncs it, so when BulkLoad returns the
// loaded rows are as durable as any acknowledged write. On PostgreSQL f just
// runs (the bulk writer turns synchronous_commit off per transaction).
// The pragmas cannot change inside a transaction: f must not be called in one.
func (db *DB) BulkLoad(ctx context.Context, cacheMB int, f func() error) (err error) {
	if db.Engine != SQLite {
		return f()
	}
	for _, p := range []string{
		`PRAGMA synchronous = OFF`,
		fmt.Sprintf(`PRAGMA cache_size = %d`, -cacheMB*1024),
		`PRAGMA journal_size_limit = 67108864`,
	} {
		if _, err := db.write.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("bulk load: %s: %w", p, err)
		}
	}
	defer func() {
		c := context.WithoutCancel(ctx)
		for _, p := range []string{
			`PRAGMA synchronous = FULL`,
			`PRAGMA cache_size = -32000`,
			`PRAGMA wal_checkpoint(TRUNCATE)`,
		} {
			if _, e := db.write.ExecContext(c, p); e != nil && err == nil {
				err = fmt.Errorf("bulk load: %s: %w", p, e)
			}
		}
	}()
	return f()
}

// SetCacheMB sets the SQLite writer's page cache (a no-op on PostgreSQL):
// a bulk writer lowers it before building indexes, since SQLite sizes a
// sort's memory from it and the two would add up.
func (db *DB) SetCacheMB(ctx context.Context, mb int) error {
	if db.Engine != SQLite {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -mb*1024)); err != nil {
		return fmt.Errorf("cache size: %w", err)
	}
	return nil
}

// WriteConn reserves one connection of the writer pool for a bulk writer
// that needs the driver's own interface (PostgreSQL's COPY through
// sql.Conn.Raw); the caller closes it. Only for PostgreSQL: SQLite's single
// writer connection would be held away from everyone else.
func (db *DB) WriteConn(ctx context.Context) (*sql.Conn, error) {
	if db.Engine != Postgres {
		return nil, fmt.Errorf("write connection: only for PostgreSQL")
	}
	return db.write.Conn(ctx)
}
