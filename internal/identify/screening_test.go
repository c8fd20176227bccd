package identify_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

// fixture is a store with two organisations: police (two officers) and an
// NGO, and the coordinator in a third.
type fixture struct {
	svc                         *identify.Service
	db                          *store.DB
	police, police2, ngo, coord access.Actor
	analyst                     access.Actor
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	kr, _, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, kr)
	clk := clock.NewFake(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	as := auth.New(db, v, clk, ac)
	actor := func(org string, email string, role access.Role) access.Actor {
		var orgID string
		orgs, err := as.FindOrgs(ctx, access.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			if o.Name == org {
				orgID = o.ID
			}
		}
		if orgID == "" {
			o, err := as.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: org, Type: "ngo"})
			if err != nil {
				t.Fatal(err)
			}
			orgID = o.ID
		}
		u, err := as.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: email, Name: "Test " + string(role),
			Role: role, OrgID: orgID, Password: "screening test passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	return &fixture{
		svc:     &identify.Service{DB: db, Vault: v, Clock: clk},
		db:      db,
		police:  actor("Police", "p1@test.invalid", access.Police),
		police2: actor("Police", "p2@test.invalid", access.Police),
		ngo:     actor("NGO", "n@test.invalid", access.NGO),
		coord:   actor("Coordination", "c@test.invalid", access.Coordinator),
		analyst: actor("Stats", "a@test.invalid", access.Analyst),
	}
}

var trafficked = identify.Input{Profile: identify.AdultLabour, Indicators: []string{
	"al.d1.deceived_nature_of_job", "al.d1.deceived_wages", "al.d4.excessive_hours", "al.d4.low_or_no_salary",
	"al.d5.confiscation_of_documents", "al.d5.debt_bondage"}}

func TestRecordAndFind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rec, err := f.svc.Record(ctx, f.police, identify.RecordInput{Input: trafficked, Note: "  met at the bus station  "})
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Indicated || rec.Outcome != identify.OutcomeIndicated {
			t.Errorf("recorded outcome %s", rec.Outcome)
		}
		for _, who := range []struct {
			name  string
			actor access.Actor
		}{{"SameOfficer", f.police}, {"SameOrganisation", f.police2}, {"Coordinator", f.coord}} {
			t.Run(who.name, func(t *testing.T) {
				got, err := f.svc.Find(ctx, who.actor, rec.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Note != "met at the bus station" {
					t.Errorf("note %q", got.Note)
				}
				if got.Outcome != rec.Outcome || got.Positive() != rec.Positive() || got.Version != rec.Version ||
					got.Profile != rec.Profile || len(got.Indicators) != len(trafficked.Indicators) || got.CaseID != "" {
					t.Errorf("found %+v, recorded %+v", got, rec)
				}
				if got.Dimensions[0].Clause != identify.ClauseStrongPlusOne || len(got.Dimensions[0].Indicators) != 2 {
					t.Errorf("D1 stored as %+v", got.Dimensions[0])
				}
				if !got.At.Equal(rec.At) || got.OrgID != f.police.OrgID || got.UserID != f.police.UserID {
					t.Errorf("at %v org %s user %s", got.At, got.OrgID, got.UserID)
				}
			})
		}
		for _, who := range []access.Actor{f.ngo, f.analyst} {
			if _, err := f.svc.Find(ctx, who, rec.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reading another organisation's screening: %v, want not found", who.Role, err)
			}
		}
		if _, err := f.svc.Find(ctx, f.police, "nosuchid"); !errs.Is(err, errs.NotFound) {
			t.Errorf("missing screening: %v", err)
		}
		events, _, err := audit.Find(ctx, db.Read(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range events {
			if e.ObjectID == rec.ID {
				counts[e.Action]++
			}
		}
		if counts["screening.record"] != 1 || counts["screening.read"] != 3 {
			t.Errorf("audit events %v, want 1 record and 3 reads", counts)
		}
	})
}

func TestRecordRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tests := []struct {
			name  string
			actor access.Actor
			in    identify.RecordInput
			code  errs.Code
		}{
			{"UnknownProfile", f.police, identify.RecordInput{Input: identify.Input{Profile: "x"}}, errs.Invalid},
			{"UnknownIndicator", f.police, identify.RecordInput{Input: identify.Input{Profile: identify.AdultLabour, Indicators: []string{"al.d1.x"}}}, errs.Invalid},
			{"NoteTooLong", f.police, identify.RecordInput{Input: trafficked, Note: string(make([]rune, identify.MaxNote+1))}, errs.Invalid},
			{"Analyst", f.analyst, identify.RecordInput{Input: trafficked}, errs.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := f.svc.Record(ctx, tt.actor, tt.in); !errs.Is(err, tt.code) {
					t.Errorf("err = %v, want %s", err, tt.code)
				}
			})
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM screenings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d screenings stored after bad input", n)
		}
	})
}

func TestAttach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a, err := f.svc.Record(ctx, f.police, identify.RecordInput{Input: trafficked})
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.Record(ctx, f.police2, identify.RecordInput{Input: identify.Input{Profile: identify.ChildLabour}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Record(ctx, f.ngo, identify.RecordInput{Input: trafficked}); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.FindUnattached(ctx, f.police)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("police see %d unattached screenings, want their organisation's 2", len(list))
		}
		attach := func(actor access.Actor, id, caseID string) error {
			return db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
				return f.svc.Attach(ctx, tx, actor, id, caseID)
			})
		}
		tests := []struct {
			name       string
			actor      access.Actor
			id, caseID string
			code       errs.Code
		}{
			{"Attach", f.police2, a.ID, "case-1", ""},
			{"AgainSameCase", f.police, a.ID, "case-1", ""},
			{"OtherCase", f.police, a.ID, "case-2", errs.Conflict},
			{"OtherOrganisation", f.ngo, b.ID, "case-3", errs.NotFound},
			{"NoCase", f.police, b.ID, "", errs.Invalid},
			{"Coordinator", f.coord, b.ID, "case-3", ""},
			{"Missing", f.police, "nosuchid", "case-1", errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := attach(tt.actor, tt.id, tt.caseID)
				if tt.code == "" && err != nil || tt.code != "" && !errs.Is(err, tt.code) {
					t.Errorf("err = %v, want %q", err, tt.code)
				}
			})
		}
		got, err := f.svc.Find(ctx, f.police, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CaseID != "case-1" {
			t.Errorf("case %q, want case-1", got.CaseID)
		}
		if list, _ := f.svc.FindUnattached(ctx, f.police); len(list) != 0 {
			t.Errorf("%d still unattached", len(list))
		}
		// A rolled-back case transaction leaves the screening unattached.
		c, _ := f.svc.Record(ctx, f.police, identify.RecordInput{Input: trafficked})
		_ = db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
			if err := f.svc.Attach(ctx, tx, f.police, c.ID, "case-9"); err != nil {
				return err
			}
			return errs.E(errs.Conflict, "x")
		})
		if got, _ := f.svc.Find(ctx, f.police, c.ID); got.CaseID != "" {
			t.Errorf("attached despite rollback: %q", got.CaseID)
		}
	})
}
