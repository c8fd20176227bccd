package referral

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
)

// The service types of the directory.
const (
	TypeTHBShelter     = "thb_shelter"
	TypeDVShelter      = "dv_shelter"
	TypeChildShelter   = "child_shelter"
	TypeSecureFacility = "secure_facility" // the Interim Security Facility (ISF)
)

// Types lists every service type, shelters first.
var Types = []string{TypeTHBShelter, TypeDVShelter, TypeChildShelter, TypeSecureFacility, "medical", "psychological",
	"legal_aid", "victim_advocacy", "interpretation", "education", "vocational_training", "housing",
	"reintegration", "social_work"}

// IsShelter tells whether a type is residential with beds: capacity, stays
// and a secret location apply to it.
func IsShelter(typ string) bool {
	switch typ {
	case TypeTHBShelter, TypeDVShelter, TypeChildShelter, TypeSecureFacility:
		return true
	}
	return false
}

// RiskLevels are the case risk levels in order.
var RiskLevels = []string{"low", "medium", "high"}

// riskRank orders risk levels; unknown ("") is -1.
func riskRank(l string) int {
	for i, r := range RiskLevels {
		if r == l {
			return i
		}
	}
	return -1
}

// Accreditations are the licence states of a service.
var Accreditations = []string{"accredited", "licensed", "pending", "suspended"}

// Eligibility says whom a service accepts. Empty fields are no restriction.
type Eligibility struct {
	Sex             string   `json:"sex,omitempty"` // female | male
	AgeMin          *int     `json:"age_min,omitempty"`
	AgeMax          *int     `json:"age_max,omitempty"`
	RiskMin         string   `json:"risk_min,omitempty"`
	RiskMax         string   `json:"risk_max,omitempty"`
	Languages       []string `json:"languages,omitempty"`        // ISO 639 codes spoken without interpretation
	Nationalities   []string `json:"nationalities,omitempty"`    // ISO 3166-1 alpha-2
	NationalityRule string   `json:"nationality_rule,omitempty"` // only | except (the listed nationalities)
}

// Offering is one service of the directory as an actor may see it (named so
// because Service runs the use cases). Location, a shelter's address, is
// filled only for users of the owning organisation.
type Offering struct {
	ID               string      `json:"id"`
	OrgID            string      `json:"organisation"`
	OrgName          string      `json:"organisation_name"`
	OrgActive        bool        `json:"organisation_active"`
	Name             string      `json:"name"`
	Type             string      `json:"type"`
	Description      string      `json:"description,omitempty"`
	Municipality     string      `json:"municipality,omitempty"`
	Address          string      `json:"address,omitempty"`
	Location         string      `json:"location,omitempty"`
	Hours            string      `json:"hours,omitempty"`
	Phone            string      `json:"phone,omitempty"`
	Email            string      `json:"email,omitempty"`
	Eligibility      Eligibility `json:"eligibility"`
	Accreditation    string      `json:"accreditation,omitempty"`
	AccreditedUntil  string      `json:"accredited_until,omitempty"`
	BedsTotal        int         `json:"beds_total"`
	BedsOutOfService int         `json:"beds_out_of_service"`
	BedsOccupied     int         `json:"beds_occupied"`
	BedsReserved     int         `json:"beds_reserved"`
	Active           bool        `json:"active"`
	HSDSID           string      `json:"hsds_id,omitempty"`
	// Licence is the provider's licence status from licensing (active,
	// suspended, expired, revoked, none), "" when licensing is not wired.
	Licence   string    `json:"-"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`

	locationKey string
	locationEnc []byte
}

// BedsFree is what can still be promised: total less out of service,
// occupied and reserved (never below zero).
func (o *Offering) BedsFree() int {
	return max(0, o.BedsTotal-o.BedsOutOfService-o.BedsOccupied-o.BedsReserved)
}

// Licensed tells whether the accreditation is in force on day (YYYY-MM-DD):
// no accreditation recorded counts as in force, a suspended one or one past
// its expiry does not.
func (o *Offering) Licensed(day string) bool {
	if o.Accreditation == "suspended" {
		return false
	}
	return o.AccreditedUntil == "" || o.AccreditedUntil >= day
}

// ServiceInput is a service as a provider or the coordinator enters it.
// Nil pointers keep the stored value on update.
type ServiceInput struct {
	Name             string       `json:"name"`
	Type             string       `json:"type"`
	Organisation     string       `json:"organisation"`
	BedsTotal        *int         `json:"beds_total,omitempty"`
	BedsOutOfService *int         `json:"beds_out_of_service,omitempty"`
	Eligibility      *Eligibility `json:"eligibility,omitempty"`
	Description      string       `json:"description,omitempty"`
	Municipality     string       `json:"municipality,omitempty"`
	Address          string       `json:"address,omitempty"`
	Location         string       `json:"location,omitempty"` // a shelter's secret address
	Hours            string       `json:"hours,omitempty"`
	Phone            string       `json:"phone,omitempty"`
	Email            string       `json:"email,omitempty"`
	Accreditation    string       `json:"accreditation,omitempty"`
	AccreditedUntil  string       `json:"accredited_until,omitempty"`
	Active           *bool        `json:"active,omitempty"`
}

var (
	langRE = regexp.MustCompile(`^[a-z]{2,3}$`)
	dateRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
)

// text checks a free-text field of the directory (public text: names,
// hours, office addresses) for length and control characters.
func text(field string, s *string, maxLen int, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case !utf8.ValidString(*s) || utf8.RuneCountInString(*s) > maxLen:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": maxLen})
	case strings.ContainsAny(*s, "\x00\r\n\t"):
		return errs.InvalidField(field, "validation.invalid")
	}
	return nil
}

// Validate checks a service input and normalises its codes.
func (in *ServiceInput) Validate() error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
		req  bool
	}{{"name", &in.Name, 200, true}, {"organisation", &in.Organisation, 64, true}, {"municipality", &in.Municipality, 100, false},
		{"address", &in.Address, 300, false}, {"location", &in.Location, 300, false}, {"hours", &in.Hours, 200, false},
		{"phone", &in.Phone, 50, false}, {"email", &in.Email, 200, false}} {
		if err := text(f.name, f.v, f.max, f.req); err != nil {
			return err
		}
	}
	in.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(in.Description) > 2000 || !utf8.ValidString(in.Description) {
		return errs.InvalidField("description", "validation.too_long").With(map[string]any{"max": 2000})
	}
	if !contains(Types, in.Type) {
		return errs.InvalidField("type", "validation.invalid_choice")
	}
	if in.Location != "" && !IsShelter(in.Type) {
		return errs.InvalidField("location", "referral.location_shelters_only")
	}
	if in.Accreditation != "" && !contains(Accreditations, in.Accreditation) {
		return errs.InvalidField("accreditation", "validation.invalid_choice")
	}
	if in.AccreditedUntil != "" && !dateRE.MatchString(in.AccreditedUntil) {
		return errs.InvalidField("accredited_until", "validation.date")
	}
	for _, b := range []struct {
		name string
		v    *int
	}{{"beds_total", in.BedsTotal}, {"beds_out_of_service", in.BedsOutOfService}} {
		if b.v != nil && (*b.v < 0 || *b.v > 10000) {
			return errs.InvalidField(b.name, "validation.invalid")
		}
		if b.v != nil && *b.v > 0 && !IsShelter(in.Type) {
			return errs.InvalidField(b.name, "referral.beds_shelters_only")
		}
	}
	if in.BedsTotal != nil && in.BedsOutOfService != nil && *in.BedsOutOfService > *in.BedsTotal {
		return errs.InvalidField("beds_out_of_service", "referral.beds_out_of_service")
	}
	if in.Eligibility != nil {
		return in.Eligibility.Validate()
	}
	return nil
}

// Validate checks eligibility codes and ranges and normalises case.
func (e *Eligibility) Validate() error {
	if e.Sex != "" && e.Sex != "female" && e.Sex != "male" {
		return errs.InvalidField("eligibility.sex", "validation.invalid_choice")
	}
	for _, a := range []*int{e.AgeMin, e.AgeMax} {
		if a != nil && (*a < 0 || *a > 120) {
			return errs.InvalidField("eligibility.age_min", "validation.invalid")
		}
	}
	if e.AgeMin != nil && e.AgeMax != nil && *e.AgeMin > *e.AgeMax {
		return errs.InvalidField("eligibility.age_max", "referral.age_range")
	}
	for _, r := range []struct{ f, v string }{{"eligibility.risk_min", e.RiskMin}, {"eligibility.risk_max", e.RiskMax}} {
		if r.v != "" && riskRank(r.v) < 0 {
			return errs.InvalidField(r.f, "validation.invalid_choice")
		}
	}
	if e.RiskMin != "" && e.RiskMax != "" && riskRank(e.RiskMin) > riskRank(e.RiskMax) {
		return errs.InvalidField("eligibility.risk_max", "referral.risk_range")
	}
	if len(e.Languages) > 30 || len(e.Nationalities) > 60 {
		return errs.InvalidField("eligibility", "validation.too_many").With(map[string]any{"max": 30})
	}
	for i, l := range e.Languages {
		e.Languages[i] = strings.ToLower(strings.TrimSpace(l))
		if !langRE.MatchString(e.Languages[i]) {
			return errs.InvalidField("eligibility.languages", "validation.invalid")
		}
	}
	for i, c := range e.Nationalities {
		e.Nationalities[i] = strings.ToUpper(strings.TrimSpace(c))
		if err := codes.CheckCountry("eligibility.nationalities", e.Nationalities[i]); err != nil {
			return err
		}
	}
	switch {
	case e.NationalityRule == "" && len(e.Nationalities) > 0:
		e.NationalityRule = "only"
	case e.NationalityRule != "" && e.NationalityRule != "only" && e.NationalityRule != "except":
		return errs.InvalidField("eligibility.nationality_rule", "validation.invalid_choice")
	case len(e.Nationalities) == 0:
		e.NationalityRule = ""
	}
	return nil
}
