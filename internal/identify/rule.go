package identify

import (
	"slices"

	"github.com/ura-nrm/ura/internal/errs"
)

// Clause names which part of the dimension rule made a dimension positive, so
// the reviewer sees why (DOMAIN.md §1.2, step 1).
type Clause string

// The clauses, in the order the rule lists them; ClauseNone means negative.
const (
	ClauseNone             Clause = "none"
	ClauseTwoStrong        Clause = "two_strong"          // ≥ 2 strong
	ClauseStrongPlusOne    Clause = "strong_plus_one"     // 1 strong + ≥ 1 medium or weak
	ClauseThreeMedium      Clause = "three_medium"        // ≥ 3 medium
	ClauseTwoMediumOneWeak Clause = "two_medium_one_weak" // 2 medium + ≥ 1 weak
)

// Clauses lists every clause, ClauseNone first.
var Clauses = []Clause{ClauseNone, ClauseTwoStrong, ClauseStrongPlusOne, ClauseThreeMedium, ClauseTwoMediumOneWeak}

// DimensionRule applies step 1 of the rule to the counts of strong, medium and
// weak indicators present in one dimension. It returns the first clause that
// holds, or ClauseNone: 1 strong alone, 2 medium alone, 1 medium with any
// number of weak, or weak only are negative.
func DimensionRule(strong, medium, weak int) Clause {
	switch {
	case strong >= 2:
		return ClauseTwoStrong
	case strong >= 1 && medium+weak >= 1:
		return ClauseStrongPlusOne
	case medium >= 3:
		return ClauseThreeMedium
	case medium >= 2 && weak >= 1:
		return ClauseTwoMediumOneWeak
	}
	return ClauseNone
}

// Outcome is the screening signal.
type Outcome string

// The outcomes. Only OutcomeIndicated is a trafficking signal; LabourRights is
// the partial outcome "only D4 positive" (an exploited worker), Inconclusive
// any other positive dimension without the combination.
const (
	OutcomeIndicated    Outcome = "trafficking_indicated"
	OutcomeLabourRights Outcome = "labour_rights"
	OutcomeInconclusive Outcome = "inconclusive"
	OutcomeNotIndicated Outcome = "not_indicated"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeIndicated, OutcomeLabourRights, OutcomeInconclusive, OutcomeNotIndicated}

// Combination is step 2 of the rule: which element of the formula each
// dimension satisfied. Recruitment lists the positive D1–D3 (and
// RecruitmentActTerm for a child when an act was observed); Destination the
// positive D5–D6 (adults only: a child needs no means).
type Combination struct {
	Indicated    bool
	Outcome      Outcome
	Recruitment  []string
	Exploitation bool
	Destination  []string
}

// RecruitmentActTerm marks, in Combination.Recruitment, an act of recruitment
// recorded as observed rather than shown by a positive dimension.
const RecruitmentActTerm = "recruitment_act"

// Combine applies step 2 to the six dimension results (index 0 is D1). Adults:
// (D1 ∨ D2 ∨ D3) ∧ D4 ∧ (D5 ∨ D6). Children: an act of recruitment — any
// positive D1–D3, or recruitmentAct observed — ∧ D4 (Palermo Art. 3(c)).
// recruitmentAct is ignored for adults, whose recruitment must show a means.
func Combine(child bool, positive [NumDimensions]bool, recruitmentAct bool) Combination {
	var c Combination
	for _, d := range []Dimension{D1, D2, D3} {
		if positive[d-1] {
			c.Recruitment = append(c.Recruitment, d.String())
		}
	}
	if child && recruitmentAct {
		c.Recruitment = append(c.Recruitment, RecruitmentActTerm)
	}
	c.Exploitation = positive[D4-1]
	for _, d := range []Dimension{D5, D6} {
		if positive[d-1] {
			c.Destination = append(c.Destination, d.String())
		}
	}
	if child {
		c.Indicated = len(c.Recruitment) > 0 && c.Exploitation
	} else {
		c.Indicated = len(c.Recruitment) > 0 && c.Exploitation && len(c.Destination) > 0
	}
	any, others := false, false
	for i, p := range positive {
		any = any || p
		others = others || (p && Dimension(i+1) != D4)
	}
	switch {
	case c.Indicated:
		c.Outcome = OutcomeIndicated
	case c.Exploitation && !others:
		c.Outcome = OutcomeLabourRights
	case any:
		c.Outcome = OutcomeInconclusive
	default:
		c.Outcome = OutcomeNotIndicated
	}
	return c
}

// Input is what a screener observed.
type Input struct {
	Profile    Profile
	Indicators []string
	// RecruitmentAct records, for a child, an act of recruitment, transport,
	// transfer, harbouring or receipt seen directly (Palermo Art. 3(c)).
	RecruitmentAct bool
}

// DimensionResult explains one dimension: the counts, the indicators that
// counted and the clause that fired.
type DimensionResult struct {
	Dimension            Dimension
	Positive             bool
	Clause               Clause
	Strong, Medium, Weak int
	Indicators           []string
}

// Result is a screening signal with its explanation.
type Result struct {
	Profile        Profile
	Version        string
	RecruitmentAct bool
	Dimensions     [NumDimensions]DimensionResult
	Combination
}

// Positive returns the six dimension results as booleans.
func (r *Result) Positive() [NumDimensions]bool {
	var p [NumDimensions]bool
	for i, d := range r.Dimensions {
		p[i] = d.Positive
	}
	return p
}

// MaxIndicators bounds an input: no profile has more indicators than this.
const MaxIndicators = 100

// Assess applies the rule to an input. An unknown profile, an id that is not
// an indicator of that profile, or an id given twice is an Invalid error naming
// the field; the error never repeats the input.
func (c *Catalogue) Assess(in Input) (Result, error) {
	if _, ok := ParseProfile(string(in.Profile)); !ok {
		return Result{}, errs.InvalidField("profile", "screening.error.profile")
	}
	if in.RecruitmentAct && !in.Profile.Child() {
		return Result{}, errs.InvalidField("recruitment_act", "screening.error.recruitment_act")
	}
	if len(in.Indicators) > MaxIndicators {
		return Result{}, errs.InvalidField("indicators", "screening.error.indicator")
	}
	r := Result{Profile: in.Profile, Version: c.Version, RecruitmentAct: in.RecruitmentAct}
	for i, d := range Dimensions {
		r.Dimensions[i].Dimension = d
	}
	seen := make(map[string]bool, len(in.Indicators))
	for _, id := range in.Indicators {
		ind, ok := c.byID[id]
		if !ok || ind.Profile != in.Profile {
			return Result{}, errs.InvalidField("indicators", "screening.error.indicator")
		}
		if seen[id] {
			return Result{}, errs.InvalidField("indicators", "screening.error.duplicate")
		}
		seen[id] = true
		dr := &r.Dimensions[ind.Dimension-1]
		switch ind.Weight {
		case Strong:
			dr.Strong++
		case Medium:
			dr.Medium++
		case Weak:
			dr.Weak++
		}
		dr.Indicators = append(dr.Indicators, id)
	}
	for i := range r.Dimensions {
		dr := &r.Dimensions[i]
		slices.SortFunc(dr.Indicators, func(a, b string) int { return c.byID[a].order - c.byID[b].order })
		dr.Clause = DimensionRule(dr.Strong, dr.Medium, dr.Weak)
		dr.Positive = dr.Clause != ClauseNone
	}
	r.Combination = Combine(in.Profile.Child(), r.Positive(), in.RecruitmentAct)
	return r, nil
}
