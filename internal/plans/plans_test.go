package plans_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/plans"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestValidateDates(t *testing.T) {
	now := fixture.T0
	tests := []struct {
		name  string
		in    plans.RiskInput
		field string
	}{
		{"OK", plans.RiskInput{Level: plans.High, Threats: "x", AssessedOn: "2026-03-10"}, ""},
		{"February30", plans.RiskInput{Level: plans.High, Threats: "x", AssessedOn: "2026-02-30"}, "assessed_on"},
		{"Month13", plans.RiskInput{Level: plans.Low, Threats: "x", NextDueOn: "2026-13-01"}, "next_due_on"},
		{"Future", plans.RiskInput{Level: plans.Low, Threats: "x", AssessedOn: "2027-01-01"}, "assessed_on"},
		{"NextBeforeAssessed", plans.RiskInput{Level: plans.Low, Threats: "x", AssessedOn: "2026-03-10", NextDueOn: "2026-03-01"}, "next_due_on"},
		{"NoLevel", plans.RiskInput{Threats: "x"}, "level"},
		{"NoThreats", plans.RiskInput{Level: plans.Medium}, "threats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate(now)
			if got := errs.As(err); (err == nil) != (tt.field == "") || err != nil && got.Field != tt.field {
				t.Errorf("Validate = %v, want an error on %q", err, tt.field)
			}
		})
	}
}

func TestAssessAndPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, _ := env.Case(t, false)
		r, err := env.Plans.AssessRisk(ctx, fixture.Advocate, caseID, plans.RiskInput{Level: plans.High, Threats: "Recruiter knows the family's address."})
		if err != nil {
			t.Fatal(err)
		}
		if d := r.NextDueOn.Sub(r.AssessedOn); d != 30*24*time.Hour {
			t.Errorf("high risk re-assessed after %v, want 30 days", d)
		}
		if _, err := env.Plans.AssessRisk(ctx, fixture.Advocate, caseID, plans.RiskInput{Level: plans.Medium, Threats: "Lower."}); err != nil {
			t.Fatal(err)
		}
		if lvl, err := env.Plans.LatestRisk(ctx, db.Read(), caseID); err != nil || lvl != plans.Medium {
			t.Errorf("latest risk %q, %v", lvl, err)
		}
		if _, err := env.Plans.AssessRisk(ctx, fixture.Outsider, caseID, plans.RiskInput{Level: plans.Low, Threats: "x"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("outsider: %v, want not found", err)
		}
		if _, err := env.Plans.AssessNeeds(ctx, fixture.Shelter, caseID, plans.NeedsInput{Needs: []string{"medical", "accommodation", "medical"}}); err != nil {
			t.Fatal(err)
		}
		p, err := env.Plans.CreatePlan(ctx, fixture.Social, caseID, plans.PlanInput{Items: []plans.ItemInput{
			{Type: "Health", Goals: "Regular check-ups", Actions: "Book the clinic", ResponsibleOrg: fixture.NGO.OrgID, DueOn: "2026-05-01"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = env.Plans.CreatePlan(ctx, fixture.Social, caseID, plans.PlanInput{Items: []plans.ItemInput{
			{Type: "Astrology", Goals: "x", Actions: "y", ResponsibleOrg: fixture.NGO.OrgID, DueOn: "2026-05-01"},
		}})
		if got := errs.As(err).Field; got != "items.0.type" {
			t.Errorf("bad support type: %v, want an error on items.0.type", err)
		}
		if _, err := env.Plans.CreatePlan(ctx, fixture.Police, caseID, plans.PlanInput{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("police writing a plan: %v, want forbidden", err)
		}
		if err := env.Plans.SetProgress(ctx, fixture.NGO, p.Items[0].ID, "in_progress", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Plans.RecordReview(ctx, fixture.Social, caseID, plans.ReviewInput{HeldOn: "2026-03-16",
			Participants: []string{fixture.Social.OrgID, fixture.NGO.OrgID}, Outcome: "Plan confirmed.", NextReviewOn: "2026-06-16"}); err != nil {
			t.Fatal(err)
		}
		v, err := env.Plans.View(ctx, fixture.Shelter, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Risks) != 2 || v.Risks[0].Level != plans.Medium || v.Risks[1].Threats != "Recruiter knows the family's address." ||
			v.Plan == nil || len(v.Plan.Items) != 1 || v.Plan.Items[0].Progress != "in_progress" || len(v.Reviews) != 1 ||
			len(v.Needs) != 1 || len(v.Needs[0].Needs) != 2 {
			t.Errorf("view: %+v", v)
		}
		tasks, err := env.Clocks.CaseTasks(ctx, fixture.Advocate, caseID)
		if err != nil {
			t.Fatal(err)
		}
		open := map[clocks.Kind]int{}
		for _, tk := range tasks {
			if !tk.Done {
				open[tk.Kind]++
			}
		}
		if open[clocks.RiskReassessment] != 1 || open[clocks.PlanReview] != 1 {
			t.Errorf("open tasks %v: want one re-assessment and one review (earlier ones superseded)", open)
		}
	})
}
