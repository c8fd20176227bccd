package linkage

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// communityRecords draws people from communities with their own given and
// family names (as in the region: a Serbian first name goes with a
// Serbian surname), or, with mixed, every name from one shared list.
func communityRecords(n int, mixed bool) []prepared {
	rng := rand.New(rand.NewPCG(7, 7))
	const communities, names = 6, 15
	recs := make([]prepared, n)
	for i := range recs {
		c, c2 := rng.IntN(communities), rng.IntN(communities)
		if !mixed {
			c2 = c
		}
		r := Record{
			ID:         fmt.Sprint(i),
			GivenName:  fmt.Sprintf("given%c%c", 'a'+c, 'a'+rng.IntN(names)),
			FamilyName: fmt.Sprintf("family%c%c", 'a'+c2, 'a'+rng.IntN(names)),
			BirthDate:  fmt.Sprintf("%04d-%02d-%02d", 1960+rng.IntN(45), 1+rng.IntN(12), 1+rng.IntN(28)),
		}
		recs[i] = prepare(r, nil)
	}
	return recs
}

// TestJointNameU: where names come from communities, two people sharing a
// given name share a family name far more often than the product of the
// two rates (here six times: one community in six); where they do not,
// the joint estimate stays at the product.
func TestJointNameU(t *testing.T) {
	for _, tt := range []struct {
		mixed    bool
		min, max float64
	}{
		{false, 4, 9},
		{true, 0.7, 1.5},
	} {
		recs := communityRecords(6000, tt.mixed)
		levels := dedupLevelCounts(0)
		u, random := randomU(recs, levels)
		dep := jointNameU(recs, random, len(levels), u)
		if dep == nil {
			t.Fatalf("mixed=%v: no joint estimate from 6,000 records", tt.mixed)
		}
		lift := dep.u[levelExact][levelExact] / (u[fieldGiven][levelExact] * u[fieldFamily][levelExact])
		t.Logf("mixed=%v: both names exact among different people %.3g, product %.3g, lift %.2f",
			tt.mixed, dep.u[levelExact][levelExact], u[fieldGiven][levelExact]*u[fieldFamily][levelExact], lift)
		if lift < tt.min || lift > tt.max {
			t.Errorf("mixed=%v: lift %.2f, want %.1f–%.1f", tt.mixed, lift, tt.min, tt.max)
		}
		sum := 0.0
		for _, row := range dep.u {
			for _, v := range row {
				sum += v
			}
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("joint u sums to %v", sum)
		}
	}
	// Too few dates to condition on: no joint estimate, the independent
	// model is kept.
	recs := communityRecords(200, false)
	for i := range recs {
		recs[i].dateOK = false
	}
	levels := dedupLevelCounts(0)
	u, random := randomU(recs, levels)
	if dep := jointNameU(recs, random, len(levels), u); dep != nil {
		t.Error("joint estimate without birth dates")
	}
}

func TestDedupDateLevel(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int8
	}{
		{"1990-05-17", "1990-05-17", dateExact},
		{"1990-05-07", "1990-07-05", dateSwap},
		{"1990-05-17", "1990-05-18", dateDigit},
		{"1990-05-17", "1990-05-29", dateConflict}, // same year and month, another day
		{"1990-05-17", "1997-05-17", dateDigit},    // one digit of the year
		{"1990-05-17", "1909-05-17", dateDigit},    // two adjacent digits of the year swapped
		{"1990-05-17", "1985-05-17", dateConflict}, // the same birthday five years off
		{"1990-05-17", "1990", datePartial},
		{"1990-05-17", "1991", dateYearOff}, // a year from an age
		{"1990", "1989", dateYearOff},
		{"1990-05", "1990-05", datePartial},
		{"1990-05-17", "1990-06", levelDisagree},
		{"1990-05-17", "", levelMissing},
	} {
		a, _ := ParseDate(tt.a)
		b, _ := ParseDate(tt.b)
		if got := dedupDateLevel(a, b); got != tt.want {
			t.Errorf("%s vs %s: level %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := dedupDateLevel(b, a); got != tt.want {
			t.Errorf("%s vs %s: level %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestSplitDateM: the coarse date levels keep their documented m and the
// data decide only how it divides inside each.
func TestSplitDateM(t *testing.T) {
	prior, _ := defaultLevels(fieldDate, dateLevels)
	counts := []float64{5, 10, 0, 400, 1000, 10, 5000}
	splitDateM(counts, prior)
	var got, want [5]float64
	for l, c := range dateCoarse {
		got[c] += counts[l]
		want[c] += prior[l]
	}
	for c := range got {
		if d := got[c] - want[c]; d > 1e-12 || d < -1e-12 {
			t.Errorf("coarse level %d: m %.6f, want the documented %.6f", c, got[c], want[c])
		}
	}
	// Many more one-digit errors than swaps among matches: the split
	// follows the data.
	if counts[dateDigit] < 5*counts[dateSwap] {
		t.Errorf("one digit %.4f, swap %.4f: want the split to follow the counts", counts[dateDigit], counts[dateSwap])
	}
	// A year off seen by no pair still keeps part of the prior.
	if counts[dateYearOff] <= 0 {
		t.Errorf("a year off: m %.6f, want > 0", counts[dateYearOff])
	}
}
