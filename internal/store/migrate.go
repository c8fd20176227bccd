package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one numbered, forward-only schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]bool{}
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", name)
		}
		if seen[v] {
			return nil, fmt.Errorf("migration %d appears twice", v)
		}
		seen[v] = true
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// LatestVersion is the schema version this binary knows.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// ErrSchemaNewer means the database was migrated by a newer Ura: this binary must
// not write to it.
var ErrSchemaNewer = errors.New("the database schema is newer than this version of Ura; upgrade Ura")

// ErrSchemaOld means migrations are pending.
var ErrSchemaOld = errors.New("the database schema is out of date; run ura migrate")

const pgMigrateLock = 7_411_003 // advisory lock key: one migrator at a time across nodes

// Migrate applies pending migrations, each in its own transaction. On PostgreSQL
// it holds an advisory lock, so two nodes starting together migrate once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	if applied, err = db.migrate(ctx); err != nil {
		return applied, err
	}
	// Indexes a bulk load deferred and did not build (it was interrupted)
	// are built now.
	if _, err := db.BuildDeferredIndexes(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// MigrateSchema applies pending migrations and leaves deferred indexes
// deferred: for a bulk writer that is about to resume (a restore).
func (db *DB) MigrateSchema(ctx context.Context) (applied int, err error) { return db.migrate(ctx) }

func (db *DB) migrate(ctx context.Context) (applied int, err error) {
	ms, err := Migrations()
	if err != nil {
		return 0, err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if db.Engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgMigrateLock); err != nil {
			return 0, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, pgMigrateLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	// Created here, under the lock, so that two nodes starting together do
	// not race to create it in BuildDeferredIndexes.
	if _, err := conn.ExecContext(ctx, createDeferred); err != nil {
		return 0, fmt.Errorf("create %s: %w", DeferredIndexesTable, err)
	}
	cur, err := currentVersion(ctx, conn)
	if err != nil {
		return 0, err
	}
	if len(ms) > 0 && cur > ms[len(ms)-1].Version {
		return 0, ErrSchemaNewer
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		// Every version not yet recorded is applied, in order, even below the
		// highest recorded one: numbers may leave gaps, and a migration
		// numbered lower than one already applied (two branches merged) is
		// still run once.
		if done[m.Version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, migrationSQL(db.Engine, m.SQL)); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, FormatTime(time.Now())); err != nil {
			tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied++
	}
	return applied, nil
}

// CheckSchema returns nil when the database is at exactly this binary's
// version: no recorded version above it, and every one it knows applied.
func (db *DB) CheckSchema(ctx context.Context) error {
	var n, count int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&n)
	if err != nil {
		return ErrSchemaOld
	}
	ms, err := Migrations()
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if n > latest {
		return ErrSchemaNewer
	}
	known := make([]any, len(ms))
	marks := make([]string, len(ms))
	for i, m := range ms {
		known[i], marks[i] = m.Version, "$"+strconv.Itoa(i+1)
	}
	if len(ms) > 0 {
		err = db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version IN (`+
			strings.Join(marks, ", ")+`)`, known...).Scan(&count)
		if err != nil {
			return ErrSchemaOld
		}
	}
	if count < len(ms) {
		return ErrSchemaOld
	}
	return nil
}

// appliedVersions returns the versions recorded in schema_migrations.
func appliedVersions(ctx context.Context, conn *sql.Conn) (map[int]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema versions: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema versions: %w", err)
		}
		done[v] = true
	}
	return done, rows.Err()
}

func currentVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return n, nil
}
