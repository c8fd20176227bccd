package linkage_test

import (
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// TestDedupFEBRL holds the engine to the quality the issue asks for on
// the FEBRL benchmark files, at the default threshold.
func TestDedupFEBRL(t *testing.T) {
	tests := []struct {
		file  string
		minF1 float64
	}{
		{"dataset1.csv", 0.98},
		{"dataset2.csv", 0.98},
		{"dataset3.csv", 0.98},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs := febrlRecords(t, tt.file)
			start := time.Now()
			pairs := linkage.Dedup(recs, linkage.Options{})
			q := evaluate(recs, pairs)
			t.Logf("%s: %d records, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d) in %v",
				tt.file, len(recs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, time.Since(start).Round(time.Millisecond))
			if q.f1 < tt.minF1 {
				t.Errorf("F1 = %.4f, want ≥ %.2f", q.f1, tt.minF1)
			}
		})
	}
}

// TestDedupSynthetic holds the engine to F1 ≥ 0.95 on the synthetic
// regional set: Latin and Cyrillic spellings, lost diacritics, swapped
// names and dates, nicknames, and siblings and twins who must stay apart.
func TestDedupSynthetic(t *testing.T) {
	recs := synth.Generate(synth.Options{Families: 1500, Seed: 1})
	start := time.Now()
	pairs := linkage.Dedup(recs, linkage.Options{})
	q := evaluate(recs, pairs)
	t.Logf("synthetic: %d records, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d) in %v",
		len(recs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, time.Since(start).Round(time.Millisecond))
	if q.f1 < 0.95 {
		t.Errorf("F1 = %.4f, want ≥ 0.95", q.f1)
	}
}
