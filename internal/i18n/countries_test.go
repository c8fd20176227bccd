package i18n_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

// TestCountryName: a country is named in the reader's language, the
// catalogue's name first, CLDR's otherwise, never a code a reader must
// decode (except a code that is no country).
func TestCountryName(t *testing.T) {
	cat := map[string]string{"stats.country.MK": "North Macedonia"}
	tr := func(k string, _ ...any) string {
		if v, ok := cat[k]; ok {
			return v
		}
		return k
	}
	for _, tc := range []struct {
		lang i18n.Lang
		code string
		want string
	}{
		{"en", "MK", "North Macedonia"},
		{"en", "DE", "Germany"},
		{"sq", "DE", "Gjermani"},
		{"sq", "AL", "Shqipëri"},
		{"sr-Latn", "DE", "Nemačka"},
		{"sr-Cyrl", "ME", "Црна Гора"},
		{"ar", "SY", "سوريا"},
		{"en", "", ""},
		{"en", "Q9", "Q9"},
		{"xx", "AF", "Afghanistan"},
	} {
		if got := i18n.CountryName(tc.lang, tr, tc.code); got != tc.want {
			t.Errorf("%s %q = %q, want %q", tc.lang, tc.code, got, tc.want)
		}
	}
}
