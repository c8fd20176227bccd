package identify_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
)

// oraclePositive is DOMAIN.md §1.2 step 1 read literally: a dimension is
// positive when the indicators present include at least one of the four
// listed combinations — a sub-multiset test, written independently of
// DimensionRule's switch.
func oraclePositive(s, m, w int) bool {
	minimums := [][3]int{{2, 0, 0}, {1, 1, 0}, {1, 0, 1}, {0, 3, 0}, {0, 2, 1}}
	for _, min := range minimums {
		if s >= min[0] && m >= min[1] && w >= min[2] {
			return true
		}
	}
	return false
}

func TestDimensionRuleExhaustive(t *testing.T) {
	for s := 0; s <= 3; s++ {
		for m := 0; m <= 3; m++ {
			for w := 0; w <= 3; w++ {
				got := identify.DimensionRule(s, m, w)
				if want := oraclePositive(s, m, w); (got != identify.ClauseNone) != want {
					t.Errorf("DimensionRule(%d S, %d M, %d W) = %s, want positive %v", s, m, w, got, want)
				}
			}
		}
	}
}

func TestDimensionRuleClauses(t *testing.T) {
	tests := []struct {
		s, m, w int
		want    identify.Clause
	}{
		{2, 0, 0, identify.ClauseTwoStrong},
		{3, 3, 3, identify.ClauseTwoStrong},
		{1, 1, 0, identify.ClauseStrongPlusOne},
		{1, 0, 1, identify.ClauseStrongPlusOne},
		{0, 3, 0, identify.ClauseThreeMedium},
		{0, 3, 3, identify.ClauseThreeMedium},
		{0, 2, 1, identify.ClauseTwoMediumOneWeak},
		// DOMAIN's negatives: 1 S alone, 2 M alone, 1 M + any W, W only.
		{1, 0, 0, identify.ClauseNone},
		{0, 2, 0, identify.ClauseNone},
		{0, 1, 3, identify.ClauseNone},
		{0, 0, 3, identify.ClauseNone},
		{0, 0, 0, identify.ClauseNone},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dS%dM%dW", tt.s, tt.m, tt.w), func(t *testing.T) {
			if got := identify.DimensionRule(tt.s, tt.m, tt.w); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// oracleCombine is step 2 written from the Palermo elements, not from the
// formula: an adult needs a means at recruitment, exploitation and a means at
// destination; a child needs an act and exploitation.
func oracleCombine(child bool, p [6]bool, act bool) (bool, identify.Outcome) {
	means := p[0] || p[1] || p[2]
	destination := p[4] || p[5]
	var indicated bool
	if child {
		indicated = (means || act) && p[3]
	} else {
		indicated = means && p[3] && destination
	}
	count := 0
	for _, x := range p {
		if x {
			count++
		}
	}
	switch {
	case indicated:
		return true, identify.OutcomeIndicated
	case count == 1 && p[3]:
		return false, identify.OutcomeLabourRights
	case count > 0:
		return false, identify.OutcomeInconclusive
	}
	return false, identify.OutcomeNotIndicated
}

func TestCombineExhaustive(t *testing.T) {
	for _, child := range []bool{false, true} {
		for _, act := range []bool{false, true} {
			for bits := 0; bits < 64; bits++ {
				var p [6]bool
				for i := range p {
					p[i] = bits&(1<<i) != 0
				}
				got := identify.Combine(child, p, act)
				wantInd, wantOut := oracleCombine(child, p, act)
				if got.Indicated != wantInd || got.Outcome != wantOut {
					t.Errorf("child=%v act=%v %v: got %v %s, want %v %s", child, act, p, got.Indicated, got.Outcome, wantInd, wantOut)
				}
				if got.Exploitation != p[3] {
					t.Errorf("child=%v %v: Exploitation = %v", child, p, got.Exploitation)
				}
				if act && child != slices.Contains(got.Recruitment, identify.RecruitmentActTerm) {
					t.Errorf("child=%v act=%v: Recruitment = %v", child, act, got.Recruitment)
				}
			}
		}
	}
}

func TestAssess(t *testing.T) {
	c := identify.Default()
	tests := []struct {
		name    string
		in      identify.Input
		want    identify.Outcome
		wantPos string // positive dimensions, e.g. "D1 D4 D5"
	}{
		{"AdultTrafficked", identify.Input{Profile: identify.AdultLabour, Indicators: []string{
			"al.d1.deceived_nature_of_job", "al.d1.deceived_wages",
			"al.d4.excessive_hours", "al.d4.low_or_no_salary",
			"al.d5.confiscation_of_documents", "al.d5.debt_bondage"}}, identify.OutcomeIndicated, "D1 D4 D5"},
		{"AdultNoDestinationMeans", identify.Input{Profile: identify.AdultLabour, Indicators: []string{
			"al.d1.deceived_nature_of_job", "al.d1.deceived_wages",
			"al.d4.excessive_hours", "al.d4.low_or_no_salary"}}, identify.OutcomeInconclusive, "D1 D4"},
		{"OnlyExploitation", identify.Input{Profile: identify.AdultSexual, Indicators: []string{
			"as.d4.low_or_no_salary", "as.d4.wage_manipulation", "as.d4.bad_living_conditions"}}, identify.OutcomeLabourRights, "D4"},
		{"Nothing", identify.Input{Profile: identify.ChildSexual}, identify.OutcomeNotIndicated, ""},
		{"OneStrongAloneIsNegative", identify.Input{Profile: identify.AdultLabour, Indicators: []string{
			"al.d4.excessive_hours"}}, identify.OutcomeNotIndicated, ""},
		{"ChildWithoutMeans", identify.Input{Profile: identify.ChildLabour, Indicators: []string{
			"cl.d1.deceived_education", "cl.d1.deceived_wages",
			"cl.d4.excessive_hours", "cl.d4.hazardous_work"}}, identify.OutcomeIndicated, "D1 D4"},
		{"ChildRecruitmentActObserved", identify.Input{Profile: identify.ChildSexual, RecruitmentAct: true, Indicators: []string{
			"cs.d4.hazardous_work", "cs.d4.low_or_no_salary"}}, identify.OutcomeIndicated, "D4"},
		{"ChildOnlyD4", identify.Input{Profile: identify.ChildSexual, Indicators: []string{
			"cs.d4.hazardous_work", "cs.d4.low_or_no_salary"}}, identify.OutcomeLabourRights, "D4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Assess(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != tt.want || r.Indicated != (tt.want == identify.OutcomeIndicated) {
				t.Errorf("outcome %s (indicated %v), want %s", r.Outcome, r.Indicated, tt.want)
			}
			var pos []string
			counted := 0
			for _, d := range r.Dimensions {
				if d.Positive {
					pos = append(pos, d.Dimension.String())
				}
				counted += len(d.Indicators)
			}
			if got := fmt.Sprint(pos); got != fmt.Sprint(strings.Fields(tt.wantPos)) {
				t.Errorf("positive %s, want %s", got, tt.wantPos)
			}
			if counted != len(tt.in.Indicators) {
				t.Errorf("explanation lists %d indicators, input has %d", counted, len(tt.in.Indicators))
			}
			if r.Version != c.Version {
				t.Errorf("version %q, want %q", r.Version, c.Version)
			}
		})
	}
}

func TestAssessBadInput(t *testing.T) {
	c := identify.Default()
	tests := []struct {
		name  string
		in    identify.Input
		field string
	}{
		{"UnknownProfile", identify.Input{Profile: "adult"}, "profile"},
		{"EmptyProfile", identify.Input{}, "profile"},
		{"UnknownIndicator", identify.Input{Profile: identify.AdultLabour, Indicators: []string{"al.d1.nope"}}, "indicators"},
		{"OtherProfilesIndicator", identify.Input{Profile: identify.AdultLabour, Indicators: []string{"cl.d1.deceived_wages"}}, "indicators"},
		{"Duplicate", identify.Input{Profile: identify.AdultLabour, Indicators: []string{"al.d1.deceived_wages", "al.d1.deceived_wages"}}, "indicators"},
		{"RecruitmentActForAdult", identify.Input{Profile: identify.AdultSexual, RecruitmentAct: true}, "recruitment_act"},
		{"TooMany", identify.Input{Profile: identify.AdultLabour, Indicators: make([]string, identify.MaxIndicators+1)}, "indicators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Assess(tt.in)
			e := errs.As(err)
			if e == nil || e.Code != errs.Invalid || e.Field != tt.field {
				t.Errorf("err = %v, want invalid field %q", err, tt.field)
			}
		})
	}
}
