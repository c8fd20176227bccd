package clocks_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		days int
		ok   bool
	}{{"Kosovo", 90, true}, {"ConventionMinimum", 30, true}, {"BelowMinimum", 29, false}, {"Zero", 0, false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clocks.DefaultConfig("XK")
			c.ReflectionDays = tt.days
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%d days) = %v, want ok=%v", tt.days, err, tt.ok)
			}
		})
	}
	if got, want := clocks.DefaultConfig("XK").ReflectionDays, 90; got != want {
		t.Errorf("Kosovo: %d days, want %d", got, want)
	}
	if got, want := clocks.DefaultConfig("ZZ").ReflectionDays, 30; got != want {
		t.Errorf("unknown country: %d days, want %d", got, want)
	}
}

func kinds(tasks []*clocks.Task) map[clocks.Kind]*clocks.Task {
	m := map[clocks.Kind]*clocks.Task{}
	for _, t := range tasks {
		m[t.Kind] = t
	}
	return m
}

func presume(t *testing.T, env *fixture.Env, caseID string) {
	t.Helper()
	ctx := context.Background()
	for _, to := range []cases.Stage{cases.StageScreening, cases.StagePresumed} {
		var v int
		if err := env.DB.Read().QueryRowContext(ctx, `SELECT version FROM cases WHERE id = $1`, caseID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if err := env.Cases.Transition(ctx, fixture.Police, caseID, cases.TransitionInput{To: to, Version: v}); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
}

func TestHooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		child, _ := env.Case(t, true)
		got, err := env.Clocks.CaseTasks(ctx, fixture.Police, child)
		if err != nil {
			t.Fatal(err)
		}
		k := kinds(got)
		if k[clocks.GuardianAppointment] == nil || k[clocks.SocialWorkNotification] == nil || len(got) != 2 {
			t.Fatalf("child case tasks: %+v, want guardian appointment and notification", got)
		}
		if due, want := k[clocks.SocialWorkNotification].DueAt.Sub(k[clocks.SocialWorkNotification].CreatedAt), 24*time.Hour; due != want {
			t.Errorf("notification due after %v, want %v", due, want)
		}
		presume(t, env, child)
		got, _ = env.Clocks.CaseTasks(ctx, fixture.Police, child)
		k = kinds(got)
		refl := k[clocks.ReflectionEnd]
		if refl == nil || len(got) != 3 {
			t.Fatalf("after presumption: %+v, want a reflection task and no duplicate child tasks", got)
		}
		if d := refl.DueAt.Sub(refl.CreatedAt); d != 90*24*time.Hour {
			t.Errorf("reflection period %v, want 90 days", d)
		}
		err = db.InTx(ctx, env.Clock.Now(), func(tx *store.Tx) error {
			c, err := env.Clocks.StartReflection(ctx, tx, child, env.Clock.Now().Add(48*time.Hour))
			if err == nil && c.TaskID != refl.ID {
				t.Errorf("second StartReflection made a new clock (task %s, want %s)", c.TaskID, refl.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestDueForAndOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, ref := env.Case(t, true)
		now := env.Clock.Now()
		err := db.InTx(ctx, now, func(tx *store.Tx) error {
			_, err := env.Clocks.PlanReview(ctx, tx, caseID, "p1", now.Add(10*24*time.Hour), fixture.Police.OrgID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(5 * 24 * time.Hour) // the child tasks are overdue now
		due, err := env.Clocks.DueFor(ctx, fixture.Police)
		if err != nil {
			t.Fatal(err)
		}
		// The guardian appointment went to the Centre for Social Work when it
		// joined the team; the police keep the notification and the review.
		if len(due) != 2 || !due[0].Overdue || due[0].Kind != clocks.SocialWorkNotification || due[1].Kind != clocks.PlanReview ||
			due[1].Overdue || !due[1].DueSoon {
			t.Errorf("police dashboard: %+v", due)
		}
		if csw, _ := env.Clocks.DueFor(ctx, fixture.Social); len(csw) != 1 || csw[0].Kind != clocks.GuardianAppointment || !csw[0].Overdue {
			t.Errorf("the Centre for Social Work's dashboard: %+v, want the guardian appointment", csw)
		}
		if other, _ := env.Clocks.DueFor(ctx, fixture.Advocate); len(other) != 0 {
			t.Errorf("the advocate sees %d tasks of the police", len(other))
		}
		if _, err := env.Clocks.Overdue(ctx, fixture.Police); !errs.Is(err, errs.Forbidden) {
			t.Errorf("police overdue overview: %v, want forbidden", err)
		}
		over, err := env.Clocks.Overdue(ctx, fixture.Coordinator)
		if err != nil {
			t.Fatal(err)
		}
		if len(over) != 2 || over[0].CaseRef != ref || over[0].DaysOverdue < 3 {
			t.Errorf("coordinator overview: %+v", over)
		}
		r1, err := env.Clocks.Remind(ctx, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		r2, err := env.Clocks.Remind(ctx, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r1 != (clocks.RemindResult{Reminded: 3, Escalated: 2}) || r2 != (clocks.RemindResult{}) {
			t.Errorf("Remind twice: %+v then %+v, want {3 2} then nothing", r1, r2)
		}
	})
}

// TestCompleteRace: two users of the assigned organisation complete the same
// task at once; exactly one succeeds, the other is told it is done already.
func TestCompleteRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, _ := env.Case(t, true)
		tasks, err := env.Clocks.CaseTasks(ctx, fixture.Police, caseID)
		if err != nil {
			t.Fatal(err)
		}
		task := kinds(tasks)[clocks.SocialWorkNotification]
		if _, err := env.Clocks.Complete(ctx, fixture.Advocate, task.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation: %v, want not found", err)
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, a := range []access.Actor{fixture.Police, fixture.Police2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = env.Clocks.Complete(ctx, a, task.ID)
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict):
				conflict++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Errorf("%d succeeded, %d conflicts; want 1 and 1", ok, conflict)
		}
	})
}

// TestGuardianAppointment: a child's guardian appointment task waits with the
// case owner until a Centre for Social Work joins the team, then is the
// Centre's; recording the guardian ends it. An adult's case has no guardian.
func TestGuardianAppointment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		in := cases.Input{Person: cases.Person{GivenName: "Arta", FamilyName: "Provaj", BirthDate: "2013-03-03", Sex: "female",
			Citizenship: "XK"}, Exploitation: []string{"ForcedLabour"}, Municipality: "Prizren"}
		r, err := env.Cases.Open(ctx, fixture.Police, in)
		if err != nil {
			t.Fatal(err)
		}
		holder := func() (string, bool) {
			tasks, err := env.Clocks.CaseTasks(ctx, fixture.Police, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range tasks {
				if k.Kind == clocks.GuardianAppointment {
					return k.AssignedOrg, k.Done
				}
			}
			t.Fatal("no guardian appointment task")
			return "", false
		}
		if org, _ := holder(); org != fixture.Police.OrgID {
			t.Errorf("before a Centre joins, the task is with %s, want the owner", org)
		}
		if err := env.Cases.AddToTeam(ctx, fixture.Police, r.ID, fixture.Shelter.OrgID, ""); err != nil {
			t.Fatal(err)
		}
		if org, _ := holder(); org != fixture.Police.OrgID {
			t.Errorf("a shelter joined: the task moved to %s", org)
		}
		if err := env.Cases.AddToTeam(ctx, fixture.Police, r.ID, fixture.Social.OrgID, ""); err != nil {
			t.Fatal(err)
		}
		if org, done := holder(); org != fixture.Social.OrgID || done {
			t.Errorf("after the Centre joined: task with %s (done %v), want the Centre's, open", org, done)
		}

		bad := cases.GuardianInput{Kind: "uncle", Name: "N", Authority: "A", DecisionRef: "1", DecisionDate: "2026-01-01"}
		if _, err := env.Cases.AppointGuardian(ctx, fixture.Social, r.ID, bad); errs.As(err).Field != "kind" {
			t.Errorf("kind off the list: %v", err)
		}
		bad.Kind, bad.DecisionDate = cases.GuardianRelative, "2099-01-01"
		if _, err := env.Cases.AppointGuardian(ctx, fixture.Social, r.ID, bad); errs.As(err).Key != "case.guardian_date_future" {
			t.Errorf("a decision in the future: %v", err)
		}
		if _, err := env.Cases.AppointGuardian(ctx, fixture.Outsider, r.ID, bad); err == nil {
			t.Error("an outsider recorded a guardian")
		}
		first := env.Guardian(t, r.ID)
		if _, done := holder(); !done {
			t.Error("the task is still open after the guardian was recorded")
		}
		second := env.Guardian(t, r.ID)
		c, err := env.Cases.FindCaseByID(ctx, fixture.Social, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Guardians) != 2 || c.Guardians[0].ID != second.ID || c.Guardians[0].EndedAt != nil ||
			c.Guardians[1].ID != first.ID || c.Guardians[1].EndedAt == nil || c.Guardians[0].Name != "Besa Kujdestare" {
			t.Errorf("guardians: %+v", c.Guardians)
		}
		var raw []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT person_enc FROM case_guardians WHERE id = $1`, second.ID).Scan(&raw); err != nil ||
			strings.Contains(string(raw), "Besa") {
			t.Errorf("the guardian's name is stored in clear (%v)", err)
		}

		adult, _ := env.Case(t, false)
		if _, err := env.Cases.AppointGuardian(ctx, fixture.Social, adult, bad); errs.As(err).Key != "case.guardian_not_child" {
			t.Errorf("a guardian on an adult's case: %v", err)
		}
	})
}
