package i18n

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// message is one catalogue entry: a plain text, or plural forms keyed by CLDR
// category ("one", "few", "other").
type message struct {
	text   string
	plural map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &m.text); err == nil {
		return nil
	}
	if err := json.Unmarshal(b, &m.plural); err != nil {
		return fmt.Errorf("want a string or an object of plural forms: %w", err)
	}
	if _, ok := m.plural["other"]; !ok {
		return fmt.Errorf("plural forms lack \"other\"")
	}
	return nil
}

// catalogues are parsed once at start and never written again, which is what
// makes a Printer safe to share between requests without locks.
var catalogues = mustLoad()

func mustLoad() map[Lang]map[string]message {
	all := make(map[Lang]map[string]message, len(Supported))
	for _, l := range Supported {
		m, err := loadCatalogue(l)
		if err != nil {
			// The files are embedded and checked by the tests; a broken one is
			// a build mistake, not a condition to run with.
			panic(err)
		}
		all[l] = m
	}
	return all
}

func loadCatalogue(l Lang) (map[string]message, error) {
	b, err := catalogFS.ReadFile("catalog/" + string(l) + ".json")
	if err != nil {
		return nil, fmt.Errorf("i18n: catalogue %s: %w", l, err)
	}
	var m map[string]message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: catalogue %s: %w", l, err)
	}
	return m, nil
}

// Keys returns every key of the English catalogue, sorted; the other
// catalogues must have exactly these.
func Keys() []string {
	keys := make([]string, 0, len(catalogues[English]))
	for k := range catalogues[English] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Entry describes one message of one catalogue, for the completeness tests and
// for tools that list what needs translating.
type Entry struct {
	Key    string
	Text   string            // the text, when the message has no plural forms
	Plural map[string]string // CLDR category → text, when it has
}

// Catalogue returns the entries of one language's catalogue, sorted by key.
func Catalogue(l Lang) []Entry {
	m := catalogues[l]
	entries := make([]Entry, 0, len(m))
	for k, v := range m {
		e := Entry{Key: k, Text: v.text}
		if v.plural != nil {
			e.Plural = make(map[string]string, len(v.plural))
			for f, s := range v.plural {
				e.Plural[f] = s
			}
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b Entry) int { return cmp.Compare(a.Key, b.Key) })
	return entries
}

// PluralForms lists the CLDR cardinal categories a language's plural messages
// must give: the ones its integers can fall into.
func PluralForms(l Lang) []string {
	switch l {
	case SerbianLatin, SerbianCyrillic:
		return []string{"one", "few", "other"}
	default:
		return []string{"one", "other"}
	}
}
