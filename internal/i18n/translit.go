package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// latinToCyrillic maps Serbian Latin letters (Gaj's alphabet) to Cyrillic
// (Vuk's alphabet); the digraphs lj, nj and dž are handled in LatinToCyrillic.
var latinToCyrillic = map[rune]string{
	'a': "а", 'b': "б", 'c': "ц", 'č': "ч", 'ć': "ћ", 'd': "д", 'đ': "ђ",
	'e': "е", 'f': "ф", 'g': "г", 'h': "х", 'i': "и", 'j': "ј", 'k': "к",
	'l': "л", 'm': "м", 'n': "н", 'o': "о", 'p': "п", 'r': "р", 's': "с",
	'š': "ш", 't': "т", 'u': "у", 'v': "в", 'z': "з", 'ž': "ж",
	'A': "А", 'B': "Б", 'C': "Ц", 'Č': "Ч", 'Ć': "Ћ", 'D': "Д", 'Đ': "Ђ",
	'E': "Е", 'F': "Ф", 'G': "Г", 'H': "Х", 'I': "И", 'J': "Ј", 'K': "К",
	'L': "Л", 'M': "М", 'N': "Н", 'O': "О", 'P': "П", 'R': "Р", 'S': "С",
	'Š': "Ш", 'T': "Т", 'U': "У", 'V': "В", 'Z': "З", 'Ž': "Ж",
}

// keepLatin are words Serbian Cyrillic text writes in Latin letters: the
// product's name (never inflected in the catalogues, so "Ura" is the only
// form), international acronyms and file types, and the ISO 639 language codes
// a user must type (the forms accept "sr", not "ср"). Serbian acronyms (NVO,
// SOS, MOR) are transliterated like any word. Matching is exact, letter case
// included.
var keepLatin = map[string]bool{
	"Ura": true,
	"API": true, "CSV": true, "DOCX": true, "GET": true, "HSDS": true, "HTTP": true,
	"HTTPS": true, "ID": true, "ISF": true, "ISO": true, "JPEG": true, "JSON": true,
	"KiB": true, "MiB": true, "ODT": true, "PDF": true, "PNG": true, "POST": true,
	"QR": true, "TOTP": true, "URL": true, "XK": true, "XLSX": true,
	"en": true, "rom": true, "sq": true, "sr": true,
}

// splitDigraph lists word beginnings where "dž" or "nj" are two letters, not
// one (nad|živeti, in|jekcija): Latin cannot show the difference, so the
// transliteration has to know the words.
var splitDigraph = []string{"nadž", "podž", "odž", "injek", "konjug", "konjunk"}

// LatinToCyrillic transliterates Serbian Latin text to Serbian Cyrillic. It
// leaves in Latin what a reader must see or type as it is: {placeholders}, the
// product name, acronyms and file types (keepLatin), and every token that is
// a code rather than a word (see isCode): "application/json",
// "POST /api/v1/…", "ura:service_type", "Content-Type". Words joined by a
// slash ("zaradi/primanjima") and codes of letters and digits ("D1") are
// words and are transliterated. It generates catalog/sr-Cyrl.json from
// catalog/sr-Latn.json, so the two scripts never say different things.
func LatinToCyrillic(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			b.WriteString(s[:size])
			s = s[size:]
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		if isCode(s[:end]) {
			b.WriteString(s[:end])
		} else {
			transliterateChunk(&b, s[:end])
		}
		s = s[end:]
	}
	return b.String()
}

// mediaTypes are the top-level types of MIME types ("application/json").
var mediaTypes = []string{"application/", "audio/", "font/", "image/", "message/", "model/",
	"multipart/", "text/", "video/"}

// isCode reports whether a whitespace-delimited token is a code to keep in
// Latin: a path ("/api/v1/cases") or address ("https://…"), a MIME type, a
// token with "_", ":", "@" or a backslash inside, a dot between letters
// ("example.org"), or a letter Serbian does not have (q, w, x, y:
// "Content-Type"). Punctuation around the token ("(Content-Type:", "npr. sr.")
// and placeholders do not count.
func isCode(token string) bool {
	core := strings.TrimLeft(token, "([\"'„“‘«")
	core = strings.TrimRight(core, ")]\"'.,;:!?”’»…")
	if strings.HasPrefix(core, "/") || strings.Contains(core, "://") {
		return true
	}
	for _, t := range mediaTypes {
		if strings.HasPrefix(core, t) && len(core) > len(t) {
			return true
		}
	}
	prev := rune(0)
	for len(core) > 0 {
		if core[0] == '{' {
			if name, ok := placeholderAt(core); ok {
				core = core[len(name)+2:]
				prev = '}'
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(core)
		core = core[size:]
		switch {
		case strings.ContainsRune("_:@\\", r):
			return true
		case strings.ContainsRune("qwxyQWXY", r):
			return true
		case r == '.' && unicode.IsLetter(prev) && len(core) > 0:
			if next, _ := utf8.DecodeRuneInString(core); unicode.IsLetter(next) {
				return true
			}
		}
		prev = r
	}
	return false
}

// transliterateChunk writes one token that is not a code, word by word.
func transliterateChunk(b *strings.Builder, s string) {
	for len(s) > 0 {
		if s[0] == '{' {
			if name, ok := placeholderAt(s); ok {
				b.WriteString(s[:len(name)+2])
				s = s[len(name)+2:]
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsLetter(r) {
			b.WriteString(s[:size])
			s = s[size:]
			continue
		}
		end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
		if end < 0 {
			end = len(s)
		}
		b.WriteString(transliterateWord(s[:end]))
		s = s[end:]
	}
}

func transliterateWord(w string) string {
	if keepLatin[w] {
		return w
	}
	split := false
	lower := strings.ToLower(w)
	for _, p := range splitDigraph {
		if strings.HasPrefix(lower, p) {
			split = true
		}
	}
	rs := []rune(w)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if i+1 < len(rs) && !split {
			if c, ok := digraph(r, rs[i+1]); ok {
				b.WriteString(c)
				i++
				continue
			}
		}
		if c, ok := latinToCyrillic[r]; ok {
			b.WriteString(c)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// digraph returns the Cyrillic letter for lj, nj or dž in any letter case.
func digraph(a, b rune) (string, bool) {
	upper := unicode.IsUpper(a)
	var lower, capital string
	switch {
	case unicode.ToLower(a) == 'l' && unicode.ToLower(b) == 'j':
		lower, capital = "љ", "Љ"
	case unicode.ToLower(a) == 'n' && unicode.ToLower(b) == 'j':
		lower, capital = "њ", "Њ"
	case unicode.ToLower(a) == 'd' && unicode.ToLower(b) == 'ž':
		lower, capital = "џ", "Џ"
	default:
		return "", false
	}
	if upper {
		return capital, true
	}
	return lower, true
}
