package linkage

import "strings"

// phoneticMaxLen bounds a token's code. Six consonant classes separate
// Balkan surnames well enough for blocking while a typo near the end of a
// long name ("Stojanovski"/"Stojanovsky") still lands in the same block.
const phoneticMaxLen = 6

// phoneticClass maps a folded letter to its sound class. Voiced and
// voiceless pairs share a class (b/p, d/t, g/k, v/f, z/s) because final
// devoicing and transliteration swap them; c joins k because the region
// writes one name both ways (Cristina/Kristina, Macedonian -ik for Serbian
// -ić); j, h, w and y count as vowels because they come and go between
// alphabets (Marija/Maria, Mehmet/Memet, Dmitrij/Dmitriy).
func phoneticClass(r byte) byte {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'j', 'h':
		return 0
	case 'b', 'p':
		return 'P'
	case 'd', 't':
		return 'T'
	case 'c', 'k', 'q', 'g':
		return 'K'
	case 'v', 'f', 'w':
		return 'F'
	case 's', 'z':
		return 'S'
	case 'x':
		return 'X' // expanded to K S by the caller
	case 'l':
		return 'L'
	case 'r':
		return 'R'
	case 'm':
		return 'M'
	case 'n':
		return 'N'
	}
	if r >= '0' && r <= '9' {
		return r
	}
	return 0
}

// PhoneticKey returns a coarse sound code of a name for blocking: the
// codes of its normalised words, separated by spaces. Each code is the
// class of the first letter (any vowel gives "A") followed by the classes
// of the following consonants, vowels dropped, repeats collapsed, cut to
// six. "Aleksandar", "Oleksandr" and "Алекандар" give ALKSNT; "Đorđević",
// "Djordjevic" and "Ђорђевић" give TRTFK. The code is deliberately lossy:
// it chooses which pairs are compared, and Jaro–Winkler then decides.
func PhoneticKey(s string) string {
	toks := NameTokens(s)
	codes := make([]string, 0, len(toks))
	for _, t := range toks {
		if c := phoneticToken(t); c != "" {
			codes = append(codes, c)
		}
	}
	return strings.Join(codes, " ")
}

// phoneticToken codes one normalised word.
func phoneticToken(t string) string {
	t = strings.ReplaceAll(t, "ph", "f")
	var out [phoneticMaxLen]byte
	n := 0
	var last byte
	emit := func(c byte) {
		if c == last || n == phoneticMaxLen {
			return
		}
		out[n] = c
		n++
		last = c
	}
	for i := 0; i < len(t) && n < phoneticMaxLen; i++ {
		c := phoneticClass(t[i])
		if i == 0 && c == 0 && t[i] < 0x80 && isASCIILetter(t[i]) {
			emit('A')
			continue
		}
		switch c {
		case 0:
			if t[i] >= 0x80 {
				// Letters of other scripts pass through; skip their bytes.
				continue
			}
		case 'X':
			emit('K')
			emit('S')
		default:
			emit(c)
		}
	}
	return string(out[:n])
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' }
