package consent_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var informed = consent.Informed{Purpose: true, DataUse: true, StorageDuration: true, AccessRight: true, Withdrawal: true}

func grant(scope consent.Scope, target, by, childView string) consent.GrantInput {
	return consent.GrantInput{Scope: scope, Target: target, GivenBy: by, ChildView: childView, Language: "sq",
		Interpreter: false, Informed: informed, EffectiveAt: "2026-03-16", Remarks: "Explained in the shelter office."}
}

func mustRecord(t *testing.T, env *fixture.Env, caseID string, in consent.GrantInput) *consent.Entry {
	t.Helper()
	e, err := env.Consent.Record(context.Background(), fixture.Advocate, caseID, in)
	if err != nil {
		t.Fatalf("record %s: %v", in.Scope, err)
	}
	return e
}

func check(t *testing.T, env *fixture.Env, caseID string, sh consent.Share) consent.Decision {
	t.Helper()
	d, err := env.Consent.Check(context.Background(), env.DB.Read(), caseID, sh)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return d
}

func TestCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, _ := env.Case(t, false)
		toNGO := consent.Share{Kind: consent.ScopeOrganisation, Target: fixture.NGO.OrgID}

		t.Run("NoConsentNoShare", func(t *testing.T) {
			if got := check(t, env, caseID, toNGO); got.Allowed || got.Reason != consent.ReasonNoConsent {
				t.Errorf("got %+v, want not allowed, %s", got, consent.ReasonNoConsent)
			}
		})
		t.Run("ShareGrantWithoutProcessing", func(t *testing.T) {
			mustRecord(t, env, caseID, grant(consent.ScopeOrganisation, fixture.NGO.OrgID, consent.ByPerson, ""))
			if got := check(t, env, caseID, toNGO); got.Allowed || got.Reason != consent.ReasonNoProcessing {
				t.Errorf("got %+v, want not allowed, %s", got, consent.ReasonNoProcessing)
			}
		})
		var processing *consent.Entry
		t.Run("Consented", func(t *testing.T) {
			processing = mustRecord(t, env, caseID, grant(consent.ScopeDataProcessing, "", consent.ByPerson, ""))
			got := check(t, env, caseID, toNGO)
			if !got.Allowed || got.Reason != consent.ReasonConsented || got.EntryID == "" {
				t.Errorf("got %+v, want allowed", got)
			}
			other := consent.Share{Kind: consent.ScopeOrganisation, Target: fixture.Shelter.OrgID}
			if got := check(t, env, caseID, other); got.Allowed {
				t.Errorf("another organisation: got %+v, want not allowed", got)
			}
		})
		t.Run("Withdrawn", func(t *testing.T) {
			if _, err := env.Consent.Withdraw(ctx, fixture.Advocate, processing.ID, consent.WithdrawInput{GivenBy: consent.ByPerson}); err != nil {
				t.Fatal(err)
			}
			if got := check(t, env, caseID, toNGO); got.Allowed {
				t.Errorf("after withdrawing processing consent: got %+v, want not allowed", got)
			}
			_, err := env.Consent.Withdraw(ctx, fixture.Advocate, processing.ID, consent.WithdrawInput{GivenBy: consent.ByPerson})
			if got, want := errs.CodeOf(err), errs.Conflict; got != want {
				t.Errorf("second withdrawal: %v, want %s", err, want)
			}
		})
		t.Run("HistoryKept", func(t *testing.T) {
			list, err := env.Consent.List(ctx, fixture.Advocate, caseID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(list), 3; got != want {
				t.Fatalf("%d entries, want %d", got, want)
			}
			if list[1].Active || list[1].WithdrawnBy != list[2].ID || list[2].Type != consent.TypeWithdrawal {
				t.Errorf("withdrawn grant not linked: %+v / %+v", list[1], list[2])
			}
			if list[0].Remarks != "Explained in the shelter office." || !list[0].Informed.Purpose {
				t.Errorf("content not read back: %+v", list[0])
			}
		})
		t.Run("OutsiderSeesNothing", func(t *testing.T) {
			_, err := env.Consent.List(ctx, fixture.Outsider, caseID)
			if got, want := errs.CodeOf(err), errs.NotFound; got != want {
				t.Errorf("outsider: %v, want %s", err, want)
			}
		})
	})
}

func TestChildConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, _ := env.Case(t, true)
		toRS := consent.Share{Kind: consent.ScopeExchange, Target: "rs"}

		_, err := env.Consent.Record(ctx, fixture.Social, caseID, grant(consent.ScopeDataProcessing, "", consent.ByPerson, ""))
		if got, want := errs.As(err).Field, "given_by"; got != want {
			t.Errorf("child's own grant: %v, want an error on %s", err, want)
		}
		_, err = env.Consent.Record(ctx, fixture.Social, caseID, grant(consent.ScopeDataProcessing, "", consent.ByGuardian, ""))
		if got, want := errs.As(err).Field, "child_view"; got != want {
			t.Errorf("guardian grant without the child's view: %v, want an error on %s", err, want)
		}
		// Nobody speaks as the guardian before one is recorded on the case.
		_, err = env.Consent.Record(ctx, fixture.Social, caseID, grant(consent.ScopeDataProcessing, "", consent.ByGuardian, consent.ChildAgrees))
		if e := errs.As(err); e.Field != "given_by" || e.Key != "consent.guardian_not_appointed" {
			t.Errorf("guardian grant with no guardian recorded: %v, want consent.guardian_not_appointed", err)
		}
		g := env.Guardian(t, caseID)
		if e := mustRecord(t, env, caseID, grant(consent.ScopeDataProcessing, "", consent.ByGuardian, consent.ChildAgrees)); e.Guardian != g.ID {
			t.Errorf("the grant names guardian %q, want %q", e.Guardian, g.ID)
		}
		mustRecord(t, env, caseID, grant(consent.ScopeExchange, "RS", consent.ByGuardian, consent.ChildObjects))
		if got := check(t, env, caseID, toRS); got.Allowed || got.Reason != consent.ReasonChildObjects {
			t.Errorf("child objects: got %+v, want not allowed, %s", got, consent.ReasonChildObjects)
		}

		err = db.InTx(ctx, env.Clock.Now(), func(tx *store.Tx) error {
			d, err := env.Consent.Override(ctx, tx, fixture.Social, caseID, toRS, "short")
			if errs.As(err).Field != "reason" || d.Allowed {
				t.Errorf("short reason: %+v, %v; want refused", d, err)
			}
			d, err = env.Consent.Override(ctx, tx, fixture.Social, caseID, toRS, "Family tracing ordered by the court, case 12/2026.")
			if err != nil || !d.Allowed || d.Reason != consent.ReasonOverride {
				t.Errorf("override: %+v, %v", d, err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := check(t, env, caseID, toRS); got.Allowed {
			t.Errorf("an override allows one share only; later check got %+v", got)
		}
		flagged := "consent.override"
		events, _, err := audit.Find(ctx, db.Read(), audit.Filter{Action: &flagged})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Purpose == "" {
			t.Errorf("override audit events: %+v, want one with a purpose", events)
		}
	})
}

// TestDecide walks the rule cell by cell without a database.
func TestDecide(t *testing.T) {
	proc := func(id, by, view string) *consent.Entry {
		return &consent.Entry{ID: id, Type: consent.TypeGrant, Scope: consent.ScopeDataProcessing, GivenBy: by, ChildView: view}
	}
	org := func(id, by, view string) *consent.Entry {
		return &consent.Entry{ID: id, Type: consent.TypeGrant, Scope: consent.ScopeOrganisation, Target: "o1", GivenBy: by, ChildView: view}
	}
	withdraw := func(id string) *consent.Entry {
		return &consent.Entry{ID: "w" + id, Type: consent.TypeWithdrawal, Scope: consent.ScopeOrganisation, Withdraws: id}
	}
	share := consent.Share{Kind: consent.ScopeOrganisation, Target: "o1"}
	tests := []struct {
		name    string
		entries []*consent.Entry
		child   bool
		want    consent.Decision
	}{
		{"Empty", nil, false, consent.Decision{Reason: consent.ReasonNoConsent}},
		{"Adult", []*consent.Entry{proc("p", "person", ""), org("g", "person", "")}, false, consent.Decision{Allowed: true, EntryID: "g", Reason: consent.ReasonConsented}},
		{"OtherTarget", []*consent.Entry{proc("p", "person", ""), {ID: "g", Type: consent.TypeGrant, Scope: consent.ScopeOrganisation, Target: "o2", GivenBy: "person"}}, false, consent.Decision{Reason: consent.ReasonNoConsent}},
		{"OtherKind", []*consent.Entry{proc("p", "person", ""), {ID: "g", Type: consent.TypeGrant, Scope: consent.ScopeCountry, Target: "o1", GivenBy: "person"}}, false, consent.Decision{Reason: consent.ReasonNoConsent}},
		{"Withdrawn", []*consent.Entry{proc("p", "person", ""), org("g", "person", ""), withdraw("g")}, false, consent.Decision{Reason: consent.ReasonWithdrawn}},
		{"RegrantedAfterWithdrawal", []*consent.Entry{proc("p", "person", ""), org("g", "person", ""), withdraw("g"), org("g2", "person", "")}, false, consent.Decision{Allowed: true, EntryID: "g2", Reason: consent.ReasonConsented}},
		{"ChildOwnConsentOnly", []*consent.Entry{proc("p", "person", ""), org("g", "person", "")}, true, consent.Decision{Reason: consent.ReasonGuardianRequired}},
		{"ChildGuardian", []*consent.Entry{proc("p", "guardian", "agrees"), org("g", "guardian", "not_expressed")}, true, consent.Decision{Allowed: true, EntryID: "g", Reason: consent.ReasonConsented}},
		{"ChildObjects", []*consent.Entry{proc("p", "guardian", "agrees"), org("g", "guardian", "objects")}, true, consent.Decision{Reason: consent.ReasonChildObjects}},
		{"OverrideIsNotConsent", []*consent.Entry{proc("p", "person", ""), {ID: "x", Type: consent.TypeOverride, Scope: consent.ScopeOrganisation, Target: "o1"}}, false, consent.Decision{Reason: consent.ReasonNoConsent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consent.Decide(tt.entries, tt.child, share); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
