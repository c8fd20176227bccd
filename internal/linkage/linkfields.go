package linkage

import (
	"math"
	"math/rand/v2"
	"sort"
)

// DefaultFieldLinkThreshold is the match probability at which LinkFields
// takes two records for the same person: the same as Dedup's.
const DefaultFieldLinkThreshold = DefaultThreshold

// maxFieldBlock caps one side of a block in LinkFields: a blocking key
// shared by more records than this on either side is too common to be
// worth comparing all of its pairs, and the other keys still bring the
// true pairs together.
const maxFieldBlock = 300

// LinkFields links two parties' field-filter CLKs (a schema with
// FieldFilters; fields names the filters in order, segBytes is one
// filter's length). Candidates come from blocks of identical filters of
// the derived features (phonetic codes with the birth year, both phonetic
// codes, the full date, the year with the day–month pair): equal filters
// mean equal values, and no plaintext is needed. Each candidate pair is
// compared filter by filter, scored with a Fellegi–Sunter model fitted to
// these two files (u from random pairs across the parties, m by bounded EM
// over the candidates, falling back to the documented defaults), and
// accepted greedily from the best score down, one-to-one, at or above
// threshold (0 or less: DefaultFieldLinkThreshold). warn receives the
// model's one-line warnings. Matches are returned in order of A.
func LinkFields(a, b []CLK, fields []string, segBytes int, threshold float64, warn func(string)) []Match {
	if threshold <= 0 || threshold > 1 {
		threshold = DefaultFieldLinkThreshold
	}
	if len(a) == 0 || len(b) == 0 || segBytes <= 0 {
		return nil
	}
	lay := newFieldLayout(fields, segBytes)
	nExtra := lay.extrasOf()
	levels := levelCounts(nExtra)
	width := len(levels)
	cands := fieldCandidates(a, b, &lay)
	gammas := make([]int8, len(cands)*width)
	parallel(len(cands), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			lay.compareFields(a[cands[c][0]].Bits, b[cands[c][1]].Bits, gammas[c*width:(c+1)*width])
		}
	})
	md := fitLinkModel(a, b, &lay, gammas, levels, threshold, warn)
	type scored struct {
		i, j int
		p    float64
	}
	var found []scored
	for c, ij := range cands {
		if p := md.probability(gammas[c*width : (c+1)*width]); p >= threshold {
			found = append(found, scored{ij[0], ij[1], p})
		}
	}
	sort.Slice(found, func(x, y int) bool {
		if found[x].p != found[y].p {
			return found[x].p > found[y].p
		}
		if found[x].i != found[y].i {
			return found[x].i < found[y].i
		}
		return found[x].j < found[y].j
	})
	usedA, usedB := make([]bool, len(a)), make([]bool, len(b))
	var out []Match
	for _, f := range found {
		if usedA[f.i] || usedB[f.j] {
			continue
		}
		usedA[f.i], usedB[f.j] = true, true
		out = append(out, Match{A: a[f.i].ID, B: b[f.j].ID, Score: f.p})
	}
	sort.Slice(out, func(x, y int) bool {
		if out[x].A != out[y].A {
			return out[x].A < out[y].A
		}
		return out[x].B < out[y].B
	})
	return out
}

// fitLinkModel fits the model as Dedup's fitModel does, with u from
// random pairs of one record of each party and the prior over the
// |A|·|B| pairs.
func fitLinkModel(a, b []CLK, lay *fieldLayout, gammas []int8, levels []int, thr float64, warn func(string)) *model {
	width := len(levels)
	allPairs := float64(len(a)) * float64(len(b))
	register := int(math.Sqrt(allPairs*2)) + 1
	if len(gammas)/width < minEMPairs {
		return defaultModel(levels, register)
	}
	n := int(min(allPairs, float64(randomSamples(len(a)+len(b)))))
	rng := rand.New(rand.NewPCG(uint64(len(a))<<32|uint64(len(b)), 0x11f))
	random := make([]int8, n*width)
	pairs := make([][2]int, n)
	for k := range pairs {
		pairs[k] = [2]int{rng.IntN(len(a)), rng.IntN(len(b))}
	}
	parallel(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			lay.compareFields(a[pairs[k][0]].Bits, b[pairs[k][1]].Bits, random[k*width:(k+1)*width])
		}
	})
	u := uFromGammas(random, levels)
	pats := collectPatterns(gammas, width)
	md, expected := fitEM(pats, levels, 100, u, nil, allPairs)
	md.groupExtras(pats, collectPatterns(random, width))
	if why := md.insane(expected, min(len(a), len(b)), thr, levelMissing); why != "" {
		if warn != nil {
			warn("linkage: the weights estimated from these files fail a sanity check (" + why + "); using the documented default weights")
		}
		return defaultModel(levels, register)
	}
	return md
}

// fieldCandidates returns the pairs (index in a, index in b) sharing at
// least one blocking key, each once, in a fixed order.
func fieldCandidates(a, b []CLK, lay *fieldLayout) [][2]int {
	keys := func(c []byte, dst []string) []string {
		dst = dst[:0]
		seg := func(i int) string {
			s := lay.segment(c, i)
			if s == nil || (CLK{Bits: s}).Popcount() == 0 {
				return ""
			}
			return string(s)
		}
		gp, fp, y, dm, d := seg(lay.givenPh), seg(lay.familyPh), seg(lay.year), seg(lay.daymonth), seg(lay.date)
		if y != "" {
			// The phonetic filters share one key, so a given name meets
			// the same name registered as a family name.
			for _, p := range []string{gp, fp} {
				if p != "" {
					dst = append(dst, "PY"+p+y)
				}
			}
			if dm != "" {
				dst = append(dst, "YD"+y+dm)
			}
		}
		if gp != "" && fp != "" {
			x, z := gp, fp
			if x > z {
				x, z = z, x
			}
			dst = append(dst, "PP"+x+z)
		}
		if d != "" {
			dst = append(dst, "D"+d)
		}
		if gp != "" && dm != "" {
			dst = append(dst, "GD"+gp+dm)
		}
		return dst
	}
	blocksA := map[string][]int{}
	var ks []string
	for i := range a {
		ks = keys(a[i].Bits, ks)
		for _, k := range ks {
			blocksA[k] = append(blocksA[k], i)
		}
	}
	blocksB := map[string][]int{}
	for j := range b {
		ks = keys(b[j].Bits, ks)
		for _, k := range ks {
			blocksB[k] = append(blocksB[k], j)
		}
	}
	seen := map[[2]int]bool{}
	var out [][2]int
	for k, as := range blocksA {
		bs := blocksB[k]
		if len(bs) == 0 || len(as) > maxFieldBlock || len(bs) > maxFieldBlock {
			continue
		}
		for _, i := range as {
			for _, j := range bs {
				p := [2]int{i, j}
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	sort.Slice(out, func(x, y int) bool {
		if out[x][0] != out[y][0] {
			return out[x][0] < out[y][0]
		}
		return out[x][1] < out[y][1]
	})
	return out
}
