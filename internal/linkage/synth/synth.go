// Package synth generates a synthetic benchmark of the region's person
// registrations: fictional people with the errors real registrations
// contain (Latin/Cyrillic spellings, lost diacritics, typos, swapped
// names, swapped day and month, missing dates, nicknames) and the hard
// non-matches that fool naive matching (siblings sharing a surname and an
// address, twins sharing a birth date). Ids carry the ground truth in the
// FEBRL style: syn-N-org and syn-N-dup-K are the same person N.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ura-nrm/ura/internal/linkage"
)

// Options sizes the generated set.
type Options struct {
	Families int    // households; each holds one to three people
	Seed     uint64 // the same seed always gives the same records
}

type person struct {
	n              int
	given, family  string
	year, mon, day int
	sex            string
	set            *nameSet
	street, town   string
	postcode       string
}

// Generate returns the registrations, shuffled. About half of the people
// are registered more than once, by other institutions.
func Generate(opts Options) []linkage.Record {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed0f0a11a5))
	var people []person
	for f := 0; f < opts.Families; f++ {
		set := &nameSets[rng.IntN(len(nameSets))]
		family := pick(rng, set.family)
		street := fmt.Sprintf("%s %d", pick(rng, set.streets), 1+rng.IntN(120))
		town := pick(rng, set.towns)
		postcode := fmt.Sprintf("%05d", 10000+rng.IntN(80000))
		base := person{family: family, set: set, street: street, town: town, postcode: postcode}
		members := 1
		switch r := rng.Float64(); {
		case r < 0.25:
			members = 2 // siblings
		case r < 0.35:
			members = 3
		}
		twins := members >= 2 && rng.Float64() < 0.4
		year := 1960 + rng.IntN(45)
		used := map[string]bool{}
		for m := 0; m < members; m++ {
			p := base
			p.n = len(people)
			p.sex = "F"
			if rng.Float64() < 0.3 {
				p.sex = "M"
			}
			for {
				if p.sex == "F" {
					p.given = pick(rng, set.female)
				} else {
					p.given = pick(rng, set.male)
				}
				if !used[p.given] {
					break
				}
			}
			used[p.given] = true
			if p.sex == "F" && set.femFamily != nil {
				p.family = set.femFamily(family)
			}
			if m == 1 && twins {
				q := people[len(people)-1]
				p.year, p.mon, p.day = q.year, q.mon, q.day
			} else {
				p.year = year + 2*m + rng.IntN(3)*m
				p.mon, p.day = 1+rng.IntN(12), 1+rng.IntN(28)
			}
			people = append(people, p)
		}
	}
	var out []linkage.Record
	for _, p := range people {
		out = append(out, p.record(fmt.Sprintf("syn-%d-org", p.n), nil))
		dups := 0
		if r := rng.Float64(); r < 0.35 {
			dups = 1
		} else if r < 0.5 {
			dups = 2
		}
		for k := 0; k < dups; k++ {
			out = append(out, p.record(fmt.Sprintf("syn-%d-dup-%d", p.n, k), rng))
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// record renders a person as one institution registers her; with rng, one
// to three corruptions are applied.
func (p person) record(id string, rng *rand.Rand) linkage.Record {
	given, family := p.given, p.family
	date := fmt.Sprintf("%04d-%02d-%02d", p.year, p.mon, p.day)
	r := linkage.Record{ID: id, Sex: p.sex, Citizenship: p.set.country,
		Extra: map[string]string{"address": p.street, "town": p.town, "postcode": p.postcode}}
	if rng != nil {
		n := 1 + rng.IntN(3)
		for range n {
			switch c := rng.IntN(11); c {
			case 0: // the other script
				if p.set.cyrillic {
					given, family = toCyrillic(given, p.set.lang), toCyrillic(family, p.set.lang)
				} else {
					given, family = stripDiacritics(given), stripDiacritics(family)
				}
			case 1: // a keyboard without diacritics
				given, family = stripDiacritics(given), stripDiacritics(family)
			case 2:
				given = typo(rng, given)
			case 3:
				family = typo(rng, family)
			case 4:
				given, family = family, given
			case 5: // day and month swapped
				if p.day <= 12 {
					date = fmt.Sprintf("%04d-%02d-%02d", p.year, p.day, p.mon)
				}
			case 6: // date unknown or known only in part
				switch rng.IntN(3) {
				case 0:
					date = ""
				case 1:
					date = fmt.Sprintf("%04d", p.year)
				default:
					date = fmt.Sprintf("%04d-%02d", p.year, p.mon)
				}
			case 7: // one digit wrong
				d := []byte(date)
				if len(d) == 10 {
					pos := []int{2, 3, 9}[rng.IntN(3)]
					d[pos] = byte('0' + (int(d[pos]-'0')+1+rng.IntN(8))%10)
					if _, err := linkage.ParseDate(string(d)); err == nil {
						date = string(d)
					}
				}
			case 8: // registered under the name she is called by
				if nick, ok := nicknames[p.given]; ok {
					given = nick[rng.IntN(len(nick))]
				} else {
					given = typo(rng, given)
				}
			case 9: // address not taken or moved
				delete(r.Extra, "address")
				delete(r.Extra, "postcode")
				if rng.IntN(2) == 0 {
					delete(r.Extra, "town")
				}
			case 10:
				r.Citizenship = ""
			}
		}
	}
	r.GivenName, r.FamilyName, r.BirthDate = given, family, date
	return r
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// typo applies one keystroke error: a substitution, a deletion, an
// insertion or a swap of neighbours.
func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + rng.IntN(len(r)-2) // first letters are typed with more care
	letters := []rune("aeioulnrstmkdj")
	switch rng.IntN(4) {
	case 0:
		r[i] = letters[rng.IntN(len(letters))]
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = append(r[:i], append([]rune{letters[rng.IntN(len(letters))]}, r[i:]...)...)
	default:
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}

var plain = strings.NewReplacer(
	"ë", "e", "Ë", "E", "ç", "c", "Ç", "C", "č", "c", "Č", "C", "ć", "c", "Ć", "C",
	"š", "s", "Š", "S", "ž", "z", "Ž", "Z", "đ", "dj", "Đ", "Dj", "ș", "s", "Ș", "S",
	"ț", "t", "Ț", "T", "ă", "a", "â", "a", "î", "i", "ı", "i", "İ", "I", "ğ", "g",
	"ş", "s", "Ş", "S", "ö", "o", "Ö", "O", "ü", "u", "Ü", "U", "ǵ", "g", "Ǵ", "G",
)

func stripDiacritics(s string) string { return plain.Replace(s) }

// toCyrillic writes a Serbian or Macedonian Latin name in Cyrillic.
func toCyrillic(s, lang string) string {
	pairs := []string{"Lj", "Љ", "lj", "љ", "Nj", "Њ", "nj", "њ", "Dž", "Џ", "dž", "џ"}
	if lang == "mk" {
		pairs = append(pairs, "Gj", "Ѓ", "gj", "ѓ", "Kj", "Ќ", "kj", "ќ", "Dz", "Ѕ", "dz", "ѕ")
	}
	single := "AАBБVВGГDДĐЂEЕŽЖZЗIИJЈKКLЛMМNНOОPПRРSСTТĆЋUУFФHХCЦČЧŠШǴЃaаbбvвgгdдđђeеžжzзiиjјkкlлmмnнoоpпrрsсtтćћuуfфhхcцčчšшǵѓ"
	rs := []rune(single)
	for i := 0; i+1 < len(rs); i += 2 {
		pairs = append(pairs, string(rs[i]), string(rs[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Languages are the languages Name draws names in.
var Languages = func() []string {
	out := make([]string, len(nameSets))
	for i, s := range nameSets {
		out[i] = s.lang
	}
	return out
}()

// Name draws a fictional name in lang (one of Languages; an unknown one is
// taken as Albanian), a woman's or a man's, written in Cyrillic when
// cyrillic is set and the language is written in it. Names are combined at
// random, so no drawn name is a real person's.
func Name(rng *rand.Rand, lang string, female, cyrillic bool) (given, family string) {
	set := &nameSets[0]
	for i := range nameSets {
		if nameSets[i].lang == lang {
			set = &nameSets[i]
		}
	}
	family = pick(rng, set.family)
	if female {
		given = pick(rng, set.female)
		if set.femFamily != nil {
			family = set.femFamily(family)
		}
	} else {
		given = pick(rng, set.male)
	}
	if cyrillic && set.cyrillic {
		given, family = toCyrillic(given, set.lang), toCyrillic(family, set.lang)
	}
	return given, family
}
