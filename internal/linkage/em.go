package linkage

import (
	"math"
	"sort"
)

// model is a Fellegi–Sunter model: for every field and agreement level,
// m is the probability of that level among true matches and u among
// non-matches; p is the share of matches among the candidate pairs.
type model struct {
	levels  []int
	m, u    [][]float64
	w       [][]float64 // log(m/u), the weight each level adds
	prior   float64     // log(p/(1-p))
	groups  [][]int     // dependent fields scored together
	grouped []bool      // field is in one of groups
}

// pattern is one distinct comparison vector and how many candidate pairs
// share it. EM runs over patterns, not pairs, so its cost is independent
// of the data size after the comparisons.
type pattern struct {
	gamma []int8
	key   string
	count float64
}

func gammaKey(g []int8) string {
	b := make([]byte, len(g))
	for i, v := range g {
		b[i] = byte(v + 1)
	}
	return string(b)
}

func collectPatterns(gammas []int8, width int) []pattern {
	idx := map[string]int{}
	var out []pattern
	for i := 0; i+width <= len(gammas); i += width {
		g := gammas[i : i+width]
		k := gammaKey(g)
		if j, ok := idx[k]; ok {
			out[j].count++
			continue
		}
		idx[k] = len(out)
		out = append(out, pattern{gamma: g, key: k, count: 1})
	}
	// Fixed order so that floating-point sums, and therefore the scores,
	// do not depend on map iteration.
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// fitEM estimates m, u and p by expectation–maximisation over the
// candidate pairs (Winkler 1988), assuming fields independent given the
// match status. u starts from the level frequencies of all candidates
// (almost all of which are non-matches) and m from a prior that favours
// agreement; a pseudo-count keeps every level possible, so that one
// unseen level in a small file cannot veto a match on its own.
func fitEM(pats []pattern, levels []int, iters int, fixedM map[int][]float64) *model {
	md := &model{levels: levels}
	nf := len(levels)
	md.m = make([][]float64, nf)
	md.u = make([][]float64, nf)
	for f, L := range levels {
		md.m[f] = make([]float64, L)
		md.u[f] = make([]float64, L)
		// m prior: mass rising geometrically towards exact agreement.
		tot := 0.0
		for l := 0; l < L; l++ {
			md.m[f][l] = math.Pow(4, float64(l))
			tot += md.m[f][l]
		}
		for l := range md.m[f] {
			md.m[f][l] /= tot
		}
		if fm, ok := fixedM[f]; ok && len(fm) == L {
			copy(md.m[f], fm)
		}
		// u start: observed frequencies.
		for _, p := range pats {
			if g := p.gamma[f]; g >= 0 {
				md.u[f][g] += p.count
			}
		}
		normalise(md.u[f], 0.5)
	}
	p := 0.1
	post := make([]float64, len(pats))
	for it := 0; it < iters; it++ {
		// E step.
		lp := math.Log(p / (1 - p))
		for i, pt := range pats {
			s := lp
			for f, g := range pt.gamma {
				if g >= 0 {
					s += math.Log(md.m[f][g]) - math.Log(md.u[f][g])
				}
			}
			post[i] = sigmoid(s)
		}
		// M step.
		var sumM, sumAll float64
		newM := zeroLike(md.m)
		newU := zeroLike(md.u)
		for i, pt := range pats {
			w := post[i] * pt.count
			sumM += w
			sumAll += pt.count
			for f, g := range pt.gamma {
				if g >= 0 {
					newM[f][g] += w
					newU[f][g] += pt.count - w
				}
			}
		}
		delta := 0.0
		for f := range newM {
			if _, ok := fixedM[f]; ok {
				copy(newM[f], md.m[f])
			} else {
				normalise(newM[f], 0.5)
			}
			normalise(newU[f], 0.5)
			for l := range newM[f] {
				delta = max(delta, math.Abs(newM[f][l]-md.m[f][l]), math.Abs(newU[f][l]-md.u[f][l]))
			}
		}
		md.m, md.u = newM, newU
		np := math.Min(math.Max(sumM/sumAll, 1e-6), 1-1e-6)
		delta = max(delta, math.Abs(np-p))
		p = np
		if delta < 1e-7 {
			break
		}
	}
	md.prior = math.Log(p / (1 - p))
	md.w = make([][]float64, nf)
	for f := range levels {
		md.w[f] = make([]float64, levels[f])
		for l := range md.w[f] {
			md.w[f][l] = math.Log(md.m[f][l] / md.u[f][l])
		}
	}
	md.groupExtras(pats)
	return md
}

// probability returns P(match | gamma). Extra fields found to depend on
// each other (see groupExtras) count as one piece of evidence, the
// strongest of the group, rather than as independent ones: address, town
// and postcode all say "same household" (or "same shelter"), and adding
// them up would let a sibling's shared address outweigh her other name.
func (md *model) probability(gamma []int8) float64 {
	s := md.prior
	for f := 0; f < len(gamma); f++ {
		if g := gamma[f]; g >= 0 && !md.grouped[f] {
			s += md.w[f][g]
		}
	}
	for _, grp := range md.groups {
		pos, neg, any := 0.0, 0.0, false
		for _, f := range grp {
			if g := gamma[f]; g >= 0 {
				w := md.w[f][g]
				pos, neg, any = max(pos, w), min(neg, w), true
			}
		}
		if any {
			if pos > 0 {
				s += pos
			} else {
				s += neg
			}
		}
	}
	return sigmoid(s)
}

// dependenceLift is how much more often two extra fields must agree
// together among non-matching candidates than chance predicts before they
// are treated as one piece of evidence.
const dependenceLift = 4

// groupExtras finds extra fields that are not independent given a
// non-match, the assumption Fellegi–Sunter rests on. Among candidate pairs
// weighted by their probability of being a non-match, it compares how
// often two fields agree exactly together with the product of how often
// each does; fields whose joint agreement exceeds that by dependenceLift
// are merged. On FEBRL the extras are independent and stay apart; in
// registers with households they merge.
func (md *model) groupExtras(pats []pattern) {
	nf := len(md.levels)
	parent := make([]int, nf)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	// Posteriors under independence, the model EM fitted.
	md.groups, md.grouped = nil, make([]bool, nf)
	post := make([]float64, len(pats))
	for i, p := range pats {
		post[i] = md.probability(p.gamma)
	}
	// Only extra fields are grouped. Grouping the family name and birth
	// date as well (twins share both with the address) was measured and
	// lost more true pairs than twins it kept apart: the weights EM fitted
	// under independence no longer add up once the core fields are merged.
	var eligible []int
	for f := fieldExtra; f < nf; f++ {
		eligible = append(eligible, f)
	}
	for x, a := range eligible {
		for _, b := range eligible[x+1:] {
			var both, ca, cb, tot float64
			for i, p := range pats {
				ga, gb := p.gamma[a], p.gamma[b]
				if ga < 0 || gb < 0 {
					continue
				}
				w := (1 - post[i]) * p.count
				tot += w
				if ga == levelExact {
					ca += w
				}
				if gb == levelExact {
					cb += w
				}
				if ga == levelExact && gb == levelExact {
					both += w
				}
			}
			if tot == 0 || ca == 0 || cb == 0 {
				continue
			}
			if lift := both * tot / (ca * cb); lift > dependenceLift && both > 5 {
				parent[find(b)] = find(a)
			}
		}
	}
	byRoot := map[int][]int{}
	for _, f := range eligible {
		byRoot[find(f)] = append(byRoot[find(f)], f)
	}
	for _, f := range eligible {
		if g, ok := byRoot[f]; ok && len(g) > 1 {
			md.groups = append(md.groups, g)
			for _, x := range g {
				md.grouped[x] = true
			}
		}
	}
}

func sigmoid(x float64) float64 {
	if x > 40 {
		return 1
	}
	if x < -40 {
		return 0
	}
	return 1 / (1 + math.Exp(-x))
}

func zeroLike(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = make([]float64, len(x[i]))
	}
	return out
}

// normalise turns counts into probabilities after adding pseudo to each.
func normalise(v []float64, pseudo float64) {
	tot := 0.0
	for i := range v {
		v[i] += pseudo
		tot += v[i]
	}
	for i := range v {
		v[i] /= tot
	}
}

// identityPriors fixes m for the fields that tell two people of one
// household apart: the given name and the sex. Left free, EM finds the
// strongest structure among candidate pairs, and in real registers (and
// in the synthetic set) that is the household: siblings and twins agree on
// surname, address and often birth date, and EM then learns that a
// different given name is no evidence against a match. Pinning these two
// to what is known of registration errors keeps EM's "match" class a
// person. The values: a given name is recorded exactly about 70% of the
// time, near-exactly (typo, nickname, other script) most of the rest, and
// unrecognisably in a few percent; sex is wrong in about 3% of records.
var identityPriors = map[int][]float64{
	fieldGiven: {0.002, 0.06, 0.17, 0.768},
	fieldDate:  {0.01, 0.14, 0.15, 0.70},
	fieldSex:   {0.01, 0.99},
}

// minEMPairs is the number of candidate pairs below which EM is not run:
// with a handful of records there is nothing to learn frequencies from,
// and a file of two registrations of one person would teach EM that
// agreement is what non-matches do.
const minEMPairs = 200

// defaultModel holds weights set by hand for small inputs. m is as in
// identityPriors and the EM starting point; u reflects how often two
// different people in a register agree by chance: rarely on a name or a
// full birth date, half the time on sex, most of the time on citizenship.
func defaultModel(nExtra int) *model {
	levels := levelCounts(nExtra)
	md := &model{levels: levels, prior: math.Log(0.1 / 0.9)}
	md.m = make([][]float64, len(levels))
	md.u = make([][]float64, len(levels))
	for f := range levels {
		switch {
		case f == fieldGiven || f == fieldFamily:
			md.m[f] = []float64{0.01, 0.06, 0.17, 0.76}
			md.u[f] = []float64{0.93, 0.04, 0.02, 0.01}
		case f == fieldDate:
			md.m[f] = identityPriors[fieldDate]
			md.u[f] = []float64{0.96, 0.03, 0.007, 0.003}
		case f == fieldSex:
			md.m[f] = identityPriors[fieldSex]
			md.u[f] = []float64{0.5, 0.5}
		case f == fieldCitizenship:
			md.m[f] = []float64{0.03, 0.97}
			md.u[f] = []float64{0.3, 0.7}
		default:
			md.m[f] = []float64{0.1, 0.1, 0.1, 0.7}
			md.u[f] = []float64{0.9, 0.04, 0.03, 0.03}
		}
	}
	md.w = make([][]float64, len(levels))
	for f := range levels {
		md.w[f] = make([]float64, levels[f])
		for l := range md.w[f] {
			md.w[f][l] = math.Log(md.m[f][l] / md.u[f][l])
		}
	}
	md.grouped = make([]bool, len(levels))
	if nExtra > 1 {
		// Without data to test independence on, the extras count once.
		var g []int
		for f := fieldExtra; f < len(levels); f++ {
			g = append(g, f)
			md.grouped[f] = true
		}
		md.groups = [][]int{g}
	}
	return md
}
