package linkage

import "fmt"

// LinkCandidatePairs exposes Link's candidate generation to the external
// tests: every pair at Dice ≥ threshold (exact), or those LSH finds.
func LinkCandidatePairs(a, b []CLK, threshold float64, useLSH bool) [][2]int {
	mode := linkExact
	if useLSH {
		mode = linkLSH
	}
	cs := linkCandidates(a, b, threshold, mode)
	out := make([][2]int, len(cs))
	for k, c := range cs {
		out[k] = [2]int{int(c.i), int(c.j)}
	}
	return out
}

// LSHShape is the number of bits per band and of bands LSH would choose,
// and its estimated cost against the exact scan's.
func LSHShape(a, b []CLK, threshold float64) (k, bands int, lshCost, scanCost float64) {
	words := clkWords(maxCLKBytes(a, b))
	pl := planLSH(newCLKSet(a, words), newCLKSet(b, words), maxCLKBytes(a, b)*8, threshold)
	return pl.k, pl.bands, pl.lshCost, pl.scanCost
}

// Explainer fits Dedup's model on records and returns, for any two of
// them (by index), the comparison vector, the match probability and
// whether the pair was a blocking candidate. For error analysis only.
func Explainer(records []Record, opts Options) (func(i, j int) ([]int8, float64, bool), [][2]int) {
	extras := extraNames(records)
	recs := prepareAll(records, extras)
	width := fieldExtra + len(extras)
	cands := candidatePairs(recs, opts.maxBlock())
	gammas := compareAll(recs, cands, width)
	md := fitModel(recs, cands, gammas, len(extras), opts, opts.warn())
	if opts.Warn != nil {
		opts.Warn(fmt.Sprintf("model prior %.3f\n m %.5v\n u %.5v\n w %.3v\n groups %v\n nameU %.3v\n nameW %.3v\n condW %.3v", md.prior, md.m, md.u, md.w, md.groups, md.nameDep.u, md.nameW, md.condW))
	}
	isCand := make(map[uint64]bool, len(cands))
	for _, k := range cands {
		isCand[k] = true
	}
	cl := make([][2]int, len(cands))
	for c, k := range cands {
		cl[c] = [2]int{int(k >> 32), int(k & 0xffffffff)}
	}
	return func(i, j int) ([]int8, float64, bool) {
		if i > j {
			i, j = j, i
		}
		g := make([]int8, width)
		compare(&recs[i], &recs[j], g)
		return g, md.probability(g), isCand[uint64(i)<<32|uint64(j)]
	}, cl
}
