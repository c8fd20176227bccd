package dedup_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestRegistrationWarnsOfLikelyDuplicates registers a first person, then a
// second, and checks whether the registration stops at the warning naming
// the first case. The exact check (same normalised name and birth date)
// would catch none of the "warn" rows.
func TestRegistrationWarnsOfLikelyDuplicates(t *testing.T) {
	tests := []struct {
		name          string
		first, second cases.Person
		warn          bool
	}{
		{"DiacriticsAndDayMonthSwapped", person("Milica", "Đorđević", "1998-03-04"), person("Milica", "Djordjevic", "1998-04-03"), true},
		{"LatinAndCyrillicPartialDate", person("Jovana", "Petrović", "1995-07-21"), person("Јована", "Петровић", "1995-07"), true},
		{"AlbanianEWithoutDiaeresis", person("Blerina", "Gashi", "2001-11-02"), person("Blerina", "Gashi", "2001-11-20"), true},
		{"NamesSwapped", person("Arta", "Krasniqi", "1999-05-14"), person("Krasniqi", "Arta", "1999-05-14"), true},
		{"SiblingsDoNotWarn", person("Milica", "Đorđević", "1998-03-04"), person("Ana", "Đorđević", "2001-10-17"), false},
		{"SiblingsOtherFirstLetterDoNotWarn", person("Jelena", "Đorđević", "1996-08-25"), person("Milica", "Đorđević", "1998-03-04"), false},
		{"TwinsDoNotWarn", person("Arta", "Krasniqi", "1999-05-14"), person("Blerta", "Krasniqi", "1999-05-14"), false},
		{"NamesakesWithAnotherBirthDateDoNotWarn", person("Ana", "Petrović", "1990-02-11"), person("Ana", "Petrović", "1975-09-30"), false},
		{"DecomposedCyrillicWarns", person("Андрій", "Йовановић", "1990-03-04"), person("Андрі\u0438\u0306", "\u0418\u0306овановић", "1990-03-04"), true},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					f := newFixture(t, storetest.New(t, e))
					_, ref := f.mustOpen(t, police, tt.first)
					got, err := f.cases.Open(context.Background(), police, input(tt.second))
					if !tt.warn {
						if err != nil {
							t.Fatalf("Open = %v, want no warning", err)
						}
						return
					}
					if err != cases.ErrDuplicate {
						t.Fatalf("Open = %v, want the duplicate warning", err)
					}
					if !slices.Equal(got.Duplicates, []string{ref}) || got.DuplicateElsewhere {
						t.Errorf("warning = %v (elsewhere %v), want [%s]", got.Duplicates, got.DuplicateElsewhere, ref)
					}
				})
			}
		})
	}
}

// TestLikelyHiddenFromOtherOrganisations: a shelter registering a woman the
// police registered under another spelling learns only that a possible
// duplicate exists elsewhere; the coordinator is told on the police case.
func TestLikelyHiddenFromOtherOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		policeCase, policeRef := f.mustOpen(t, police, person("Milica", "Đorđević", "1998-03-04"))
		got, err := f.cases.Open(ctx, shelter, input(person("Milica", "Djordjevic", "1998-04-03")))
		if err != cases.ErrDuplicate {
			t.Fatalf("Open = %v, want the duplicate warning", err)
		}
		if len(got.Duplicates) != 0 || !got.DuplicateElsewhere {
			t.Errorf("shelter sees %v (elsewhere %v), want no reference and elsewhere", got.Duplicates, got.DuplicateElsewhere)
		}
		entries, err := f.cases.Timeline(ctx, coordinator, policeCase)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(entries, func(e cases.TimelineEntry) bool {
			return e.Kind == "duplicate" && e.Visibility == cases.VisibleCoordinator
		}) {
			t.Error("no coordinator timeline entry on the police case")
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'case.duplicate_suspected'
			AND object_id = $1`, policeRef).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit events = %d (%v), want 1", n, err)
		}
		if _, err := f.cases.Authorize(ctx, db.Read(), shelter, policeCase, access.CaseView); err == nil {
			t.Error("the shelter may see the police case: the fixture is wrong")
		}
	})
}

// TestBlockingKeysHoldNoPlaintext looks at the raw table after a
// registration: every value is a 32-byte HMAC and none contains a name, a
// phonetic code or the birth date.
func TestBlockingKeysHoldNoPlaintext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustOpen(t, police, person("Milica", "Đorđević", "1998-03-04"))
		rows, err := db.Read().QueryContext(context.Background(), `SELECT value FROM person_dedup_keys`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			n++
			if len(v) != 32 {
				t.Errorf("key of %d bytes, want a 32-byte HMAC", len(v))
			}
			for _, plain := range []string{"milica", "MLK", "dordevic", "TRTFK", "1998", "0304", "mi"} {
				if bytes.Contains(bytes.ToLower(v), bytes.ToLower([]byte(plain))) && len(plain) > 3 {
					t.Errorf("a key contains %q", plain)
				}
			}
		}
		if n < 4 {
			t.Errorf("%d keys stored, want the family, given, date, name-pair and prefix keys", n)
		}
	})
}
