package linkage_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth2"
)

// synth2People is the size of the independent generator's set in the
// quality tests: 6,000 people (about 8,000 registrations) in CI,
// URA_LINKAGE_PEOPLE for a larger run.
func synth2People(tb testing.TB) int {
	if v := os.Getenv("URA_LINKAGE_PEOPLE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			tb.Fatalf("URA_LINKAGE_PEOPLE=%q: want a number ≥ 100", v)
		}
		return n
	}
	return 6000
}

// TestDedupGeneralises holds the engine, with no tuning for this data, to
// quality on the independent generator (package synth2: other names,
// other errors, other households) in three column configurations.
func TestDedupGeneralises(t *testing.T) {
	base := synth2.Generate(synth2.Options{People: synth2People(t), Seed: 11})
	for _, tt := range []struct {
		cfg   string
		minF1 float64
	}{
		{"all", 0.98},
		{"six", 0.965},
		// 0.969 before the finer birth-date levels on this seed, 0.964
		// after; on the held-out seed 12 at 20,659 records the coarser
		// model fell to 0.875 (a whole class of pairs at 0.896, just under
		// the threshold) and the finer one holds at 0.960.
		{"names+date", 0.96},
	} {
		t.Run(tt.cfg, func(t *testing.T) {
			recs := columns(base, tt.cfg)
			start := time.Now()
			pairs := linkage.Dedup(recs, linkage.Options{Warn: func(s string) { t.Log(s) }})
			q := evaluate(recs, pairs)
			t.Logf("synth2 %s: %d records, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d) in %v",
				tt.cfg, len(recs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, time.Since(start).Round(time.Millisecond))
			if q.f1 < tt.minF1 {
				t.Errorf("F1 = %.4f, want ≥ %.3f", q.f1, tt.minF1)
			}
		})
	}
}

// TestDedupHeldOut holds the engine to quality on a seed of the
// independent generator it was never developed on (seed 12; the engine was
// tuned on seed 11). Before the seven birth-date levels, names and dates
// on this seed fell to F1 0.875 at 20,659 records: a whole class of pairs
// scored 0.896, just under the threshold.
func TestDedupHeldOut(t *testing.T) {
	base := synth2.Generate(synth2.Options{People: synth2People(t), Seed: 12})
	for _, tt := range []struct {
		cfg   string
		minF1 float64
	}{
		{"all", 0.98},
		{"six", 0.96},
		{"names+date", 0.955},
	} {
		t.Run(tt.cfg, func(t *testing.T) {
			recs := columns(base, tt.cfg)
			q := evaluate(recs, linkage.Dedup(recs, linkage.Options{Warn: func(s string) { t.Log(s) }}))
			t.Logf("synth2 seed 12 %s: %d records, precision %.4f recall %.4f F1 %.4f", tt.cfg, len(recs), q.precision, q.recall, q.f1)
			if q.f1 < tt.minF1 {
				t.Errorf("F1 = %.4f, want ≥ %.3f", q.f1, tt.minF1)
			}
		})
	}
}

// TestDedupOrderIndependent: in a small register u is counted over every
// pair, so the pairs found do not depend on the order of the records (the
// duplicate job reads persons in the order of their random ids).
func TestDedupOrderIndependent(t *testing.T) {
	recs := columns(synth2.Generate(synth2.Options{People: 900, Seed: 5}), "six")
	want := linkage.Dedup(recs, linkage.Options{Warn: func(string) {}})
	rev := make([]linkage.Record, len(recs))
	for i, r := range recs {
		rev[len(recs)-1-i] = r
	}
	got := linkage.Dedup(rev, linkage.Options{Warn: func(string) {}})
	if len(got) != len(want) {
		t.Fatalf("%d pairs in reverse order, %d in order", len(got), len(want))
	}
	for i := range got {
		if got[i].A != want[i].A || got[i].B != want[i].B {
			t.Fatalf("pair %d: %v in reverse order, %v in order", i, got[i], want[i])
		}
	}
}
