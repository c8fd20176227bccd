package identify_test

import (
	"context"
	"testing"

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
