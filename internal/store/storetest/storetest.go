// Package storetest gives tests real, throw-away stores on both engines: a SQLite
// file in a temporary directory and a fresh PostgreSQL database on the server
// named by URA_TEST_PG (the test script starts one). Without URA_TEST_PG the
// PostgreSQL half is skipped, unless URA_TEST_REQUIRE_PG=1 makes that a failure.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/store"
)

// Engines lists the engines a test should run on.
func Engines(t testing.TB) []store.Engine {
	return []store.Engine{store.SQLite, store.Postgres}
}

// Each runs f once per engine as subtests named "sqlite" and "postgres", each
// with a fresh, migrated store.
func Each(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			f(t, New(t, e))
		})
	}
}

// New returns a fresh, migrated store on engine e, closed when the test ends.
func New(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	db := NewEmpty(t, e)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// NewEmpty returns a fresh store with no schema.
func NewEmpty(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	var o store.Options
	switch e {
	case store.SQLite:
		o.DataDir = t.TempDir()
	case store.Postgres:
		o.URL = NewPostgresDatabase(t)
	}
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Options returns store options for a fresh database on engine e (for tests
// that start the whole program and open the store themselves).
func Options(t testing.TB, e store.Engine) store.Options {
	t.Helper()
	if e == store.Postgres {
		return store.Options{URL: NewPostgresDatabase(t)}
	}
	return store.Options{DataDir: t.TempDir()}
}

// NewPostgresDatabase creates an empty database on the test server and returns
// its URL; the database is dropped when the test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("URA_TEST_PG")
	if base == "" {
		if os.Getenv("URA_TEST_REQUIRE_PG") == "1" {
			t.Fatal("URA_TEST_PG is not set but URA_TEST_REQUIRE_PG=1: run the tests with scripts/test")
		}
		t.Skip("PostgreSQL tests skipped: URA_TEST_PG is not set (scripts/test starts a server)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	name := "ura_test_" + strings.ToLower(store.NewID())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("URA_TEST_PG: %v", err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return u.String()
}
