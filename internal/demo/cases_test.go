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

// TestDemoCases opens the demo cases once, mostly women and girls, in
// several stages, and never again on a store that has them.
func TestDemoCases(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, _ := apptest.Open(t, e)
			if _, err := demo.Load(ctx, a); err != nil {
				t.Fatal(err)
			}
			n, err := demo.LoadCases(ctx, a)
			if err != nil || n != demo.DemoCaseCount {
				t.Fatalf("LoadCases = %d, %v; want %d", n, err, demo.DemoCaseCount)
			}
			if n, err := demo.LoadCases(ctx, a); err != nil || n != 0 {
				t.Errorf("second LoadCases = %d, %v; want 0", n, err)
			}
			u, _ := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Police))
			list, total, err := a.Cases.FindCases(ctx, u.Actor(), cases.CaseFilter{Limit: 100})
			if err != nil || total != demo.DemoCaseCount {
				t.Fatalf("FindCases: %d, %v", total, err)
			}
			women, stages := 0, map[cases.Stage]bool{}
			for _, c := range list {
				if c.Sex == "female" {
					women++
				}
				stages[c.Stage] = true
			}
			if women*2 <= total || len(stages) < 2 {
				t.Errorf("%d of %d women, stages %v: want most women and more than one stage", women, total, stages)
			}
		})
	}
}
