// Package i18n holds Ura's message catalogues and chooses the language of a page.
//
// Every text a user reads comes from a catalogue, never from code or templates,
// because police, shelters and social workers in Kosovo and its neighbours read
// Ura in English, Albanian and Serbian (Latin and Cyrillic) from the first page.
//
// # Catalogues
//
// One JSON file per language lives in catalog/ and is embedded in the binary:
// en.json (the source), sq.json, sr-Latn.json and sr-Cyrl.json. Keys are flat
// and dotted ("nav.dashboard", "error.internal"). A value is either a string or,
// for a message that depends on a number, an object of CLDR plural forms:
//
//	"cases.count": {"one": "{count} case", "other": "{count} cases"}
//
// The forms each language must give are en: one, other; sq: one, other;
// sr-Latn and sr-Cyrl: one, few, other (see PluralForms).
//
// # Placeholders
//
// A placeholder is a name in braces: {name}, {count}, {min}. A name is ASCII
// letters, digits and underscores. Any other brace is literal text, so no escaping
// is needed. Arguments are given as alternating name, value pairs
// (p.T("validation.password_short", "min", 12)) or as one map[string]any (as
// errs.Error.Args carries them). Integers are printed with the language's digit
// grouping; a placeholder without an argument is left as it is, so the mistake
// shows on the page and in tests.
//
// # Adding a message
//
//  1. Add the key to catalog/en.json.
//  2. Add its translation to catalog/sq.json and catalog/sr-Latn.json.
//  3. Run `go test ./internal/i18n -run TestCyrillic -update` to regenerate
//     catalog/sr-Cyrl.json from sr-Latn.json (LatinToCyrillic).
//  4. `go test ./internal/i18n` fails while any catalogue misses or adds a key,
//     drops a placeholder or lacks a plural form.
package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a supported language tag, as written in URLs (?lang=), cookies,
// user settings and <html lang>.
type Lang string

// The supported languages. English is the source of every message.
const (
	English         Lang = "en"
	Albanian        Lang = "sq"
	SerbianLatin    Lang = "sr-Latn"
	SerbianCyrillic Lang = "sr-Cyrl"
)

// Supported lists the languages in the order the language switcher shows them.
var Supported = []Lang{English, Albanian, SerbianLatin, SerbianCyrillic}

// String returns the tag.
func (l Lang) String() string { return string(l) }

// Parse reads a language tag from a URL or a stored setting. It accepts the
// supported tags in any letter case and with "_" for "-". A bare "sr" means
// sr-Cyrl, as in Match, because Cyrillic is Serbian's default script (CLDR) and
// the official one in Serbia; anything else is not supported.
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-")) {
	case "en":
		return English, true
	case "sq":
		return Albanian, true
	case "sr-latn":
		return SerbianLatin, true
	case "sr-cyrl", "sr":
		return SerbianCyrillic, true
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{
	language.English,
	language.Albanian,
	language.MustParse("sr-Latn"),
	language.MustParse("sr-Cyrl"),
})

// Match picks the language for an Accept-Language header. Serbian follows its
// script, or the region's usual script when none is given (sr, sr-RS, sr-XK →
// sr-Cyrl; sr-ME, sr-Latn-* → sr-Latn). Croatian, Bosnian, Montenegrin and
// Serbo-Croatian readers get sr-Latn (sr-Cyrl when they ask for Cyrillic),
// which they read without effort; Albanian in any region gets sq; everything
// else, and a header that cannot be parsed, gets English.
func Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	for i, t := range tags {
		tags[i] = mutuallyIntelligible(t)
	}
	_, index, conf := matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return Supported[index]
}

// mutuallyIntelligible maps the languages of the former Serbo-Croatian standard
// to Serbian in the same script, since the matcher treats them as unrelated.
func mutuallyIntelligible(t language.Tag) language.Tag {
	base, _ := t.Base()
	switch base.String() {
	case "hr", "bs", "cnr":
		if script, conf := t.Script(); conf == language.Exact && script.String() == "Cyrl" {
			return language.MustParse("sr-Cyrl")
		}
		return language.MustParse("sr-Latn")
	}
	return t
}
