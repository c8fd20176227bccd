package linkage

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
