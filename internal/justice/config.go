package justice

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The legal configuration is data, not code (DOMAIN-2: [R] values live in
// versioned configuration with their source): one file per jurisdiction in
// config/, embedded in the binary. Each row carries its marker: V verified,
// S secondary, R reconstructed. Only V deadline rules raise hard alerts.

//go:embed config/*.json
var configFS embed.FS

// Marker is how sure a legal fact is.
type Marker string

// The markers of DOMAIN-2.
const (
	Verified      Marker = "V"
	Secondary     Marker = "S"
	Reconstructed Marker = "R"
)

// Hard reports whether a rule with this marker may raise a hard alert.
func (m Marker) Hard() bool { return m == Verified }

// Law is one version of a code (criminal or procedure) and the period it
// applies to: [From, To), To empty while in force.
type Law struct {
	ID     string `json:"id"`
	From   string `json:"from"`
	To     string `json:"to"`
	Marker Marker `json:"marker"`
	Source string `json:"source"`
}

func (l Law) covers(day string) bool { return day >= l.From && (l.To == "" || day < l.To) }

// Offence is one row of the offence table: an offence code under one
// version of the criminal code, with its article and penalty range.
type Offence struct {
	Code        string `json:"code"`
	Law         string `json:"law"`
	Article     string `json:"article"`
	MinMonths   int    `json:"min_months"`
	MaxMonths   int    `json:"max_months"`
	Marker      Marker `json:"marker"`
	Compensable bool   `json:"compensable"`
	Source      string `json:"source"`
}

// Rule is one legal deadline: Days or Months after an event of type After,
// met by a later event of one of the types MetBy.
type Rule struct {
	ID              string   `json:"id"`
	After           string   `json:"after"`
	Days            int      `json:"days"`
	Months          int      `json:"months"`
	IfDetention     bool     `json:"if_detention"`
	UnlessDetention bool     `json:"unless_detention"`
	MetBy           []string `json:"met_by"`
	RenewOn         string   `json:"renew_on"`
	Marker          Marker   `json:"marker"`
	LegalBasis      string   `json:"legal_basis"`
	Who             string   `json:"who"`
	Version         string   `json:"-"`
	ProcedureLaw    string   `json:"-"`
}

// Due returns the deadline of the rule for an event on day.
func (r Rule) Due(day time.Time) time.Time {
	return day.AddDate(0, r.Months, r.Days)
}

// DeadlineSet is one version of the deadline rules, for one procedure code.
type DeadlineSet struct {
	Version string `json:"version"`
	Law     string `json:"law"`
	Rules   []Rule `json:"rules"`
}

// Compensation is the state programme's configuration.
type Compensation struct {
	StateFilingMonths int    `json:"state_filing_months"`
	Marker            Marker `json:"marker"`
	LegalBasis        string `json:"legal_basis"`
	MinEUR            int    `json:"min_eur"`
	MaxEUR            int    `json:"max_eur"`
}

// Jurisdiction is one jurisdiction's configuration.
type Jurisdiction struct {
	Code           string        `json:"jurisdiction"`
	Source         string        `json:"source"`
	CriminalCodes  []Law         `json:"criminal_codes"`
	ProcedureCodes []Law         `json:"procedure_codes"`
	Offences       []Offence     `json:"offences"`
	DeadlineSets   []DeadlineSet `json:"deadline_sets"`
	Compensation   Compensation  `json:"compensation"`
}

// Config is every jurisdiction's configuration.
type Config map[string]*Jurisdiction

// DefaultConfig is the embedded configuration, checked at start.
var DefaultConfig = mustLoad()

func mustLoad() Config {
	c, err := LoadConfig(configFS)
	if err != nil {
		panic(err)
	}
	return c
}

// LoadConfig reads and checks every config/*.json of fsys.
func LoadConfig(fsys embed.FS) (Config, error) {
	entries, err := fsys.ReadDir("config")
	if err != nil {
		return nil, err
	}
	c := Config{}
	for _, e := range entries {
		b, err := fsys.ReadFile("config/" + e.Name())
		if err != nil {
			return nil, err
		}
		var j Jurisdiction
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if err := j.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		c[j.Code] = &j
	}
	return c, nil
}

func (j *Jurisdiction) check() error {
	laws := map[string]bool{}
	for _, l := range append(append([]Law{}, j.CriminalCodes...), j.ProcedureCodes...) {
		if _, err := time.Parse(time.DateOnly, l.From); err != nil {
			return fmt.Errorf("law %s: from: %w", l.ID, err)
		}
		if l.To != "" && l.To <= l.From {
			return fmt.Errorf("law %s: to before from", l.ID)
		}
		if !validMarker(l.Marker) {
			return fmt.Errorf("law %s: marker %q", l.ID, l.Marker)
		}
		laws[l.ID] = true
	}
	seen := map[string]bool{}
	for _, o := range j.Offences {
		if !laws[o.Law] || !validMarker(o.Marker) || o.MinMonths < 0 || (o.MaxMonths != 0 && o.MaxMonths < o.MinMonths) {
			return fmt.Errorf("offence %s/%s: bad law, marker or range", o.Code, o.Law)
		}
		if seen[o.Code+"|"+o.Law] {
			return fmt.Errorf("offence %s/%s twice", o.Code, o.Law)
		}
		seen[o.Code+"|"+o.Law] = true
	}
	for i := range j.DeadlineSets {
		set := &j.DeadlineSets[i]
		if !laws[set.Law] {
			return fmt.Errorf("deadline set %s: unknown law %s", set.Version, set.Law)
		}
		for k := range set.Rules {
			r := &set.Rules[k]
			r.Version, r.ProcedureLaw = set.Version, set.Law
			if rank(r.After) < 0 || !validMarker(r.Marker) || (r.Days <= 0 && r.Months <= 0) || len(r.MetBy) == 0 {
				return fmt.Errorf("rule %s/%s: bad event, marker or period", set.Version, r.ID)
			}
			for _, m := range r.MetBy {
				if rank(m) < 0 {
					return fmt.Errorf("rule %s/%s: unknown event %s", set.Version, r.ID, m)
				}
			}
		}
	}
	return nil
}

func validMarker(m Marker) bool { return m == Verified || m == Secondary || m == Reconstructed }

// Jurisdictions lists the configured jurisdictions, sorted.
func (c Config) Jurisdictions() []string {
	var out []string
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CriminalCodeOn returns the criminal code in force in j on day (YYYY-MM-DD):
// the offence date decides which code applies (R1.4.3).
func (c Config) CriminalCodeOn(j, day string) (Law, bool) {
	if jur := c[j]; jur != nil {
		for _, l := range jur.CriminalCodes {
			if l.covers(day) {
				return l, true
			}
		}
	}
	return Law{}, false
}

// ProcedureCodeOn returns the procedure code in force in j on day.
func (c Config) ProcedureCodeOn(j, day string) (Law, bool) {
	if jur := c[j]; jur != nil {
		for _, l := range jur.ProcedureCodes {
			if l.covers(day) {
				return l, true
			}
		}
	}
	return Law{}, false
}

// OffenceOn returns the offence code under the criminal code in force on
// day; ok is false when the code was not an offence then.
func (c Config) OffenceOn(j, code, day string) (Offence, bool) {
	law, ok := c.CriminalCodeOn(j, day)
	if !ok {
		return Offence{}, false
	}
	for _, o := range c[j].Offences {
		if o.Code == code && o.Law == law.ID {
			return o, true
		}
	}
	return Offence{}, false
}

// OffenceCodes lists the offence codes of a jurisdiction (every period), sorted.
func (c Config) OffenceCodes(j string) []string {
	seen := map[string]bool{}
	var out []string
	if jur := c[j]; jur != nil {
		for _, o := range jur.Offences {
			if !seen[o.Code] {
				seen[o.Code] = true
				out = append(out, o.Code)
			}
		}
	}
	sort.Strings(out)
	return out
}

// RulesOn returns the deadline rules that apply to an event on day: those of
// the procedure code in force that day.
func (c Config) RulesOn(j, day string) []Rule {
	law, ok := c.ProcedureCodeOn(j, day)
	if !ok {
		return nil
	}
	for _, set := range c[j].DeadlineSets {
		if set.Law == law.ID {
			return set.Rules
		}
	}
	return nil
}
