// Package linkage finds the same person across institutions and borders:
// name normalisation for the scripts of the Western Balkans, a
// Fellegi–Sunter matching engine for deduplication, and Bloom-filter
// (CLK) encodings for privacy-preserving linkage between parties that
// must not exchange names.
package linkage

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldRune maps one lower-case rune to its folded Latin spelling. Cyrillic
// is transliterated into Latin *with diacritics already removed*, so that
// "Ђорђевић" and "Đorđević" land on the same letters ("dordevic"). The
// Serbian/Macedonian reading wins where the Cyrillic alphabets disagree
// (и is "i", not Ukrainian "y"), because those are the names Ura sees most.
var foldRune = map[rune]string{
	// Latin with diacritics: Albanian, BCMS, Romanian, Turkish, plus common
	// Western European letters that appear in foreign documents.
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ĉ': "c", 'ċ': "c",
	'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ğ': "g", 'ĝ': "g", 'ġ': "g", 'ģ': "g", 'ǵ': "g",
	'ĥ': "h", 'ħ': "h",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i", 'ĩ': "i",
	'ĵ': "j", 'ķ': "k", 'ḱ': "k",
	'ĺ': "l", 'ļ': "l", 'ľ': "l", 'ł': "l", 'ŀ': "l",
	'ñ': "n", 'ń': "n", 'ņ': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ŕ': "r", 'ř': "r",
	'ś': "s", 'ş': "s", 'ș': "s", 'š': "s", 'ŝ': "s", 'ß': "ss",
	'ţ': "t", 'ț': "t", 'ť': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u", 'ŭ': "u",
	'ý': "y", 'ÿ': "y",
	'ź': "z", 'ż': "z", 'ž': "z",
	// Cyrillic: Serbian, Macedonian, Russian, Ukrainian, Belarusian.
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'ђ': "d", 'ѓ': "g",
	'е': "e", 'ё': "e", 'є': "je", 'ж': "z", 'з': "z", 'ѕ': "dz", 'и': "i", 'і': "i",
	'ї': "ji", 'й': "j", 'ј': "j", 'к': "k", 'ќ': "k", 'л': "l", 'љ': "lj", 'м': "m",
	'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ћ': "c",
	'у': "u", 'ў': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "c", 'џ': "dz", 'ш': "s",
	'щ': "sc", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "ju", 'я': "ja",
}

// digraphs are Latin spellings that stand for one letter written with a
// diacritic or in Cyrillic elsewhere; they are folded to what that letter
// folds to. "dj" must become "d" because Đorđević is written Djordjevic
// when the keyboard has no đ, while the diacritic-less Dordevic is just as
// common. The cost is that names with a genuine d+j ("Adjei") fold too.
var digraphs = []struct{ from, to string }{
	{"dzh", "dz"}, // Ukrainian/Russian transliteration of дж
	{"dj", "d"},   // Serbian/Croatian đ
	{"gj", "g"},   // Albanian gj, Macedonian ѓ
	{"kj", "k"},   // Macedonian ќ
	{"xh", "dz"},  // Albanian xh = Serbian dž
	{"zh", "z"},   // Albanian zh, Russian ж = ž
	{"sh", "s"},   // Albanian sh, English/Russian sh = š
	{"ch", "c"},   // English/Russian ch = č
	{"kh", "h"},   // Russian х in English transliteration
}

// Normalize returns the folded key of a name: lower case, diacritics
// removed, Cyrillic transliterated, punctuation turned into spaces and
// spaces collapsed. The same key comes out of a name in either script,
// with or without diacritics, so the case file can keep an exact blind
// index on it.
//
// Collisions accepted on purpose (they only ever add candidates): č, ć and
// c; š, sh and s; ž, zh and z; đ, dj and d; dž, xh and dz; gj and g; kj
// and k; ch and c; kh and h; ë and e; ı, i and İ; Ukrainian и read as i.
//
// Before anything else the name is brought to Unicode NFKC: composed
// letters (a "й" typed as и and a combining breve is the same letter as
// the precomposed one) and compatibility forms folded (full-width letters,
// ligatures, superscript digits), so that every spelling of one name gives
// one key.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	for _, r := range s {
		switch r {
		case 'İ':
			r = 'i'
		case 'I':
			r = 'i'
		default:
			r = unicode.ToLower(r)
		}
		if r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == '´' {
			continue // O'Brien and OBrien are the same person
		}
		if f, ok := foldRune[r]; ok {
			if f != "" { // the hard and soft signs fold to nothing
				b.WriteString(f)
				space = false
			}
			continue
		}
		switch {
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			space = false
		case unicode.Is(unicode.Mn, r):
			// A combining accent typed separately from its letter.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.TrimRight(b.String(), " ")
	// Repeat until stable so that Normalize(Normalize(s)) == Normalize(s):
	// a stored key can be normalised again without changing.
	for strings.IndexByte(out, 'h') >= 0 || strings.IndexByte(out, 'j') >= 0 {
		prev := out
		for _, d := range digraphs {
			out = strings.ReplaceAll(out, d.from, d.to)
		}
		if out == prev {
			break
		}
	}
	return out
}

// NameTokens splits a name into its normalised words, so that compound
// names ("Ana-Marija", "Hoxha Berisha") can be compared word by word and
// in any order.
func NameTokens(s string) []string {
	return strings.Fields(Normalize(s))
}
