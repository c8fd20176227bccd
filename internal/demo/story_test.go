package demo_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestDemoStory plays the demo's working day once, through the services:
// cases in every stage, the advocate and the Centre for Social Work on
// cases of their own; a second start adds nothing.
func TestDemoStory(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, _ := apptest.Open(t, e)
			if _, err := demo.Load(ctx, a); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.LoadCases(ctx, a); err != nil {
				t.Fatal(err)
			}
			n, err := demo.LoadStory(ctx, a)
			if err != nil || n != demo.StoryCaseCount {
				t.Fatalf("LoadStory = %d, %v; want %d", n, err, demo.StoryCaseCount)
			}
			if n, err := demo.LoadStory(ctx, a); err != nil || n != 0 {
				t.Errorf("second LoadStory = %d, %v; want 0", n, err)
			}
			u, _ := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Coordinator))
			counts, err := a.Cases.CountByStage(ctx, u.Actor())
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range cases.Stages {
				if counts[st] == 0 {
					t.Errorf("no demo case in stage %s", st)
				}
			}
		})
	}
}
