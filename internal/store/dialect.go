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

// IndexedBy is the clause after a table name that makes SQLite read it
// through the named index: SQLite's planner, without statistics
// (ANALYZE), prefers a unique index on an equality to a covering index on
// the same leading column, and so reads the wide row after all.
// PostgreSQL's planner chooses by cost (an index-only scan) and has no
// such clause.
func IndexedBy(e Engine, index string) string {
	if e == SQLite {
		return " INDEXED BY " + index
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

// HoursBetween is the SQL of the hours from the time column from to the
// time column to (both TEXT in TimeFormat), on engine e. A migration writes
// the SQLite form between two columns; migrationSQL gives PostgreSQL its own
// (the same text the running code uses, so a back-fill counts exactly as a
// query would).
func HoursBetween(e Engine, from, to string) string {
	if e == Postgres {
		return "EXTRACT(EPOCH FROM (CAST(" + to + " AS timestamptz) - CAST(" + from + " AS timestamptz))) / 3600"
	}
	return "(julianday(" + to + ") - julianday(" + from + ")) * 24"
}

// pgHours are the column pairs whose HoursBetween the migrations use.
var pgHours = [][2]string{{"created_at", "answered_at"}}

// migrationSQL adapts the one migration text to an engine: BLOB is BYTEA in
// PostgreSQL, and HoursBetween of the pairs in pgHours is written for it;
// everything else is common SQL.
func migrationSQL(e Engine, text string) string {
	if e == Postgres {
		text = strings.ReplaceAll(text, " BLOB", " BYTEA")
		for _, p := range pgHours {
			text = strings.ReplaceAll(text, HoursBetween(SQLite, p[0], p[1]), HoursBetween(Postgres, p[0], p[1]))
		}
	}
	return text
}
