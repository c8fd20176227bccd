package referral_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestStayWithDependants: a woman admitted with her two children takes
// three beds; only her case's dependants may come with her; a second
// active stay is refused; the stay ends by the maximum and is extended
// within it; the discharge frees all three beds.
func TestStayWithDependants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		dv := en.service(t, "dv", "DV Shelter", referral.TypeDVShelter, 4, nil)
		a := en.openCase(t, "1990-01-01", "female", "low")
		b := en.openCase(t, "1991-01-01", "female", "low")
		var kids []string
		for _, c := range []string{a.ID, b.ID} {
			if err := en.app.Cases.AddToTeam(ctx, en.users["police"], c, en.org("dv"), ""); err != nil {
				t.Fatal(err)
			}
			for _, birth := range []string{"2016-02-03", "2019-09-10"} {
				d, err := en.app.GBV.AddDependant(ctx, en.users["police"], c, gbv.DependantInput{Name: "Child", BirthDate: birth})
				if err != nil {
					t.Fatal(err)
				}
				kids = append(kids, d.ID)
			}
		}
		if _, err := en.svc.AdmitWith(ctx, en.users["dv"], a.ID, dv, referral.AdmitOptions{Dependants: []string{kids[0], kids[2]}}); errs.As(err).Field != "dependants" {
			t.Fatalf("another case's child admitted: %v", err)
		}
		st, err := en.svc.AdmitWith(ctx, en.users["dv"], a.ID, dv, referral.AdmitOptions{Dependants: kids[:2]})
		if err != nil || st.Beds != 3 || st.Until == nil {
			t.Fatalf("admit with two children: %+v %v", st, err)
		}
		if board := availability(t, en, dv); board.BedsOccupied != 3 || board.BedsFree != 1 {
			t.Errorf("board after admitting three: %+v", board)
		}
		if _, err := en.svc.Admit(ctx, en.users["dv"], a.ID, dv); !errs.Is(err, errs.Conflict) {
			t.Errorf("second active stay: %v, want conflict", err)
		}
		if _, err := en.svc.AdmitWith(ctx, en.users["dv"], b.ID, dv, referral.AdmitOptions{Dependants: kids[2:]}); errs.As(err).Key != "stay.full" {
			t.Errorf("three more in one free bed: %v, want full", err)
		}
		if _, err := en.svc.ExtendStay(ctx, en.users["dv"], st.ID, st.Until.AddDate(1, 0, 0).Format("2006-01-02")); errs.As(err).Field != "stay_until" {
			t.Errorf("extension beyond the maximum: %v", err)
		}
		ext, err := en.svc.ExtendStay(ctx, en.users["dv"], st.ID, st.Until.AddDate(0, 2, 0).Format("2006-01-02"))
		if err != nil || ext.Extensions != 1 {
			t.Fatalf("extend: %+v %v", ext, err)
		}
		if _, err := en.svc.Discharge(ctx, en.users["dv"], st.ID, "family"); err != nil {
			t.Fatal(err)
		}
		if board := availability(t, en, dv); board.BedsOccupied != 0 {
			t.Errorf("board after the discharge: %+v", board)
		}
	})
}
