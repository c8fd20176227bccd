package cases_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestTransitionsAndDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, _ := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))
		move := func(to cases.Stage, reason string) error {
			return f.s.Transition(ctx, police, id, cases.TransitionInput{To: to, Reason: reason, Version: f.version(t, id)})
		}
		t.Run("NotAllowedChangesNothing", func(t *testing.T) {
			v := f.version(t, id)
			err := move(cases.StageReturned, "")
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Key != "case.transition_not_allowed" {
				t.Errorf("got %v", err)
			}
			if f.version(t, id) != v {
				t.Error("version changed")
			}
			if err := move("nonsense", ""); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown stage: %v", err)
			}
		})
		t.Run("Stale", func(t *testing.T) {
			err := f.s.Transition(ctx, police, id, cases.TransitionInput{To: cases.StageScreening, Version: 99})
			if e := errs.As(err); e == nil || e.Key != "case.stale" {
				t.Errorf("got %v, want case.stale", err)
			}
		})
		if err := move(cases.StageScreening, ""); err != nil {
			t.Fatal(err)
		}
		t.Run("DecisionNeedsDecide", func(t *testing.T) {
			if err := move(cases.StageIdentified, ""); !errs.Is(err, errs.Invalid) {
				t.Errorf("got %v", err)
			}
		})
		t.Run("PresumedStartsProtections", func(t *testing.T) {
			_, err := f.s.Decide(ctx, police, id, cases.DecisionInput{Status: cases.StatusPresumed, Grounds: "Indicators of deception and control.", Version: f.version(t, id)})
			if err != nil {
				t.Fatal(err)
			}
			c, _ := f.s.FindCaseByID(ctx, police, id)
			if c.Stage != cases.StagePresumed || c.Status != cases.StatusPresumed || !c.NonRemoval {
				t.Errorf("stage %s status %s non-removal %v", c.Stage, c.Status, c.NonRemoval)
			}
		})
		t.Run("IdentifiedNeedsAdvocate", func(t *testing.T) {
			_, err := f.s.Decide(ctx, police, id, cases.DecisionInput{Status: cases.StatusIdentified, Grounds: "Interview.", Version: f.version(t, id)})
			if e := errs.As(err); e == nil || e.Key != "case.decision_needs_advocate" {
				t.Errorf("got %v", err)
			}
		})
		t.Run("Identified", func(t *testing.T) {
			f.mustAdd(t, police, id, advocate.OrgID)
			d, err := f.s.Decide(ctx, advocate, id, cases.DecisionInput{Status: cases.StatusIdentified, Grounds: "Joint interview.", Version: f.version(t, id)})
			if err != nil {
				t.Fatal(err)
			}
			if d.DecidedByOrg != police.OrgID || d.WithAdvocateOrg != advocate.OrgID || d.DecisionOrgType != "Police" {
				t.Errorf("decision %+v", d)
			}
			c, _ := f.s.FindCaseByID(ctx, police, id)
			if c.Stage != cases.StageIdentified || c.Status.HTCDS() != "ActualVictimOfTrafficking" || len(c.Decisions) != 2 || c.Decisions[0].Grounds != "Joint interview." {
				t.Errorf("stage %s decisions %+v", c.Stage, c.Decisions)
			}
			cs, _ := f.s.FindCaseByID(ctx, coordinator, id)
			if len(cs.Decisions) != 2 || cs.Decisions[0].Grounds != "" {
				t.Error("coordinator sees decision grounds")
			}
		})
		t.Run("RoleRefused", func(t *testing.T) {
			f.mustAdd(t, police, id, shelter.OrgID)
			if err := move(cases.StageAssistance, ""); err != nil {
				t.Fatal(err)
			}
			err := f.s.Transition(ctx, shelter, id, cases.TransitionInput{To: cases.StageReturnInProgress, Version: f.version(t, id)})
			if !errs.Is(err, errs.Forbidden) {
				t.Errorf("shelter starting a return: %v", err)
			}
		})
		t.Run("Close", func(t *testing.T) {
			if err := move(cases.StageClosed, ""); !errs.Is(err, errs.Invalid) {
				t.Errorf("no reason: %v", err)
			}
			if err := move(cases.StageClosed, "reintegrated"); err != nil {
				t.Fatal(err)
			}
			c, _ := f.s.FindCaseByID(ctx, police, id)
			if c.ClosureReason != "reintegrated" || c.ClosedAt.IsZero() || len(c.Next) != 0 {
				t.Errorf("closed: %+v", c)
			}
		})
	})
}

func TestChildDecisionNeedsSocialWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, _ := f.mustOpen(t, police, adult("Drita", "Hoxha", "2011-04-04"))
		f.mustAdd(t, police, id, advocate.OrgID)
		dec := func(s cases.Status) error {
			_, err := f.s.Decide(ctx, police, id, cases.DecisionInput{Status: s, Grounds: "Grounds.", Version: f.version(t, id)})
			return err
		}
		if err := dec(cases.StatusPresumed); err != nil {
			t.Fatal(err)
		}
		if err := dec(cases.StatusIdentified); errs.As(err).Key != "case.decision_needs_social_worker" {
			t.Errorf("child without social worker: %v", err)
		}
		f.mustAdd(t, police, id, social.OrgID)
		if err := dec(cases.StatusIdentified); err != nil {
			t.Errorf("with social worker: %v", err)
		}
	})
}

func TestConcurrentUpdates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, _ := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))
		levels := []string{"low", "medium", "high", "low", "medium", "high", "low", "medium"}
		var wg sync.WaitGroup
		results := make([]error, len(levels))
		for i, l := range levels {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = f.s.Update(ctx, police, id, cases.UpdateInput{Version: 1, RiskLevel: &l})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.As(err).Key != "case.stale":
				t.Errorf("unexpected error %v", err)
			}
		}
		if ok != 1 || f.version(t, id) != 2 {
			t.Errorf("%d updates succeeded on version 1 (version now %d), want exactly 1", ok, f.version(t, id))
		}
	})
}

func TestUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, _ := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))
		p := cases.Person{GivenName: "Ana", FamilyName: "Petrović", BirthDate: "2009-01-01", Sex: "female"}
		err := f.s.Update(ctx, police, id, cases.UpdateInput{Version: 1, Person: &p, Proceedings: ptr("investigation"),
			Control: &[]string{"DebtBondage", "WithholdsDocuments"}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := f.s.FindCaseByID(ctx, police, id)
		if !c.IsChild || c.Proceedings != "investigation" || len(c.Codes[cases.FieldControl]) != 2 || c.Person.FamilyName != "Petrović" {
			t.Errorf("after update: child %v proceedings %s codes %v", c.IsChild, c.Proceedings, c.Codes)
		}
		got, _, _ := f.s.FindCases(ctx, police, cases.CaseFilter{Name: ptr("Petrovic")})
		if len(got) != 1 {
			t.Error("re-indexed name not found")
		}
		got, _, _ = f.s.FindCases(ctx, police, cases.CaseFilter{Name: ptr("Djordjevic")})
		if len(got) != 0 {
			t.Error("old name still indexed")
		}
		if err := f.s.Update(ctx, police, id, cases.UpdateInput{Version: 2, Proceedings: ptr("appeal")}); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad proceedings: %v", err)
		}
		f.mustAdd(t, police, id, shelter.OrgID)
		err = f.s.Update(ctx, shelter, id, cases.UpdateInput{Version: 2, Details: &cases.Details{Narrative: "x"}})
		if !errs.Is(err, errs.Forbidden) {
			t.Errorf("shelter overwriting details it may not read: %v", err)
		}
	})
}
