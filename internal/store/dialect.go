package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite "modernc.org/sqlite"
)

// ForUpdate is the row-lock suffix of a SELECT: PostgreSQL needs it to serialise
// concurrent writers of the same row; SQLite's single writer makes it needless
// (and a syntax error).
func (tx *Tx) ForUpdate() string {
	if tx.db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-constraint failure, on
// either engine, so callers can answer "already exists" instead of failing.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == 2067 || c == 1555 // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
	}
	return false
}

// migrationSQL adapts the one migration text to an engine: BLOB is BYTEA in
// PostgreSQL; everything else is common SQL.
func migrationSQL(e Engine, text string) string {
	if e == Postgres {
		text = strings.ReplaceAll(text, " BLOB", " BYTEA")
	}
	return text
}
