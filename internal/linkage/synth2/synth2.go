// Package synth2 is a second synthetic benchmark of the region's person
// registrations, built independently of package synth so that the engine
// can be tested on data it was not tuned on: other name lists (Albanian,
// Serbian, Montenegrin, Bosnian, Roma, Turkish, and Arabic and Afghan
// names of people in transit), other corruption rates, larger households
// with parents, siblings and twins, and other errors (English-style
// romanisation of Serbian, transliteration variants of Arabic names, a
// second given name dropped, a year guessed from an age). Ids carry the
// ground truth in the FEBRL style: s2-N-org and s2-N-dup-K are person N.
package synth2

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ura-nrm/ura/internal/linkage"
)

// Options sizes the generated set.
type Options struct {
	People int    // distinct people; registrations are about 1.3 times as many
	Seed   uint64 // the same seed always gives the same records
}

type person struct {
	n              int
	g              *group
	given, family  string
	year, mon, day int
	sex            string
	country        string
	address, town  string
}

// Generate returns the registrations, shuffled. Every record carries the
// six documented columns and, as extra fields, address and municipality
// (either may be empty).
func Generate(opts Options) []linkage.Record {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5e7d2))
	var people []person
	for len(people) < opts.People {
		people = append(people, household(rng, len(people))...)
	}
	people = people[:opts.People]
	var out []linkage.Record
	for _, p := range people {
		out = append(out, p.record(fmt.Sprintf("s2-%d-org", p.n), nil))
		dups := 0
		switch r := rng.Float64(); {
		case r < 0.01:
			dups = 3
		case r < 0.05:
			dups = 2
		case r < 0.27:
			dups = 1
		}
		for k := 0; k < dups; k++ {
			out = append(out, p.record(fmt.Sprintf("s2-%d-dup-%d", p.n, k), rng))
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// TwoParty splits registrations into two countries' registers: every
// person registered more than once has one record on each side, the
// others are on one side at random. The true links are the pairs of
// records of the same person across the sides.
func TwoParty(recs []linkage.Record, seed uint64) (a, b []linkage.Record) {
	rng := rand.New(rand.NewPCG(seed, 0x2a))
	byPerson := map[string][]linkage.Record{}
	var order []string
	for _, r := range recs {
		k := Entity(r.ID)
		if _, ok := byPerson[k]; !ok {
			order = append(order, k)
		}
		byPerson[k] = append(byPerson[k], r)
	}
	for _, k := range order {
		rs := byPerson[k]
		switch {
		case len(rs) >= 2:
			i := rng.IntN(2)
			a, b = append(a, rs[i]), append(b, rs[1-i])
		case rng.IntN(2) == 0:
			a = append(a, rs[0])
		default:
			b = append(b, rs[0])
		}
	}
	return a, b
}

// Entity is the person an id stands for.
func Entity(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) < 2 {
		return id
	}
	return parts[1]
}

func pickGroup(rng *rand.Rand) *group {
	r := rng.Float64()
	for i := range groups {
		r -= groups[i].weight
		if r < 0 {
			return &groups[i]
		}
	}
	return &groups[len(groups)-1]
}

// household draws one family: one to five people sharing a surname, an
// address and a citizenship; children close in age, twins sharing a
// birth date, sometimes a parent a generation older.
func household(rng *rand.Rand, next int) []person {
	g := pickGroup(rng)
	size := 1
	switch r := rng.Float64(); {
	case r < 0.05:
		size = 5
	case r < 0.13:
		size = 4
	case r < 0.25:
		size = 3
	case r < 0.45:
		size = 2
	}
	base := person{g: g, family: pick(rng, g.family), country: pick(rng, g.countries), town: pick(rng, g.towns)}
	base.address = fmt.Sprintf("%s %d", pick(rng, g.streets), 1+rng.IntN(200))
	year := 1965 + rng.IntN(45)
	used := map[string]bool{}
	var out []person
	for m := 0; m < size; m++ {
		p := base
		p.n = next + m
		p.sex = "F"
		if rng.Float64() < 0.4 {
			p.sex = "M"
		}
		for {
			if p.sex == "F" {
				p.given = pick(rng, g.female)
			} else {
				p.given = pick(rng, g.male)
			}
			if !used[p.given] {
				break
			}
		}
		used[p.given] = true
		switch {
		case m == 0 && size >= 3 && rng.Float64() < 0.5: // a parent
			p.year, p.mon, p.day = year-22-rng.IntN(12), 1+rng.IntN(12), 1+rng.IntN(28)
		case m > 0 && len(out) > 0 && rng.Float64() < 0.12: // a twin of the one before
			q := out[len(out)-1]
			p.year, p.mon, p.day = q.year, q.mon, q.day
		default:
			p.year, p.mon, p.day = year+m+rng.IntN(3), 1+rng.IntN(12), 1+rng.IntN(28)
		}
		out = append(out, p)
	}
	return out
}

// record renders a person as one institution registers her; with rng,
// zero to three corruptions are applied.
func (p person) record(id string, rng *rand.Rand) linkage.Record {
	given, family := p.given, p.family
	date := fmt.Sprintf("%04d-%02d-%02d", p.year, p.mon, p.day)
	sex, country := p.sex, p.country
	address, town := p.address, p.town
	if rng == nil {
		return linkage.Record{ID: id, GivenName: given, FamilyName: family, BirthDate: date, Sex: sex, Citizenship: country,
			Extra: map[string]string{"address": address, "municipality": town}}
	}
	n := 0
	switch r := rng.Float64(); {
	case r < 0.12:
		n = 3
	case r < 0.45:
		n = 2
	case r < 0.88:
		n = 1
	}
	for range n {
		switch c := rng.IntN(16); c {
		case 0, 1: // the other script, or the other romanisation
			switch {
			case p.g.cyrillic && rng.IntN(3) > 0:
				given, family = cyrillic(given), cyrillic(family)
			case p.g.variants != nil:
				given, family = variant(rng, p.g, given), variant(rng, p.g, family)
			default:
				given, family = english(given), english(family)
			}
		case 2, 3: // no diacritics on the keyboard
			given, family = plain(given), plain(family)
		case 4:
			given = typo(rng, given)
		case 5:
			family = typo(rng, family)
		case 6: // family name written first
			given, family = family, given
		case 7: // day and month swapped
			if p.day <= 12 && p.day != p.mon {
				date = fmt.Sprintf("%04d-%02d-%02d", p.year, p.day, p.mon)
			}
		case 8: // date not known, or known in part
			switch rng.IntN(4) {
			case 0:
				date = ""
			case 1:
				date = fmt.Sprintf("%04d", p.year)
			case 2:
				date = fmt.Sprintf("%04d-%02d", p.year, p.mon)
			default: // a year worked out from an age
				date = fmt.Sprintf("%04d", p.year+rng.IntN(3)-1)
			}
		case 9: // one digit mistyped
			d := []byte(date)
			if len(d) == 10 {
				pos := []int{3, 6, 9}[rng.IntN(3)]
				d[pos] = byte('0' + (int(d[pos]-'0')+1+rng.IntN(8))%10)
				if _, err := linkage.ParseDate(string(d)); err == nil {
					date = string(d)
				}
			}
		case 10: // a second given name dropped, or added
			if f := strings.Fields(given); len(f) > 1 {
				given = f[0]
			} else if rng.IntN(2) == 0 {
				given = given + " " + pick(rng, p.g.female)
			} else {
				given = typo(rng, given)
			}
		case 11:
			sex = ""
		case 12: // citizenship not recorded, or declared otherwise
			if len(p.g.countries) > 1 && rng.IntN(2) == 0 {
				country = pick(rng, p.g.countries)
			} else {
				country = ""
			}
		case 13: // moved, or no address given
			if rng.IntN(2) == 0 {
				address = ""
			} else {
				address = fmt.Sprintf("%s %d", pick(rng, p.g.streets), 1+rng.IntN(200))
				town = pick(rng, p.g.towns)
			}
		case 14: // both: the other script and a typo
			family = typo(rng, family)
			given = plain(given)
		case 15: // upper case, as on a form
			given, family = strings.ToUpper(given), strings.ToUpper(family)
		}
	}
	r := linkage.Record{ID: id, GivenName: given, FamilyName: family, BirthDate: date, Sex: sex, Citizenship: country}
	r.Extra = map[string]string{}
	if address != "" {
		r.Extra["address"] = address
	}
	if town != "" {
		r.Extra["municipality"] = town
	}
	return r
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// variant replaces a name by another romanisation of it, when it has one.
func variant(rng *rand.Rand, g *group, name string) string {
	if v, ok := g.variants[name]; ok {
		vs := strings.Fields(v)
		if strings.Contains(name, " ") || strings.Contains(v, "Abdul") {
			vs = strings.Split(v, " ")
		}
		return vs[rng.IntN(len(vs))]
	}
	return name
}

// typo applies one keystroke error: a neighbouring key, a letter left out
// or doubled, two letters swapped.
func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(r)-2)
	switch rng.IntN(4) {
	case 0:
		if nb, ok := neighbours[r[i]]; ok {
			r[i] = []rune(nb)[rng.IntN(len([]rune(nb)))]
		} else {
			r[i] = 'e'
		}
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = append(r[:i], append([]rune{r[i]}, r[i:]...)...)
	default:
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}

var neighbours = map[rune]string{
	'a': "sq", 'b': "vn", 'c': "xv", 'd': "sf", 'e': "wr", 'f': "dg", 'g': "fh", 'h': "gj", 'i': "uo",
	'j': "hk", 'k': "jl", 'l': "k", 'm': "n", 'n': "bm", 'o': "ip", 'p': "o", 'r': "et", 's': "ad",
	't': "ry", 'u': "yi", 'v': "cb", 'z': "yx", 'y': "tz",
}

var plainReplacer = strings.NewReplacer(
	"ë", "e", "Ë", "E", "ç", "c", "Ç", "C", "č", "c", "Č", "C", "ć", "c", "Ć", "C", "š", "s", "Š", "S",
	"ž", "z", "Ž", "Z", "đ", "d", "Đ", "D", "ı", "i", "İ", "I", "ğ", "g", "ş", "s", "Ş", "S",
	"ö", "o", "Ö", "O", "ü", "u", "Ü", "U", "ï", "i",
)

func plain(s string) string { return plainReplacer.Replace(s) }

// english romanises the South Slavic and Albanian letters as an English
// speaker would: č ch, š sh, ž zh, đ dj, ç ch, ë e.
var englishReplacer = strings.NewReplacer(
	"č", "ch", "Č", "Ch", "ć", "ch", "Ć", "Ch", "š", "sh", "Š", "Sh", "ž", "zh", "Ž", "Zh",
	"đ", "dj", "Đ", "Dj", "ç", "ch", "Ç", "Ch", "ë", "e", "ş", "sh", "Ş", "Sh", "ğ", "g",
	"ı", "i", "İ", "I", "ö", "o", "ü", "u",
)

func english(s string) string { return englishReplacer.Replace(s) }

// cyrillic writes a Serbian or Montenegrin Latin name in Cyrillic.
func cyrillic(s string) string { return cyrReplacer.Replace(s) }

var cyrReplacer = func() *strings.Replacer {
	pairs := []string{"Lj", "Љ", "lj", "љ", "Nj", "Њ", "nj", "њ", "Dž", "Џ", "dž", "џ", "LJ", "Љ", "NJ", "Њ"}
	lat := []rune("ABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽabcčćdđefghijklmnoprsštuvzž")
	cyr := []rune("АБЦЧЋДЂЕФГХИЈКЛМНОПРСШТУВЗЖабцчћдђефгхијклмнопрсштувзж")
	for i := range lat {
		pairs = append(pairs, string(lat[i]), string(cyr[i]))
	}
	return strings.NewReplacer(pairs...)
}()
