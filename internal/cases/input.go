package cases

import (
	"io"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/jsonread"
)

// Input registers a case: the person and the first facts. Its JSON form is
// the body of POST /api/v1/cases (a stable contract).
type Input struct {
	Person              Person   `json:"person"`
	Exploitation        []string `json:"exploitation,omitempty"`
	Control             []string `json:"means_of_control,omitempty"`
	Recruitment         []string `json:"recruitment,omitempty"`
	ExploitationCountry string   `json:"exploitation_country,omitempty"`
	Municipality        string   `json:"municipality,omitempty"`
	RiskLevel           string   `json:"risk_level,omitempty"`
	// CaseType is thb (the default), gbv or both (casetype.go).
	CaseType string  `json:"case_type,omitempty"`
	Details  Details `json:"details"`
	// ConfirmDuplicate registers the case although a possible duplicate was
	// reported (the user has seen the warning).
	ConfirmDuplicate bool `json:"confirm_duplicate,omitempty"`
	// ScreeningID attaches an earlier screening (outreach, helpline) to the
	// new case, in the registration's transaction.
	ScreeningID string `json:"screening_id,omitempty"`
}

// Details are the investigation details of a case: sealed together, shown
// only to roles with case.view_details (HTCDS hte_* events, simplified).
type Details struct {
	RecruitmentPlace  string `json:"recruitment_place,omitempty"`
	RecruitmentDate   string `json:"recruitment_date,omitempty"` // YYYY-MM-DD, YYYY-MM or YYYY
	ExploitationPlace string `json:"exploitation_place,omitempty"`
	ExploitationFrom  string `json:"exploitation_from,omitempty"`
	ExploitationTo    string `json:"exploitation_to,omitempty"`
	Narrative         string `json:"narrative,omitempty"`
}

func (d *Details) empty() bool { return *d == Details{} }

func (d *Details) validate(now time.Time) error {
	for _, f := range []struct{ name, v string }{
		{"details.recruitment_place", d.RecruitmentPlace}, {"details.exploitation_place", d.ExploitationPlace},
	} {
		if !okText(f.v, maxShort) {
			return errs.InvalidField(f.name, "case.too_long")
		}
	}
	if !okText(d.Narrative, maxNarative) {
		return errs.InvalidField("details.narrative", "case.too_long")
	}
	for _, f := range []struct{ name, v string }{
		{"details.recruitment_date", d.RecruitmentDate}, {"details.exploitation_from", d.ExploitationFrom},
		{"details.exploitation_to", d.ExploitationTo},
	} {
		if f.v == "" {
			continue
		}
		earliest, _, err := birthRange(f.v, false)
		if err != nil {
			return errs.InvalidField(f.name, "case.date_invalid")
		}
		if earliest.After(now) {
			return errs.InvalidField(f.name, "case.date_future")
		}
	}
	if d.ExploitationFrom != "" && d.ExploitationTo != "" && d.ExploitationTo < d.ExploitationFrom {
		return errs.InvalidField("details.exploitation_to", "case.date_order")
	}
	return nil
}

// facts are the statistical facts shared by registration and updates.
func validateFacts(exploitation, control, recruitment []string, country, municipality, risk string) error {
	switch {
	case !validCodes(FieldExploitation, exploitation):
		return errs.InvalidField("exploitation", "case.code_invalid")
	case !validCodes(FieldControl, control):
		return errs.InvalidField("means_of_control", "case.code_invalid")
	case !validCodes(FieldRecruitment, recruitment):
		return errs.InvalidField("recruitment", "case.code_invalid")
	case country != "" && codes.CheckCountry("exploitation_country", country) != nil:
		return codes.CheckCountry("exploitation_country", country)
	case !okText(municipality, 60) || strings.ContainsAny(municipality, "\n\t"):
		return errs.InvalidField("municipality", "case.too_long")
	case risk != "" && !inList(RiskLevels, risk):
		return errs.InvalidField("risk_level", "case.risk_invalid")
	}
	return nil
}

func (in *Input) validate(now time.Time) error {
	in.ExploitationCountry = strings.ToUpper(strings.TrimSpace(in.ExploitationCountry))
	in.Municipality = strings.TrimSpace(in.Municipality)
	if err := in.Person.validate(now); err != nil {
		return err
	}
	if in.CaseType != "" && !inList(CaseTypes, in.CaseType) {
		return errs.InvalidField("case_type", "validation.invalid_choice")
	}
	if err := validateFacts(in.Exploitation, in.Control, in.Recruitment, in.ExploitationCountry, in.Municipality, in.RiskLevel); err != nil {
		return err
	}
	return in.Details.validate(now)
}

// MaxBody is the largest JSON body the case endpoints accept.
const MaxBody = 64 << 10

// Decode reads one JSON value of type T strictly (jsonread): unknown
// members, trailing data and bodies over MaxBody are refused, and errors
// name the field, never the value (which may be a name).
func Decode[T any](r io.Reader, v *T) error {
	return jsonread.Read(r, v, decodeOptions)
}

var decodeOptions = jsonread.Options{Max: MaxBody, NameUnknown: true,
	Keys: jsonread.Keys{Invalid: "case.bad_json", Type: "case.bad_json_type", Unknown: "case.unknown_field"}}
