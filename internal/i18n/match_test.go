package i18n_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		header string
		want   i18n.Lang
	}{
		{"", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"de-DE", "en"},
		{"mk", "en"},
		{"sq", "sq"},
		{"sq-XK,sq;q=0.9,en;q=0.5", "sq"},
		{"sq-AL", "sq"},
		{"de, sq;q=0.5", "sq"},
		{"sr", "sr-Cyrl"},
		{"sr-RS", "sr-Cyrl"},
		{"sr-XK", "sr-Cyrl"},
		{"sr-Cyrl-BA", "sr-Cyrl"},
		{"sr-Latn", "sr-Latn"},
		{"sr-Latn-RS", "sr-Latn"},
		{"sr-ME", "sr-Latn"},
		{"sh", "sr-Latn"},
		{"hr-HR,hr;q=0.9,en;q=0.8", "sr-Latn"},
		{"bs", "sr-Latn"},
		{"bs-Cyrl", "sr-Cyrl"},
		{"cnr", "sr-Latn"},
		{"en;q=0.5, sr-Latn;q=0.8", "sr-Latn"},
		{"*", "en"},
		{";;;garbage", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := i18n.Match(tt.header); got != tt.want {
				t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   i18n.Lang
		wantOK bool
	}{
		{"en", "en", true},
		{"SQ", "sq", true},
		{"sr-Latn", "sr-Latn", true},
		{"sr-latn", "sr-Latn", true},
		{"sr_Latn", "sr-Latn", true},
		{"SR-CYRL", "sr-Cyrl", true},
		{"sr", "sr-Cyrl", true},
		{"sq-XK", "", false},
		{"de", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := i18n.Parse(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Parse(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
