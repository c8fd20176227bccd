package identify

import (
	"strings"

	"github.com/ura-nrm/ura/internal/i18n"
)

// Formula returns the combination rule a result applied, in the notation of
// DOMAIN.md §1.2, for machine-readable explanations.
func (r *Result) Formula() string {
	if r.Profile.Child() {
		return "(D1 ∨ D2 ∨ D3 ∨ recruitment_act) ∧ D4"
	}
	return "(D1 ∨ D2 ∨ D3) ∧ D4 ∧ (D5 ∨ D6)"
}

// RuleName is "child" or "adult": which combination applies.
func (r *Result) RuleName() string {
	if r.Profile.Child() {
		return "child"
	}
	return "adult"
}

// DimensionName is the translated name of a dimension ("D1 Deceptive recruitment").
func DimensionName(p *i18n.Printer, d Dimension) string {
	return DimensionCode(p, d) + " " + p.T("screening.dimension."+strings.ToLower(d.String()))
}

// DimensionCode is "D1" in the printer's script (Cyrillic "Д1" for sr-Cyrl),
// so a sentence never mixes scripts.
func DimensionCode(p *i18n.Printer, d Dimension) string {
	return p.T("screening.code." + strings.ToLower(d.String()))
}

// codes translates the terms of a Combination list: dimension codes and the
// observed recruitment act.
func codes(p *i18n.Printer, terms []string) string {
	out := make([]string, len(terms))
	for i, t := range terms {
		if d, ok := ParseDimension(t); ok {
			out[i] = DimensionCode(p, d)
		} else {
			out[i] = p.T("screening.recruitment_act_short")
		}
	}
	return strings.Join(out, ", ")
}

// Explain renders the result as sentences in p's language: the rule, each
// dimension with its counts and the clause that fired, the combination, the
// outcome, and the reminder that this is a signal, not an identification.
// Pages and the API show the same text.
func (r *Result) Explain(p *i18n.Printer) []string {
	lines := []string{p.T("screening.explain.rule_" + r.RuleName())}
	for _, d := range r.Dimensions {
		lines = append(lines, DimensionSentence(p, d))
	}
	lines = append(lines, r.CombinationSentences(p)...)
	lines = append(lines, p.T("screening.outcome."+string(r.Outcome)), p.T("screening.signal_notice"))
	return lines
}

// DimensionSentence explains one dimension: positive by which clause, or
// negative with its counts.
func DimensionSentence(p *i18n.Printer, d DimensionResult) string {
	args := []any{"dimension", DimensionName(p, d.Dimension), "strong", d.Strong, "medium", d.Medium, "weak", d.Weak,
		"clause", p.T("screening.clause." + string(d.Clause))}
	if d.Positive {
		return p.T("screening.explain.dimension_positive", args...)
	}
	return p.T("screening.explain.dimension_negative", args...)
}

// CombinationSentences say which element of the formula holds and what
// satisfied it.
func (r *Result) CombinationSentences(p *i18n.Printer) []string {
	var out []string
	if len(r.Recruitment) > 0 {
		out = append(out, p.T("screening.explain.recruitment_met", "by", codes(p, r.Recruitment)))
	} else {
		out = append(out, p.T("screening.explain.recruitment_missing"))
	}
	if r.Exploitation {
		out = append(out, p.T("screening.explain.exploitation_met"))
	} else {
		out = append(out, p.T("screening.explain.exploitation_missing"))
	}
	switch {
	case r.Profile.Child():
		out = append(out, p.T("screening.explain.means_not_needed"))
	case len(r.Destination) > 0:
		out = append(out, p.T("screening.explain.destination_met", "by", codes(p, r.Destination)))
	default:
		out = append(out, p.T("screening.explain.destination_missing"))
	}
	return out
}

// MessageKeys lists every catalogue key this package and its pages build at
// run time, so a test can check that all four languages have them.
func MessageKeys() []string {
	keys := []string{"screening.explain.rule_adult", "screening.explain.rule_child",
		"screening.explain.dimension_positive", "screening.explain.dimension_negative",
		"screening.explain.recruitment_met", "screening.explain.recruitment_missing",
		"screening.explain.exploitation_met", "screening.explain.exploitation_missing",
		"screening.explain.destination_met", "screening.explain.destination_missing",
		"screening.explain.means_not_needed", "screening.recruitment_act_short", "screening.signal_notice",
		"screening.error.profile", "screening.error.indicator", "screening.error.duplicate",
		"screening.error.recruitment_act", "screening.error.body", "screening.error.attached",
		"palermo.error.form", "palermo.error.act", "palermo.error.means", "palermo.error.sale_adult"}
	for _, d := range Dimensions {
		keys = append(keys, "screening.dimension."+strings.ToLower(d.String()), "screening.code."+strings.ToLower(d.String()))
	}
	for _, c := range Clauses {
		keys = append(keys, "screening.clause."+string(c))
	}
	for _, o := range Outcomes {
		keys = append(keys, "screening.outcome."+string(o))
	}
	for _, pr := range Profiles {
		keys = append(keys, "screening.profile."+string(pr))
	}
	for _, w := range []Weight{Strong, Medium, Weak} {
		keys = append(keys, "screening.weight."+w.String())
	}
	for _, f := range Forms {
		keys = append(keys, "palermo.form."+string(f))
	}
	for _, a := range Acts {
		keys = append(keys, "palermo.act."+string(a))
	}
	for _, m := range MeansList {
		keys = append(keys, "palermo.means."+string(m))
	}
	for _, e := range []string{"act", "means", "purpose"} {
		keys = append(keys, "palermo.element."+e)
	}
	for _, s := range []string{"met", "missing", "not_needed"} {
		keys = append(keys, "palermo.status."+s)
	}
	return keys
}
