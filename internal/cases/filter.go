package cases

import (
	"strings"

	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
)

// Validate checks every filter value against its code list, so an unknown
// value is refused with an error naming the parameter instead of answering
// an empty list (which reads as "no such cases"). Country codes are
// upper-cased and trimmed first. FindCases calls it; the API and the case
// list page call it too, before anything is read.
func (f *CaseFilter) Validate() error {
	up := func(p *string) {
		if p != nil {
			*p = strings.ToUpper(strings.TrimSpace(*p))
		}
	}
	up(f.Citizenship)
	up(f.ExploitationCountry)
	switch {
	case f.Stage != nil && !inList(stageNames(), string(*f.Stage)):
		return errs.InvalidField("stage", "case.stage_invalid")
	case f.Status != nil && !validStatus(*f.Status):
		return errs.InvalidField("status", "validation.invalid_choice")
	case f.Sex != nil && !inList(Sexes, *f.Sex):
		return errs.InvalidField("sex", "validation.invalid_choice")
	case f.RiskLevel != nil && !inList(RiskLevels, *f.RiskLevel):
		return errs.InvalidField("risk_level", "validation.invalid_choice")
	case f.Exploitation != nil && !inList(Picklists[FieldExploitation], *f.Exploitation):
		return errs.InvalidField("exploitation", "validation.invalid_choice")
	case f.OpenedFrom != nil && !monthRE.MatchString(*f.OpenedFrom):
		return errs.InvalidField("opened_from", "case.month_invalid")
	case f.OpenedTo != nil && !monthRE.MatchString(*f.OpenedTo):
		return errs.InvalidField("opened_to", "case.month_invalid")
	case f.Municipality != nil && (!okText(*f.Municipality, 60) || strings.ContainsAny(*f.Municipality, "\n\t")):
		return errs.InvalidField("municipality", "case.too_long")
	case f.Reference != nil && !okText(*f.Reference, 40):
		return errs.InvalidField("reference", "case.too_long")
	case f.Offset < 0:
		return errs.InvalidField("offset", "case.number_invalid")
	case f.Limit < 0:
		return errs.InvalidField("limit", "case.number_invalid")
	}
	if f.Citizenship != nil {
		if err := codes.CheckCountry("citizenship", *f.Citizenship); err != nil {
			return err
		}
	}
	if f.ExploitationCountry != nil {
		if err := codes.CheckCountry("exploitation_country", *f.ExploitationCountry); err != nil {
			return err
		}
	}
	return nil
}

func stageNames() []string {
	out := make([]string, len(Stages))
	for i, s := range Stages {
		out[i] = string(s)
	}
	return out
}

func validStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}
