package dedup

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// indexDomain separates the blocking keys from every other blind index: the
// same text under another domain gives an unrelated HMAC.
const indexDomain = "person.dedup"

// Record turns a person into the linkage engine's record. Sex "unknown" is
// no evidence (two unknowns must not agree); the first document, address
// and phone become extra fields, compared by the engine like FEBRL's.
func Record(id string, p cases.Person) linkage.Record {
	r := linkage.Record{ID: id, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		Citizenship: p.Citizenship}
	if p.Sex == "female" || p.Sex == "male" {
		r.Sex = p.Sex
	}
	extra := map[string]string{}
	if len(p.Documents) > 0 {
		d := p.Documents[0]
		extra["document"] = d.Country + " " + d.Number
	}
	for _, c := range p.Contacts {
		if (c.Type == "address" || c.Type == "phone") && extra[c.Type] == "" {
			extra[c.Type] = c.Value
		}
	}
	if len(extra) > 0 {
		r.Extra = extra
	}
	return r
}

// blockKeys lists the blocking keys of a person before hashing. They follow
// the engine's own blocking (internal/linkage block.go), so a pair the
// engine would compare is found from the index: a phonetic code of each
// family-name word with the birth year; of the first given name with month
// and day; the full birth date; the sorted pair of first given and family
// phonetic codes (swapped names, missing dates); the first two letters of
// both names with the year (a typo that changes a phonetic code); and each
// document number.
func blockKeys(p cases.Person) []string {
	given, family := linkage.NameTokens(p.GivenName), linkage.NameTokens(p.FamilyName)
	phon := func(toks []string) []string {
		var out []string
		for _, t := range toks {
			if c := linkage.PhoneticKey(t); c != "" {
				out = append(out, c)
			}
		}
		return out
	}
	gp, fp := phon(given), phon(family)
	d, err := linkage.ParseDate(strings.TrimSpace(p.BirthDate))
	dateOK := err == nil && !d.IsZero()
	var keys []string
	if dateOK {
		y := fmt.Sprintf("%04d", d.Year)
		surnames := fp
		if len(surnames) == 0 {
			surnames = gp
		}
		for _, c := range surnames {
			keys = append(keys, "F"+c+"|"+y)
		}
		g, f := strings.Join(given, " "), strings.Join(family, " ")
		if len(g) >= 2 && len(f) >= 2 {
			keys = append(keys, "P"+g[:2]+f[:2]+"|"+y)
		}
		if d.Day != 0 {
			if len(gp) > 0 {
				keys = append(keys, fmt.Sprintf("G%s|%02d%02d", gp[0], d.Month, d.Day))
			}
			keys = append(keys, "D"+d.String())
		}
	}
	if len(gp) > 0 && len(fp) > 0 {
		a, b := gp[0], fp[0]
		if a > b {
			a, b = b, a
		}
		keys = append(keys, "N"+a+"|"+b)
	}
	for _, doc := range p.Documents {
		if n := linkage.Normalize(doc.Number); len(n) >= 4 {
			keys = append(keys, "E"+strings.ReplaceAll(n, " ", ""))
		}
	}
	sort.Strings(keys)
	return dedupStrings(keys)
}

func dedupStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// hashedKeys returns the blind indexes of a person's blocking keys.
func (s *Service) hashedKeys(p cases.Person) [][]byte {
	keys := blockKeys(p)
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = s.Vault.BlindIndex(indexDomain, k)
	}
	return out
}

// BlockingKeys returns the blind indexes IndexPerson stores for p: what a
// bulk load (the synthetic data generator) writes for its persons.
func (s *Service) BlockingKeys(p cases.Person) [][]byte { return s.hashedKeys(p) }

// IndexPerson writes the blocking keys of a new person in the caller's
// transaction (the case file calls it at registration).
func (s *Service) IndexPerson(ctx context.Context, tx *store.Tx, personID string, p cases.Person) error {
	for _, k := range s.hashedKeys(p) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_dedup_keys (person_id, value) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, personID, k); err != nil {
			return errs.Internalf("dedup keys: %w", err)
		}
	}
	return nil
}

// evidence describes a pair field by field in codes, never values, so the
// coordinator sees why a pair was proposed without seeing the person:
// given, family: exact | close | fuzzy | differ | missing (names compared
// either way round); birth: the engine's date level; sex: same | differ.
func evidence(a, b linkage.Record) string {
	g, f := nameLevel(a.GivenName, b.GivenName), nameLevel(a.FamilyName, b.FamilyName)
	if cg, cf := nameLevel(a.GivenName, b.FamilyName), nameLevel(a.FamilyName, b.GivenName); rank(cg)+rank(cf) > rank(g)+rank(f) {
		g, f = cg+"_swapped", cf+"_swapped"
	}
	birth := "missing"
	da, ea := linkage.ParseDate(a.BirthDate)
	db, eb := linkage.ParseDate(b.BirthDate)
	if ea == nil && eb == nil {
		birth = [...]string{"missing", "differ", "partial", "near", "exact"}[linkage.CompareDates(da, db)+1]
	}
	sex := "missing"
	if a.Sex != "" && b.Sex != "" {
		sex = map[bool]string{true: "same", false: "differ"}[a.Sex == b.Sex]
	}
	return "given=" + g + ",family=" + f + ",birth=" + birth + ",sex=" + sex
}

func nameLevel(a, b string) string {
	na, nb := linkage.Normalize(a), linkage.Normalize(b)
	switch {
	case na == "" || nb == "":
		return "missing"
	case na == nb:
		return "exact"
	}
	jw := linkage.JaroWinkler(na, nb)
	switch {
	case jw >= 0.92 || linkage.PhoneticKey(na) == linkage.PhoneticKey(nb):
		return "close"
	case jw >= 0.80:
		return "fuzzy"
	}
	return "differ"
}

func rank(level string) int {
	switch level {
	case "exact":
		return 3
	case "close":
		return 2
	case "fuzzy":
		return 1
	}
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }
