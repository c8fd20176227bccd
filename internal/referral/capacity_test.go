package referral_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestSecureFacilityExit: leaving the ISF for good needs both a
// prosecutor's and a police approval before the discharge.
func TestSecureFacilityExit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		isf := en.service(t, "isf", "ISF", referral.TypeSecureFacility, 40, nil)
		c := en.openCase(t, "1990-01-01", "female", "high")
		for _, u := range []string{"isf", "prosecutor"} {
			if err := en.app.Cases.AddToTeam(ctx, en.users["police"], c.ID, en.org(u), ""); err != nil {
				t.Fatal(err)
			}
		}
		st, err := en.svc.Admit(ctx, en.users["isf"], c.ID, isf)
		if err != nil {
			t.Fatal(err)
		}
		discharge := func() error { _, err := en.svc.Discharge(ctx, en.users["isf"], st.ID, "family"); return err }
		if err := discharge(); errs.As(err).Key != "stay.exit_approval_required" {
			t.Fatalf("discharge without approvals: %v", err)
		}
		if err := en.svc.ApproveExit(ctx, en.users["police"], st.ID); err != nil {
			t.Fatal(err)
		}
		if err := en.svc.ApproveExit(ctx, en.users["police"], st.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("second police approval: %v, want conflict", err)
		}
		if err := discharge(); errs.As(err).Key != "stay.exit_approval_required" {
			t.Fatalf("discharge with the police approval only: %v", err)
		}
		if err := en.svc.ApproveExit(ctx, en.users["advocate"], st.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an advocate approves: %v, want forbidden", err)
		}
		if err := en.svc.ApproveExit(ctx, en.users["prosecutor"], st.ID); err != nil {
			t.Fatal(err)
		}
		if err := discharge(); err != nil {
			t.Errorf("discharge with both approvals: %v", err)
		}
	})
}

// TestOverflow: admission beyond capacity is refused unless marked as an
// emergency overflow, which is flagged and shows on the board.
func TestOverflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		dv := en.service(t, "dv", "DV Shelter", referral.TypeDVShelter, 1, nil)
		a := en.openCase(t, "1990-01-01", "female", "low")
		b := en.openCase(t, "1991-01-01", "female", "low")
		for _, id := range []string{a.ID, b.ID} {
			if err := en.app.Cases.AddToTeam(ctx, en.users["police"], id, en.org("dv"), ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := en.svc.Admit(ctx, en.users["dv"], a.ID, dv); err != nil {
			t.Fatal(err)
		}
		if _, err := en.svc.Admit(ctx, en.users["dv"], b.ID, dv); errs.As(err).Key != "stay.full" {
			t.Fatalf("admission to a full shelter: %v", err)
		}
		st, err := en.svc.AdmitEmergency(ctx, en.users["dv"], b.ID, dv)
		if err != nil || !st.EmergencyOverflow || !st.OverCapacity {
			t.Fatalf("emergency overflow: %+v %v", st, err)
		}
		board := availability(t, en, dv)
		if !board.OverCapacity || board.BedsOccupied != 2 || board.BedsFree != 0 {
			t.Errorf("board %+v", board)
		}
		if _, err := en.svc.Admit(ctx, en.users["thb"], a.ID, dv); err == nil {
			t.Error("another organisation admitted to this shelter")
		}
	})
}

// TestShelterLocationSecret: a shelter's address is sealed, shown to its own
// organisation only, and never in a list or an export.
func TestShelterLocationSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		beds := 10
		o, err := en.svc.CreateService(ctx, en.users["thb"], referral.ServiceInput{Name: "Safe House", Type: referral.TypeTHBShelter,
			Organisation: en.org("thb"), BedsTotal: &beds, Location: "Rruga e Fshehtë 7, Prishtinë"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.svc.CreateService(ctx, en.users["thb"], referral.ServiceInput{Name: "Other", Type: "medical",
			Organisation: en.org("dv")}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a provider adds a service for another: %v", err)
		}
		own, err := en.svc.FindServiceByID(ctx, en.users["thb2"], o.ID)
		if err != nil || own.Location != "Rruga e Fshehtë 7, Prishtinë" {
			t.Errorf("own organisation: %q %v", own.Location, err)
		}
		for _, u := range []string{"police", "coord", "dv"} {
			got, err := en.svc.FindServiceByID(ctx, en.users[u], o.ID)
			if err != nil || got.Location != "" {
				t.Errorf("%s sees location %q (%v)", u, got.Location, err)
			}
		}
		var raw []byte
		if err := en.app.DB.Read().QueryRowContext(ctx, `SELECT location_enc FROM services WHERE id = $1`, o.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if slices.Contains([]string{string(raw)}, "Fshehtë") || len(raw) == 0 {
			t.Error("location stored in clear")
		}
		h, err := en.svc.ExportHSDS(ctx, en.users["coord"])
		if err != nil || len(h.Contents) != 1 || len(h.Contents[0].ServiceAtLocations) != 0 {
			t.Errorf("export: %+v %v", h, err)
		}
	})
}

// TestChildReferralInformsSocialWork: a child's referral reaches the
// Centre for Social Work on the team.
func TestChildReferralInformsSocialWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		cs := en.service(t, "child", "Children's shelter", referral.TypeChildShelter, 6, nil)
		adult := en.service(t, "thb", "Adult shelter", referral.TypeTHBShelter, 6, nil)
		c := en.openCase(t, "2011-02-03", "female", "medium")
		en.grant(t, c.ID, consent.ScopeService, "accommodation", true)
		if _, err := en.svc.Create(ctx, en.users["police"], c.ID, referral.ReferralInput{ServiceID: adult, Urgency: "24h", Reason: "r"}); errs.As(err).Key != "placement.child_unsuitable" {
			t.Errorf("child to an adult shelter: %v", err)
		}
		if _, err := en.svc.Create(ctx, en.users["police"], c.ID, referral.ReferralInput{ServiceID: cs, Urgency: "24h", Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		if got := en.note.kinds(en.org("csw")); !slices.Contains(got, referral.NotifyReceived) {
			t.Errorf("CSW notifications %v", got)
		}
	})
}
