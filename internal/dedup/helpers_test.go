package dedup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// The named fixture: one organisation per registering role and the coordinator.
var (
	police      = access.Actor{UserID: "u-police", OrgID: "o-police", Role: access.Police}
	ngo         = access.Actor{UserID: "u-ngo", OrgID: "o-ngo", Role: access.NGO}
	shelter     = access.Actor{UserID: "u-shelter", OrgID: "o-shelter", Role: access.Shelter}
	coordinator = access.Actor{UserID: "u-coord", OrgID: "o-coord", Role: access.Coordinator}
)

var orgTypes = map[string]string{"o-police": "police", "o-ngo": "ngo", "o-shelter": "shelter", "o-coord": "coordinator"}

var t0 = time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)

type fixture struct {
	db    *store.DB
	v     *vault.Vault
	cases *cases.Service
	dd    *dedup.Service
	clk   *clock.Fake
}

// newFixture wires the case file to the duplicate check as app.Open does.
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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	tc := tick{clk}
	bg := &breakglass.Service{DB: db, Vault: v, Clock: tc}
	cs := cases.New(db, v, tc, bg, "XK")
	dd := &dedup.Service{DB: db, Vault: v, Clock: tc, Config: dedup.DefaultConfig()}
	cs.Likely = dd
	return &fixture{db: db, v: v, cases: cs, dd: dd, clk: clk}
}

// person is a fictional registration.
func person(given, family, birth string) cases.Person {
	return cases.Person{GivenName: given, FamilyName: family, BirthDate: birth, Sex: "female", Citizenship: "XK"}
}

func input(p cases.Person) cases.Input {
	return cases.Input{Person: p, Exploitation: []string{"SexualExploitation"}, Municipality: "Prizren"}
}

// mustOpen registers p as actor, confirming past any warning.
func (f *fixture) mustOpen(t testing.TB, actor access.Actor, p cases.Person) (id, ref string) {
	t.Helper()
	in := input(p)
	in.ConfirmDuplicate = true
	r, err := f.cases.Open(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return r.ID, r.Reference
}

// personFromSynth turns a synthetic registration into a case-file person:
// street and postcode become one address contact, as a worker would type
// them; the town is the case's municipality (see seed).
func personFromSynth(r linkage.Record) cases.Person {
	p := cases.Person{GivenName: r.GivenName, FamilyName: r.FamilyName, BirthDate: r.BirthDate, Citizenship: r.Citizenship, Sex: "unknown"}
	switch r.Sex {
	case "F":
		p.Sex = "female"
	case "M":
		p.Sex = "male"
	}
	var addr []string
	for _, k := range []string{"address", "postcode"} {
		if v := r.Extra[k]; v != "" {
			addr = append(addr, v)
		}
	}
	if len(addr) > 0 {
		p.Contacts = []cases.Contact{{Type: "address", Value: strings.Join(addr, " ")}}
	}
	return p
}

// seed inserts persons directly, each under its own data key, with a case
// each in municipality munis[i] when munis is not nil (so the registration
// check can reach them), and
// without blocking keys unless keyed: the job's first run must backfill
// them, as on a database registered before this capability existed. It
// returns the person ids in the order of ps.
func (f *fixture) seed(t testing.TB, ps []cases.Person, munis []string, keyed bool) []string {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, len(ps))
	for lo := 0; lo < len(ps); lo += 500 {
		hi := min(lo+500, len(ps))
		err := f.db.InTx(ctx, t0, func(tx *store.Tx) error {
			for i := lo; i < hi; i++ {
				id := store.NewID()
				ids[i] = id
				key, err := f.v.NewDataKey(ctx, tx, "person")
				if err != nil {
					return err
				}
				b, _ := json.Marshal(ps[i])
				enc, err := f.v.Seal(ctx, tx, key, vault.AAD{Table: "persons", Row: id, Field: "data"}, b)
				if err != nil {
					return err
				}
				at := store.T(t0.Add(time.Duration(i) * time.Second))
				if _, err := tx.Exec(`INSERT INTO persons (id, key_id, data_enc, sex, citizenship, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $6)`, id, key, enc, ps[i].Sex, ps[i].Citizenship, at); err != nil {
					return err
				}
				if keyed {
					if err := f.dd.IndexPerson(ctx, tx, id, ps[i]); err != nil {
						return err
					}
				}
				if munis != nil {
					if _, err := tx.Exec(`INSERT INTO cases (id, reference, owner_org, person_id, key_id, stage, victim_status,
						municipality, opened_month, created_at, updated_at)
						VALUES ($1, $2, 'o-police', $3, $4, 'signal_received', 'possible', $5, '2026-03', $6, $6)`,
						store.NewID(), fmt.Sprintf("XK-2025-%05d", i+1), id, key, munis[i], at); err != nil {
						return err
					}
					if _, err := tx.Exec(`INSERT INTO case_team (case_id, org_id, user_id, via, added_at, added_by)
						SELECT id, 'o-police', '', 'owner', $2, 'u-police' FROM cases WHERE person_id = $1`, id, at); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// tick is a fake clock that moves on a millisecond at every reading.
type tick struct{ *clock.Fake }

func (t tick) Now() time.Time {
	t.Advance(time.Millisecond)
	return t.Fake.Now()
}

func storeEngine(e string) store.Engine { return store.Engine(e) }
