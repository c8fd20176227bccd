package cases_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// The named fixture: one organisation per type and one user per role.
var (
	police      = access.Actor{UserID: "u-police", OrgID: "o-police", Role: access.Police}
	advocate    = access.Actor{UserID: "u-advocate", OrgID: "o-advocacy", Role: access.Advocate}
	social      = access.Actor{UserID: "u-social", OrgID: "o-social", Role: access.SocialWorker}
	shelter     = access.Actor{UserID: "u-shelter", OrgID: "o-shelter", Role: access.Shelter}
	ngo         = access.Actor{UserID: "u-ngo", OrgID: "o-ngo", Role: access.NGO}
	coordinator = access.Actor{UserID: "u-coord", OrgID: "o-coord", Role: access.Coordinator}
	analyst     = access.Actor{UserID: "u-analyst", OrgID: "o-coord", Role: access.Analyst}
	// police2 works in the same organisation as police.
	police2 = access.Actor{UserID: "u-police2", OrgID: "o-police", Role: access.Police}
)

var orgTypes = map[string]string{"o-police": "police", "o-advocacy": "victim_advocacy", "o-social": "social_work",
	"o-shelter": "shelter", "o-ngo": "ngo", "o-coord": "coordinator"}

var t0 = time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)

type fixture struct {
	s   *cases.Service
	db  *store.DB
	bg  *breakglass.Service
	clk *clock.Fake
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	kr, _, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := vault.New(db, kr)
	err = db.InTx(ctx, t0, func(tx *store.Tx) error {
		for id, typ := range orgTypes {
			if _, err := tx.Exec(`INSERT INTO organisations (id, name, type, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
				id, "Org "+id, typ, store.T(tx.Now)); err != nil {
				return err
			}
		}
		for _, a := range []access.Actor{police, advocate, social, shelter, ngo, coordinator, analyst, police2} {
			k, err := v.NewDataKey(ctx, tx, "user")
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO users (id, org_id, role, key_id, email_index, email_enc, name_enc, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6, 'x', $7, $7, $7)`, a.UserID, a.OrgID, string(a.Role), k, []byte(a.UserID), []byte{1}, store.T(tx.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	tc := tick{clk}
	bg := &breakglass.Service{DB: db, Vault: v, Clock: tc}
	return &fixture{s: cases.New(db, v, tc, bg, "XK"), db: db, bg: bg, clk: clk}
}

// adult is a registration of a fictional adult.
func adult(given, family, birth string) cases.Input {
	return cases.Input{
		Person:       cases.Person{GivenName: given, FamilyName: family, BirthDate: birth, Sex: "female", Citizenship: "XK"},
		Exploitation: []string{"SexualExploitation"},
		Municipality: "Prizren",
		Details:      cases.Details{ExploitationPlace: "Bar Tirana", Narrative: "Recruited with a false job offer."},
	}
}

// mustOpen registers in as actor and returns the case id.
func (f *fixture) mustOpen(t testing.TB, actor access.Actor, in cases.Input) (id, ref string) {
	t.Helper()
	r, err := f.s.Open(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return r.ID, r.Reference
}

func (f *fixture) version(t testing.TB, id string) int {
	t.Helper()
	var v int
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT version FROM cases WHERE id = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) mustAdd(t testing.TB, actor access.Actor, id, org string) {
	t.Helper()
	if err := f.s.AddToTeam(context.Background(), actor, id, org, ""); err != nil {
		t.Fatalf("add %s to team: %v", org, err)
	}
}

// tick is a fake clock that moves on a millisecond at every reading, so
// events written one after another have distinct times.
type tick struct{ *clock.Fake }

func (t tick) Now() time.Time {
	t.Advance(time.Millisecond)
	return t.Fake.Now()
}
