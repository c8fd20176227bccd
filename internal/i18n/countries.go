package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryName names an ISO 3166-1 alpha-2 country in lang: the catalogue's
// "stats.country.CODE" when it has one (the names the statistics and the
// reports use, such as "North Macedonia"), else the name CLDR gives in that
// language (golang.org/x/text), else the code itself. t is the page's
// translation function (it returns the key for a missing one); nil skips
// the catalogue.
func CountryName(lang Lang, t func(string, ...any) string, code string) string {
	if code == "" {
		return ""
	}
	if t != nil {
		if k := "stats.country." + code; t(k) != k {
			return t(k)
		}
	}
	r, err := language.ParseRegion(code)
	if err != nil || len(code) != 2 {
		return code
	}
	tag, err := language.Parse(string(lang))
	if err != nil {
		tag = language.English
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	if n := display.Regions(language.English).Name(r); n != "" {
		return n
	}
	return code
}
