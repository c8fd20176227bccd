package cases

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
)

// Person is everything personal about the person a case is about. The whole
// struct is sealed as one JSON value (persons.data_enc); only sex, the age
// band, the primary citizenship and the child flag are kept in clear.
type Person struct {
	GivenName  string   `json:"given_name"`
	FamilyName string   `json:"family_name"`
	Aliases    []string `json:"aliases,omitempty"`
	// BirthDate is YYYY-MM-DD, YYYY-MM or YYYY; Estimated marks a guess.
	BirthDate          string     `json:"birth_date,omitempty"`
	BirthDateEstimated bool       `json:"birth_date_estimated,omitempty"`
	Sex                string     `json:"sex"`
	Citizenship        string     `json:"citizenship,omitempty"`  // primary, ISO 3166-1 alpha-2
	Citizenships       []string   `json:"citizenships,omitempty"` // others
	Languages          []string   `json:"languages,omitempty"`    // ISO 639 codes
	Documents          []Document `json:"documents,omitempty"`
	Contacts           []Contact  `json:"contacts,omitempty"`
	// AgeDisputed: the age is uncertain and there are reasons to believe the
	// person is a child (CETS 197 Art. 10(3)): child procedures apply.
	AgeDisputed bool `json:"age_disputed,omitempty"`
}

// Document is an identity or travel document.
type Document struct {
	Type    string `json:"type"` // passport, id_card, birth_certificate, residence_permit, other
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// Contact is a way to reach the person.
type Contact struct {
	Type  string `json:"type"` // phone, email, address, other
	Value string `json:"value"`
}

var (
	languageRE = regexp.MustCompile(`^[a-z]{2,3}$`)
	dateRE     = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
)

// Limits on personal text, in characters: generous for names in any
// script, small enough that a pasted document is refused.
const (
	maxName     = 100
	maxAliases  = 10
	maxList     = 10
	maxNarative = 10000
	maxShort    = 300
)

// birthRange returns the earliest and latest day a (possibly partial)
// birth date can mean: "1990" is 1990-01-01 … 1990-12-31. An estimated date
// widens the range by EstimateMargin either way.
func birthRange(d string, estimated bool) (earliest, latest time.Time, err error) {
	if !dateRE.MatchString(d) {
		return time.Time{}, time.Time{}, errs.InvalidField("person.birth_date", "case.birth_date_format")
	}
	switch len(d) {
	case 4:
		earliest, err = time.Parse("2006", d)
		latest = earliest.AddDate(1, 0, -1)
	case 7:
		earliest, err = time.Parse("2006-01", d)
		latest = earliest.AddDate(0, 1, -1)
	default:
		earliest, err = time.Parse(time.DateOnly, d)
		latest = earliest
	}
	if err != nil || earliest.Year() < 1900 {
		return time.Time{}, time.Time{}, errs.InvalidField("person.birth_date", "case.birth_date_impossible")
	}
	if estimated {
		earliest, latest = earliest.AddDate(-EstimateMargin, 0, 0), latest.AddDate(EstimateMargin, 0, 0)
	}
	return earliest, latest, nil
}

// EstimateMargin is how many years an estimated birth date may be off either
// way: an estimate gives the benefit of the doubt (the person may be a child).
const EstimateMargin = 2

// ageOn returns the age in whole years on day at of someone born on birth.
func ageOn(birth, at time.Time) int {
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	return age
}

// IsChild applies the child rule (DOMAIN §2.2 Art. 10(3)): the person is
// treated as a child at time at when the birth date — taking its latest
// possible day, so a partial or estimated date counts if it could be under
// 18 — gives an age under 18, or when the age is disputed with reasons to
// believe a child. An unknown birth date alone does not make a child; the
// registering worker marks the age as disputed when in doubt.
func IsChild(birthDate string, estimated, ageDisputed bool, at time.Time) bool {
	if ageDisputed {
		return true
	}
	if birthDate == "" {
		return false
	}
	_, latest, err := birthRange(birthDate, estimated)
	return err == nil && ageOn(latest, at) < 18
}

// AgeBand returns the statistical band of the youngest age the birth date
// allows at time at (” when unknown).
func AgeBand(birthDate string, estimated bool, at time.Time) string {
	if birthDate == "" {
		return ""
	}
	_, latest, err := birthRange(birthDate, estimated)
	if err != nil {
		return ""
	}
	switch age := ageOn(latest, at); {
	case age < 12:
		return "0-11"
	case age < 15:
		return "12-14"
	case age < 18:
		return "15-17"
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 50:
		return "35-49"
	default:
		return "50+"
	}
}

// validate checks a person at time now, naming the field at fault and never
// echoing a value.
func (p *Person) validate(now time.Time) error {
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	p.Citizenship = strings.ToUpper(strings.TrimSpace(p.Citizenship))
	if p.Sex == "" {
		p.Sex = "unknown"
	}
	switch {
	case p.GivenName == "" && p.FamilyName == "":
		return errs.InvalidField("person.given_name", "case.name_required")
	case !okText(p.GivenName, maxName):
		return errs.InvalidField("person.given_name", "case.too_long")
	case !okText(p.FamilyName, maxName):
		return errs.InvalidField("person.family_name", "case.too_long")
	case len(p.Aliases) > maxAliases:
		return errs.InvalidField("person.aliases", "case.too_many")
	case !inList(Sexes, p.Sex):
		return errs.InvalidField("person.sex", "case.sex_invalid")
	case p.Citizenship != "" && codes.CheckCountry("person.citizenship", p.Citizenship) != nil:
		return codes.CheckCountry("person.citizenship", p.Citizenship)
	case len(p.Citizenships) > maxList || len(p.Languages) > maxList || len(p.Documents) > maxList || len(p.Contacts) > maxList:
		return errs.InvalidField("person", "case.too_many")
	}
	for _, a := range p.Aliases {
		if strings.TrimSpace(a) == "" || !okText(a, maxName) {
			return errs.InvalidField("person.aliases", "case.too_long")
		}
	}
	for i, c := range p.Citizenships {
		p.Citizenships[i] = strings.ToUpper(strings.TrimSpace(c))
		if err := codes.CheckCountry("person.citizenships", p.Citizenships[i]); err != nil {
			return err
		}
	}
	for _, l := range p.Languages {
		if !languageRE.MatchString(l) {
			return errs.InvalidField("person.languages", "case.language_invalid")
		}
	}
	for i, d := range p.Documents {
		p.Documents[i].Country = strings.ToUpper(strings.TrimSpace(d.Country))
		d.Country = p.Documents[i].Country
		if !inList([]string{"passport", "id_card", "birth_certificate", "residence_permit", "other"}, d.Type) {
			return errs.InvalidField("person.documents", "case.document_type_invalid")
		}
		if strings.TrimSpace(d.Number) == "" || !okText(d.Number, 50) {
			return errs.InvalidField("person.documents", "case.document_invalid")
		}
		if d.Country != "" {
			if err := codes.CheckCountry("person.documents", d.Country); err != nil {
				return err
			}
		}
	}
	for _, c := range p.Contacts {
		if !inList([]string{"phone", "email", "address", "other"}, c.Type) || strings.TrimSpace(c.Value) == "" || !okText(c.Value, maxShort) {
			return errs.InvalidField("person.contacts", "case.contact_invalid")
		}
	}
	if p.BirthDate != "" {
		earliest, _, err := birthRange(p.BirthDate, false)
		if err != nil {
			return err
		}
		if earliest.After(now) {
			return errs.InvalidField("person.birth_date", "case.birth_date_future")
		}
	}
	return nil
}

// okText accepts valid UTF-8 without control characters, up to max characters.
func okText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// indexEntry is one blind-index row before hashing: kind and normalised value.
type indexEntry struct{ kind, value string }

// Index kinds in person_index.
const (
	IndexName          = "name"
	IndexBirthDate     = "birthdate"
	IndexNameBirthDate = "name_birthdate"
	IndexDocument      = "document"
)

// nameKey is the order-free normal form of a full name: its normalised
// tokens, sorted, joined by a space. "Đorđević Ana" and "Ana Djordjevic" give
// the same key.
func nameKey(names ...string) string {
	var toks []string
	for _, n := range names {
		toks = append(toks, linkage.NameTokens(n)...)
	}
	sort.Strings(toks)
	return strings.Join(toks, " ")
}

// indexEntries lists the blind-index values of a person: every name token
// (of the name and the aliases), each full name's key, the birth date, the
// name-and-birth-date key (the duplicate check) and document numbers.
func (p *Person) indexEntries() []indexEntry {
	seen := map[indexEntry]bool{}
	var out []indexEntry
	add := func(kind, v string) {
		e := indexEntry{kind, v}
		if v != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	full := nameKey(p.GivenName, p.FamilyName)
	for _, n := range append([]string{p.GivenName + " " + p.FamilyName}, p.Aliases...) {
		for _, t := range linkage.NameTokens(n) {
			add(IndexName, t)
		}
		add(IndexName, nameKey(n))
	}
	add(IndexBirthDate, p.BirthDate)
	if full != "" && p.BirthDate != "" {
		add(IndexNameBirthDate, full+"|"+p.BirthDate)
	}
	for _, d := range p.Documents {
		add(IndexDocument, d.Country+":"+normalizeDocument(d.Number))
	}
	return out
}

// normalizeDocument keeps the letters and digits of a document number, upper case.
func normalizeDocument(n string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(n) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IndexRow is one blind-index row of a person (table person_index).
type IndexRow struct {
	Kind  string
	Value []byte
}

// PersonIndex returns the blind-index rows Open writes for p: what a bulk
// load (the synthetic data generator) writes so its persons are found by
// search and by the duplicate check exactly like registered ones.
func (s *Service) PersonIndex(p *Person) []IndexRow {
	entries := p.indexEntries()
	out := make([]IndexRow, len(entries))
	for i, e := range entries {
		out[i] = IndexRow{Kind: e.kind, Value: s.index(e)}
	}
	return out
}
