package demo_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestLoadServices loads the demo twice: the directory is there once, with
// the shelters' beds on the availability board.
func TestLoadServices(t *testing.T) {
	ctx := context.Background()
	o := storetest.Options(t, store.SQLite)
	cfg := config.Default()
	cfg.DataDir = o.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true, Auth: &ac})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 2 {
		if _, err := demo.Load(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	_, total, err := a.Referral.FindServices(ctx, access.SystemActor, referral.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 7 {
		t.Errorf("the directory holds %d services after two loads, want 7", total)
	}
	board, err := a.Referral.Availability(ctx, access.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	beds := map[string]int{}
	for _, s := range board {
		beds[s.Name] = s.BedsFree
	}
	for name, want := range map[string]int{"Demo Interim Security Facility": 40, "Demo Shelter Drita": 12,
		"Demo DV Shelter Shpresa": 10} {
		if beds[name] != want {
			t.Errorf("%s: %d free beds, want %d", name, beds[name], want)
		}
	}
}
