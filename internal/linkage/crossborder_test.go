package linkage_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth2"
)

// personsCSVOf writes records in the Ura persons format (six columns).
func personsCSVOf(tb testing.TB, recs []linkage.Record) string {
	tb.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "given_name", "family_name", "birth_date", "sex", "citizenship"})
	for _, r := range recs {
		w.Write([]string{r.ID, r.GivenName, r.FamilyName, r.BirthDate, r.Sex, r.Citizenship})
	}
	w.Flush()
	return b.String()
}

func linkQuality(a, b []linkage.Record, ms []linkage.Match) quality {
	inB := map[string]bool{}
	for _, r := range b {
		inB[synth2.Entity(r.ID)] = true
	}
	truth := 0
	for _, r := range a {
		if inB[synth2.Entity(r.ID)] {
			truth++
		}
	}
	var q quality
	for _, m := range ms {
		if synth2.Entity(m.A) == synth2.Entity(m.B) {
			q.tp++
		} else {
			q.fp++
		}
	}
	q.fn = truth - q.tp
	if q.tp+q.fp > 0 {
		q.precision = float64(q.tp) / float64(q.tp+q.fp)
	}
	if truth > 0 {
		q.recall = float64(q.tp) / float64(truth)
	}
	if q.precision+q.recall > 0 {
		q.f1 = 2 * q.precision * q.recall / (q.precision + q.recall)
	}
	return q
}

// TestLinkCrossBorder: two countries' registers from the independent
// generator (one record of each person registered twice on each side,
// the others on one side), the six documented columns, encoded by each
// party with the default person schema (field filters, normalisation on)
// and one shared secret, linked at the default threshold. The single-CLK
// schema with Dice ≥ 0.8 is measured alongside for comparison.
func TestLinkCrossBorder(t *testing.T) {
	people := synth2People(t) / 2
	recs := synth2.Generate(synth2.Options{People: people, Seed: 21})
	ra, rb := synth2.TwoParty(recs, 4)
	secret := []byte("shared secret of the two parties")
	encode := func(schema string, rs []linkage.Record) []linkage.CLK {
		enc, err := linkage.NewEncoder(mustSchema(t, schema), secret)
		if err != nil {
			t.Fatal(err)
		}
		enc.NormalizeText = true
		cs, err := linkage.EncodeCSV(strings.NewReader(personsCSVOf(t, rs)), enc)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	s := mustSchema(t, "ura-person-fields.json")
	start := time.Now()
	ca, cb := encode("ura-person-fields.json", ra), encode("ura-person-fields.json", rb)
	encoded := time.Since(start)
	start = time.Now()
	ms := linkage.LinkFields(ca, cb, s.ActiveFeatures(), (s.L+7)/8, 0, func(w string) { t.Log(w) })
	q := linkQuality(ra, rb, ms)
	t.Logf("field filters: %d × %d records: precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d); encode %v, link %v",
		len(ra), len(rb), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, encoded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if q.f1 < 0.95 {
		t.Errorf("F1 = %.4f, want ≥ 0.95", q.f1)
	}
	sa, sb := encode("ura-schema.json", ra), encode("ura-schema.json", rb)
	qs := linkQuality(ra, rb, linkage.Link(sa, sb, linkage.DefaultLinkThreshold))
	t.Logf("single CLK, Dice ≥ 0.8: precision %.4f recall %.4f F1 %.4f", qs.precision, qs.recall, qs.f1)
}
