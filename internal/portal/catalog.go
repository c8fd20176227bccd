package portal

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/ura-nrm/ura/internal/i18n"
)

// Lang is a portal language tag as written in ?lang= and <html lang>.
type Lang string

// The portal's languages: the instance's own (Albanian, Serbian in both
// scripts, English), Romanian and Turkish, and the languages of migrants in
// transit through the Balkans (Arabic, Farsi/Dari, Pashto).
const (
	Albanian        Lang = "sq"
	SerbianLatin    Lang = "sr-Latn"
	SerbianCyrillic Lang = "sr-Cyrl"
	English         Lang = "en"
	Romanian        Lang = "ro"
	Turkish         Lang = "tr"
	Arabic          Lang = "ar"
	Farsi           Lang = "fa"
	Pashto          Lang = "ps"
)

// Langs lists the portal languages in the order of the language list.
var Langs = []Lang{Albanian, SerbianLatin, SerbianCyrillic, English, Romanian, Turkish, Arabic, Farsi, Pashto}

// Source is the language every message is written in first.
const Source = English

// RTL tells whether a language is written right to left.
func RTL(l Lang) bool { return l == Arabic || l == Farsi || l == Pashto }

// Dir is the value of the html dir attribute for l.
func Dir(l Lang) string {
	if RTL(l) {
		return "rtl"
	}
	return "ltr"
}

// ParseLang reads ?lang=; any letter case, "_" for "-"; a bare "sr" is
// Cyrillic as in internal/i18n, "prs" (Dari) is read as Farsi.
func ParseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	switch s {
	case "sr", "sr-cyrl":
		return SerbianCyrillic, true
	case "sr-latn":
		return SerbianLatin, true
	case "prs", "fa-af":
		return Farsi, true
	}
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(Langs))
	for i, l := range Langs {
		tags[i] = language.MustParse(string(l))
	}
	return language.NewMatcher(tags)
}()

// MatchLang picks a portal language for an Accept-Language header; English
// when none fits.
func MatchLang(accept string) Lang {
	if accept == "" {
		return English
	}
	if l := i18n.Match(accept); l != i18n.English {
		if pl, ok := ParseLang(string(l)); ok {
			return pl // Serbian and its neighbours as the staff pages read them
		}
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return Langs[idx]
}

// Message is one catalogue entry: the text and whether a human translator
// reviewed it. The source language's messages are the original.
type Message struct {
	Text     string `json:"text"`
	Reviewed bool   `json:"reviewed"`
}

// Catalog is one language's messages.
type Catalog map[string]Message

//go:embed catalog/*.json
var catalogFS embed.FS

// Names are the languages as their speakers write them (the language list).
var Names = map[Lang]string{Albanian: "Shqip", SerbianLatin: "Srpski (latinica)", SerbianCyrillic: "Српски (ћирилица)",
	English: "English", Romanian: "Română", Turkish: "Türkçe", Arabic: "العربية", Farsi: "فارسی / دری", Pashto: "پښتو"}

// LoadCatalogs reads the embedded catalogues; sr-Cyrl is made from sr-Latn
// with the project's transliteration (i18n.LatinToCyrillic), so the two
// scripts never say different things.
func LoadCatalogs() (map[Lang]Catalog, error) {
	out := map[Lang]Catalog{}
	for _, l := range Langs {
		if l == SerbianCyrillic {
			continue
		}
		b, err := catalogFS.ReadFile("catalog/" + string(l) + ".json")
		if err != nil {
			return nil, fmt.Errorf("portal catalogue %s: %w", l, err)
		}
		var c Catalog
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("portal catalogue %s: %w", l, err)
		}
		out[l] = c
	}
	cyr := Catalog{}
	for k, m := range out[SerbianLatin] {
		cyr[k] = Message{Text: i18n.LatinToCyrillic(m.Text), Reviewed: m.Reviewed}
	}
	out[SerbianCyrillic] = cyr
	return out, nil
}

// MissingKeys lists, per language, the source keys its catalogue lacks and
// the keys it has that the source does not.
func MissingKeys(cats map[Lang]Catalog) map[Lang][]string {
	out := map[Lang][]string{}
	src := cats[Source]
	for _, l := range Langs {
		c := cats[l]
		for k := range src {
			if m, ok := c[k]; !ok || strings.TrimSpace(m.Text) == "" {
				out[l] = append(out[l], "missing "+k)
			}
		}
		for k := range c {
			if _, ok := src[k]; !ok {
				out[l] = append(out[l], "extra "+k)
			}
		}
		sort.Strings(out[l])
		if len(out[l]) == 0 {
			delete(out, l)
		}
	}
	return out
}
