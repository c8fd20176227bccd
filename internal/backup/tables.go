package backup

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/ura-nrm/ura/internal/store"
)

// table is one table to copy, with its columns and their declared types.
type table struct {
	name  string
	cols  []string
	types []string // upper-case declared type: TEXT, INTEGER, BLOB, BYTEA, INT8, …
}

// listTables returns the user tables of the schema (not schema_migrations,
// which belongs to the target) parents first, so rows insert without breaking
// a foreign key. Ties sort by name, so two backups of one schema list tables
// in the same order.
func listTables(ctx context.Context, q store.Querier, e store.Engine) ([]string, error) {
	var names []string
	var edges [][2]string // child, parent
	var listQ, fkQ string
	switch e {
	case store.SQLite:
		listQ = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
		fkQ = `SELECT m.name, f."table" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
	case store.Postgres:
		listQ = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		fkQ = `SELECT c.relname, p.relname FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE k.contype = 'f' AND n.nspname = current_schema()`
	default:
		return nil, fmt.Errorf("backup: unknown engine %q", e)
	}
	rows, err := q.QueryContext(ctx, listQ)
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		// The store's own bookkeeping (schema version, deferred indexes) and
		// a restore's progress belong to the target, never to a backup.
		if n != "schema_migrations" && n != store.DeferredIndexesTable && n != progressTable {
			names = append(names, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, fkQ)
	if err != nil {
		return nil, fmt.Errorf("backup: list foreign keys: %w", err)
	}
	for rows.Next() {
		var c, p string
		if err := rows.Scan(&c, &p); err != nil {
			rows.Close()
			return nil, err
		}
		edges = append(edges, [2]string{c, p})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return topoSort(names, edges), nil
}

// topoSort orders names so every parent precedes its children; a cycle (or a
// self-reference) falls back to name order for the tables involved.
func topoSort(names []string, edges [][2]string) []string {
	sort.Strings(names)
	parents := map[string]map[string]bool{}
	for _, e := range edges {
		if e[0] == e[1] {
			continue
		}
		if parents[e[0]] == nil {
			parents[e[0]] = map[string]bool{}
		}
		parents[e[0]][e[1]] = true
	}
	done := map[string]bool{}
	var out []string
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for p := range parents[n] {
				if !done[p] && contains(names, p) {
					ready = false
					break
				}
			}
			if ready {
				done[n] = true
				out = append(out, n)
				progress = true
			}
		}
		if !progress { // a cycle: take the first remaining table
			for _, n := range names {
				if !done[n] {
					done[n] = true
					out = append(out, n)
					break
				}
			}
		}
	}
	return out
}

func contains(s []string, v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

// quote makes a schema name safe as an SQL identifier on both engines.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// unquote undoes quote.
func unquote(q string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(q, `"`), `"`), `""`, `"`)
}

// columns returns the columns of a table in the target, by name.
func columns(ctx context.Context, q store.Querier, name string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM `+quote(name)+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, c := range cts {
		m[c.Name()] = strings.ToUpper(c.DatabaseTypeName())
	}
	return m, nil
}

// normalize turns a scanned value into one of the five types a backup holds,
// guided by the column's declared type: SQLite lets a TEXT column hold an
// integer and a BLOB column hold text, PostgreSQL does not, and a backup must
// restore into either.
func normalize(v any, declType string) (any, error) {
	switch x := v.(type) {
	case nil, float64:
		return v, nil
	case int64:
		if isText(declType) {
			return fmt.Sprint(x), nil
		}
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case bool: // never in Ura's schema, but do not lose it
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if isBlob(declType) {
			return []byte(x), nil
		}
		return x, nil
	case []byte:
		if isText(declType) {
			return string(x), nil
		}
		// Clone keeps an empty BLOB empty and not NULL (the audit chain's
		// first prev_hash is empty).
		return bytes.Clone(x), nil
	}
	return nil, fmt.Errorf("value of type %T outside the schema rules", v)
}

func isText(t string) bool {
	return strings.Contains(t, "TEXT") || strings.Contains(t, "CHAR") || strings.Contains(t, "CLOB")
}
func isBlob(t string) bool { return t == "BLOB" || t == "BYTEA" }

// scanTable streams the rows of t to emit, normalised.
func scanTable(ctx context.Context, tx *sql.Tx, name string, head func(table) error, emit func([]any) error) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quote(name))
	if err != nil {
		return 0, fmt.Errorf("backup: read %s: %w", name, err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	t := table{name: name}
	for _, c := range cts {
		t.cols = append(t.cols, c.Name())
		t.types = append(t.types, strings.ToUpper(c.DatabaseTypeName()))
	}
	if err := head(t); err != nil {
		return 0, err
	}
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("backup: read %s: %w", name, err)
		}
		for i, v := range vals {
			if vals[i], err = normalize(v, t.types[i]); err != nil {
				return n, fmt.Errorf("backup: %s.%s: %w", name, t.cols[i], err)
			}
		}
		if err := emit(vals); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
