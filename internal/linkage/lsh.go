package linkage

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// lshIndex is bit-sampling LSH over CLKs (Indyk and Motwani's scheme for
// the Hamming distance): each of L bands samples k bit positions, and two
// CLKs are candidates when they agree on every sampled bit of at least one
// band. A pair at Dice t with popcounts p, p differs in h = 2p(1−t) bits
// of n, so it agrees on one sampled bit with probability q = 1 − h/n and
// is missed by all bands with probability (1 − q^k)^L. k and L are chosen
// from the data for a miss rate of at most lshMiss at the threshold (pairs
// above the threshold are missed less often), at the least expected work.
type lshIndex struct {
	k, bands int
	pos      [][]int32 // sampled bit positions per band
	keys     [][]uint64
	idx      [][]int32 // per band, B's rows sorted by key
}

// lshMiss is the target probability of missing a pair exactly at the
// threshold with the popcount of the 95th percentile.
const lshMiss = 0.002

func newLSHIndex(sa, sb *clkSet, nbits int, thr float64) *lshIndex {
	// Bit frequencies over B, and the popcount at the 95th percentile of
	// both parties.
	freq := make([]float64, nbits)
	for j := 0; j < sb.len(); j++ {
		row := sb.row(j)
		for p := 0; p < nbits; p++ {
			if row[p>>6]>>(p&63)&1 != 0 {
				freq[p]++
			}
		}
	}
	var pool []int32 // informative bits: neither always set nor never
	pr := 0.0        // agreement of two random CLKs on a pooled bit
	for p := range freq {
		f := freq[p] / float64(max(1, sb.len()))
		if f > 0.001 && f < 0.999 {
			pool = append(pool, int32(p))
			pr += f*f + (1-f)*(1-f)
		}
	}
	if len(pool) == 0 {
		pool = append(pool, 0)
		pr = 1
	}
	pr /= float64(len(pool))
	pops := append(append([]int32(nil), sa.pop...), sb.pop...)
	slices.Sort(pops)
	p95 := float64(pops[len(pops)*95/100])
	q := 1 - 2*p95*(1-thr)/float64(nbits)
	q = min(max(q, 0.05), 0.999)

	na, nb := float64(sa.len()), float64(sb.len())
	bestK, bestL, bestCost := 1, 1, math.Inf(1)
	for k := 4; k <= min(60, len(pool)); k++ {
		hit := math.Pow(q, float64(k))
		l := math.Ceil(math.Log(lshMiss) / math.Log1p(-hit))
		if l > 400 || math.IsNaN(l) {
			continue
		}
		// A comparison costs about as much as handling one record in
		// one band (a key and a binary search).
		cost := l * (math.Pow(pr, float64(k))*na*nb + 20*(na+nb))
		if cost < bestCost {
			bestK, bestL, bestCost = k, int(l), cost
		}
	}
	ix := &lshIndex{k: bestK, bands: bestL}
	rng := rand.New(rand.NewPCG(0x15b, uint64(nbits)))
	for b := 0; b < ix.bands; b++ {
		perm := rng.Perm(len(pool))
		pos := make([]int32, 0, ix.k)
		for _, i := range perm[:min(ix.k, len(pool))] {
			pos = append(pos, pool[i])
		}
		slices.Sort(pos)
		ix.pos = append(ix.pos, pos)
	}
	ix.keys = make([][]uint64, ix.bands)
	ix.idx = make([][]int32, ix.bands)
	parallel(ix.bands, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			keys := make([]uint64, sb.len())
			idx := make([]int32, sb.len())
			for j := range keys {
				keys[j] = ix.key(b, sb.row(j))
				idx[j] = int32(j)
			}
			sort.Slice(idx, func(x, y int) bool {
				if keys[idx[x]] != keys[idx[y]] {
					return keys[idx[x]] < keys[idx[y]]
				}
				return idx[x] < idx[y]
			})
			sorted := make([]uint64, len(keys))
			for k, j := range idx {
				sorted[k] = keys[j]
			}
			ix.keys[b], ix.idx[b] = sorted, idx
		}
	})
	return ix
}

// key is the band's sampled bits of one row.
func (ix *lshIndex) key(band int, row []uint64) uint64 {
	var k uint64
	for _, p := range ix.pos[band] {
		k = k<<1 | row[p>>6]>>(p&63)&1
	}
	return k
}

// scan appends the pairs (x, j) with Dice ≥ thr among the rows j of sb
// that share a band with q and whose popcount is in [lo, hi]. stamp
// (one per worker, len(sb)) marks the rows already compared with x.
func (ix *lshIndex) scan(dst []linkCand, x int, q []uint64, qp int, sb *clkSet, minC []int32, lo, hi int, thr float64, stamp []int32) []linkCand {
	for b := 0; b < ix.bands; b++ {
		key := ix.key(b, q)
		keys := ix.keys[b]
		s := sort.Search(len(keys), func(i int) bool { return keys[i] >= key })
		for e := s; e < len(keys) && keys[e] == key; e++ {
			j := ix.idx[b][e]
			if stamp[j] == int32(x) {
				continue
			}
			stamp[j] = int32(x)
			pb := int(sb.pop[j])
			if pb < lo || pb > hi {
				continue
			}
			if c := andCount(q, sb.row(int(j))); int32(c) >= minC[pb] {
				dst = append(dst, linkCand{int32(x), j, 2 * float64(c) / float64(qp+pb)})
			}
		}
	}
	return dst
}
