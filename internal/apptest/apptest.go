// Package apptest opens a whole Ura for tests: a fresh store on the given
// engine, a new master key, all services wired as `ura serve` wires them, a
// fake clock, and cheap password hashing (so tests can sign in hundreds of
// times). Tests only.
package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// Start is the fake clock's first reading.
var Start = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)

// Open returns a migrated App on a fresh store of engine e, closed when the
// test ends, and its fake clock.
func Open(t testing.TB, e store.Engine) (*app.App, *clock.Fake) {
	t.Helper()
	o := storetest.Options(t, e)
	cfg := config.Default()
	cfg.DataDir, cfg.DB = o.DataDir, o.URL
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	clk := clock.NewFake(Start)
	a, err := app.Open(context.Background(), cfg, app.Options{Migrate: true, CreateKey: true, Clock: clk, Auth: &ac})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, clk
}
