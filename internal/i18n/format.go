package i18n

import (
	"strconv"
	"time"
)

// names are the languages' own names: a reader looks for the name of their
// language as they write it, whatever the page is in now.
var names = map[Lang]string{
	English:         "English",
	Albanian:        "Shqip",
	SerbianLatin:    "Srpski (latinica)",
	SerbianCyrillic: "Српски (ћирилица)",
}

// LangName returns l's name in l itself (Shqip, Српски (ћирилица)), for the
// language switcher; it is the same for every Printer.
func (p *Printer) LangName(l Lang) string {
	if n, ok := names[l]; ok {
		return n
	}
	return string(l)
}

// Number formats an integer with the language's digit grouping (CLDR):
// 12,345 in English, 12 345 (no-break space) in Albanian, 12.345 in Serbian.
func (p *Printer) Number(n int64) string {
	sep := ","
	switch p.lang {
	case Albanian:
		sep = "\u00a0"
	case SerbianLatin, SerbianCyrillic:
		sep = "."
	}
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	b := make([]byte, 0, len(s)+len(s)/3*len(sep))
	first := len(s) % 3
	if first == 0 {
		first = 3
	}
	b = append(b, s[:first]...)
	for i := first; i < len(s); i += 3 {
		b = append(b, sep...)
		b = append(b, s[i:i+3]...)
	}
	return sign + string(b)
}

// dateLayouts are the numeric forms readers in each language write by hand;
// Serbian ends a date with a full stop ("24.11.2026."), as its orthography and
// CLDR do. English uses the unambiguous "24 Nov 2026" rather than a numeric
// form that Americans and Europeans read differently.
var dateLayouts = map[Lang][2]string{
	English:         {"2 Jan 2006", "2 Jan 2006, 15:04"},
	Albanian:        {"02.01.2006", "02.01.2006, 15:04"},
	SerbianLatin:    {"02.01.2006.", "02.01.2006. 15:04"},
	SerbianCyrillic: {"02.01.2006.", "02.01.2006. 15:04"},
}

// Date formats the calendar day of t (in the Printer's location, if set by
// In): 24 Nov 2026, 24.11.2026, 24.11.2026.
func (p *Printer) Date(t time.Time) string {
	return p.time(t).Format(dateLayouts[p.lang][0])
}

// DateTime formats t to the minute, on a 24-hour clock in every language
// (24 Nov 2026, 14:05; 24.11.2026, 14:05; 24.11.2026. 14:05).
// With a location set (In), the zone's abbreviation follows (14:05 CET), so a
// reader never wonders whether a time is UTC or local.
func (p *Printer) DateTime(t time.Time) string {
	if p.loc != nil {
		return p.time(t).Format(dateLayouts[p.lang][1] + " MST")
	}
	return p.time(t).Format(dateLayouts[p.lang][1])
}

func (p *Printer) time(t time.Time) time.Time {
	if p.loc != nil {
		return t.In(p.loc)
	}
	return t
}
