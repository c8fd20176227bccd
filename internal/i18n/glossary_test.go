package i18n_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// glossary is one language's file in glossary/: the terms a translator must
// render one way (see docs/i18n.md).
type glossary struct {
	Language string `json:"language"`
	About    string `json:"about"`
	Terms    []struct {
		Term      string   `json:"term"`
		Preferred string   `json:"preferred"`
		EN        []string `json:"en"`
		Expect    []string `json:"expect"`
		Rejected  []string `json:"rejected"`
		Except    []string `json:"except"`
		Note      string   `json:"note"`
	} `json:"terms"`
}

func readGlossary(t *testing.T, lang string) glossary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("glossary", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g glossary
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("glossary/%s.json: %v", lang, err)
	}
	return g
}

// words splits a text into lower-case words: runs of letters, so that
// punctuation, apostrophes and placeholders separate words.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
}

// stemMatches reports whether word matches one element of a glossary
// pattern: alternatives separated by "|", each a stem the word starts with,
// or the whole word when it ends with "$".
func stemMatches(alternatives, word string) bool {
	for _, alt := range strings.Split(alternatives, "|") {
		if whole, ok := strings.CutSuffix(alt, "$"); ok {
			if word == whole {
				return true
			}
		} else if strings.HasPrefix(word, alt) {
			return true
		}
	}
	return false
}

// patternIn reports whether a glossary pattern (stems for consecutive
// words; "!stem" for a word that must not match, or no word at all) occurs in
// a text, and returns the words it matched.
func patternIn(pattern, text string) (string, bool) {
	elems := strings.Fields(strings.ToLower(pattern))
	ws := words(text)
	for i := range ws {
		ok := true
		for j, e := range elems {
			neg, isNeg := strings.CutPrefix(e, "!")
			if isNeg {
				if i+j < len(ws) && stemMatches(neg, ws[i+j]) {
					ok = false
				}
				continue
			}
			if i+j >= len(ws) || !stemMatches(e, ws[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			n := len(elems)
			if i+n > len(ws) {
				n = len(ws) - i
			}
			return strings.Join(ws[i:i+n], " "), true
		}
	}
	return "", false
}

func TestGlossaryPattern(t *testing.T) {
	tests := []struct {
		pattern, text string
		want          bool
	}{
		{"predmet", "u predmetu deteta", true},
		{"predmet", "u slučaju deteta", false},
		{"trgovin !ljud", "Trgovina nije naznačena", true},
		{"trgovin !ljud", "borbu protiv trgovine ljudima", false},
		{"trgovin !ljud", "protiv trgovine", true},
		{"trafikim i|të qenie", "kundër trafikimit të qenieve njerëzore", true},
		{"trafikim i|të qenie", "kundër trafikimit me qenie njerëzore", false},
		{"strehim$|strehimi$", "Strehim i sigurt", true},
		{"strehim$|strehimi$", "Strehimore për fëmijë", false},
		{"uri$|ure$", "registrovana u Uri.", true},
		{"uri$|ure$", "Uradite to", false},
		{"period|perioda za razmišljanje", "Kraj perioda za razmišljanje i oporavak", true},
		{"period|perioda za razmišljanje", "Kraj perioda za oporavak i razmišljanje", false},
	}
	for _, tt := range tests {
		if _, got := patternIn(tt.pattern, tt.text); got != tt.want {
			t.Errorf("patternIn(%q, %q) = %v, want %v", tt.pattern, tt.text, got, tt.want)
		}
	}
}

// TestGlossary fails when a catalogue uses a rejected variant of a glossary
// term, or renders an English term without the glossary's translation, so
// that one thing has one name on every page.
func TestGlossary(t *testing.T) {
	english := catalogueTexts(t, "en")
	englishByKey := make(map[string]string)
	for k, text := range english {
		key, _, _ := strings.Cut(k, "/")
		englishByKey[key] += " " + prose(text)
	}
	for _, lang := range []string{"sq", "sr-Latn"} {
		t.Run(lang, func(t *testing.T) {
			g := readGlossary(t, lang)
			if g.Language != lang {
				t.Errorf("glossary/%s.json says language %q", lang, g.Language)
			}
			texts := catalogueTexts(t, lang)
			keys := make([]string, 0, len(texts))
			for k := range texts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, term := range g.Terms {
				if term.Term == "" || term.Preferred == "" || term.Note == "" {
					t.Errorf("glossary term %q lacks its term, preferred form or note", term.Term)
				}
				for _, k := range keys {
					key, _, _ := strings.Cut(k, "/")
					if slices.Contains(term.Except, key) {
						continue
					}
					if len(term.EN) > 0 && !anyPattern(term.EN, englishByKey[key]) {
						continue
					}
					text := texts[k]
					for _, p := range term.Rejected {
						if got, ok := patternIn(p, text); ok {
							t.Errorf("%s: %q uses %q; the glossary says %q (%s)", k, text, got, term.Preferred, term.Term)
						}
					}
					if len(term.Expect) > 0 && !anyPattern(term.Expect, text) {
						t.Errorf("%s: %q renders %q without %q", k, text, term.Term, term.Preferred)
					}
				}
			}
		})
	}
}

// prose drops the tokens of a text that are codes or paths
// ("/api/v1/cases/search"), whose words are no term to translate.
func prose(text string) string {
	fields := strings.Fields(text)
	kept := fields[:0]
	for _, f := range fields {
		if !strings.ContainsAny(f, "/_") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

func anyPattern(patterns []string, text string) bool {
	for _, p := range patterns {
		if _, ok := patternIn(p, text); ok {
			return true
		}
	}
	return false
}
