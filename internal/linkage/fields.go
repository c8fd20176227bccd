package linkage

import (
	"sort"
	"strings"
)

// Field filters: cross-border linkage that compares persons field by field
// without sharing plaintext.
//
// One Dice coefficient over a single CLK mixes every field: a person whose
// given and family names were swapped, whose name was written in another
// script, or whose birth day and month were swapped loses most of her bits
// at once, while two sisters share most of theirs. With FieldFilters each
// feature gets its own Bloom filter; the linker computes one Dice
// coefficient per field, turns each into an agreement level, and scores
// the pair with the Fellegi–Sunter model Dedup uses (u from random pairs,
// m by bounded EM, the household interaction). Features derived from the
// person columns survive what the plain columns do not:
//
//   - given_phonetic, family_phonetic: PhoneticKey of the name (script,
//     diacritics, transliteration: Petrović, Петровић, Petrovich agree);
//   - names_sorted: all name words, sorted (for schemas that want one
//     filter robust to swapped names; the linker reads given and family
//     names crossed instead, so the default schema leaves it out);
//   - birth_year, birth_daymonth: the year, and the day and month as an
//     unordered pair (day and month swapped; a partial date keeps its
//     year).

// Derived feature identifiers, computed from the person columns when the
// input has no column of that name.
const (
	FeatGivenPhonetic  = "given_phonetic"
	FeatFamilyPhonetic = "family_phonetic"
	FeatNamesSorted    = "names_sorted"
	FeatBirthYear      = "birth_year"
	FeatBirthDayMonth  = "birth_daymonth"
)

// derivedValue computes a derived feature from the person columns (col
// returns a column's raw value). ok is false for a name that is not a
// derived feature.
func derivedValue(name string, col func(string) string) (string, bool) {
	switch name {
	case FeatGivenPhonetic:
		return PhoneticKey(col(ColGivenName)), true
	case FeatFamilyPhonetic:
		return PhoneticKey(col(ColFamilyName)), true
	case FeatNamesSorted:
		toks := append(NameTokens(col(ColGivenName)), NameTokens(col(ColFamilyName))...)
		sort.Strings(toks)
		return strings.Join(toks, " "), true
	case FeatBirthYear, FeatBirthDayMonth:
		d, err := ParseDate(strings.TrimSpace(col(ColBirthDate)))
		if err != nil || d.IsZero() {
			return "", true
		}
		if name == FeatBirthYear {
			return d.String()[:4], true
		}
		if d.Day == 0 {
			return "", true
		}
		a, b := d.Month, d.Day
		if a > b {
			a, b = b, a
		}
		return Date{Year: 1, Month: a, Day: b}.String()[5:], true
	}
	return "", false
}

// encodeFields encodes each feature into its own filter of L bits.
func (e *Encoder) encodeFields(id string, value func(identifier string) string) CLK {
	seg := (e.schema.L + 7) / 8
	var out []byte
	var tokens []string
	var ks []int
	for i, f := range e.schema.Features {
		if f.Ignored {
			continue
		}
		key := e.keys[e.keyIndex(i)]
		bf := make([]byte, (e.hashL+7)/8)
		v := e.formatValue(f, value(f.Identifier))
		tokens = tokenize(f.Hashing, v, tokens[:0])
		if len(tokens) > 0 {
			ks = bitsPerToken(f.Hashing, len(tokens), ks[:0])
			switch f.Hashing.Hash {
			case "doubleHash":
				doubleHash(bf, e.hashL, tokens, ks, key, f.Hashing.PreventSingularity)
			default:
				blakeHash(bf, e.hashL, tokens, ks, key[0])
			}
		}
		for l := e.hashL; l > e.schema.L; l /= 2 {
			bf = foldXOR(bf, l)
		}
		out = append(out, bf[:seg]...)
	}
	return CLK{ID: id, Bits: out}
}

// keyIndex is the feature whose keys hash feature i. The family name is
// hashed with the given name's keys, and its phonetic code with the given
// name's phonetic keys, so that the linker can compare one party's given
// name with the other's family name (names registered the other way
// round).
func (e *Encoder) keyIndex(i int) int {
	partner := map[string]string{ColFamilyName: ColGivenName, FeatFamilyPhonetic: FeatGivenPhonetic}[e.schema.Features[i].Identifier]
	if partner == "" {
		return i
	}
	for j, f := range e.schema.Features {
		if f.Identifier == partner && !f.Ignored {
			return j
		}
	}
	return i
}

// fieldLayout maps the filters of a field-filter CLK to the comparison
// vector Dedup's model scores.
type fieldLayout struct {
	seg                          int // bytes per filter
	given, family, date          int // filter index, -1 when absent
	givenPh, familyPh, sorted    int
	year, daymonth, sex, citizen int
	extras                       []int // any other feature
}

func newFieldLayout(fields []string, segBytes int) fieldLayout {
	l := fieldLayout{seg: segBytes, given: -1, family: -1, date: -1, givenPh: -1, familyPh: -1, sorted: -1,
		year: -1, daymonth: -1, sex: -1, citizen: -1}
	for i, f := range fields {
		switch f {
		case ColGivenName:
			l.given = i
		case ColFamilyName:
			l.family = i
		case ColBirthDate:
			l.date = i
		case FeatGivenPhonetic:
			l.givenPh = i
		case FeatFamilyPhonetic:
			l.familyPh = i
		case FeatNamesSorted:
			l.sorted = i
		case FeatBirthYear:
			l.year = i
		case FeatBirthDayMonth:
			l.daymonth = i
		case ColSex:
			l.sex = i
		case ColCitizenship:
			l.citizen = i
		default:
			l.extras = append(l.extras, i)
		}
	}
	return l
}

// segment returns filter i of a CLK (nil when the layout lacks it).
func (l *fieldLayout) segment(c []byte, i int) []byte {
	if i < 0 || (i+1)*l.seg > len(c) {
		return nil
	}
	return c[i*l.seg : (i+1)*l.seg]
}

// segDice is the Dice coefficient of two filters, and whether both hold
// anything (an empty filter is a missing value).
func segDice(a, b []byte) (float64, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	ca, cb := CLK{Bits: a}, CLK{Bits: b}
	if ca.Popcount() == 0 || cb.Popcount() == 0 {
		return 0, false
	}
	return Dice(ca, cb), true
}

// Dice levels of a name filter (bigrams), chosen so that they meet the
// Jaro–Winkler levels of Dedup on the same names: one typo in a name of
// six letters keeps a bigram Dice of about 0.7.
const (
	nameDiceExact = 0.97
	nameDiceClose = 0.75
	nameDiceFuzzy = 0.55
)

func nameDiceLevel(d float64, ok, phonetic bool) int {
	switch {
	case !ok:
		return levelMissing
	case d >= nameDiceExact:
		return levelExact
	case d >= nameDiceClose || phonetic:
		return levelClose
	case d >= nameDiceFuzzy:
		return levelFuzzy
	}
	return levelDisagree
}

// same reports whether two filters of an exact-token feature agree.
func same(a, b []byte) (bool, bool) {
	d, ok := segDice(a, b)
	return d >= 0.95, ok
}

// compareFields fills gamma (Dedup's layout: given, family, date, sex,
// citizenship, extras) from the filters of two records.
func (l *fieldLayout) compareFields(a, b []byte, gamma []int8) {
	seg := func(c []byte, i int) []byte { return l.segment(c, i) }
	nameLevel := func(x, y, xp, yp int) int {
		d, ok := segDice(seg(a, x), seg(b, y))
		ph, phOK := same(seg(a, xp), seg(b, yp))
		return nameDiceLevel(d, ok, ph && phOK)
	}
	g := nameLevel(l.given, l.given, l.givenPh, l.givenPh)
	f := nameLevel(l.family, l.family, l.familyPh, l.familyPh)
	if g+f < 2*levelExact {
		cg := nameLevel(l.given, l.family, l.givenPh, l.familyPh)
		cf := nameLevel(l.family, l.given, l.familyPh, l.givenPh)
		if max(cg, 0)+max(cf, 0) > max(g, 0)+max(f, 0) && max(cg, cf) >= levelClose && min(cg, cf) >= levelFuzzy {
			g, f = cg, cf
		}
	}
	gamma[fieldGiven], gamma[fieldFamily] = int8(g), int8(f)
	gamma[fieldDate] = int8(l.dateLevel(a, b))
	gamma[fieldSex] = exactFilterLevel(same(seg(a, l.sex), seg(b, l.sex)))
	gamma[fieldCitizenship] = exactFilterLevel(same(seg(a, l.citizen), seg(b, l.citizen)))
	// names_sorted, when a schema has it, is not scored: it says again
	// what the given and family names (read crossed when swapped) say.
	k := fieldExtra
	for _, x := range l.extras {
		d, ok := segDice(seg(a, x), seg(b, x))
		gamma[k] = int8(nameDiceLevel(d, ok, false))
		k++
	}
}

func exactFilterLevel(eq, ok bool) int8 {
	switch {
	case !ok:
		return levelMissing
	case eq:
		return 1
	}
	return 0
}

// dateLevel mirrors CompareDates on filters: exact when the full dates
// agree, near when day and month are swapped or one digit differs,
// partial when the years agree (or one side is only a year), disagree
// otherwise.
func (l *fieldLayout) dateLevel(a, b []byte) int {
	seg := func(c []byte, i int) []byte { return l.segment(c, i) }
	yEq, yOK := same(seg(a, l.year), seg(b, l.year))
	dmEq, dmOK := same(seg(a, l.daymonth), seg(b, l.daymonth))
	d, dOK := segDice(seg(a, l.date), seg(b, l.date))
	switch {
	case !yOK && !dOK:
		return DateMissing
	case dOK && d >= 0.97 && (!dmOK || dmEq):
		return DateExact
	case yOK && yEq && dmOK && dmEq:
		return DateNear // day and month swapped
	case dOK && dmOK && d >= 0.85:
		return DateNear // one digit
	case yOK && yEq:
		return DatePartial
	}
	return DateDisagree
}

// extrasOf is the number of extra fields compareFields writes.
func (l *fieldLayout) extrasOf() int {
	return len(l.extras)
}
