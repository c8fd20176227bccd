package i18n_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
)

func TestT(t *testing.T) {
	tests := []struct {
		name string
		lang i18n.Lang
		key  string
		args []any
		want string
	}{
		{"English", "en", "signin.title", nil, "Sign in"},
		{"Albanian", "sq", "signin.title", nil, "Hyni"},
		{"SerbianLatin", "sr-Latn", "signin.title", nil, "Prijava"},
		{"SerbianCyrillic", "sr-Cyrl", "signin.title", nil, "Пријава"},
		{"Placeholder", "sq", "validation.password_short", []any{"min", 12}, "Fjalëkalimi duhet të ketë të paktën 12 karaktere."},
		{"PlaceholderMap", "en", "validation.password_short", []any{map[string]any{"min": 10}}, "The password must have at least 10 characters."},
		{"PlaceholderInCyrillic", "sr-Cyrl", "layout.signed_in_as", []any{"name", "Ana Petrović"}, "Пријављени сте као Ana Petrović"},
		{"MissingArgumentStays", "en", "layout.signed_in_as", nil, "Signed in as {name}"},
		{"MissingKeyIsKey", "sq", "no.such.key", nil, "no.such.key"},
		{"UnsupportedLanguageIsEnglish", "de", "nav.cases", nil, "Cases"},
		{"TwoPlaceholders", "sr-Latn", "common.page", []any{"page", 2, "pages", 7}, "Stranica 2 od 7"},
		{"GroupedNumber", "sr-Latn", "common.page", []any{"page", 1, "pages", 12345}, "Stranica 1 od 12.345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := i18n.For(tt.lang).T(tt.key, tt.args...)
			if got != tt.want {
				t.Errorf("T(%q) in %s = %q, want %q", tt.key, tt.lang, got, tt.want)
			}
		})
	}
}

func TestN(t *testing.T) {
	tests := []struct {
		lang  i18n.Lang
		count int
		want  string
	}{
		{"en", 0, "0 cases"},
		{"en", 1, "1 case"},
		{"en", 2, "2 cases"},
		{"sq", 1, "1 rast"},
		{"sq", 5, "5 raste"},
		{"sr-Latn", 1, "1 slučaj"},
		{"sr-Latn", 3, "3 slučaja"},
		{"sr-Latn", 5, "5 slučajeva"},
		{"sr-Latn", 11, "11 slučajeva"},
		{"sr-Latn", 12, "12 slučajeva"},
		{"sr-Latn", 21, "21 slučaj"},
		{"sr-Latn", 22, "22 slučaja"},
		{"sr-Latn", 111, "111 slučajeva"},
		{"sr-Cyrl", 24, "24 случаја"},
		{"sr-Cyrl", 1001, "1.001 случај"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.lang, tt.count), func(t *testing.T) {
			if got := i18n.For(tt.lang).N("cases.count", tt.count); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		lang i18n.Lang
		n    int64
		want string
	}{
		{"en", 999, "999"},
		{"en", 1234, "1,234"},
		{"en", -1234567, "-1,234,567"},
		{"sq", 12345, "12\u00a0345"},
		{"sr-Latn", 1000000, "1.000.000"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).Number(tt.n); got != tt.want {
			t.Errorf("Number(%d) in %s = %q, want %q", tt.n, tt.lang, got, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	at := time.Date(2026, time.November, 4, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		lang               i18n.Lang
		wantDate, wantTime string
	}{
		{"en", "4 Nov 2026", "4 Nov 2026, 14:05"},
		{"sq", "04.11.2026", "04.11.2026, 14:05"},
		{"sr-Latn", "04.11.2026.", "04.11.2026. 14:05"},
		{"sr-Cyrl", "04.11.2026.", "04.11.2026. 14:05"},
	}
	for _, tt := range tests {
		p := i18n.For(tt.lang)
		if got := p.Date(at); got != tt.wantDate {
			t.Errorf("Date in %s = %q, want %q", tt.lang, got, tt.wantDate)
		}
		if got := p.DateTime(at); got != tt.wantTime {
			t.Errorf("DateTime in %s = %q, want %q", tt.lang, got, tt.wantTime)
		}
	}
	belgrade := time.FixedZone("CET", 3600)
	if got, want := i18n.For("sq").In(belgrade).DateTime(at), "04.11.2026, 15:05 CET"; got != want {
		t.Errorf("In(CET).DateTime = %q, want %q (the zone shown)", got, want)
	}
	summer, _ := time.LoadLocation("Europe/Belgrade")
	july := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	if got, want := i18n.For("en").In(summer).DateTime(july), "1 Jul 2026, 14:00 CEST"; got != want {
		t.Errorf("In(Europe/Belgrade).DateTime = %q, want %q", got, want)
	}
}

func TestLangName(t *testing.T) {
	want := map[i18n.Lang]string{"en": "English", "sq": "Shqip", "sr-Latn": "Srpski (latinica)", "sr-Cyrl": "Српски (ћирилица)"}
	for _, p := range []*i18n.Printer{i18n.For("en"), i18n.For("sr-Cyrl")} {
		for l, w := range want {
			if got := p.LangName(l); got != w {
				t.Errorf("For(%s).LangName(%s) = %q, want %q", p.Lang(), l, got, w)
			}
		}
	}
}

// TestConcurrentPrinters formats in every language from many goroutines at
// once; run with -race, it shows that requests never share mutable state.
func TestConcurrentPrinters(t *testing.T) {
	want := make(map[i18n.Lang]string)
	for _, l := range i18n.Supported {
		want[l] = i18n.For(l).N("cases.count", 3) + i18n.For(l).T("layout.signed_in_as", "name", "X")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 64 {
		wg.Go(func() {
			for i := range 200 {
				l := i18n.Supported[(g+i)%len(i18n.Supported)]
				p := i18n.For(l)
				got := p.N("cases.count", 3) + p.T("layout.signed_in_as", "name", "X")
				_ = p.In(time.UTC).DateTime(time.Now())
				if got != want[l] {
					errs <- fmt.Sprintf("%s: got %q, want %q", l, got, want[l])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
