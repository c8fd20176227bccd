package consent

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
)

// ServiceTypes are the service targets of a ScopeService grant: the
// assistance of CETS 197 Art. 12 as Kosovo's providers offer it.
var ServiceTypes = []string{"accommodation", "medical", "psychological", "legal_aid", "interpretation",
	"education", "vocational_training", "employment", "financial", "family_tracing", "return_assistance", "social_care"}

// Text limits, in characters.
const (
	MaxRemarks = 4000
	MinReason  = 20
	MaxReason  = 2000
)

var (
	languageRE = regexp.MustCompile(`^[a-z]{2,3}$`)
	idRE       = regexp.MustCompile(`^[a-z2-9]{26}$`)
)

// GrantInput is what staff enter when a person (or a child's guardian)
// agrees to something. Dates are text, so an impossible date is an error
// naming its field rather than a decoding failure.
type GrantInput struct {
	Scope       Scope    `json:"scope"`
	Target      string   `json:"target"`
	GivenBy     string   `json:"given_by"`
	ChildView   string   `json:"child_view"`
	Language    string   `json:"language"`
	Interpreter bool     `json:"interpreter"`
	Informed    Informed `json:"informed"`
	// EffectiveAt is when the person agreed: YYYY-MM-DD or RFC 3339.
	EffectiveAt string `json:"effective_at"`
	Remarks     string `json:"remarks"`
	// WithProcessing records, with a grant of another scope, the person's
	// consent to processing personal data too: a second grant with the
	// same information, in the same transaction (the case page's form
	// asks for both at once; a referral needs both).
	WithProcessing bool `json:"-"`

	effective time.Time
}

// WithdrawInput is what staff enter when a person withdraws a grant.
type WithdrawInput struct {
	GivenBy     string `json:"given_by"`
	EffectiveAt string `json:"effective_at"`
	Remarks     string `json:"remarks"`

	effective time.Time
}

// Validate checks a grant for a case (isChild: child procedures apply) at
// time now and normalises it in place. A child's grant must be the
// guardian's, with the child's own view recorded; an adult's is the
// person's own (or a legal representative's, recorded as guardian). A grant
// is informed or it is not recorded: the five required checklist items must
// all be ticked.
func (in *GrantInput) Validate(isChild bool, now time.Time) error {
	in.Target = strings.TrimSpace(in.Target)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	switch in.Scope {
	case ScopeDataProcessing:
		if in.Target != "" {
			return errs.InvalidField("target", "consent.target_none")
		}
	case ScopeOrganisation:
		if !idRE.MatchString(in.Target) {
			return errs.InvalidField("target", "consent.target_org")
		}
	case ScopeCountry, ScopeExchange:
		in.Target = strings.ToUpper(in.Target)
		if !codes.IsCountry(in.Target) {
			return errs.InvalidField("target", "consent.target_country")
		}
	case ScopeService:
		if !contains(ServiceTypes, in.Target) {
			return errs.InvalidField("target", "validation.invalid_choice")
		}
	case "":
		return errs.InvalidField("scope", "validation.required")
	default:
		return errs.InvalidField("scope", "validation.invalid_choice")
	}
	if err := checkGivenBy(in.GivenBy, isChild); err != nil {
		return err
	}
	switch {
	case isChild && in.ChildView == "":
		return errs.InvalidField("child_view", "consent.child_view_required")
	case isChild && in.ChildView != ChildAgrees && in.ChildView != ChildObjects && in.ChildView != ChildNotExpressed:
		return errs.InvalidField("child_view", "validation.invalid_choice")
	case !isChild && in.ChildView != "":
		return errs.InvalidField("child_view", "consent.child_view_adult")
	}
	if in.Language == "" {
		return errs.InvalidField("language", "validation.required")
	}
	if !languageRE.MatchString(in.Language) {
		return errs.InvalidField("language", "consent.language")
	}
	for _, c := range []struct {
		field string
		ok    bool
	}{
		{"informed.purpose", in.Informed.Purpose},
		{"informed.data_use", in.Informed.DataUse},
		{"informed.storage_duration", in.Informed.StorageDuration},
		{"informed.access_right", in.Informed.AccessRight},
		{"informed.withdrawal", in.Informed.Withdrawal},
	} {
		if !c.ok {
			return errs.InvalidField(c.field, "consent.not_informed")
		}
	}
	t, err := effectiveAt("effective_at", in.EffectiveAt, now)
	if err != nil {
		return err
	}
	in.effective = t
	return checkText("remarks", &in.Remarks, 0, MaxRemarks)
}

// Validate checks a withdrawal for a case at time now and normalises it.
func (in *WithdrawInput) Validate(isChild bool, now time.Time) error {
	// A child may withdraw too: a withdrawal only ever narrows what is shared.
	if in.GivenBy != ByPerson && in.GivenBy != ByGuardian {
		if in.GivenBy == "" {
			return errs.InvalidField("given_by", "validation.required")
		}
		return errs.InvalidField("given_by", "validation.invalid_choice")
	}
	t, err := effectiveAt("effective_at", in.EffectiveAt, now)
	if err != nil {
		return err
	}
	in.effective = t
	return checkText("remarks", &in.Remarks, 0, MaxRemarks)
}

func checkGivenBy(by string, isChild bool) error {
	switch {
	case by == "":
		return errs.InvalidField("given_by", "validation.required")
	case by != ByPerson && by != ByGuardian:
		return errs.InvalidField("given_by", "validation.invalid_choice")
	case isChild && by != ByGuardian:
		return errs.InvalidField("given_by", "consent.guardian_required")
	}
	return nil
}

// effectiveAt parses a date (YYYY-MM-DD, taken as midnight UTC) or an RFC
// 3339 time. Empty means now. A time more than a day ahead is refused: one
// cannot record consent that has not been given yet.
func effectiveAt(field, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now, nil
	}
	t, err := ParseDate(field, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.After(now.Add(24 * time.Hour)) {
		return time.Time{}, errs.InvalidField(field, "validation.date_future")
	}
	return t, nil
}

// ParseDate reads YYYY-MM-DD or RFC 3339 and refuses impossible dates
// (30 February) and years outside 1900–2200 with an error naming field.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, errs.InvalidField(field, "validation.date")
	}
	return t.UTC(), nil
}

// checkText trims *s and checks it is valid UTF-8 of min..max characters.
func checkText(field string, s *string, min, max int) error {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case n == 0 && min > 0:
		return errs.InvalidField(field, "validation.required")
	case n < min:
		return errs.InvalidField(field, "consent.reason_short").With(map[string]any{"min": min})
	case n > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
