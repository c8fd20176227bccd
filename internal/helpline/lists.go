package helpline

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
)

// The picklists of a contact. Every value a form or the API sends is checked
// against its list; labels live in the catalogues (helpline.channel.<code>,
// helpline.caller.<code>, helpline.lang.<code>, helpline.topic.<code>).

// Channels are how the contact came in.
var Channels = []string{"phone", "chat", "email", "sms", "walk_in"}

// CallerTypes are who called.
var CallerTypes = []string{"possible_victim", "relative_friend", "witness", "professional", "anonymous"}

// Languages are the languages a contact is held in (ISO 639 codes): the
// country's, its neighbours' and those of migrants in transit.
var Languages = []string{"sq", "sr", "en", "tr", "bs", "rom", "ro", "ar", "fa", "ps", "uk", "ru", "other"}

// Actions are what the operator did; callback means a call-back was agreed
// (with its due time).
var Actions = []string{"information", "police", "shelter", "csw", "service", "callback"}

// Flags are the risk flags.
var Flags = []string{"immediate_danger", "child_involved", "caller_is_victim"}

//go:embed municipalities.txt
var municipalitiesText string

// Municipalities are the names a contact's municipality is checked against.
var Municipalities = func() []string {
	var out []string
	for _, l := range strings.Split(municipalitiesText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}()

// Taxonomy is the versioned list of contact topics (taxonomy.json).
type Taxonomy struct {
	Version    string     `json:"version"`
	Categories []Category `json:"categories"`
}

// Category is a topic group with its sub-categories.
type Category struct {
	Code string `json:"code"`
	// Trafficking marks the categories where trafficking is suspected: a
	// case opened from such a contact starts from a screening.
	Trafficking bool  `json:"trafficking"`
	Subs        []Sub `json:"subs"`
}

// Sub is a sub-category; HTCDS is the form of exploitation it means.
type Sub struct {
	Code  string `json:"code"`
	HTCDS string `json:"htcds"`
}

//go:embed taxonomy.json
var taxonomyJSON []byte

// Topics is the taxonomy in force.
var Topics = func() *Taxonomy {
	var t Taxonomy
	if err := json.Unmarshal(taxonomyJSON, &t); err != nil {
		panic("helpline taxonomy: " + err.Error())
	}
	return &t
}()

// Topic returns the category and sub-category of a topic code
// ("trafficking.labour"), and whether it is in the taxonomy.
func (t *Taxonomy) Topic(code string) (*Category, *Sub, bool) {
	cat, sub, ok := strings.Cut(code, ".")
	if !ok {
		return nil, nil, false
	}
	for i := range t.Categories {
		c := &t.Categories[i]
		if c.Code != cat {
			continue
		}
		for j := range c.Subs {
			if c.Subs[j].Code == sub {
				return c, &c.Subs[j], true
			}
		}
	}
	return nil, nil, false
}

// Codes lists every topic code, in the taxonomy's order.
func (t *Taxonomy) Codes() []string {
	var out []string
	for _, c := range t.Categories {
		for _, s := range c.Subs {
			out = append(out, c.Code+"."+s.Code)
		}
	}
	return out
}

// TraffickingSuspected tells whether a topic is one of trafficking.
func TraffickingSuspected(topic string) bool {
	c, _, ok := Topics.Topic(topic)
	return ok && c.Trafficking
}

func inList(list []string, v string) bool { return slices.Contains(list, v) }
