package cases_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestCTDCRows: presumed and identified victims of the period, with their
// statistical fields and codes only; possible victims and other months are
// left out.
func TestCTDCRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		presume := func(id string) {
			t.Helper()
			if err := f.s.Transition(ctx, police, id, cases.TransitionInput{To: cases.StageScreening, Version: f.version(t, id)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.Decide(ctx, police, id, cases.DecisionInput{Status: cases.StatusPresumed, Grounds: "Indicators.", Version: f.version(t, id)}); err != nil {
				t.Fatal(err)
			}
		}
		in := adult("Ana", "Djordjevic", "1990-05-02")
		in.Control = []string{"DebtBondage", "WithholdsDocuments"}
		in.ExploitationCountry = "AL"
		id, _ := f.mustOpen(t, police, in)
		presume(id)
		f.mustOpen(t, police, adult("Mira", "Krasniqi", "1992-01-09")) // possible victim: left out

		read := func(from, to string) []cases.CTDCRow {
			t.Helper()
			var rows []cases.CTDCRow
			err := db.ReadTx(ctx, func(tx *sql.Tx) error {
				var err error
				rows, err = cases.CTDCRows(ctx, tx, from, to)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		rows := read("2026-01", "2026-12")
		if len(rows) != 1 {
			t.Fatalf("%d rows, want the one presumed victim: %+v", len(rows), rows)
		}
		r := rows[0]
		if r.Year != 2026 || r.Sex != "female" || r.AgeBand != "35-49" || r.Citizenship != "XK" || r.ExploitationCountry != "AL" ||
			strings.Join(r.Exploitation, ",") != "SexualExploitation" || strings.Join(r.Control, ",") != "DebtBondage,WithholdsDocuments" {
			t.Fatalf("row %+v", r)
		}
		if s := fmt.Sprintf("%+v", rows); strings.Contains(s, "Ana") || strings.Contains(s, "1990") || strings.Contains(s, "Prizren") || strings.Contains(s, "Bar") {
			t.Fatalf("a personal value in the export's rows: %s", s)
		}
		if got := read("2026-04", ""); len(got) != 0 {
			t.Fatalf("cases of March read for April on: %+v", got)
		}
		if got := read("", "2026-03"); len(got) != 1 {
			t.Fatalf("open start: %+v", got)
		}
	})
}
