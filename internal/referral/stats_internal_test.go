package referral

import "testing"

// TestMedianOf: the median from counts per value, odd and even totals.
func TestMedianOf(t *testing.T) {
	for _, c := range []struct {
		counts map[int64]int64
		want   float64
	}{
		{map[int64]int64{}, 0},
		{map[int64]int64{5: 1}, 5},
		{map[int64]int64{1: 1, 3: 1}, 2},
		{map[int64]int64{1: 2, 10: 1}, 1},
		{map[int64]int64{1: 1, 4: 2, 100: 1}, 4},
		{map[int64]int64{2: 3, 8: 3}, 5},
	} {
		if got := medianOf(c.counts); got != c.want {
			t.Errorf("medianOf(%v) = %v, want %v", c.counts, got, c.want)
		}
	}
}
