package linkage

// Positions in a comparison vector; extra fields follow from fieldExtra.
const (
	fieldGiven = iota
	fieldFamily
	fieldDate
	fieldSex
	fieldCitizenship
	fieldExtra
)

// Agreement levels of a string comparison. Four levels (rather than a
// continuous similarity) keep the Fellegi–Sunter model small enough for EM
// to estimate reliably from a few thousand candidate pairs.
const (
	levelMissing  = -1
	levelDisagree = 0
	levelFuzzy    = 1 // Jaro–Winkler ≥ fuzzyJW: a badly typed or partly given name
	levelClose    = 2 // Jaro–Winkler ≥ closeJW, same phonetic code, or nickname
	levelExact    = 3 // same normalised string
)

const (
	closeJW = 0.92
	fuzzyJW = 0.80
)

// levelCounts gives the number of agreement levels per field kind, as
// LinkFields compares them (four date levels, CompareDates's).
func levelCounts(nExtra int) []int {
	n := make([]int, fieldExtra+nExtra)
	n[fieldGiven], n[fieldFamily], n[fieldDate] = 4, 4, 4
	n[fieldSex], n[fieldCitizenship] = 2, 2
	for i := fieldExtra; i < len(n); i++ {
		n[i] = 4
	}
	return n
}

// dedupLevelCounts gives the levels of Dedup's comparison vector: as
// levelCounts, with the birth date's levels made finer (see
// dedupDateLevel).
func dedupLevelCounts(nExtra int) []int {
	n := levelCounts(nExtra)
	n[fieldDate] = dateLevels
	return n
}

// Dedup's birth-date levels, finer than CompareDates's four. Each coarse
// level holds kinds of agreement that mean different things:
//
//   - "partial" holds two full dates that contradict each other (the same
//     year and month but not the day, or the birthday another year: how
//     two people of one generation agree by chance) and a date known in
//     part that agrees as far as it goes (a year alone, contradicting
//     nothing: how one person's registrations differ); and among the
//     latter, a year alone one year away from the other (a year worked
//     out from an age) is weaker than one that agrees.
//   - "near" holds day and month swapped, which two different people
//     almost never show (u about 1 in 100,000), and one digit mistyped or
//     two adjacent digits swapped, which namesakes of one generation show
//     ten times as often.
//
// The coarse level's m is the documented one (held firmly: see
// priorStrength); how it divides among its finer levels is estimated from
// the file by EM (splitDateM), and u of every level from random pairs.
const (
	dateConflict = 1 // both full: same year and month or day, or the same birthday another year
	dateYearOff  = 2 // at least one side a year alone, one year from the other
	datePartial  = 3 // at least one side partial, consistent with the other
	dateDigit    = 4 // one digit mistyped, or two adjacent digits swapped
	dateSwap     = 5 // day and month swapped
	dateExact    = 6
	dateLevels   = 7
)

// dateCoarse maps Dedup's date levels to the coarse groups whose m is
// documented (disagree, conflict, partial, near, exact).
var dateCoarse = [dateLevels]int{0, 1, 2, 2, 3, 3, 4}

func dedupDateLevel(a, b Date) int8 {
	switch CompareDates(a, b) {
	case DateExact:
		return dateExact
	case DateNear:
		if a.Year == b.Year && a.Month == b.Day && a.Day == b.Month {
			return dateSwap
		}
		return dateDigit
	case DatePartial:
		if a.Day != 0 && b.Day != 0 {
			return dateConflict
		}
		if a.Year != b.Year {
			return dateYearOff
		}
		return datePartial
	case DateDisagree:
		return levelDisagree
	}
	return levelMissing
}

// compare fills gamma with the agreement level of every field of a and b.
func compare(a, b *prepared, gamma []int8) {
	g := nameLevel(a.given, b.given, a.givenTok, b.givenTok, a.givenPh, b.givenPh)
	if g != levelExact && a.givenCanon != "" && a.givenCanon == b.givenCanon && g < levelClose {
		g = levelClose
	}
	f := nameLevel(a.family, b.family, a.familyTok, b.familyTok, a.familyPh, b.familyPh)
	if g+f < 2*levelExact {
		// Given and family names swapped between registrations: take the
		// crossed reading when it explains the pair strictly better.
		cg := nameLevel(a.given, b.family, a.givenTok, b.familyTok, a.givenPh, b.familyPh)
		cf := nameLevel(a.family, b.given, a.familyTok, b.givenTok, a.familyPh, b.givenPh)
		// One of the crossed names may carry a typo as well.
		if max(cg, 0)+max(cf, 0) > max(g, 0)+max(f, 0) && max(cg, cf) >= levelClose && min(cg, cf) >= levelFuzzy {
			g, f = cg, cf
		}
	}
	gamma[fieldGiven], gamma[fieldFamily] = int8(g), int8(f)
	if a.dateOK && b.dateOK {
		gamma[fieldDate] = dedupDateLevel(a.date, b.date)
	} else {
		gamma[fieldDate] = levelMissing
	}
	gamma[fieldSex] = exactLevel(a.sex, b.sex)
	gamma[fieldCitizenship] = exactLevel(a.citizenship, b.citizenship)
	for i := range a.extra {
		gamma[fieldExtra+i] = int8(extraLevel(a.extra[i], b.extra[i], a.extraDigits[i] && b.extraDigits[i]))
	}
}

func exactLevel(a, b string) int8 {
	switch {
	case a == "" || b == "":
		return levelMissing
	case a == b:
		return 1
	}
	return 0
}

// nameLevel compares two normalised names. Multi-word names also match
// word by word, so that "Ana Marija" against "Marija" is close rather than
// a disagreement.
func nameLevel(a, b string, at, bt, ap, bp []string) int {
	if a == "" || b == "" {
		return levelMissing
	}
	if a == b {
		return levelExact
	}
	s := JaroWinkler(a, b)
	if len(at) > 1 || len(bt) > 1 {
		for _, x := range at {
			for _, y := range bt {
				if x == y && len(x) > 2 {
					s = max(s, closeJW)
				} else if t := JaroWinkler(x, y); t*0.97 > s {
					s = t * 0.97
				}
			}
		}
	}
	if s >= closeJW {
		return levelClose
	}
	if len(ap) > 0 && len(bp) > 0 && len(ap) == len(bp) {
		same := true
		for i := range ap {
			if ap[i] != bp[i] || len(ap[i]) < 2 {
				same = false
				break
			}
		}
		if same {
			return levelClose
		}
	}
	if s >= fuzzyJW {
		return levelFuzzy
	}
	return levelDisagree
}

// extraLevel compares an extra field. Digit strings (document numbers,
// postcodes, house numbers) are compared by keystroke errors rather than
// Jaro–Winkler, which rates "1234" and "1243" as far too alike for an ID.
func extraLevel(a, b string, digits bool) int {
	if a == "" || b == "" {
		return levelMissing
	}
	if a == b {
		return levelExact
	}
	if digits {
		if digitEdits(a, b) || oneIndel(a, b) {
			return levelClose
		}
		if JaroWinkler(a, b) >= fuzzyJW {
			return levelFuzzy
		}
		return levelDisagree
	}
	s := JaroWinkler(a, b)
	switch {
	case s >= closeJW:
		return levelClose
	case s >= fuzzyJW:
		return levelFuzzy
	}
	return levelDisagree
}

// oneIndel reports whether b is a with one byte inserted or deleted.
func oneIndel(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) != 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return a[i:] == b[i+1:]
}
