// Package codes holds the code lists Ura checks input against that are not
// its own: ISO 3166-1 alpha-2 country codes plus XK (Kosovo, a user-assigned
// code used by the European Commission and the Council of Europe), shipped
// as data (iso3166-1.tsv, from Debian's iso-codes) and embedded in the
// binary, so a deployment without network access checks the same list.
package codes

import (
	_ "embed"
	"sort"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
)

//go:embed iso3166-1.tsv
var countryData string

// Country is one entry of the country list.
type Country struct {
	Code string // ISO 3166-1 alpha-2, upper case
	Name string // English short name (labels for pages come from the catalogues)
}

var (
	countries []Country
	country   = map[string]bool{}
)

func init() {
	for _, line := range strings.Split(countryData, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 2 || strings.ToUpper(code) != code || country[code] {
			panic("codes: bad line in iso3166-1.tsv: " + line)
		}
		country[code] = true
		countries = append(countries, Country{Code: code, Name: name})
	}
	sort.Slice(countries, func(i, j int) bool { return countries[i].Code < countries[j].Code })
}

// IsCountry reports whether code is an ISO 3166-1 alpha-2 code or XK. The
// check is exact: callers upper-case and trim what a person typed first.
func IsCountry(code string) bool { return country[code] }

// Countries returns the country list, ordered by code, for picklists.
func Countries() []Country { return append([]Country(nil), countries...) }

// CountryCodes returns the codes alone, ordered.
func CountryCodes() []string {
	out := make([]string, len(countries))
	for i, c := range countries {
		out[i] = c.Code
	}
	return out
}

// Suggest returns the code a person probably meant when code is not in the
// list, or "": KS, the usual slip for Kosovo, and the exceptionally reserved
// UK (United Kingdom is GB) and EL (Greece is GR, EL in EU usage).
func Suggest(code string) string {
	return slips[code]
}

var slips = map[string]string{"KS": "XK", "KV": "XK", "KO": "XK", "UK": "GB", "EL": "GR"}

// CheckCountry checks one country code (already upper-cased and trimmed)
// against the list. The error names field, never repeats the value, and for
// a usual slip (KS for Kosovo) suggests the code meant.
func CheckCountry(field, code string) error {
	if IsCountry(code) {
		return nil
	}
	if s := Suggest(code); s != "" {
		return errs.InvalidField(field, "validation.country_suggest").With(map[string]any{"code": s})
	}
	return errs.InvalidField(field, "validation.country")
}
