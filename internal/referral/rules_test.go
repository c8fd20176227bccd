package referral_test

import (
	"slices"
	"testing"

	"github.com/ura-nrm/ura/internal/referral"
)

func offering(typ string, beds int, el referral.Eligibility) *referral.Offering {
	return &referral.Offering{ID: typ, Name: typ, Type: typ, Active: true, OrgActive: true, BedsTotal: beds, Eligibility: el}
}

// TestPlacementRules walks the rule table with one case × service per row:
// whether the service fits and which rule decided it.
func TestPlacementRules(t *testing.T) {
	adultHigh := referral.Profile{AgeBand: "25-34", Sex: "female", RiskLevel: "high", Citizenship: "XK"}
	adultLow := referral.Profile{AgeBand: "25-34", Sex: "female", RiskLevel: "low", Citizenship: "AL"}
	adultMedium := referral.Profile{AgeBand: "18-24", Sex: "male", RiskLevel: "medium", Citizenship: "MD"}
	child := referral.Profile{AgeBand: "15-17", Sex: "female", RiskLevel: "medium", IsChild: true, Citizenship: "XK"}
	unassessed := referral.Profile{AgeBand: "25-34", Sex: "female"}
	tests := []struct {
		name string
		p    referral.Profile
		o    *referral.Offering
		fits bool
		rule string // the rule whose reason must be present
		met  bool
	}{
		{"HighRiskToISF", adultHigh, offering("secure_facility", 40, referral.Eligibility{}), true, "high_risk_secure", true},
		{"HighRiskToTHBShelter", adultHigh, offering("thb_shelter", 10, referral.Eligibility{}), true, "high_risk_secure", true},
		{"HighRiskNotToDVShelter", adultHigh, offering("dv_shelter", 10, referral.Eligibility{}), false, "high_risk_secure", false},
		{"HighRiskNotToChildShelter", adultHigh, offering("child_shelter", 10, referral.Eligibility{}), false, "high_risk_secure", false},
		{"HighRiskToMedicalCare", adultHigh, offering("medical", 0, referral.Eligibility{}), true, "active", true},
		{"LowRiskToDVShelter", adultLow, offering("dv_shelter", 10, referral.Eligibility{}), true, "dv_low_risk", true},
		{"MediumRiskNotToDVShelter", adultMedium, offering("dv_shelter", 10, referral.Eligibility{}), false, "dv_low_risk", false},
		{"UnassessedNotToDVShelter", unassessed, offering("dv_shelter", 10, referral.Eligibility{}), false, "dv_low_risk", false},
		{"ChildToChildShelter", child, offering("child_shelter", 8, referral.Eligibility{}), true, "child_appropriate", true},
		{"ChildNotToAdultTHBShelter", child, offering("thb_shelter", 8, referral.Eligibility{}), false, "child_appropriate", false},
		{"ChildToTHBShelterForMinors", child, offering("thb_shelter", 8, referral.Eligibility{AgeMin: intp(12)}), true, "child_appropriate", true},
		{"ChildCSWInformed", child, offering("child_shelter", 8, referral.Eligibility{}), true, "csw_informed", true},
		{"AdultNotToChildShelter", adultLow, offering("child_shelter", 8, referral.Eligibility{}), false, "children_only", false},
		{"SexRestriction", adultMedium, offering("thb_shelter", 8, referral.Eligibility{Sex: "female"}), false, "sex", false},
		{"AgeAbove", adultLow, offering("education", 0, referral.Eligibility{AgeMax: intp(24)}), false, "age", false},
		{"AgeInside", adultMedium, offering("education", 0, referral.Eligibility{AgeMin: intp(18), AgeMax: intp(24)}), true, "age", true},
		{"RiskRangeExcludes", adultHigh, offering("psychological", 0, referral.Eligibility{RiskMax: "medium"}), false, "risk_range", false},
		{"RiskRangeUnknown", unassessed, offering("psychological", 0, referral.Eligibility{RiskMin: "low"}), false, "risk_range", false},
		{"NationalityOnly", adultMedium, offering("legal_aid", 0, referral.Eligibility{Nationalities: []string{"XK"}, NationalityRule: "only"}), false, "nationality", false},
		{"NationalityExcept", adultLow, offering("legal_aid", 0, referral.Eligibility{Nationalities: []string{"XK"}, NationalityRule: "except"}), true, "nationality", true},
		{"FullShelter", adultLow, offering("thb_shelter", 0, referral.Eligibility{}), false, "capacity", false},
		{"Inactive", adultLow, &referral.Offering{Type: "medical", Active: false, OrgActive: true}, false, "active", false},
		{"ProviderInactive", adultLow, &referral.Offering{Type: "medical", Active: true, OrgActive: false}, false, "active", false},
		{"LicenceLapsed", adultLow, &referral.Offering{Type: "medical", Active: true, OrgActive: true, AccreditedUntil: "2026-01-31"}, false, "licensed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fits, reasons, _ := referral.Evaluate(&tt.p, tt.o, "2026-05-04")
			if fits != tt.fits {
				t.Errorf("fits = %v, want %v (%+v)", fits, tt.fits, reasons)
			}
			found := tt.rule == "active" && tt.met // the active rule explains only a failure
			for _, r := range reasons {
				if r.Rule == tt.rule && r.Met == tt.met && r.Code != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("no reason from rule %s with met=%v in %+v", tt.rule, tt.met, reasons)
			}
		})
	}
}

// TestPlacementRanking: fitting services first; within them a service that
// answers a named need and speaks the person's language comes first.
func TestPlacementRanking(t *testing.T) {
	p := referral.Profile{AgeBand: "25-34", Sex: "female", RiskLevel: "low", Needs: []string{"psychological"}, Languages: []string{"ro"}}
	sq := offering("psychological", 0, referral.Eligibility{Languages: []string{"sq"}})
	sq.Name = "A counselling"
	ro := offering("psychological", 0, referral.Eligibility{Languages: []string{"ro", "sq"}})
	ro.Name = "B counselling"
	legal := offering("legal_aid", 0, referral.Eligibility{})
	full := offering("dv_shelter", 0, referral.Eligibility{})
	var ps []*referral.Proposal
	for _, o := range []*referral.Offering{full, legal, sq, ro} {
		fits, reasons, score := referral.Evaluate(&p, o, "2026-05-04")
		ps = append(ps, &referral.Proposal{Service: o, Fits: fits, Reasons: reasons, Score: score})
	}
	referral.Rank(ps)
	var got []string
	for _, pr := range ps {
		got = append(got, pr.Service.Name)
	}
	want := []string{"B counselling", "A counselling", "legal_aid", "dv_shelter"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestRulesHaveIDsAndReasons keeps the table honest: unique ids, and every
// rule explains at least one outcome.
func TestRulesHaveIDsAndReasons(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range referral.Rules {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("rule id %q empty or repeated", r.ID)
		}
		seen[r.ID] = true
		if r.Pass == "" && r.Fail == "" {
			t.Errorf("rule %s has no reason code", r.ID)
		}
		if r.Holds == nil {
			t.Errorf("rule %s has no condition", r.ID)
		}
	}
}
