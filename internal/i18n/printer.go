package i18n

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Printer formats messages, numbers and dates in one language. It holds no
// mutable state, so one Printer per language serves every request at once
// (each request picks its own; nothing shared is switched).
type Printer struct {
	lang     Lang
	tag      language.Tag
	messages map[string]message
	loc      *time.Location // nil: format times in their own location
}

var printers = func() map[Lang]*Printer {
	m := make(map[Lang]*Printer, len(Supported))
	for _, l := range Supported {
		m[l] = &Printer{lang: l, tag: language.MustParse(string(l)), messages: catalogues[l]}
	}
	return m
}()

// For returns the Printer of a language; an unsupported one gets English, so a
// stale cookie or setting never breaks a page.
func For(l Lang) *Printer {
	if p, ok := printers[l]; ok {
		return p
	}
	return printers[English]
}

// Lang returns the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// In returns a copy of the Printer that shows times in loc (for example
// Europe/Belgrade), because the server may run in UTC while users read local
// time.
func (p *Printer) In(loc *time.Location) *Printer {
	c := *p
	c.loc = loc
	return &c
}

// T returns the message for key with its placeholders filled from args
// (alternating name, value pairs, or one map[string]any). A key missing from
// the language falls back to English, then to the key itself, so a page never
// shows an empty string; the catalogue tests keep that from happening.
func (p *Printer) T(key string, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	text := m.text
	if m.plural != nil {
		text = m.plural["other"]
	}
	return p.fill(text, args)
}

// N returns the plural form of key that fits count, with {count} and the other
// placeholders filled. A key without plural forms behaves as in T.
func (p *Printer) N(key string, count int, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	args = append(normalize(args), "count", count)
	if m.plural == nil {
		return p.fill(m.text, args)
	}
	text, ok := m.plural[p.category(count)]
	if !ok {
		text = m.plural["other"]
	}
	return p.fill(text, args)
}

func (p *Printer) lookup(key string) (message, bool) {
	if m, ok := p.messages[key]; ok {
		return m, true
	}
	m, ok := catalogues[English][key]
	return m, ok
}

// category returns the CLDR cardinal plural category of an integer.
func (p *Printer) category(n int) string {
	if n < 0 {
		n = -n
	}
	switch plural.Cardinal.MatchPlural(p.tag, n, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// normalize turns a single map argument into name, value pairs.
func normalize(args []any) []any {
	if len(args) != 1 {
		return args
	}
	m, ok := args[0].(map[string]any)
	if !ok {
		return args
	}
	pairs := make([]any, 0, 2*len(m))
	for k, v := range m {
		pairs = append(pairs, k, v)
	}
	return pairs
}

// fill replaces each {name} in text by its argument. Later pairs win, so N's
// count cannot be overridden by accident.
func (p *Printer) fill(text string, args []any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	args = normalize(args)
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		name, ok := placeholderAt(text[i:])
		if !ok {
			b.WriteString(text[:i+1])
			text = text[i+1:]
			continue
		}
		b.WriteString(text[:i])
		text = text[i+len(name)+2:]
		if v, found := arg(args, name); found {
			b.WriteString(p.format(v))
		} else {
			b.WriteString("{" + name + "}")
		}
	}
}

// placeholderAt reports the placeholder name when s starts with one.
func placeholderAt(s string) (string, bool) {
	end := strings.IndexByte(s, '}')
	if end < 2 {
		return "", false
	}
	name := s[1:end]
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return name, true
}

// Placeholders returns the placeholder names in a text, in order, for the
// catalogue tests and for tools.
func Placeholders(text string) []string {
	var names []string
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			return names
		}
		if name, ok := placeholderAt(text[i:]); ok {
			names = append(names, name)
			text = text[i+len(name)+2:]
			continue
		}
		text = text[i+1:]
	}
}

func arg(args []any, name string) (any, bool) {
	var v any
	found := false
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == name {
			v, found = args[i+1], true
		}
	}
	return v, found
}

func (p *Printer) format(v any) string {
	switch n := v.(type) {
	case int:
		return p.Number(int64(n))
	case int64:
		return p.Number(n)
	case int32:
		return p.Number(int64(n))
	}
	return fmt.Sprint(v)
}
