package identify_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	casefixture "github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestScreeningTravelsWithTheCase registers a case from an outreach
// screening: the screening is attached in the same transaction and shows on
// the case timeline; an unknown screening refuses the whole registration.
func TestScreeningTravelsWithTheCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := casefixture.New(t, db)
		svc := &identify.Service{DB: db, Vault: env.Vault, Clock: env.Clock}
		env.Cases.OnChange = append(env.Cases.OnChange, svc.OnCaseChange)
		sc, err := svc.Record(ctx, casefixture.Police, identify.RecordInput{Input: trafficked})
		if err != nil {
			t.Fatal(err)
		}
		in := cases.Input{
			Person:      cases.Person{GivenName: "Teuta", FamilyName: "Provaj", BirthDate: "1999-02-03", Sex: "female", Citizenship: "XK"},
			ScreeningID: sc.ID,
		}
		reg, err := env.Cases.Open(ctx, casefixture.Police, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Find(ctx, casefixture.Police, sc.ID)
		if err != nil || got.CaseID != reg.ID {
			t.Fatalf("screening case = %q (%v), want %q", got.CaseID, err, reg.ID)
		}
		tl, err := env.Cases.Timeline(ctx, casefixture.Police, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range tl {
			found = found || (e.Kind == "screening" && e.RefID == sc.ID)
		}
		if !found {
			t.Error("the screening is not on the case timeline")
		}

		in.Person.GivenName, in.ScreeningID = "Other", "nosuchscreening"
		if _, err := env.Cases.Open(ctx, casefixture.Police, in); !errs.Is(err, errs.NotFound) {
			t.Fatalf("registration with an unknown screening = %v, want not found", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d cases after the refused registration, want 1 (nothing half-written)", n)
		}
	})
}

// TestScreeningSetsTheStage: a case registered from a screening that
// indicates trafficking starts as a presumed victim when the registering
// role may take it there (police), at screening when it may not (an NGO);
// one registered from a screening without the signal stays a signal; a
// screening attached later to a case under way leaves its stage alone.
func TestScreeningSetsTheStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := casefixture.New(t, db)
		svc := &identify.Service{DB: db, Vault: env.Vault, Clock: env.Clock, Cases: env.Cases}
		env.Cases.OnChange = append(env.Cases.OnChange, svc.OnCaseChange)
		weak := identify.Input{Profile: identify.AdultLabour, Indicators: []string{"al.d4.excessive_hours", "al.d4.low_or_no_salary"}}
		for i, c := range []struct {
			actor access.Actor
			in    identify.Input
			want  cases.Stage
		}{
			{casefixture.Police, trafficked, cases.StagePresumed},
			{casefixture.NGO, trafficked, cases.StageScreening},
			{casefixture.Police, weak, cases.StageSignal},
		} {
			sc, err := svc.Record(ctx, c.actor, identify.RecordInput{Input: c.in})
			if err != nil {
				t.Fatal(err)
			}
			reg, err := env.Cases.Open(ctx, c.actor, cases.Input{ScreeningID: sc.ID, Person: cases.Person{
				GivenName: "Teuta", FamilyName: "Provaj" + string(rune('a'+i)), BirthDate: "1999-02-03", Sex: "female"}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := env.Cases.FindCaseByID(ctx, c.actor, reg.ID)
			if err != nil || got.Stage != c.want {
				t.Errorf("%s, indicated=%v: stage %q (%v), want %q", c.actor.Role, sc.Indicated, got.Stage, err, c.want)
			}
		}

		// Attached later: the stage stays.
		sc, err := svc.Record(ctx, casefixture.Police, identify.RecordInput{Input: trafficked})
		if err != nil {
			t.Fatal(err)
		}
		reg, err := env.Cases.Open(ctx, casefixture.Police, cases.Input{Person: cases.Person{
			GivenName: "Arta", FamilyName: "Gashi", BirthDate: "1990-02-03", Sex: "female"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.AttachToCase(ctx, casefixture.Police, sc.ID, reg.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.AttachToCase(ctx, casefixture.Police, sc.ID, reg.ID); err != nil {
			t.Errorf("attaching again to the same case: %v", err)
		}
		got, _ := env.Cases.FindCaseByID(ctx, casefixture.Police, reg.ID)
		if got == nil || got.Stage != cases.StageSignal {
			t.Errorf("attaching a screening moved the case")
		}
		if err := svc.AttachToCase(ctx, casefixture.Outsider, sc.ID, reg.ID); !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Forbidden) {
			t.Errorf("an outsider attached a screening: %v", err)
		}
	})
}
