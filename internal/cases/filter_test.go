package cases_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// TestCaseFilterValidate: every filter value outside its list is refused
// naming the parameter; known values (country codes in any case) pass.
func TestCaseFilterValidate(t *testing.T) {
	s := func(v string) *string { return &v }
	st := func(v string) *cases.Stage { x := cases.Stage(v); return &x }
	status := func(v string) *cases.Status { x := cases.Status(v); return &x }
	bad := []struct {
		field string
		f     cases.CaseFilter
	}{
		{"stage", cases.CaseFilter{Stage: st("zz")}},
		{"status", cases.CaseFilter{Status: status("zz")}},
		{"sex", cases.CaseFilter{Sex: s("zz")}},
		{"risk_level", cases.CaseFilter{RiskLevel: s("zz")}},
		{"exploitation", cases.CaseFilter{Exploitation: s("zz")}},
		{"citizenship", cases.CaseFilter{Citizenship: s("KS")}},
		{"exploitation_country", cases.CaseFilter{ExploitationCountry: s("ZZ")}},
		{"opened_from", cases.CaseFilter{OpenedFrom: s("2026-13")}},
		{"opened_to", cases.CaseFilter{OpenedTo: s("26-01")}},
		{"municipality", cases.CaseFilter{Municipality: s("a\tb")}},
		{"offset", cases.CaseFilter{Offset: -1}},
	}
	for _, tt := range bad {
		e := errs.As(tt.f.Validate())
		if e == nil || e.Code != errs.Invalid || e.Field != tt.field {
			t.Errorf("%s: %v, want invalid naming it", tt.field, e)
		}
	}
	good := cases.CaseFilter{Stage: st("screening"), Status: status("presumed"), Sex: s("female"), RiskLevel: s("high"),
		Exploitation: s("ForcedLabour"), Citizenship: s(" xk "), ExploitationCountry: s("de"), OpenedFrom: s("2026-01")}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if *good.Citizenship != "XK" || *good.ExploitationCountry != "DE" {
		t.Errorf("codes not normalised: %q %q", *good.Citizenship, *good.ExploitationCountry)
	}
	if e := errs.As((&cases.CaseFilter{Citizenship: s("KS")}).Validate()); e.Key != "validation.country_suggest" || e.Args["code"] != "XK" {
		t.Errorf("KS: %v, want XK suggested", e)
	}
}
