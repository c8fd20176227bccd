package linkage

import (
	"math"
	"math/rand/v2"
	"sort"
)

// model is a Fellegi–Sunter model: for every field and agreement level,
// m is the probability of that level among true matches and u among
// non-matches; the prior is the log-odds λ/(1−λ) of a match among all
// pairs of records.
type model struct {
	levels  []int
	m, u    [][]float64
	w       [][]float64 // log(m/u), the weight each level adds
	prior   float64     // log(λ/(1-λ))
	groups  [][]int     // dependent fields scored together
	grouped []bool      // field is in one of groups
	// namesTellCitizenship drops a positive citizenship weight when both
	// names agree (see score); set for deduplication within a register.
	namesTellCitizenship bool
	// nameU, when set, is u of the given and family names' levels taken
	// together (see jointNameU); nameW the weights it gives with m.
	nameDep *nameDep
	nameW   [][]float64
	condW   [fieldExtra][nameClasses][]float64
}

// withNames makes the model score the two names together, and sex and
// citizenship by what the names already say, with the u of dep (nil: as
// independent fields).
func (md *model) withNames(dep *nameDep) *model {
	md.nameDep, md.nameW = dep, nil
	if dep == nil {
		return md
	}
	md.nameW = make([][]float64, len(dep.u))
	for g := range dep.u {
		md.nameW[g] = make([]float64, len(dep.u[g]))
		for f := range dep.u[g] {
			md.nameW[g][f] = math.Log(md.m[fieldGiven][g] * md.m[fieldFamily][f] / dep.u[g][f])
		}
	}
	for _, x := range []int{fieldSex, fieldCitizenship} {
		for c := 0; c < nameClasses; c++ {
			w := make([]float64, 2)
			for l := range w {
				w[l] = math.Log(md.m[x][l] / dep.cond[x][c][l])
			}
			md.condW[x][c] = w
		}
	}
	return md
}

// pattern is one distinct comparison vector and how many candidate pairs
// share it. EM runs over patterns, not pairs, so its cost is independent
// of the data size after the comparisons.
type pattern struct {
	gamma []int8
	key   string
	count float64
}

func collectPatterns(gammas []int8, width int) []pattern {
	idx := map[string]int{}
	var out []pattern
	buf := make([]byte, width)
	for i := 0; i+width <= len(gammas); i += width {
		g := gammas[i : i+width]
		for f, v := range g {
			buf[f] = byte(v + 1)
		}
		// idx[string(buf)] looks up without allocating; a key string is
		// made only for a new pattern (a few hundred, against millions of
		// pairs).
		if j, ok := idx[string(buf)]; ok {
			out[j].count++
			continue
		}
		k := string(buf)
		idx[k] = len(out)
		out = append(out, pattern{gamma: g, key: k, count: 1})
	}
	// Fixed order so that floating-point sums, and therefore the scores,
	// do not depend on map iteration.
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// priorStrength is how many candidate pairs' worth of evidence the prior
// m of a field carries in EM. The given name and sex tell two people of one
// household apart, and the birth date two namesakes, so their prior is
// held almost fixed (see identityPriors): left free, EM's "match" class
// becomes the household (siblings, twins) or the namesakes (common first
// and family names, other dates) whenever those outnumber the duplicates
// among the candidates. The family name is held less firmly (marriage
// changes it), and the other fields' priors only steady EM where the data
// say little.
func priorStrength(f int) float64 {
	switch f {
	case fieldGiven, fieldSex, fieldDate:
		return 1e6
	case fieldFamily:
		return 1000
	}
	return 50
}

// boundM makes m a valid Fellegi–Sunter m for the u of random pairs:
// every agreement level (above "disagree") at least as likely among
// matches as among non-matches (m ≥ u, a non-negative weight), and the
// weights non-decreasing from "disagree" to "exact". A level whose weight
// would fall below the level under it is raised to it; the whole vector
// is renormalised, and the passes are repeated until nothing moves.
func boundM(m, u []float64) {
	for pass := 0; pass < 8; pass++ {
		moved := false
		floor := 1.0
		for l := 1; l < len(m); l++ {
			r := m[l] / u[l]
			if r < floor-1e-12 {
				m[l] = floor * u[l]
				moved = true
				r = floor
			}
			floor = r
		}
		if len(m) > 1 && m[0]/u[0] > m[1]/u[1]+1e-12 {
			m[0] = u[0] * m[1] / u[1]
			moved = true
		}
		normalise(m, 0)
		if !moved {
			return
		}
	}
}

// fitEM estimates m and the prior by expectation–maximisation over the
// candidate pairs (Winkler 1988) with u fixed at the random pairs' (as
// Splink does). Each pair is scored as Dedup will score it (the household
// interaction included) with the prior of a match among all pairs of
// records, λ = expected matches / all pairs; the expected number of
// matches is the sum of the candidates' match probabilities. m is pulled
// towards the field's prior with priorStrength pseudo-pairs and bounded
// after every step (boundM). Because u is the random pairs' and not the
// candidates' own, no second class can grow to absorb the matches, and
// because the prior is over all pairs, families (who agree on much but
// are few among all pairs) do not become the match class.
func fitEM(pats []pattern, levels []int, iters int, u [][]float64, nameU *nameDep, allPairs float64) (*model, float64) {
	nf := len(levels)
	m := make([][]float64, nf)
	m0 := make([][]float64, nf)
	seen := make([][]float64, nf)
	for f, L := range levels {
		dm, _ := defaultLevels(f, L)
		m0[f] = append([]float64(nil), dm...)
		seen[f] = make([]float64, L)
		tot := 0.0
		for _, p := range pats {
			if g := p.gamma[f]; g >= 0 {
				seen[f][g] += p.count
				tot += p.count
			}
		}
		// A level no candidate pair reaches (an exact date in a file of
		// birth years) takes no prior mass: the prior is spread over the
		// levels this file can show.
		if tot > 0 {
			for l := range m0[f] {
				if seen[f][l] == 0 {
					m0[f][l] *= 1e-4
				}
			}
			normalise(m0[f], 0)
		}
		m[f] = append([]float64(nil), m0[f]...)
		boundM(m[f], u[f])
	}
	var total float64
	for _, p := range pats {
		total += p.count
	}
	expected := 0.1 * total
	var md *model
	for it := 0; it < iters; it++ {
		lambda := math.Min(math.Max(expected/allPairs, 1e-12), 0.5)
		md = newModel(levels, m, u, math.Log(lambda/(1-lambda))).withNames(nameU)
		newM := zeroLike(m)
		var sumM float64
		for _, pt := range pats {
			w := md.probability(pt.gamma) * pt.count
			sumM += w
			for f, g := range pt.gamma {
				if g >= 0 {
					newM[f][g] += w
				}
			}
		}
		delta := math.Abs(sumM-expected) / math.Max(expected, 1)
		for f := range newM {
			if f == fieldDate && levels[f] == dateLevels {
				splitDateM(newM[f], m0[f])
			} else {
				a := priorStrength(f)
				for l := range newM[f] {
					newM[f][l] += a * m0[f][l]
				}
			}
			normalise(newM[f], 0)
			boundM(newM[f], u[f])
			for l := range newM[f] {
				delta = max(delta, math.Abs(newM[f][l]-m[f][l]))
			}
		}
		m, expected = newM, sumM
		if delta < 1e-6 {
			break
		}
	}
	lambda := math.Min(math.Max(expected/allPairs, 1e-12), 0.5)
	return newModel(levels, m, u, math.Log(lambda/(1-lambda))).withNames(nameU), expected
}

// splitPseudo is how many pairs' worth of the default split each of
// Dedup's finer date levels starts from in EM.
const splitPseudo = 20

// splitDateM turns EM's expected counts of Dedup's date levels among
// matches into m: each coarse level (dateCoarse) keeps the documented
// m of prior (held as firmly as the four-level date always was: left
// free, EM's match class drifts to twins and namesakes), and the data
// decide only how it divides among the finer levels inside it — how
// often a duplicate's date is a day–month swap rather than a mistyped
// digit, a year alone a year off rather than agreeing.
func splitDateM(counts, prior []float64) {
	var groupPrior, groupCount [5]float64
	for l, c := range dateCoarse {
		groupPrior[c] += prior[l]
	}
	for l, c := range dateCoarse {
		counts[l] += splitPseudo * prior[l] / groupPrior[c]
		groupCount[c] += counts[l]
	}
	for l, c := range dateCoarse {
		counts[l] = groupPrior[c] * counts[l] / groupCount[c]
	}
}

// randomPairSamples is the number of random record pairs from which u is
// estimated. Almost every random pair is two different people, so the
// frequency of each agreement level among them is u (Splink estimates u
// the same way); 40,000 pairs take a few tens of milliseconds.
const randomPairSamples = 40000

// randomSamples is the number of random pairs drawn for n records: at
// least randomPairSamples, and more for large files (8 per record, up to
// 400,000), so that rare agreements — two records of one household among
// random pairs — are still seen often enough to measure.
func randomSamples(n int) int {
	return min(max(randomPairSamples, 8*n), 400000)
}

// allPairsU is the number of pairs up to which u is measured on every
// pair of records rather than a sample: in a register of a thousand
// persons 40,000 sampled pairs hold a handful of the rarer agreements (a
// day–month swap between two people), and which handful depended on the
// records' order. A million comparisons take about a quarter of a second.
const allPairsU = 1_000_000

// uPseudo is how many pairs' worth of the documented default u is mixed
// into the u measured on random pairs: it keeps a level never seen among
// the sampled pairs (two different people born on the same day) from
// getting an unbounded weight.
const uPseudo = 20

// randomU estimates u from random pairs of records: all pairs when there
// are few, randomPairSamples drawn with a fixed seed otherwise, so the
// same input always gives the same weights.
func randomU(recs []prepared, levels []int) ([][]float64, []int8) {
	n := len(recs)
	width := len(levels)
	type ij struct{ i, j int }
	var pairs []ij
	samples := randomSamples(n)
	if total := n * (n - 1) / 2; total <= max(samples, allPairsU) {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				pairs = append(pairs, ij{i, j})
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(uint64(n), 0x7a11d0))
		for len(pairs) < samples {
			i, j := rng.IntN(n), rng.IntN(n)
			if i != j {
				pairs = append(pairs, ij{i, j})
			}
		}
	}
	gammas := make([]int8, len(pairs)*width)
	parallel(len(pairs), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			compare(&recs[pairs[k].i], &recs[pairs[k].j], gammas[k*width:(k+1)*width])
		}
	})
	return uFromGammas(gammas, levels), gammas
}

// uFromGammas turns the comparison vectors of random pairs into u, mixed
// with uPseudo pairs' worth of the documented default.
func uFromGammas(gammas []int8, levels []int) [][]float64 {
	width := len(levels)
	u := make([][]float64, width)
	for f, L := range levels {
		cnt := make([]float64, L)
		for k := 0; k+width <= len(gammas); k += width {
			if g := gammas[k+f]; g >= 0 {
				cnt[g]++
			}
		}
		_, du := defaultLevels(f, L)
		for l := range cnt {
			cnt[l] += uPseudo * du[l]
		}
		normalise(cnt, 0)
		u[f] = cnt
	}
	return u
}

// fitModel is the one model-fitting call of Dedup. It estimates u from
// random pairs, m by bounded EM over the candidate pairs, and the prior
// from the expected number of matches among all pairs of records; then it
// checks the model against what any sound model of persons must satisfy
// (see insane). A model that fails is replaced by the documented defaults,
// and warn is told why (a line for standard error, without any value).
func fitModel(recs []prepared, cands []uint64, gammas []int8, nExtra int, opts Options, warn func(string)) *model {
	levels := dedupLevelCounts(nExtra)
	n := len(recs)
	register := max(opts.RegisterSize, n)
	if len(cands) < minEMPairs {
		return defaultModel(levels, register)
	}
	u, random := randomU(recs, levels)
	pats := collectPatterns(gammas, len(levels))
	allPairs := float64(register) * float64(register-1) / 2
	md, expected := fitEM(pats, levels, opts.emIterations(), u, jointNameU(recs, random, len(levels), u), allPairs)
	md.groupExtras(pats, collectPatterns(random, len(levels)))
	md.namesTellCitizenship = true
	top := int8(levelMissing)
	for _, p := range pats {
		top = max(top, p.gamma[fieldDate])
	}
	if why := md.insane(expected, n, opts.threshold(), top); why != "" {
		if warn != nil {
			warn("linkage: the weights estimated from this file fail a sanity check (" + why + "); using the documented default weights")
		}
		return defaultModel(levels, register).datesUpTo(top)
	}
	return md
}

// datesUpTo spreads the default m of the birth date over the levels the
// file can show, as fitEM does with its prior: in a file of birth years
// no pair can agree on a full date, and the mass of those levels goes to
// the ones it can reach.
func (md *model) datesUpTo(top int8) *model {
	if top < 0 || int(top) >= len(md.m[fieldDate])-1 {
		return md
	}
	m := md.m[fieldDate]
	for l := int(top) + 1; l < len(m); l++ {
		m[l] *= 1e-4
	}
	normalise(m, 0)
	for l := range m {
		md.w[fieldDate][l] = math.Log(m[l] / md.u[fieldDate][l])
	}
	return md
}

// insane returns why the model cannot be right, or "". The conditions:
// two records with the same given name, family name and birth date (as
// fully as the file gives dates: dateTop is the best date level any
// candidate pair reaches, a year in a file of birth years; nothing else
// known) must score at or
// above the threshold; one name alone, the same given name or the same
// family name with nothing else known, must score below it; the weights
// must rise with agreement; and the expected number of matching pairs
// must be plausible — at most two per record (a person registered k times
// gives k(k−1)/2 pairs over k records, and few are registered more than
// five times). A model whose weights have collapsed fails the first; one
// in which the "match" class has become households or namesakes fails
// the second or the last.
func (md *model) insane(expected float64, n int, thr float64, dateTop int8) string {
	g := make([]int8, len(md.levels))
	for i := range g {
		g[i] = levelMissing
	}
	if dateTop < 0 {
		dateTop = int8(argmax(md.w[fieldDate]))
	}
	g[fieldGiven], g[fieldFamily], g[fieldDate] = levelExact, levelExact, dateTop
	if p := md.probability(g); p < thr {
		return "same names and birth date score below the threshold"
	}
	for _, f := range []int{fieldGiven, fieldFamily} {
		for i := range g {
			g[i] = levelMissing
		}
		g[f] = levelExact
		if p := md.probability(g); p >= thr {
			return "one name alone scores above the threshold"
		}
	}
	if expected > 2*float64(n) {
		return "more than two matching pairs expected per record"
	}
	for f := range md.w {
		for l := 1; l < len(md.w[f]); l++ {
			if md.w[f][l] < md.w[f][l-1]-1e-9 {
				return "weights not monotone"
			}
		}
	}
	return ""
}

func newModel(levels []int, m, u [][]float64, prior float64) *model {
	md := &model{levels: levels, m: m, u: u, prior: prior}
	md.w = make([][]float64, len(levels))
	for f := range levels {
		md.w[f] = make([]float64, levels[f])
		for l := range md.w[f] {
			md.w[f][l] = math.Log(m[f][l] / u[f][l])
		}
	}
	md.grouped = make([]bool, len(levels))
	return md
}

// probability returns P(match | gamma). Extra fields found to depend on
// each other (see groupExtras) count as one piece of evidence, the
// strongest of the group, rather than as independent ones: address, town
// and postcode all say "same household" (or "same shelter"), and adding
// them up would let a sibling's shared address outweigh her other name.
//
// One interaction is built in, because households break the independence
// Fellegi–Sunter assumes more than anything else: when the given names
// disagree outright while the family names agree, the pair is most likely
// two members of one family, and what members of a family share —
// citizenship, an address (the extra fields found to depend on each
// other), for twins the birth date — is no evidence that they are one
// person. Those fields then count only against a match, never for it.
// Given names that are merely alike (Arta, Ardita) lose the shared
// citizenship and address, but keep the birth date.
func (md *model) probability(gamma []int8) float64 {
	return sigmoid(md.score(gamma))
}

// household tells whether gamma looks like two members of one family:
// family names that agree and given names that disagree (2) or are only
// alike (1: Arta and Ardita are sisters as often as typos); 0 otherwise.
func household(gamma []int8) int {
	if gamma[fieldFamily] < levelClose {
		return 0
	}
	switch gamma[fieldGiven] {
	case levelDisagree:
		return 2
	case levelFuzzy:
		return 1
	}
	return 0
}

func (md *model) score(gamma []int8) float64 {
	s := md.prior
	hh := household(gamma)
	// What the names already say, within one register: given and family
	// names that both agree tell the community, and so mostly the
	// citizenship (namesakes are compatriots far more often than chance).
	// Agreeing citizenship then adds nothing; a different one still counts
	// against. Measured on the independent set: F1 with addresses 0.962 →
	// 0.982 at 20,728 records. Not used across borders, where it cost more
	// recall than it gained precision (two-party split 0.955 → 0.948), nor
	// for sex when the given names agree (lost more true pairs than
	// namesakes it kept apart).
	citSaid := md.namesTellCitizenship && gamma[fieldGiven] >= levelClose && gamma[fieldFamily] >= levelClose
	f0, cls := 0, -1
	if md.nameW != nil && gamma[fieldGiven] >= 0 && gamma[fieldFamily] >= 0 {
		s += md.nameW[gamma[fieldGiven]][gamma[fieldFamily]]
		f0, cls = fieldDate, nameClass(gamma[fieldGiven], gamma[fieldFamily])
		citSaid = false
	}
	for f := f0; f < len(gamma); f++ {
		if g := gamma[f]; g >= 0 && !md.grouped[f] {
			w := md.w[f][g]
			if cls >= 0 && (f == fieldSex || f == fieldCitizenship) {
				w = md.condW[f][cls][g]
			}
			if hh > 0 && w > 0 && (f == fieldCitizenship || f == fieldDate && hh > 1) {
				continue
			}
			if w > 0 && f == fieldCitizenship && citSaid {
				continue
			}
			s += w
		}
	}
	for _, grp := range md.groups {
		// The group counts once, by its most specific field present (the
		// one whose exact agreement weighs most: a street address over a
		// municipality): the same town says nothing more once the address
		// is known to differ.
		best, w := -1, 0.0
		for _, f := range grp {
			if g := gamma[f]; g >= 0 && (best < 0 || md.w[f][len(md.w[f])-1] > md.w[best][len(md.w[best])-1]) {
				best, w = f, md.w[f][g]
			}
		}
		if best >= 0 && (w <= 0 || hh == 0) {
			s += w
		}
	}
	return s
}

// dependenceLift is how much more often two extra fields must agree
// together among non-matching candidates than chance predicts before they
// are treated as one piece of evidence.
const dependenceLift = 4

// nestedShare is the share of the pairs agreeing on the rarer of two
// fields that must agree on the other too for the two to count as nested.
const nestedShare = 0.8

// groupExtras finds extra fields that are not independent given a
// non-match, the assumption Fellegi–Sunter rests on. In each set of pairs
// — the candidates, and random pairs (not selected by blocking, which
// makes candidates share field values by construction) — weighted by
// their probability of being a non-match, it compares how often two
// fields agree exactly together with the product of how often each does;
// fields whose joint agreement exceeds that by dependenceLift in either
// set are merged. On FEBRL the extras are independent and stay apart; in
// registers with households (address, postcode, municipality) they merge.
func (md *model) groupExtras(sets ...[]pattern) {
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
	md.groups, md.grouped = nil, make([]bool, nf)
	// Only extra fields are grouped. Grouping the family name and birth
	// date as well (twins share both with the address) was measured and
	// lost more true pairs than twins it kept apart; households are
	// handled by the interaction in score instead.
	var eligible []int
	for f := fieldExtra; f < nf; f++ {
		eligible = append(eligible, f)
	}
	for _, pats := range sets {
		// Posteriors under independence, the model EM fitted: each pair
		// counts by its probability of being a non-match.
		post := make([]float64, len(pats))
		for i, p := range pats {
			post[i] = md.probability(p.gamma)
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
				lift := both * tot / (ca * cb)
				// Nested fields (an address inside a municipality): one
				// field's agreement all but implies the other's.
				nested := both > 3 && lift > 1.5 && both >= nestedShare*min(ca, cb)
				if lift > dependenceLift && both > 3 || nested {
					parent[find(b)] = find(a)
				}
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

// identityPriors are the prior m of the fields that tell two people of
// one household apart: the given name and the sex. Left free, EM finds the
// strongest structure among candidate pairs, and in real registers (and
// in the synthetic sets) that is the household: siblings and twins agree
// on surname, address and often birth date, and EM then learns that a
// different given name is no evidence against a match. Holding these to
// what is known of registration errors keeps EM's "match" class a person.
// The values: a given name is recorded exactly about 70% of the time,
// near-exactly (typo, nickname, other script) most of the rest, and
// unrecognisably in a few per mille; sex is wrong in about 1% of records.
var identityPriors = map[int][]float64{
	fieldGiven: {0.002, 0.06, 0.17, 0.768},
	fieldSex:   {0.01, 0.99},
}

// minEMPairs is the number of candidate pairs below which EM is not run:
// with a handful of records there is nothing to learn frequencies from,
// and a file of two registrations of one person would teach EM that
// agreement is what non-matches do.
const minEMPairs = 200

// defaultLevels gives the documented default m and u of a field (see
// docs/linkage.md, "Default weights"). m is what is known of registration
// errors; u is how often two different people of a regional register
// agree by chance: rarely on a name, very rarely on a full birth date,
// half the time on sex, most of the time on citizenship.
func defaultLevels(f, L int) (m, u []float64) {
	switch {
	case f == fieldGiven:
		return identityPriors[fieldGiven], []float64{0.93, 0.04, 0.02, 0.01}
	case f == fieldFamily:
		return []float64{0.01, 0.06, 0.17, 0.76}, []float64{0.94, 0.04, 0.015, 0.005}
	case f == fieldDate && L == dateLevels:
		// Dedup's levels (dedupDateLevel): CompareDates's partial split
		// into two full dates that conflict (a second digit wrong, a
		// guessed year), a year alone a year off, and a partial date
		// consistent with the other; near into one digit wrong and day
		// and month swapped. The coarse levels' m are the four-level
		// defaults; the split inside them is a starting point that EM
		// re-estimates from the file (splitDateM).
		return []float64{0.003, 0.02, 0.04, 0.087, 0.10, 0.05, 0.70},
			[]float64{0.96, 0.025, 0.006, 0.0075, 0.0012, 0.0002, 0.0001}
	case f == fieldDate:
		return []float64{0.003, 0.147, 0.15, 0.70}, []float64{0.96, 0.0385, 0.0014, 0.0001}
	case f == fieldSex:
		return identityPriors[fieldSex], []float64{0.5, 0.5}
	case f == fieldCitizenship:
		return []float64{0.03, 0.97}, []float64{0.3, 0.7}
	}
	if L == 2 {
		return []float64{0.05, 0.95}, []float64{0.9, 0.1}
	}
	return []float64{0.1, 0.1, 0.1, 0.7}, []float64{0.9, 0.04, 0.03, 0.03}
}

// minDefaultRegister is the smallest register the default prior is set
// for. A prior taken from a handful of records (two at a registration in a
// new instance) would make every namesake with another birth date a
// duplicate; a thousand persons is a small register.
const minDefaultRegister = 1000

// defaultDupShare is the share of records assumed to have a duplicate in
// the register when the prior cannot be estimated: one in ten.
const defaultDupShare = 0.1

// defaultModel holds the documented default weights, used for small
// inputs (a pair at registration) and when a fitted model fails its
// sanity checks. register is the number of persons the records come from:
// the prior is defaultDupShare·register matching pairs among all pairs.
func defaultModel(levels []int, register int) *model {
	nExtra := len(levels) - fieldExtra
	m := make([][]float64, len(levels))
	u := make([][]float64, len(levels))
	for f := range levels {
		m[f], u[f] = defaultLevels(f, levels[f])
	}
	register = max(register, minDefaultRegister)
	lambda := math.Min(defaultDupShare*float64(register)/(float64(register)*float64(register-1)/2), 0.5)
	md := newModel(levels, m, u, math.Log(lambda/(1-lambda)))
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

func argmax(v []float64) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
