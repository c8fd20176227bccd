package cases_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, ref1 := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))
		id2, ref2 := f.mustOpen(t, police, adult("Besa", "Krasniqi", "1988"))
		if ref1 != "XK-2026-0001" || ref2 != "XK-2026-0002" {
			t.Errorf("references %s, %s; want XK-2026-0001, XK-2026-0002", ref1, ref2)
		}
		c, err := f.s.FindCaseByID(ctx, police, id2)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != cases.StageSignal || c.Status != cases.StatusPossible || c.Version != 1 || c.IsChild {
			t.Errorf("new case: stage %s status %s version %d child %v", c.Stage, c.Status, c.Version, c.IsChild)
		}
		if c.Person == nil || c.Person.FamilyName != "Krasniqi" || c.Details == nil || c.Details.ExploitationPlace != "Bar Tirana" {
			t.Errorf("owner police should see person and details: %+v %+v", c.Person, c.Details)
		}
		if got := c.Codes[cases.FieldExploitation]; len(got) != 1 || got[0] != "SexualExploitation" {
			t.Errorf("codes %v", got)
		}
		if len(c.Timeline) != 1 || c.Timeline[0].Kind != "stage" {
			t.Errorf("timeline %+v", c.Timeline)
		}

		t.Run("Child", func(t *testing.T) {
			in := adult("Drita", "Hoxha", "2010-01-01")
			var tasks []string
			f.s.OnChange = []cases.Hook{func(ctx context.Context, tx *store.Tx, ch cases.Change) error {
				tasks = ch.Tasks
				return nil
			}}
			defer func() { f.s.OnChange = nil }()
			id, _ := f.mustOpen(t, police, in)
			c, err := f.s.FindCaseByID(ctx, police, id)
			if err != nil {
				t.Fatal(err)
			}
			if !c.IsChild || c.AgeBand != "15-17" {
				t.Errorf("child %v band %s", c.IsChild, c.AgeBand)
			}
			if len(tasks) != 2 {
				t.Errorf("hook tasks %v, want guardian and social-work notification", tasks)
			}
		})

		t.Run("BadInput", func(t *testing.T) {
			tests := []struct {
				name, birth, field string
			}{
				{"ImpossibleDate", "2001-02-30", "person.birth_date"},
				{"Month13", "2001-13", "person.birth_date"},
				{"Future", "2027-01-01", "person.birth_date"},
				{"Garbage", "2.5.1990", "person.birth_date"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := f.s.Open(ctx, police, adult("X", "Y", tt.birth))
					e := errs.As(err)
					if e == nil || e.Code != errs.Invalid || e.Field != tt.field {
						t.Errorf("got %v, want invalid %s", err, tt.field)
					}
				})
			}
			in := adult("X", "Y", "1990")
			in.Exploitation = []string{"Nonsense"}
			if _, err := f.s.Open(ctx, police, in); !errs.Is(err, errs.Invalid) {
				t.Errorf("bad code: %v", err)
			}
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n)
			if n != 3 {
				t.Errorf("%d cases after bad input, want 3", n)
			}
		})

		t.Run("NotAllowed", func(t *testing.T) {
			for _, a := range []access.Actor{coordinator, analyst, {UserID: "x", OrgID: "o-police", Role: access.Prosecutor}} {
				if _, err := f.s.Open(ctx, a, adult("A", "B", "1990")); !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s opening a case: %v, want forbidden", a.Role, err)
				}
			}
		})
	})
}

func TestFindByName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, ref := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))
		f.mustOpen(t, police, adult("Ana", "Krasniqi", "1991-05-02"))
		tests := []struct {
			name, query string
			want        int
		}{
			{"Cyrillic", "Ана Ђорђевић", 1},
			{"DiacriticsFamilyFirst", "Đorđević Ana", 1},
			{"FamilyOnly", "djordjevic", 1},
			{"GivenOnlyMatchesBoth", "ANA", 2},
			{"NoMatch", "Ana Petrovic", 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := f.s.FindCases(ctx, police, cases.CaseFilter{Name: &tt.query})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tt.want || total != tt.want {
					t.Fatalf("got %d (total %d), want %d", len(got), total, tt.want)
				}
				if tt.want == 1 && got[0].ID != id {
					t.Errorf("found %s, want %s", got[0].Reference, ref)
				}
			})
		}
		t.Run("BirthDate", func(t *testing.T) {
			got, _, err := f.s.FindCases(ctx, police, cases.CaseFilter{BirthDate: ptr("1990-05-02")})
			if err != nil || len(got) != 1 || got[0].ID != id {
				t.Errorf("by birth date: %v %v", got, err)
			}
		})
		t.Run("ReferenceFilters", func(t *testing.T) {
			got, _, err := f.s.FindCases(ctx, police, cases.CaseFilter{Reference: ptr(ref)})
			if err != nil || len(got) != 1 {
				t.Errorf("by reference: %d %v", len(got), err)
			}
			got, total, err := f.s.FindCases(ctx, police, cases.CaseFilter{Stage: ptr(cases.StageSignal),
				IsChild: ptr(false), Exploitation: ptr("SexualExploitation"), OpenedFrom: ptr("2026-01"), Limit: 1})
			if err != nil || len(got) != 1 || total != 2 {
				t.Errorf("filters: %d of %d, %v; want 1 of 2", len(got), total, err)
			}
			got, _, _ = f.s.FindCases(ctx, police, cases.CaseFilter{Exploitation: ptr("ForcedLabour")})
			if len(got) != 0 {
				t.Errorf("forced labour: %d, want 0", len(got))
			}
		})
		t.Run("CoordinatorMayNotSearchByName", func(t *testing.T) {
			_, _, err := f.s.FindCases(ctx, coordinator, cases.CaseFilter{Name: ptr("Ana")})
			if !errs.Is(err, errs.Forbidden) {
				t.Errorf("got %v, want forbidden", err)
			}
			got, total, err := f.s.FindCases(ctx, coordinator, cases.CaseFilter{})
			if err != nil || total != 2 || len(got) != 2 {
				t.Errorf("coordinator statistics list: %d %v", total, err)
			}
		})
	})
}

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, ref := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))

		t.Run("ShelterNotOnTeam", func(t *testing.T) {
			if _, err := f.s.FindCaseByID(ctx, shelter, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("view: %v, want not found", err)
			}
			if _, err := f.s.Authorize(ctx, db.Read(), shelter, id, access.CaseEdit); !errs.Is(err, errs.NotFound) {
				t.Errorf("authorize edit: %v, want not found", err)
			}
			got, _, _ := f.s.FindCases(ctx, shelter, cases.CaseFilter{})
			if len(got) != 0 {
				t.Errorf("list shows %d cases", len(got))
			}
			if _, err := f.s.Timeline(ctx, shelter, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("timeline: %v", err)
			}
		})
		t.Run("ShelterOnTeamSeesPersonNotDetails", func(t *testing.T) {
			f.mustAdd(t, police, id, shelter.OrgID)
			c, err := f.s.FindCaseByID(ctx, shelter, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Person == nil || c.Details != nil {
				t.Errorf("shelter: person %v details %v; want person only", c.Person != nil, c.Details != nil)
			}
			if _, err := f.s.Authorize(ctx, db.Read(), shelter, id, access.CaseDecide); !errs.Is(err, errs.Forbidden) {
				t.Errorf("shelter deciding: %v, want forbidden", err)
			}
		})
		t.Run("NamedUserOnly", func(t *testing.T) {
			id2, _ := f.mustOpen(t, ngo, adult("Besa", "K", "1990"))
			if err := f.s.AddToTeam(ctx, ngo, id2, police.OrgID, police.UserID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("ngo managing team: %v, want forbidden", err)
			}
			err := db.InTx(ctx, t0, func(tx *store.Tx) error {
				return f.s.AddTeamMember(ctx, tx, police, id2, police.OrgID, police.UserID, cases.ViaReferral)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.FindCaseByID(ctx, police, id2); err != nil {
				t.Errorf("named police user: %v", err)
			}
			if _, err := f.s.FindCaseByID(ctx, police2, id2); !errs.Is(err, errs.NotFound) {
				t.Errorf("colleague not named: %v, want not found", err)
			}
		})
		t.Run("CoordinatorStatisticsOnly", func(t *testing.T) {
			c, err := f.s.FindCaseByID(ctx, coordinator, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Person != nil || c.Details != nil || c.Reference != ref || c.Sex != "female" {
				t.Errorf("coordinator without break-glass: person %v details %v", c.Person != nil, c.Details != nil)
			}
			if _, err := f.s.Authorize(ctx, db.Read(), coordinator, id, access.CaseEdit); !errs.Is(err, errs.Forbidden) {
				t.Errorf("coordinator editing: %v, want forbidden", err)
			}
			g, err := f.bg.Open(ctx, coordinator, "case", ref, "The person is reported missing; police need the file now.")
			if err != nil {
				t.Fatal(err)
			}
			c, err = f.s.FindCaseByID(ctx, coordinator, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Person == nil || c.Details == nil || c.BreakGlass != g.ID {
				t.Errorf("coordinator with break-glass: person %v details %v grant %q", c.Person != nil, c.Details != nil, c.BreakGlass)
			}
			var purpose string
			db.Read().QueryRowContext(ctx, `SELECT purpose FROM audit_events WHERE action = 'case.read_personal' AND actor_id = $1`,
				coordinator.UserID).Scan(&purpose)
			if purpose != "break_glass:"+g.ID {
				t.Errorf("audit purpose %q", purpose)
			}
		})
		t.Run("AnalystSeesNothing", func(t *testing.T) {
			if _, err := f.s.FindCaseByID(ctx, analyst, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("analyst view: %v, want not found", err)
			}
			if _, _, err := f.s.FindCases(ctx, analyst, cases.CaseFilter{}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("analyst list: %v, want forbidden", err)
			}
		})
		t.Run("UnknownID", func(t *testing.T) {
			if _, err := f.s.FindCaseByID(ctx, police, "nope"); !errs.Is(err, errs.NotFound) {
				t.Errorf("got %v", err)
			}
		})
	})
}

var refRE = regexp.MustCompile(`^XK-2026-\d{4}$`)

func TestDuplicateWarning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, ref := f.mustOpen(t, police, adult("Ana", "Djordjevic", "1990-05-02"))

		t.Run("SameOrgSeesReference", func(t *testing.T) {
			r, err := f.s.Open(ctx, police2, adult("Ђорђевић", "Ана", "1990-05-02"))
			if !errs.Is(err, errs.Conflict) || r == nil || len(r.Duplicates) != 1 || r.Duplicates[0] != ref || r.DuplicateElsewhere {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
		t.Run("OtherOrgToldOnlyThatOneExists", func(t *testing.T) {
			f.clk.Advance(time.Minute)
			r, err := f.s.Open(ctx, ngo, adult("Ana", "Đorđević", "1990-05-02"))
			if !errs.Is(err, errs.Conflict) || r == nil || len(r.Duplicates) != 0 || !r.DuplicateElsewhere {
				t.Fatalf("got %+v, %v", r, err)
			}
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'case.duplicate_suspected' AND object_id = $1`, ref).Scan(&n)
			if n != 1 {
				t.Errorf("%d duplicate audit events, want 1", n)
			}
			tl, _ := f.s.Timeline(ctx, coordinator, mustID(t, f, ref))
			if len(tl) == 0 || tl[0].Kind != "duplicate" {
				t.Errorf("coordinator timeline %+v", tl)
			}
			tl, _ = f.s.Timeline(ctx, police, mustID(t, f, ref))
			for _, e := range tl {
				if e.Kind == "duplicate" {
					t.Error("the owning team sees the coordinator's duplicate notice")
				}
			}
		})
		t.Run("ConfirmProceeds", func(t *testing.T) {
			in := adult("Ana", "Đorđević", "1990-05-02")
			in.ConfirmDuplicate = true
			r, err := f.s.Open(ctx, ngo, in)
			if err != nil || !refRE.MatchString(r.Reference) {
				t.Fatalf("confirmed: %+v %v", r, err)
			}
		})
	})
}

func mustID(t *testing.T, f *fixture, ref string) string {
	t.Helper()
	var id string
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT id FROM cases WHERE reference = $1`, ref).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
