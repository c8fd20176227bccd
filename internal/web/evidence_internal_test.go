package web

import (
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

// TestEvidenceWords: every code the duplicate scan writes (dedup/keys.go's
// evidence) reads as words in every language, and odd input shows nothing
// raw.
func TestEvidenceWords(t *testing.T) {
	levels := []string{"exact", "close", "fuzzy", "differ", "missing", "partial", "near", "same"}
	for _, lang := range i18n.Supported {
		p := i18n.For(lang)
		for _, field := range []string{"given", "family", "birth", "sex"} {
			for _, lv := range levels {
				items := evidenceItems(field + "=" + lv + "_swapped,x=y")
				if len(items) != 2 || items[0].Field != field || items[0].Level != lv || !items[0].Swapped {
					t.Fatalf("evidenceItems(%s=%s_swapped) = %+v", field, lv, items)
				}
				for _, k := range []string{"dedup.evidence." + field, "dedup.level." + lv, "dedup.level.swapped"} {
					if got := p.T(k); got == k || strings.Contains(got, "=") {
						t.Errorf("%s: %s has no words (%q)", lang, k, got)
					}
				}
			}
		}
	}
	for _, bad := range []string{"", "given", "given=", "=exact", "Given=exact", "given=<b>"} {
		if got := evidenceItems(bad); len(got) != 0 {
			t.Errorf("evidenceItems(%q) = %+v, want nothing", bad, got)
		}
	}
}
