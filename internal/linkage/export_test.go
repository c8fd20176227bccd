package linkage

// LinkCandidatePairs exposes Link's candidate generation to the external
// tests: every pair at Dice ≥ threshold (exact), or those LSH finds.
func LinkCandidatePairs(a, b []CLK, threshold float64, useLSH bool) [][2]int {
	cs := linkCandidates(a, b, threshold, useLSH)
	out := make([][2]int, len(cs))
	for k, c := range cs {
		out[k] = [2]int{int(c.i), int(c.j)}
	}
	return out
}

// LSHShape is the number of bits per band and of bands LSH would choose.
func LSHShape(a, b []CLK, threshold float64) (k, bands int) {
	words := clkWords(maxCLKBytes(a, b))
	ix := newLSHIndex(newCLKSet(a, words), newCLKSet(b, words), maxCLKBytes(a, b)*8, threshold)
	return ix.k, ix.bands
}
