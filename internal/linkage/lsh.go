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

// lshPlan is the shape LSH would take on two sets, and the estimated
// cost (in nanoseconds of one core) of LSH and of the exact band scan.
type lshPlan struct {
	k, bands          int
	pool              []int32
	lshCost, scanCost float64
}

// planLSH chooses k and L. The collision rate of two CLKs in one band is
// estimated from a sample of real pairs — (1 − h/n)^k averaged over
// their Hamming distances h — rather than from bit frequencies alone:
// people of one population share many bigrams, and the pairs of
// moderately similar CLKs dominate the work.
func planLSH(sa, sb *clkSet, nbits int, thr float64) lshPlan {
	var pool []int32 // informative bits: neither (almost) always set nor never
	ones := make([]int, nbits)
	for j := 0; j < sb.len(); j += max(1, sb.len()/4096) {
		row := sb.row(j)
		for p := 0; p < nbits; p++ {
			ones[p] += int(row[p>>6] >> (p & 63) & 1)
		}
	}
	seen := (sb.len() + max(1, sb.len()/4096) - 1) / max(1, sb.len()/4096)
	for p, c := range ones {
		if f := float64(c) / float64(max(1, seen)); f > 0.001 && f < 0.999 {
			pool = append(pool, int32(p))
		}
	}
	if len(pool) == 0 {
		pool = []int32{0}
	}
	pops := append(append([]int32(nil), sa.pop...), sb.pop...)
	slices.Sort(pops)
	p95 := float64(pops[len(pops)*95/100])
	q := 1 - 2*p95*(1-thr)/float64(nbits)
	q = min(max(q, 0.05), 0.999)

	// Hamming distances of sampled pairs, and the share of pairs inside
	// the popcount band (what the exact scan compares).
	rng := rand.New(rand.NewPCG(0x5a4, uint64(nbits)))
	const samples = 4096
	agree := make([]float64, 0, samples)
	inBand := 0
	for s := 0; s < samples; s++ {
		x, y := rng.IntN(sa.len()), rng.IntN(sb.len())
		pa, pb := float64(sa.pop[x]), float64(sb.pop[y])
		if pa == 0 || pb == 0 {
			continue
		}
		if r := pa / pb; r >= thr/(2-thr) && r <= (2-thr)/thr {
			inBand++
		}
		c := andCount(sa.row(x), sb.row(y))
		h := pa + pb - 2*float64(c)
		agree = append(agree, 1-h/float64(nbits))
	}
	na, nb := float64(sa.len()), float64(sb.len())
	pl := lshPlan{k: 1, bands: 1, pool: pool, lshCost: math.Inf(1)}
	pl.scanCost = na * nb * float64(inBand) / float64(max(1, len(agree))) * scanPairNs
	for k := 4; k <= min(60, len(pool)); k++ {
		hit := math.Pow(q, float64(k))
		l := math.Ceil(math.Log(lshMiss) / math.Log1p(-hit))
		if l > 400 || math.IsNaN(l) {
			continue
		}
		coll := 0.0
		for _, a := range agree {
			coll += math.Pow(a, float64(k))
		}
		coll /= float64(max(1, len(agree)))
		cost := l * (coll*na*nb*lshPairNs + (na+nb)*lshBandNs)
		if cost < pl.lshCost {
			pl.k, pl.bands, pl.lshCost = k, int(l), cost
		}
	}
	return pl
}

// Costs per unit of work, in nanoseconds on one core of the reference
// machine (docs/benchmarks.md, "Linkage speed"): one pair of the exact
// scan, one candidate of LSH (a random row, not a contiguous one), and
// one record in one band (its key and a binary search).
const (
	scanPairNs = 2.5
	lshPairNs  = 60
	lshBandNs  = 150
)

func newLSHIndex(sa, sb *clkSet, nbits int, thr float64) *lshIndex {
	return buildLSH(sb, planLSH(sa, sb, nbits, thr), nbits)
}

func buildLSH(sb *clkSet, pl lshPlan, nbits int) *lshIndex {
	pool := pl.pool
	ix := &lshIndex{k: pl.k, bands: pl.bands}
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
func (ix *lshIndex) scan(dst []linkCand, x int, q []uint64, qp int, sb *clkSet, minC []int32, lo, hi int, stamp []int32) []linkCand {
	for b := 0; b < ix.bands; b++ {
		key := ix.key(b, q)
		keys := ix.keys[b]
		s, _ := slices.BinarySearch(keys, key)
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
