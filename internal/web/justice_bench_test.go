package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/store"
)

// BenchmarkJusticeCasePage: the criminal case page, server time, for a case
// with 50 events and 10 defendants (each with a police and an indictment
// charge), as the police officer who filed it sees it (names opened, the
// read audited). Issue 18 asks for under 20 ms. docs/benchmarks.md "Justice".
func BenchmarkJusticeCasePage(b *testing.B) {
	en := newEnv(b, store.SQLite)
	ctx := context.Background()
	police := en.users[access.Police].Actor()
	reg, err := en.app.Cases.Open(ctx, police, cases.Input{Person: cases.Person{GivenName: "Bench", FamilyName: "Victim",
		BirthDate: "1990-01-01", Sex: "female", Citizenship: "XK"}})
	if err != nil {
		b.Fatal(err)
	}
	j := en.app.Justice
	id, err := j.Create(ctx, police, justice.CreateInput{VictimCaseIDs: []string{reg.ID}, OffenceCode: "THB", OffenceDate: "2022-01-10",
		ReportDate: "2022-02-01", References: []justice.Reference{{System: "police", Number: "PK-22-1"}}})
	if err != nil {
		b.Fatal(err)
	}
	en.clk.Set(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	day := time.Date(2022, 2, 10, 0, 0, 0, 0, time.UTC)
	ev := func(typ, outcome string) {
		if _, err := j.RecordEvent(ctx, police, id, justice.EventInput{Type: typ, Date: justice.Day(day), Outcome: outcome}); err != nil {
			b.Fatalf("%s: %v", typ, err)
		}
		day = day.AddDate(0, 0, 10)
	}
	ev("RULING_INITIATION_INVESTIGATION", "")
	for range 30 {
		ev("INVESTIGATION", "")
	}
	ev("INDICTMENT_FILED", "")
	ev("INITIAL_HEARING", "")
	for range 15 {
		ev("MAIN_TRIAL", "")
	}
	ev("JUDGMENT_FIRST_INSTANCE", "CONVICTION")
	for i := range 10 {
		def, err := j.AddDefendant(ctx, police, id, justice.DefendantInput{Name: fmt.Sprintf("Defendant Number%d", i), Sex: "male",
			Nationality: "XK", Roles: []string{"EXPLOITER"}})
		if err != nil {
			b.Fatal(err)
		}
		c, err := j.AddCharge(ctx, police, id, justice.ChargeInput{DefendantID: def, OffenceCode: "THB", Stage: "POLICE"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.AddCharge(ctx, police, id, justice.ChargeInput{DefendantID: def, OffenceCode: "THB", Stage: "INDICTMENT", ReplacesID: c}); err != nil {
			b.Fatal(err)
		}
	}
	cc, err := j.Get(ctx, police, id)
	if err != nil || len(cc.Events) != 50 || len(cc.Defendants) != 10 {
		b.Fatalf("bench case: %d events, %d defendants, %v", len(cc.Events), len(cc.Defendants), err)
	}
	tok, _ := en.session(b, access.Police)
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/justice/"+id, nil)
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("page: %d", rec.Code)
		}
	}
}
