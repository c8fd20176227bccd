package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestDemoMonitor: the demo has a civil-society monitor account, listed in
// the sign-in table printed at start, whose organisation monitors the demo
// municipality's action plan (and only that plan is shown to it); the
// demo's public campaign runs, so the portal points to it. Loading twice
// adds nothing.
func TestDemoMonitor(t *testing.T) {
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
	var creds []demo.Credential
	for range 2 {
		if creds, err = demo.Load(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	demo.PrintCredentials(&buf, "http://localhost:8080", creds)
	if !strings.Contains(buf.String(), "monitor@demo.ura.invalid") {
		t.Fatalf("the sign-in table lacks the monitor:\n%s", buf.String())
	}
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Monitor))
	if err != nil || u.Role != access.Monitor {
		t.Fatalf("monitor account: %+v %v", u, err)
	}
	plans, err := a.Coord.Plans(ctx, u.Actor())
	if err != nil || len(plans) != 1 || plans[0].Kind != "municipal" {
		t.Fatalf("the monitor's plans: %+v %v", plans, err)
	}
	p, err := a.Coord.Plan(ctx, u.Actor(), plans[0].ID)
	if err != nil || len(p.Activities) != 2 || p.Activities[0].Latest == nil {
		t.Fatalf("the demo plan: %v", err)
	}
	if err := a.Coord.AddComment(ctx, u.Actor(), p.ID, "The school sessions should reach Dragash too."); err != nil {
		t.Errorf("the monitor's comment: %v", err)
	}
	if c, err := a.Coord.CurrentCampaign(ctx); err != nil || c == nil {
		t.Errorf("no public campaign runs in the demo: %v", err)
	}
	sec, _ := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Coordinator))
	if all, _ := a.Coord.Plans(ctx, sec.Actor()); len(all) != 1 {
		t.Errorf("loading twice: %d plans", len(all))
	}
}
