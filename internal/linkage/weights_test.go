package linkage_test

import (
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// columns keeps only some of a record's columns, as registers with fewer
// fields hold them.
func columns(recs []linkage.Record, cfg string) []linkage.Record {
	out := make([]linkage.Record, len(recs))
	for i, r := range recs {
		switch cfg {
		case "six": // the documented columns: no address
			r.Extra = nil
		case "names+date":
			r.Extra, r.Sex, r.Citizenship = nil, "", ""
		case "names+year":
			r.Extra, r.Sex, r.Citizenship = nil, "", ""
			if len(r.BirthDate) >= 4 {
				r.BirthDate = r.BirthDate[:4]
			}
		}
		out[i] = r
	}
	return out
}

// TestWeightsDoNotCollapse: with the address gone (the six documented
// columns) or with names and birth dates only, EM used to settle on the
// household as the match class and report almost nothing (F1 0.001). The
// weights now come from random pairs (u) and bounded EM (m), and every
// column subset must give a usable result at the default threshold.
func TestWeightsDoNotCollapse(t *testing.T) {
	base := synth.Generate(synth.Options{Families: 1500, Seed: 1})
	for _, tt := range []struct {
		cfg   string
		minF1 float64
	}{
		{"all", 0.95},
		{"six", 0.91},
		{"names+date", 0.87},
		{"names+year", 0.4},
	} {
		t.Run(tt.cfg, func(t *testing.T) {
			recs := columns(base, tt.cfg)
			var warned []string
			pairs := linkage.Dedup(recs, linkage.Options{Warn: func(s string) { warned = append(warned, s) }})
			q := evaluate(recs, pairs)
			t.Logf("%s: precision %.4f recall %.4f F1 %.4f (warnings %q)", tt.cfg, q.precision, q.recall, q.f1, warned)
			if q.f1 < tt.minF1 {
				t.Errorf("F1 = %.4f, want ≥ %.2f", q.f1, tt.minF1)
			}
		})
	}
}

// TestWeightsFallBack: a file whose candidate pairs are all one family
// (the same surname and birth year, different given names) gives EM
// nothing but households to learn from; whatever EM makes of it, the
// result must not report the family members as one person, and a
// fallback, if taken, is announced in one line without a value.
func TestWeightsFallBack(t *testing.T) {
	var recs []linkage.Record
	given := []string{"Arta", "Blerta", "Drita", "Fjolla", "Vlora", "Besa", "Lindita", "Shpresa", "Valbona", "Teuta",
		"Albana", "Mimoza", "Dafina", "Jeta", "Donika", "Elona", "Arben", "Besnik", "Driton", "Fatmir", "Agim", "Ilir"}
	for i, g := range given {
		recs = append(recs, linkage.Record{ID: "p" + string(rune('a'+i)), GivenName: g, FamilyName: "Krasniqi", BirthDate: "1990", Citizenship: "XK"})
	}
	var warned []string
	pairs := linkage.Dedup(recs, linkage.Options{Warn: func(s string) { warned = append(warned, s) }})
	if len(pairs) != 0 {
		t.Errorf("family members reported as one person: %v", pairs)
	}
	for _, w := range warned {
		if strings.Contains(w, "\n") || strings.Contains(w, "Krasniqi") {
			t.Errorf("warning %q spans lines or holds a value", w)
		}
	}
}
