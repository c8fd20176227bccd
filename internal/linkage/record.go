package linkage

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Record is one registration of a person by one institution. Every field
// may be empty: victims are often registered before they can or will say
// who they are.
type Record struct {
	ID          string
	GivenName   string
	FamilyName  string
	BirthDate   string // YYYY-MM-DD, YYYY-MM, YYYY or empty
	Sex         string
	Citizenship string
	// Extra holds any further identifying field (address, postcode,
	// document number…), compared by string similarity. Fields are matched
	// by name between records; a field one record lacks counts as missing.
	Extra map[string]string
}

// Pair is two records judged to be the same person, A < B in string order.
// Score is the estimated probability that they are.
type Pair struct {
	A, B  string
	Score float64
}

// DefaultThreshold is the match probability above which Dedup reports a
// pair. The model's probabilities are over-confident where fields are not
// independent (household members share surname and address), so the
// Bayes point 0.5 lets siblings and twins through; 0.9 kept every FEBRL
// set at F1 ≥ 0.999 and raised the synthetic regional set from 0.88 to
// 0.97 (measurements in docs/linkage.md).
const DefaultThreshold = 0.9

// DefaultMaxBlockSize is the largest block compared in full: inside a
// block of more records (a common surname in a common birth year, a
// postcode of a city) each record meets only its snWindow neighbours in
// the block's sorted order (sorted neighbourhood), since such a key is too
// weak to be worth n² comparisons and the other keys still bring the true
// pairs inside it together. The window (2·snWindow+1) bounds it from
// above: a smaller MaxBlockSize makes more blocks windowed.
const DefaultMaxBlockSize = 100

// Options tunes Dedup. The zero value is the recommended setting.
type Options struct {
	// Threshold is the minimum match probability reported; 0 or less
	// means DefaultThreshold.
	Threshold float64
	// MaxBlockSize is the largest block compared in full (see
	// DefaultMaxBlockSize); 0 or less means DefaultMaxBlockSize.
	MaxBlockSize int
	// EMIterations bounds the estimation of the match weights; 0 or less
	// means 100.
	EMIterations int
	// NoClosure turns off the transitive completion of clusters (see
	// Dedup), to report only pairs that are similar on their own.
	NoClosure bool
	// RegisterSize is the number of persons the records were drawn from,
	// when Dedup scores a few candidates found in a larger register (the
	// check at registration); it sets the prior. 0 means len(records).
	RegisterSize int
	// Warn receives the one-line warnings of a run (a fitted model that
	// failed its sanity checks); nil writes them to standard error. They
	// never hold a value from the records.
	Warn func(msg string)
}

func (o Options) warn() func(string) {
	if o.Warn != nil {
		return o.Warn
	}
	return func(msg string) { fmt.Fprintln(os.Stderr, msg) }
}

func (o Options) threshold() float64 {
	if o.Threshold <= 0 {
		return DefaultThreshold
	}
	return o.Threshold
}

func (o Options) maxBlock() int {
	if o.MaxBlockSize <= 0 {
		return DefaultMaxBlockSize
	}
	return o.MaxBlockSize
}

func (o Options) emIterations() int {
	if o.EMIterations <= 0 {
		return 100
	}
	return o.EMIterations
}

// prepared is a record with every comparison form computed once, because
// each record takes part in many candidate pairs.
type prepared struct {
	given, family       string   // normalised
	givenTok, familyTok []string // normalised words
	givenPh, familyPh   []string // phonetic code per word
	givenCanon          string   // nickname-resolved first given name
	date                Date
	dateOK              bool
	sex, citizenship    string
	extra               []string // normalised, aligned with extraNames
	extraDigits         []bool
}

// extraNames lists the extra field names present in any record, sorted so
// that the comparison vector has the same layout whatever map order Go
// chooses.
func extraNames(records []Record) []string {
	seen := map[string]bool{}
	for _, r := range records {
		for k := range r.Extra {
			seen[k] = true
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func prepare(r Record, extras []string) prepared {
	p := prepared{
		given:  Normalize(r.GivenName),
		family: Normalize(r.FamilyName),
	}
	p.givenTok = strings.Fields(p.given)
	p.familyTok = strings.Fields(p.family)
	for _, t := range p.givenTok {
		p.givenPh = append(p.givenPh, phoneticToken(t))
	}
	for _, t := range p.familyTok {
		p.familyPh = append(p.familyPh, phoneticToken(t))
	}
	if len(p.givenTok) > 0 {
		p.givenCanon = CanonicalName(p.givenTok[0])
	}
	if d, err := ParseDate(strings.TrimSpace(r.BirthDate)); err == nil && !d.IsZero() {
		p.date, p.dateOK = d, true
	}
	p.sex = normalizeSex(r.Sex)
	p.citizenship = Normalize(r.Citizenship)
	p.extra = make([]string, len(extras))
	p.extraDigits = make([]bool, len(extras))
	for i, k := range extras {
		v := Normalize(r.Extra[k])
		p.extra[i] = v
		p.extraDigits[i] = v != "" && allDigits(v)
	}
	return p
}

// normalizeSex maps the usual spellings in the region's languages to m/f
// so that "M", "male", "mashkull" and "мушки" agree.
func normalizeSex(s string) string {
	n := Normalize(s)
	switch n {
	case "":
		return ""
	case "m", "male", "man", "mashkull", "musko", "muski", "masculin", "erkek", "muzskoj", "muzski", "1":
		return "m"
	case "f", "female", "woman", "femer", "femre", "zensko", "zenski", "z", "feminin", "kadin", "zenskij", "2":
		return "f"
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != ' ' {
			return false
		}
	}
	return true
}
