package i18n_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// register describes what marks the informal "ti" form in a language, as far
// as it can be told from the text alone.
type register struct {
	// imperatives lists second-person singular imperatives; they are looked
	// for at the start of a sentence or label, since inside one the same word
	// is often a noun or a third-person verb (sq "një hap", sr "pravilo traži").
	imperatives []string
	// informal lists pronouns and verb forms of the second person singular,
	// which never belong to the formal register wherever they stand.
	informal []string
	// formal returns the formal imperatives a sentence-initial word would have
	// if it were an informal imperative (sq "Ruaj" → "Ruani", sr "Izmeni" →
	// "Izmenite"): when one of them is used anywhere in the catalogue, the word
	// is the informal imperative of a verb the catalogue otherwise addresses
	// formally.
	formal func(w string) []string
	// polite are the formal pronouns, written in lower case inside a sentence
	// throughout the catalogue ("vaša organizacija", "organizata juaj").
	polite []string
	// thirdPerson lists key prefixes whose texts describe what someone else
	// does, in the third person, where a verb can look like an imperative
	// (sr "Koristi decu", sq "Përdor fëmijët": "uses children").
	thirdPerson []string
}

var registers = map[string]register{
	"sq": {
		imperatives: []string{
			"bashko", "dërgo", "dil", "filtro", "fshi", "gjej", "hap", "hyr", "kalo", "kërko",
			"kontrollo", "kthehu", "largo", "mbaj", "mbyll", "ndrysho", "prano", "provo", "përgjigju",
			"referoje", "refuzo", "regjistro", "ruaj", "ruaje", "shfaq", "shko", "shkruaj", "shto",
			"shëno", "shënoje", "tërhiqe", "vlerëso", "zbato", "zgjidh", "zhbëj",
		},
		// pronouns, and "to be" and "to have" in the second person singular
		informal: []string{
			"ti", "tënd", "tënde", "tëndin", "tëndit", "jote", "yt", "je", "ke",
		},
		formal: func(w string) []string {
			return []string{w + "ni", strings.TrimSuffix(w, "j") + "ni"}
		},
		polite:      []string{"ju", "juaj", "jush", "juve"},
		thirdPerson: []string{"htcds.control."},
	},
	"sr-Latn": {
		imperatives: []string{
			"dodaj", "filtriraj", "idi", "izaberi", "izmeni", "klikni", "kopiraj", "napiši", "nastavi",
			"obriši", "odjavi", "označi", "otkaži", "otvori", "pokušaj", "poništi", "pošalji",
			"potvrdi", "povuci", "premesti", "pretraži", "prijavi", "prikaži", "primeni", "proceni",
			"pronađi", "proveri", "registruj", "sačuvaj", "skeniraj", "spoji", "traži", "unesi",
			"upiši", "uputi", "zabeleži", "zadrži", "zatvori",
		},
		informal: []string{
			"ti", "tebe", "tebi", "tvoj", "tvoja", "tvoje", "tvog", "tvoga", "tvojoj", "tvojim",
			"tvoju", "tvojih", "tvojom", "možeš", "imaš", "želiš", "moraš",
		},
		formal: func(w string) []string {
			if strings.HasSuffix(w, "i") || strings.HasSuffix(w, "j") {
				return []string{w + "te"}
			}
			return nil
		},
		polite:      []string{"vi", "vas", "vam", "vama", "vaš", "vaša", "vaše", "vašeg", "vašem", "vašoj", "vašu", "vaši", "vaših", "vašim"},
		thirdPerson: []string{"htcds.control."},
	},
}

// sentenceStart finds where a sentence or a label starts: the text's start,
// or after a full stop, colon, semicolon, question or exclamation mark or a
// dash.
var sentenceStart = regexp.MustCompile(`(?:^|[.:;!?—\n]\s+)[(*„"«]*`)

// firstWords returns the first word of every sentence of a text.
func firstWords(text string) []string {
	var ws []string
	for _, loc := range sentenceStart.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:]
		end := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
		if end < 0 {
			end = len(rest)
		}
		if end > 0 {
			ws = append(ws, rest[:end])
		}
	}
	return ws
}

// TestFormalRegister fails when an Albanian or Serbian text addresses the
// user with the informal "ti" (imperatives such as "Ruaj", "Sačuvaj",
// pronouns such as "tvoj"), or writes a formal pronoun with a capital inside
// a sentence, where the catalogue writes it in lower case.
func TestFormalRegister(t *testing.T) {
	for lang, reg := range registers {
		t.Run(lang, func(t *testing.T) {
			texts := catalogueTexts(t, lang)
			used := make(map[string]bool)
			for _, text := range texts {
				for _, w := range words(text) {
					used[w] = true
				}
			}
			keys := make([]string, 0, len(texts))
			for k := range texts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				text := texts[k]
				if slices.ContainsFunc(reg.thirdPerson, func(p string) bool { return strings.HasPrefix(k, p) }) {
					continue
				}
				for _, w := range words(text) {
					if slices.Contains(reg.informal, w) {
						t.Errorf("%s: %q uses the informal %q", k, text, w)
					}
				}
				for _, w := range firstWords(text) {
					lw := strings.ToLower(w)
					if slices.Contains(reg.imperatives, lw) {
						t.Errorf("%s: %q starts with the informal %q", k, text, w)
						continue
					}
					if utf8.RuneCountInString(lw) < 3 {
						continue // sq "Ta shfuqizoni…?" is no imperative of "tani"
					}
					for _, f := range reg.formal(lw) {
						if f != lw && used[f] {
							t.Errorf("%s: %q starts with the informal %q; the catalogue elsewhere says %q", k, text, w, f)
							break
						}
					}
				}
				starts := make(map[int]bool)
				for _, loc := range sentenceStart.FindAllStringIndex(text, -1) {
					starts[loc[1]] = true
				}
				for i := 0; i < len(text); {
					r, size := utf8.DecodeRuneInString(text[i:])
					if !unicode.IsLetter(r) {
						i += size
						continue
					}
					end := strings.IndexFunc(text[i:], func(r rune) bool { return !unicode.IsLetter(r) })
					if end < 0 {
						end = len(text) - i
					}
					w := text[i : i+end]
					if !starts[i] && unicode.IsUpper(r) && slices.Contains(reg.polite, strings.ToLower(w)) {
						t.Errorf("%s: %q writes %q with a capital inside a sentence; write it in lower case", k, text, w)
					}
					i += end
				}
			}
		})
	}
}

func TestFirstWords(t *testing.T) {
	got := firstWords("Proverite pre nego što nastavite. Ako je to druga osoba: ipak registrujte (Vaš).")
	want := []string{"Proverite", "Ako", "ipak"}
	if !slices.Equal(got, want) {
		t.Errorf("firstWords = %q, want %q", got, want)
	}
}
