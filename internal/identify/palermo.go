package identify

import "github.com/ura-nrm/ura/internal/errs"

// Form is a form of exploitation outside the four ILO/EC lists, which have
// no weighted indicators for it: the Palermo checklist covers it instead
// (DOMAIN.md §2.1; Kosovo cases include forced marriage and the sale of a child).
type Form string

// The forms the checklist covers.
const (
	FormForcedBegging     Form = "forced_begging"
	FormForcedCriminality Form = "forced_criminality"
	FormForcedMarriage    Form = "forced_marriage"
	FormOrganRemoval      Form = "organ_removal"
	FormSaleOfChild       Form = "sale_of_child"
	FormServitude         Form = "servitude"
)

// Forms lists the forms in the order forms show them.
var Forms = []Form{FormForcedBegging, FormForcedCriminality, FormForcedMarriage, FormOrganRemoval, FormSaleOfChild, FormServitude}

// Act is an act of Palermo Art. 3(a).
type Act string

// Acts lists the acts of Art. 3(a).
var Acts = []Act{"recruitment", "transportation", "transfer", "harbouring", "receipt"}

// Means is a means of Palermo Art. 3(a).
type Means string

// MeansList lists the means of Art. 3(a).
var MeansList = []Means{"threat_or_force", "coercion", "abduction", "fraud", "deception",
	"abuse_of_power", "abuse_of_vulnerability", "payments"}

// Element is one of the three elements of the definition.
type Element string

// The elements.
const (
	ElementAct     Element = "act"
	ElementMeans   Element = "means"
	ElementPurpose Element = "purpose"
)

// PalermoInput is what a screener observed for one form of exploitation.
type PalermoInput struct {
	Form  Form
	Child bool // under 18 (Art. 3(d))
	Acts  []Act
	Means []Means
	// Purpose: exploitation in this form was intended or took place.
	Purpose bool
}

// PalermoResult says which elements are present. MeansRequired is false for a
// child; Missing lists the required elements not present, in definition order.
type PalermoResult struct {
	Form                     Form
	Child                    bool
	Act, Means, Purpose      bool
	MeansRequired, Indicated bool
	Missing                  []Element
}

// CheckPalermo applies Art. 3: act ∧ means ∧ purpose for an adult, act ∧
// purpose for a child (3(c)). The person's consent plays no part (3(b)), so
// the checklist does not ask for it. Like the indicator rule, the result is a
// screening signal. Unknown forms, acts or means are Invalid errors; so is the
// sale of a child for an adult.
func CheckPalermo(in PalermoInput) (PalermoResult, error) {
	if !contains(Forms, in.Form) {
		return PalermoResult{}, errs.InvalidField("form", "palermo.error.form")
	}
	if in.Form == FormSaleOfChild && !in.Child {
		return PalermoResult{}, errs.InvalidField("form", "palermo.error.sale_adult")
	}
	for _, a := range in.Acts {
		if !contains(Acts, a) {
			return PalermoResult{}, errs.InvalidField("act", "palermo.error.act")
		}
	}
	for _, m := range in.Means {
		if !contains(MeansList, m) {
			return PalermoResult{}, errs.InvalidField("means", "palermo.error.means")
		}
	}
	r := PalermoResult{Form: in.Form, Child: in.Child, Act: len(in.Acts) > 0, Means: len(in.Means) > 0,
		Purpose: in.Purpose, MeansRequired: !in.Child}
	if !r.Act {
		r.Missing = append(r.Missing, ElementAct)
	}
	if r.MeansRequired && !r.Means {
		r.Missing = append(r.Missing, ElementMeans)
	}
	if !r.Purpose {
		r.Missing = append(r.Missing, ElementPurpose)
	}
	r.Indicated = len(r.Missing) == 0
	return r, nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
