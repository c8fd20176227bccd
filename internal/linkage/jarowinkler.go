package linkage

// Jaro returns the Jaro similarity of a and b in [0, 1], counted in runes.
// Two empty strings are identical (1); one empty string shares nothing (0).
func Jaro(a, b string) float64 {
	if a == b {
		return 1
	}
	var ba, bb [64]rune
	return jaroRunes(toRunes(ba[:0], a), toRunes(bb[:0], b))
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b: Jaro raised
// for a common prefix of up to four runes (scale 0.1, applied only above
// 0.7 as in Winkler's original), because names mistyped at the start are
// rarer than names mistyped at the end.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var ba, bb [64]rune
	ra, rb := toRunes(ba[:0], a), toRunes(bb[:0], b)
	j := jaroRunes(ra, rb)
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < 4 && l < len(ra) && l < len(rb) && ra[l] == rb[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

// toRunes decodes s into buf (its runes, as []rune(s) would give them)
// when they fit, so that comparing two names allocates nothing: every
// candidate pair of a deduplication compares several.
func toRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

func jaroRunes(a, b []rune) float64 {
	la, lb := len(a), len(b)
	if la == 0 && lb == 0 {
		return 1
	}
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	// Names are short: a fixed buffer keeps the hot path allocation-free.
	var bufA, bufB [64]bool
	var ma, mb []bool
	if la <= 64 && lb <= 64 {
		ma, mb = bufA[:la], bufB[:lb]
	} else {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo := max(0, i-window)
		hi := min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if mb[j] || a[i] != b[j] {
				continue
			}
			ma[i], mb[j] = true, true
			matches++
			break
		}
	}
	if matches == 0 {
		return 0
	}
	trans := 0
	k := 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(trans)/2)/m) / 3
}
