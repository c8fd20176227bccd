package referral

import (
	"strconv"
	"strings"
)

// Profile is what placement rules know about a case: statistical fields
// from the case file, and the needs and languages the referring worker
// names (needs use the codes of plans.Needs; languages ISO 639).
type Profile struct {
	CaseID, Reference string
	IsChild           bool
	AgeBand           string // cases.AgeBands
	Sex               string
	Citizenship       string
	RiskLevel         string // '' | low | medium | high
	Needs             []string
	Languages         []string
}

// Effect is what a rule does to a service when it applies.
type Effect string

// The effects. A service fits when no Exclude rule failed; Warn failures
// and Favour passes order the fitting services and explain them.
const (
	Exclude Effect = "exclude"
	Warn    Effect = "warn"
	Favour  Effect = "favour"
)

// Reason is one explanation of a proposal: the rule, whether it held, and
// a catalogue key with its arguments (translated at the edge).
type Reason struct {
	Rule   string         `json:"rule"`
	Effect Effect         `json:"effect"`
	Met    bool           `json:"met"`
	Code   string         `json:"code"`
	Args   map[string]any `json:"args,omitempty"`
}

// facts is what a condition reads: the case, the service, the day.
type facts struct {
	p   *Profile
	o   *Offering
	day string
}

// cond is a condition over facts.
type cond func(f *facts) bool

// Rule is one placement rule: it applies When its condition holds (nil:
// always), is met when Holds holds, and explains itself with Pass or Fail.
type Rule struct {
	ID     string
	Effect Effect
	When   cond
	Holds  cond
	Pass   string // reason code when met ("" says nothing)
	Fail   string // reason code when not met ("" says nothing)
	Args   func(f *facts) map[string]any
}

// needTypes says which service types answer a need (plans.Needs codes).
var needTypes = map[string][]string{
	"accommodation":       {TypeTHBShelter, TypeDVShelter, TypeChildShelter, TypeSecureFacility, "housing"},
	"subsistence":         {"social_work"},
	"medical":             {"medical"},
	"psychological":       {"psychological"},
	"interpretation":      {"interpretation"},
	"legal":               {"legal_aid", "victim_advocacy"},
	"education":           {"education"},
	"vocational_training": {"vocational_training"},
	"employment":          {"vocational_training", "reintegration"},
	"financial":           {"social_work", "reintegration"},
	"family_tracing":      {"social_work"},
	"childcare":           {TypeChildShelter, "social_work"},
	"documents":           {"victim_advocacy", "social_work"},
	"return":              {"reintegration"},
}

// Small conditions the rules are written in.
func typeIs(types ...string) cond {
	return func(f *facts) bool { return contains(types, f.o.Type) }
}
func risk(levels ...string) cond {
	return func(f *facts) bool { return contains(levels, f.p.RiskLevel) }
}
func both(a, b cond) cond { return func(f *facts) bool { return a(f) && b(f) } }

var (
	shelter = func(f *facts) bool { return IsShelter(f.o.Type) }
	child   = func(f *facts) bool { return f.p.IsChild }
	adult   = func(f *facts) bool { return !f.p.IsChild }
)

// Rules is the placement policy, in the order reasons are shown. The
// Kosovo SOP: high-risk victims go to the Interim Security Facility or a
// THB-specialised shelter; domestic-violence shelters take low-risk victims
// of trafficking; children go only to child-appropriate placements (a
// child shelter, or a shelter whose age range admits minors), with the
// Centre for Social Work informed.
var Rules = []Rule{
	{ID: "active", Effect: Exclude, Holds: func(f *facts) bool { return f.o.Active && f.o.OrgActive },
		Fail: "placement.inactive"},
	{ID: "licensed", Effect: Exclude, Holds: func(f *facts) bool { return f.o.Licensed(f.day) },
		Fail: "placement.licence_lapsed", Args: func(f *facts) map[string]any { return map[string]any{"until": f.o.AccreditedUntil} }},
	{ID: "high_risk_secure", Effect: Exclude, When: both(shelter, risk("high")),
		Holds: typeIs(TypeSecureFacility, TypeTHBShelter), Pass: "placement.high_risk_secure", Fail: "placement.high_risk_secure_only"},
	{ID: "dv_low_risk", Effect: Exclude, When: typeIs(TypeDVShelter), Holds: risk("low"),
		Pass: "placement.dv_low_risk", Fail: "placement.dv_low_risk_only"},
	{ID: "child_appropriate", Effect: Exclude, When: both(shelter, child), Holds: func(f *facts) bool {
		return f.o.Type == TypeChildShelter || (f.o.Eligibility.AgeMin != nil && *f.o.Eligibility.AgeMin < 18)
	}, Pass: "placement.child_appropriate", Fail: "placement.child_unsuitable"},
	{ID: "children_only", Effect: Exclude, When: both(typeIs(TypeChildShelter), adult), Holds: func(*facts) bool { return false },
		Fail: "placement.children_only"},
	{ID: "sex", Effect: Exclude, When: func(f *facts) bool { return f.o.Eligibility.Sex != "" },
		Holds: func(f *facts) bool { return f.p.Sex == f.o.Eligibility.Sex }, Pass: "placement.sex_fits", Fail: "placement.sex",
		Args: func(f *facts) map[string]any { return map[string]any{"sex": f.o.Eligibility.Sex} }},
	{ID: "age", Effect: Exclude, When: func(f *facts) bool {
		return f.o.Eligibility.AgeMin != nil || f.o.Eligibility.AgeMax != nil
	}, Holds: ageFits, Pass: "placement.age_fits", Fail: "placement.age", Args: ageArgs},
	{ID: "risk_range", Effect: Exclude, When: func(f *facts) bool {
		return f.o.Eligibility.RiskMin != "" || f.o.Eligibility.RiskMax != ""
	}, Holds: riskFits, Pass: "placement.risk_fits", Fail: "placement.risk_range", Args: func(f *facts) map[string]any {
		return map[string]any{"min": f.o.Eligibility.RiskMin, "max": f.o.Eligibility.RiskMax}
	}},
	{ID: "nationality", Effect: Exclude, When: func(f *facts) bool { return f.o.Eligibility.NationalityRule != "" },
		Holds: func(f *facts) bool {
			in := contains(f.o.Eligibility.Nationalities, f.p.Citizenship)
			return in == (f.o.Eligibility.NationalityRule == "only")
		}, Pass: "placement.nationality_fits", Fail: "placement.nationality"},
	{ID: "capacity", Effect: Exclude, When: shelter, Holds: func(f *facts) bool { return f.o.BedsFree() > 0 },
		Pass: "placement.beds_free", Fail: "placement.full",
		Args: func(f *facts) map[string]any { return map[string]any{"free": f.o.BedsFree()} }},
	{ID: "need", Effect: Warn, When: func(f *facts) bool { return len(f.p.Needs) > 0 }, Holds: func(f *facts) bool {
		return neededBy(f.p.Needs, f.o.Type) != ""
	}, Pass: "placement.meets_need", Fail: "placement.not_needed",
		Args: func(f *facts) map[string]any { return map[string]any{"need": neededBy(f.p.Needs, f.o.Type)} }},
	{ID: "language", Effect: Warn, When: func(f *facts) bool {
		return len(f.p.Languages) > 0 && len(f.o.Eligibility.Languages) > 0
	}, Holds: func(f *facts) bool {
		for _, l := range f.p.Languages {
			if contains(f.o.Eligibility.Languages, l) {
				return true
			}
		}
		return false
	}, Pass: "placement.language", Fail: "placement.interpreter_needed"},
	{ID: "secure_preferred", Effect: Favour, When: both(shelter, risk("high")), Holds: typeIs(TypeSecureFacility),
		Pass: "placement.secure_preferred"},
	{ID: "csw_informed", Effect: Favour, When: child, Holds: func(*facts) bool { return true }, Pass: "placement.csw_informed"},
}

// neededBy returns the first of needs that a service of type typ answers.
func neededBy(needs []string, typ string) string {
	for _, n := range needs {
		if contains(needTypes[n], typ) {
			return n
		}
	}
	return ""
}

// bandRange is the age range of a case's age band (-1, -1 when unknown).
func bandRange(band string) (lo, hi int) {
	if a, ok := strings.CutSuffix(band, "+"); ok {
		n, err := strconv.Atoi(a)
		if err != nil {
			return -1, -1
		}
		return n, 120
	}
	a, b, ok := strings.Cut(band, "-")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return -1, -1
	}
	return x, y
}

// ageFits: the band must lie inside the service's range (an unknown age
// does not fit an age-restricted service).
func ageFits(f *facts) bool {
	lo, hi := bandRange(f.p.AgeBand)
	if lo < 0 {
		return false
	}
	e := f.o.Eligibility
	return (e.AgeMin == nil || lo >= *e.AgeMin) && (e.AgeMax == nil || hi <= *e.AgeMax)
}

func ageArgs(f *facts) map[string]any {
	m := map[string]any{"min": "", "max": ""}
	if f.o.Eligibility.AgeMin != nil {
		m["min"] = *f.o.Eligibility.AgeMin
	}
	if f.o.Eligibility.AgeMax != nil {
		m["max"] = *f.o.Eligibility.AgeMax
	}
	return m
}

// riskFits: an assessed risk inside the accepted range; an unassessed one
// fits no risk-restricted service.
func riskFits(f *facts) bool {
	r := riskRank(f.p.RiskLevel)
	e := f.o.Eligibility
	return r >= 0 && (e.RiskMin == "" || r >= riskRank(e.RiskMin)) && (e.RiskMax == "" || r <= riskRank(e.RiskMax))
}

// Evaluate applies every rule to one service on day (YYYY-MM-DD): whether
// it fits, why, and a score that orders fitting services (higher first).
func Evaluate(p *Profile, o *Offering, day string) (fits bool, reasons []Reason, score int) {
	f := &facts{p: p, o: o, day: day}
	fits = true
	for i := range Rules {
		r := &Rules[i]
		if r.When != nil && !r.When(f) {
			continue
		}
		met := r.Holds(f)
		code := r.Fail
		if met {
			code = r.Pass
		}
		switch {
		case !met && r.Effect == Exclude:
			fits = false
		case !met && r.Effect == Warn:
			score -= 10
		case met && r.Effect != Exclude:
			score += 10
		}
		if code == "" {
			continue
		}
		reason := Reason{Rule: r.ID, Effect: r.Effect, Met: met, Code: code}
		if r.Args != nil {
			reason.Args = r.Args(f)
		}
		reasons = append(reasons, reason)
	}
	return fits, reasons, score
}
