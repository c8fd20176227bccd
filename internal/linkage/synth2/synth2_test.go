package synth2

import (
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	a := Generate(Options{People: 500, Seed: 3})
	b := Generate(Options{People: 500, Seed: 3})
	if len(a) != len(b) || len(a) < 550 {
		t.Fatalf("len %d / %d", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].GivenName != b[i].GivenName || a[i].BirthDate != b[i].BirthDate {
			t.Fatalf("record %d differs between runs", i)
		}
	}
	pa, pb := TwoParty(a, 1)
	if len(pa)+len(pb) >= len(a) || len(pa) == 0 || len(pb) == 0 {
		t.Errorf("two-party split %d + %d of %d", len(pa), len(pb), len(a))
	}
}
