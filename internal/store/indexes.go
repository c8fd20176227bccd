package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Bulk writers (the scale generator, a restore) fill tables with millions of
// rows. Maintaining every secondary index row by row costs a random page per
// index per row once the indexes outgrow the cache, so the cost per row grows
// with the store; building an index once over the loaded rows is a sort.
// DeferIndexes drops the secondary indexes of some tables, recording their
// definitions in store_deferred_indexes in the same transaction, and
// BuildDeferredIndexes creates them again and forgets them. Because the
// definitions are in the database, an interrupted load loses none: the
// next BuildDeferredIndexes (Migrate runs one) puts them back.
//
// Primary keys and unique constraints stay (they are what makes a row's
// identity, and what a resumed restore relies on); indexes written as
// CREATE [UNIQUE] INDEX in the migrations are deferred.

// DeferredIndexesTable names the bookkeeping table; like schema_migrations it
// belongs to the store and is never part of a backup.
const DeferredIndexesTable = "store_deferred_indexes"

const createDeferred = `CREATE TABLE IF NOT EXISTS store_deferred_indexes (
	name TEXT PRIMARY KEY, tbl TEXT NOT NULL, definition TEXT NOT NULL)`

// DeferIndexes drops the secondary indexes of tables in tx and records them.
// It returns how many it dropped.
func DeferIndexes(ctx context.Context, tx *Tx, tables []string) (int, error) {
	if _, err := tx.ExecContext(ctx, createDeferred); err != nil {
		return 0, fmt.Errorf("deferred indexes: %w", err)
	}
	type def struct{ name, tbl, sql string }
	var defs []def
	for _, t := range tables {
		var q string
		switch tx.Engine() {
		case SQLite:
			q = `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
		default:
			// Indexes that back a constraint (primary key, UNIQUE in the
			// table) are not listed.
			q = `SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i
				WHERE i.schemaname = current_schema() AND i.tablename = $1
				AND NOT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid
					WHERE c.relname = i.indexname AND k.contype IN ('p', 'u', 'x'))`
		}
		rows, err := tx.QueryContext(ctx, q, t)
		if err != nil {
			return 0, fmt.Errorf("deferred indexes: list %s: %w", t, err)
		}
		for rows.Next() {
			var d def
			if err := rows.Scan(&d.name, &d.tbl, &d.sql); err != nil {
				rows.Close()
				return 0, fmt.Errorf("deferred indexes: list %s: %w", t, err)
			}
			defs = append(defs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("deferred indexes: list %s: %w", t, err)
		}
	}
	for _, d := range defs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_deferred_indexes (name, tbl, definition) VALUES ($1, $2, $3)`,
			d.name, d.tbl, d.sql); err != nil {
			return 0, fmt.Errorf("deferred indexes: record %s: %w", d.name, err)
		}
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(d.name)); err != nil {
			return 0, fmt.Errorf("deferred indexes: drop %s: %w", d.name, err)
		}
	}
	return len(defs), nil
}

// BuildDeferredIndexes creates every deferred index again, each in its own
// transaction with its record's removal, and returns how many it built.
func (db *DB) BuildDeferredIndexes(ctx context.Context) (int, error) {
	if _, err := db.write.ExecContext(ctx, createDeferred); err != nil {
		return 0, fmt.Errorf("deferred indexes: %w", err)
	}
	rows, err := db.write.QueryContext(ctx, `SELECT name, definition FROM store_deferred_indexes`)
	if err != nil {
		return 0, fmt.Errorf("deferred indexes: %w", err)
	}
	defs := map[string]string{}
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			rows.Close()
			return 0, fmt.Errorf("deferred indexes: %w", err)
		}
		defs[n] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("deferred indexes: %w", err)
	}
	if len(defs) > 0 && db.Engine == SQLite {
		// An index build sorts; with the store's temp_store=MEMORY the
		// sort's overflow runs would stay in memory too, growing with the
		// table. On disk while building.
		if _, err := db.write.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
			return 0, fmt.Errorf("deferred indexes: %w", err)
		}
		defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
	}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		err := db.InTx(ctx, time.Now(), func(tx *Tx) error {
			def := defs[n]
			if tx.Engine() == Postgres {
				// A sort in memory rather than in many small runs on disk.
				if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
					return fmt.Errorf("deferred indexes: %w", err)
				}
			}
			// Idempotent: a build interrupted after its commit is not run twice,
			// but one whose index exists for another reason is still fine.
			def = strings.Replace(def, " INDEX ", " INDEX IF NOT EXISTS ", 1)
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("deferred indexes: build %s: %w", n, err)
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM store_deferred_indexes WHERE name = $1`, n)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(names), nil
}

// quoteIdent quotes an identifier for both engines.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
