package linkage_test

import (
	"math"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b     string
		jaro, jw float64
	}{
		// Reference values from Winkler's papers and common test suites.
		{"martha", "marhta", 0.9444, 0.9611},
		{"dwayne", "duane", 0.8222, 0.8400},
		{"dixon", "dicksonx", 0.7667, 0.8133},
		{"jones", "johnson", 0.7905, 0.8324},
		{"", "", 1, 1},
		{"abc", "", 0, 0},
		{"abc", "xyz", 0, 0},
		{"same", "same", 1, 1},
		{"đorđe", "đorđa", 0.8667, 0.9200}, // runes, not bytes
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := linkage.Jaro(tt.a, tt.b); math.Abs(got-tt.jaro) > 1e-4 {
				t.Errorf("Jaro = %.4f, want %.4f", got, tt.jaro)
			}
			if got := linkage.JaroWinkler(tt.a, tt.b); math.Abs(got-tt.jw) > 1e-4 {
				t.Errorf("JaroWinkler = %.4f, want %.4f", got, tt.jw)
			}
			if got, want := linkage.JaroWinkler(tt.b, tt.a), linkage.JaroWinkler(tt.a, tt.b); got != want {
				t.Errorf("not symmetric: %.4f vs %.4f", got, want)
			}
		})
	}
}
