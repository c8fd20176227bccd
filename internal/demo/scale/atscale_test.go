package scale_test

import (
	"context"
	"os"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/referral"
)

// openScaleStore opens the store a `ura demo --cases N` run filled, named by
// URA_SCALE_DATA (and URA_SCALE_DB for PostgreSQL); the benchmark is
// skipped without it. docs/benchmarks.md has the commands.
func openScaleStore(b *testing.B) (*app.App, access.Actor) {
	dir := os.Getenv("URA_SCALE_DATA")
	if dir == "" {
		b.Skip("URA_SCALE_DATA names no store filled by ura demo --cases N")
	}
	cfg := config.Default()
	cfg.DataDir, cfg.DB = dir, os.Getenv("URA_SCALE_DB")
	a, err := app.Open(context.Background(), cfg, app.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	u, err := a.Auth.FindUserByEmail(context.Background(), access.SystemActor, demo.Email(access.Police))
	if err != nil {
		b.Fatal(err)
	}
	return a, u.Actor()
}

// BenchmarkAtScale times the service calls behind the load targets on a
// store of a million cases: the parts of a case page, the searches, and a
// note added.
func BenchmarkAtScale(b *testing.B) {
	a, police := openScaleStore(b)
	ctx := context.Background()
	page, total, err := a.Cases.FindCases(ctx, police, cases.CaseFilter{Limit: cases.MaxLimit})
	if err != nil || len(page) == 0 {
		b.Fatalf("the demo police officer sees %d cases: %v", total, err)
	}
	first, err := a.Cases.FindCaseByID(ctx, police, page[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	name := first.Person.GivenName + " " + first.Person.FamilyName
	b.Logf("the demo police officer sees %d cases", total)
	b.Run("OpenCase", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := a.Cases.FindCaseByID(ctx, police, page[i%len(page)].ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Notes", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := a.Notes.Notes(ctx, police, page[i%len(page)].ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListFirstPage", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Cases.FindCases(ctx, police, cases.CaseFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A filter that matches none of the officer's cases: the list walks
	// every case newest first (issue 13: 22.9 s at a million under load).
	rare := "IS"
	b.Run("ListRareFilter", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Cases.FindCases(ctx, police, cases.CaseFilter{Citizenship: &rare, Limit: 25}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SearchByName", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Cases.FindCases(ctx, police, cases.CaseFilter{Name: &name}); err != nil {
				b.Fatal(err)
			}
		}
	})
	ref := first.Reference
	b.Run("SearchByReference", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Cases.FindCases(ctx, police, cases.CaseFilter{Reference: &ref}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The shelter's referral inbox, first page: the demo shelter receives
	// most of the generated referrals (366,000 at a million cases).
	su, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Shelter))
	if err != nil {
		b.Fatal(err)
	}
	shelter := su.Actor()
	b.Run("ReferralInbox", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Referral.FindReferralPage(ctx, shelter, referral.ReferralFilter{}, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AddNote", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := a.Notes.AddNote(ctx, police, page[i%len(page)].ID, casenotes.NoteInput{Visibility: casenotes.Team,
				Category: "general", Body: "Benchmark note: follow-up call made."}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
