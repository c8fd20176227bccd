package web

import (
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/tips"
)

// municipalityCodes maps a municipality's Albanian name, as the case file,
// the helpline and the statistics store it, to its code in
// tips.Municipalities, whose names the catalogues hold in every language
// ("tips.municipality.<code>": Albanian, Serbian, both in English).
var municipalityCodes = func() map[string]string {
	m := map[string]string{
		// The shorter forms the stored lists use.
		"Mitrovicë": "mitrovice_jug",
		"Skenderaj": "skenderaj",
	}
	for _, x := range tips.Municipalities {
		m[x.SQ] = x.Code
	}
	return m
}()

// municipalityName shows a stored municipality name in the reader's
// language: Priština on a Serbian page, not Prishtinë. A name outside the
// list is shown as stored.
func municipalityName(p *i18n.Printer, name string) string {
	if code, ok := municipalityCodes[name]; ok {
		return p.T("tips.municipality." + code)
	}
	return name
}
