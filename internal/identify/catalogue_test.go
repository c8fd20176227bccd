package identify_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/identify"
)

// TestCatalogueCounts holds the lists to DOMAIN.md: the adult lists have the
// 10/10/16/9/15/7 slots of §1.1; the child lists as given in §1.3 lack "false
// information about law" (D3) and "no social protection" (D4).
func TestCatalogueCounts(t *testing.T) {
	want := map[identify.Profile][identify.NumDimensions]int{
		identify.AdultLabour: {10, 10, 16, 9, 15, 7},
		identify.AdultSexual: {10, 10, 16, 9, 15, 7},
		identify.ChildLabour: {10, 10, 15, 8, 15, 7},
		identify.ChildSexual: {10, 10, 15, 8, 15, 7},
	}
	c := identify.Default()
	for _, p := range identify.Profiles {
		var got [identify.NumDimensions]int
		for _, in := range c.Indicators(p) {
			got[in.Dimension-1]++
		}
		if got != want[p] {
			t.Errorf("%s: counts per dimension %v, want %v", p, got, want[p])
		}
	}
}

var idRE = regexp.MustCompile(`^(al|as|cl|cs)\.d[1-6]\.[a-z][a-z0-9_]+$`)

func TestCatalogueIndicators(t *testing.T) {
	c := identify.Default()
	if c.Version == "" {
		t.Error("no version")
	}
	seen := map[string]bool{}
	for _, p := range identify.Profiles {
		for _, in := range c.Indicators(p) {
			if seen[in.ID] {
				t.Errorf("%s twice", in.ID)
			}
			seen[in.ID] = true
			if !idRE.MatchString(in.ID) || !strings.HasPrefix(in.ID[3:], "d"+in.Dimension.String()[1:]+".") {
				t.Errorf("%s: id does not match its dimension %s", in.ID, in.Dimension)
			}
			if !in.Dimension.Valid() || in.Weight < identify.Weak || in.Weight > identify.Strong {
				t.Errorf("%s: dimension %d, weight %d", in.ID, in.Dimension, in.Weight)
			}
			if got, ok := c.Indicator(in.ID); !ok || got != in {
				t.Errorf("%s: not found by id", in.ID)
			}
			for _, l := range i18n.Supported {
				if strings.TrimSpace(in.Label(l)) == "" {
					t.Errorf("%s: no %s label", in.ID, l)
				}
			}
			for _, r := range in.Label(i18n.SerbianCyrillic) {
				if r < unicode.MaxASCII && unicode.IsLetter(r) {
					t.Errorf("%s: Cyrillic label %q has Latin letters", in.ID, in.Label(i18n.SerbianCyrillic))
					break
				}
			}
			if in.Label(i18n.Albanian) == in.Label(i18n.English) {
				t.Errorf("%s: Albanian label is the English one", in.ID)
			}
		}
	}
}

// TestCatalogueWeights spot-checks the weights DOMAIN.md singles out, and that
// its [R] and "?" weights are flagged as data.
func TestCatalogueWeights(t *testing.T) {
	c := identify.Default()
	tests := []struct {
		id         string
		weight     identify.Weight
		confidence string
	}{
		{"al.d2.confiscation_of_documents", identify.Medium, "S"}, // M at recruitment…
		{"al.d5.confiscation_of_documents", identify.Strong, "S"}, // …S at destination
		{"al.d1.deceived_education", identify.Weak, "S"},          // W for adults…
		{"cl.d1.deceived_education", identify.Strong, "S"},        // …S for children
		{"al.d4.excessive_hours", identify.Strong, "S"},
		{"as.d4.excessive_hours", identify.Medium, "R"},
		{"as.d2.abduction_forced_marriage_sale", identify.Strong, "R"},
		{"as.d5.forced_tasks_or_clients", identify.Strong, "R"},
		{"as.d3.difficulties_in_past", identify.Weak, "R"},
		{"cs.d4.hazardous_work", identify.Strong, "R"},
		{"cl.d4.hazardous_work", identify.Medium, "S"},
	}
	for _, tt := range tests {
		in, ok := c.Indicator(tt.id)
		if !ok {
			t.Errorf("%s missing", tt.id)
			continue
		}
		if in.Weight != tt.weight || in.Confidence != tt.confidence {
			t.Errorf("%s: %s/%s, want %s/%s", tt.id, in.Weight, in.Confidence, tt.weight, tt.confidence)
		}
	}
	for _, in := range c.Indicators(identify.ChildLabour) {
		if in.Weight == identify.Weak {
			t.Errorf("%s is weak; DOMAIN: the CL list has no weak ratings", in.ID)
		}
	}
	for _, p := range []identify.Profile{identify.AdultSexual, identify.ChildSexual} {
		for _, in := range c.Indicators(p) {
			if in.Confidence != identify.ConfidenceReconstructed {
				t.Errorf("%s: confidence %s, want R (DOMAIN gives the sexual lists as reconstructed)", in.ID, in.Confidence)
			}
		}
	}
}

func TestParseCatalogueRejects(t *testing.T) {
	good, err := os.ReadFile("catalogue/indicators-2009.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identify.ParseCatalogue(good); err != nil {
		t.Fatalf("the embedded file: %v", err)
	}
	s := string(good)
	tests := []struct{ name, old, new string }{
		{"UnknownWeight", `"weight": "weak"`, `"weight": "feeble"`},
		{"UnknownConfidence", `"confidence": "S"`, `"confidence": "X"`},
		{"MissingLabel", `"sq": "Pa qasje në arsim", `, ``},
		{"UnknownField", `"version"`, `"colour": 1, "version"`},
		{"NoVersion", `"version": "ilo-ec-2009.1"`, `"version": ""`},
		{"UnlabelledItem", `{"item": "deceived_wages"`, `{"item": "nowhere"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(s, tt.old, tt.new, 1)
			if bad == s {
				t.Fatalf("the test's replacement %q does not occur", tt.old)
			}
			if _, err := identify.ParseCatalogue([]byte(bad)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestMessageKeys fails when a key the package builds at run time is missing
// from a UI catalogue.
func TestMessageKeys(t *testing.T) {
	for _, l := range i18n.Supported {
		have := map[string]bool{}
		for _, e := range i18n.Catalogue(l) {
			have[e.Key] = true
		}
		for _, k := range identify.MessageKeys() {
			if !have[k] {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}
