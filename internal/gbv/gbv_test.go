package gbv_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func newService(env *fixture.Env) *gbv.Service {
	return &gbv.Service{DB: env.DB, Vault: env.Vault, Clock: env.Clock, Cases: env.Cases, Clocks: env.Clocks,
		Notify: &notify.Service{DB: env.DB, Clock: env.Clock}}
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func field(err error) string {
	if err == nil {
		return ""
	}
	return errs.As(err).Field
}

// TestIncidents records an incident (classified, the case becomes a GBV
// case, the account sealed) and refuses bad input without writing.
func TestIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		s := newService(env)
		caseID, _ := env.Case(t, false)
		in := gbv.IncidentInput{OccurredOn: "2026-03-01", PlaceType: "home", Context: "intimate_partner", ReportedBy: "survivor",
			Answers: gbv.Answers{PhysicalAssault: true, PsychologicalAbuse: true}, Account: "He pushed me down the stairs."}
		inc, err := s.RecordIncident(ctx, fixture.Social, caseID, in)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Type != gbv.PhysicalAssault || len(inc.Explanation.Also()) != 1 {
			t.Errorf("type %s, also %v", inc.Type, inc.Explanation.Also())
		}
		if typ, _ := cases.CaseType(ctx, db.Read(), caseID); typ != cases.CaseTypeBoth {
			t.Errorf("case type %q after a GBV incident on a trafficking case, want both", typ)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM gbv_incidents WHERE account_enc IS NOT NULL AND sex = 'female' AND month = '2026-03'`); n != 1 {
			t.Errorf("%d incidents with sealed account and facts", n)
		}
		for name, c := range map[string]struct {
			mod   func(*gbv.IncidentInput)
			field string
		}{
			"no date":     {func(i *gbv.IncidentInput) { i.OccurredOn = "" }, "occurred_on"},
			"future date": {func(i *gbv.IncidentInput) { i.OccurredOn = "2026-03-17" }, "occurred_on"},
			"bad date":    {func(i *gbv.IncidentInput) { i.OccurredOn = "2026-02-30" }, "occurred_on"},
			"no context":  {func(i *gbv.IncidentInput) { i.Context = "" }, "context"},
			"bad place":   {func(i *gbv.IncidentInput) { i.PlaceType = "moon" }, "place_type"},
		} {
			bad := in
			c.mod(&bad)
			if _, err := s.RecordIncident(ctx, fixture.Social, caseID, bad); field(err) != c.field {
				t.Errorf("%s: %v, want an error on %s", name, err, c.field)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM gbv_incidents`); n != 1 {
			t.Errorf("%d incidents after refusals, want 1", n)
		}
		if _, err := s.RecordIncident(ctx, fixture.Outsider, caseID, in); !errs.Is(err, errs.NotFound) {
			t.Errorf("outsider: %v", err)
		}
		v, err := s.View(ctx, fixture.Advocate, caseID)
		if err != nil || len(v.Incidents) != 1 || v.Incidents[0].Account != in.Account || v.Incidents[0].Type != gbv.PhysicalAssault {
			t.Fatalf("view: %+v %v", v, err)
		}
	})
}

func yes(n int) []string { return gbv.DefaultQuestions.IDs[:n] }

// TestRiskAssessment scores the question set, lets judgement raise (never
// lower) the level with a reason, and on high risk alerts the configured
// organisations and schedules a case conference, in one transaction.
func TestRiskAssessment(t *testing.T) {
	if n := len(gbv.DefaultQuestions.IDs); n != 24 {
		t.Fatalf("%d questions, want 24", n)
	}
	qs := gbv.DefaultQuestions
	for score, want := range map[int]gbv.RiskLevel{0: gbv.RiskStandard, 9: gbv.RiskStandard, 10: gbv.RiskMedium, 13: gbv.RiskMedium, 14: gbv.RiskHigh, 24: gbv.RiskHigh} {
		if got := qs.Level(score); got != want {
			t.Errorf("score %d: %s, want %s", score, got, want)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		s := newService(env)
		caseID, _ := env.Case(t, false)
		if err := s.SetAlertOrgs(ctx, access.SystemActor, []string{fixture.Police.OrgID, fixture.Coordinator.OrgID}, orgFinder{}); err != nil {
			t.Fatal(err)
		}
		r, err := s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: yes(9)})
		if err != nil || r.Level != gbv.RiskStandard || len(r.Alerted) != 0 {
			t.Fatalf("9 yes: %+v %v", r, err)
		}
		if _, err := s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: yes(9), Judgement: gbv.RiskHigh}); field(err) != "reason" {
			t.Errorf("raised without a reason: %v", err)
		}
		if _, err := s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: yes(15), Judgement: gbv.RiskMedium}); field(err) != "judgement" {
			t.Errorf("lowered: %v", err)
		}
		if _, err := s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: []string{"nope"}}); field(err) != "yes" {
			t.Errorf("unknown question: %v", err)
		}
		env.Clock.Advance(time.Minute)
		r, err = s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: yes(14)})
		if err != nil || r.Level != gbv.RiskHigh || len(r.Alerted) != 2 || r.ConferenceDue.IsZero() {
			t.Fatalf("14 yes: %+v %v", r, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE kind = 'gbv.high_risk' AND object_id = $1`, caseID); n != 3 {
			t.Errorf("%d high-risk notifications, want 3 (two police officers, the coordinator)", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tasks WHERE case_id = $1 AND kind = 'gbv_case_conference' AND done_at IS NULL`, caseID); n != 1 {
			t.Errorf("%d open case conference tasks", n)
		}
		env.Clock.Advance(time.Minute)
		r, err = s.AssessRisk(ctx, fixture.Social, caseID, gbv.RiskInput{Yes: yes(3), Judgement: gbv.RiskHigh, Reason: "Threats to kill after she left."})
		if err != nil || !r.Raised || r.Level != gbv.RiskHigh || r.Scored != gbv.RiskStandard {
			t.Fatalf("raised: %+v %v", r, err)
		}
		v, err := s.View(ctx, fixture.Social, caseID)
		if err != nil || len(v.Risks) != 3 || v.Risks[0].Reason == "" || len(v.Risks[1].Yes) != 14 {
			t.Fatalf("view: %+v %+v %+v %v", v.Risks[0], v.Risks[1], v.Risks[2], err)
		}
		// Safety plan.
		if _, err := s.RecordSafetyPlan(ctx, fixture.Social, caseID, gbv.SafetyInput{ReviewOn: "2026-04-16"}); field(err) != "steps" {
			t.Errorf("no steps: %v", err)
		}
		p, err := s.RecordSafetyPlan(ctx, fixture.Social, caseID, gbv.SafetyInput{ReviewOn: "2026-04-16",
			Steps: []gbv.Step{{Kind: "code_word", Text: "Blue umbrella"}, {Kind: "where_to_go", Text: "Sister's flat"}, {Kind: "other", Text: " "}}})
		if err != nil || len(p.Steps) != 2 {
			t.Fatalf("safety plan: %+v %v", p, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tasks WHERE case_id = $1 AND kind = 'safety_plan_review' AND done_at IS NULL`, caseID); n != 1 {
			t.Errorf("%d open safety plan reviews", n)
		}
	})
}

type orgFinder struct{}

func (orgFinder) FindOrgByID(ctx context.Context, a access.Actor, id string) (*auth.Org, error) {
	return &auth.Org{ID: id}, nil
}

// TestStatsSource counts incidents and survivors by type, context, sex and
// month from the incidents alone.
func TestStatsSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		s := newService(env)
		a, _ := env.Case(t, false)
		reg, err := env.Cases.Open(ctx, fixture.Social, cases.Input{Person: cases.Person{GivenName: "Besarta", FamilyName: "Other",
			BirthDate: "1992-07-01", Sex: "female"}, Municipality: "Prizren"})
		if err != nil {
			t.Fatal(err)
		}
		b := reg.ID
		for _, c := range []struct {
			caseID, on string
			ans        gbv.Answers
		}{
			{a, "2026-01-05", gbv.Answers{PhysicalAssault: true}},
			{a, "2026-02-07", gbv.Answers{Penetration: true, PhysicalAssault: true}},
			{b, "2026-02-09", gbv.Answers{PhysicalAssault: true}},
		} {
			if _, err := s.RecordIncident(ctx, fixture.Social, c.caseID, gbv.IncidentInput{OccurredOn: c.on, PlaceType: "home",
				Context: "intimate_partner", ReportedBy: "survivor", Answers: c.ans}); err != nil {
				t.Fatal(err)
			}
		}
		src := s.StatsSource()
		rows, err := src.Answer(ctx, stats.Query{Measure: gbv.MeasureIncidents, By: []string{"gbv_type", "month"}, From: "2026-01", To: "2026-12"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, r := range rows {
			got[r.Keys[0]+"/"+r.Keys[1]] = r.Value
		}
		if got["physical_assault/2026-01"] != 1 || got["physical_assault/2026-02"] != 1 || got["rape/2026-02"] != 1 || len(got) != 3 {
			t.Errorf("incidents by type and month: %v", got)
		}
		rows, err = src.Answer(ctx, stats.Query{Measure: gbv.MeasureSurvivors, By: []string{"sex"}, From: "2026-02", To: "2026-02",
			Municipalities: []string{"Prizren"}})
		if err != nil || len(rows) != 1 || rows[0].Keys[0] != "female" || rows[0].Value != 2 {
			t.Errorf("survivors in February in Prizren: %+v %v", rows, err)
		}
		if _, err := src.Answer(ctx, stats.Query{Measure: gbv.MeasureIncidents, By: []string{"name"}}); err == nil {
			t.Error("an unknown dimension was answered")
		}
	})
}
