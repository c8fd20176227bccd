package linkage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// twoParties splits the synthetic set into two registers: A holds the
// first registration of persons, B the second registration of those who
// have one and the first of other persons, up to n each.
func twoParties(recs []linkage.Record, n int) (a, b []linkage.Record) {
	byID := map[string]linkage.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	var rest []linkage.Record
	for _, r := range recs {
		if !strings.HasSuffix(r.ID, "-org") {
			continue
		}
		if len(a) < n {
			a = append(a, r)
			if d, ok := byID[strings.TrimSuffix(r.ID, "-org")+"-dup-0"]; ok && len(b) < n {
				b = append(b, d)
			}
		} else {
			rest = append(rest, r)
		}
	}
	for _, r := range rest {
		if len(b) >= n {
			break
		}
		b = append(b, r)
	}
	return a, b
}

func recordValue(r linkage.Record) func(string) string {
	return func(k string) string {
		switch k {
		case "id":
			return r.ID
		case "given_name":
			return r.GivenName
		case "family_name":
			return r.FamilyName
		case "birth_date":
			return r.BirthDate
		case "sex":
			return r.Sex
		case "citizenship":
			return r.Citizenship
		}
		return r.Extra[k]
	}
}

func encodeRecords(tb testing.TB, recs []linkage.Record) []linkage.CLK {
	enc, err := linkage.NewEncoder(mustSchema(tb, "ura-schema.json"), []byte("two-party test secret"))
	if err != nil {
		tb.Fatal(err)
	}
	enc.NormalizeText = true
	out := make([]linkage.CLK, len(recs))
	for i, r := range recs {
		out[i] = enc.Encode(r.ID, recordValue(r))
	}
	return out
}

// TestLinkLSHRecall measures the LSH blocking that Link uses on big
// inputs against the exact all-pairs result on the synthetic two-party
// split: LSH must find at least 99 % of the pairs at Dice ≥ threshold, at
// the default threshold and at a lower one, and Link's matches built on
// it must lose no more.
func TestLinkLSHRecall(t *testing.T) {
	ra, rb := twoParties(synth.Generate(synth.Options{Families: 9000, Seed: 41}), 6000)
	a, b := encodeRecords(t, ra), encodeRecords(t, rb)
	for _, thr := range []float64{linkage.DefaultLinkThreshold, 0.7, 0.9} {
		start := time.Now()
		exact := linkage.LinkCandidatePairs(a, b, thr, false)
		tExact := time.Since(start)
		start = time.Now()
		approx := linkage.LinkCandidatePairs(a, b, thr, true)
		tLSH := time.Since(start)
		found := map[[2]int]bool{}
		for _, p := range approx {
			found[p] = true
		}
		hit := 0
		for _, p := range exact {
			if found[p] {
				hit++
			}
		}
		if len(approx) != hit {
			t.Errorf("threshold %.2f: LSH reported %d pairs the exact scan does not have", thr, len(approx)-hit)
		}
		recall := 1.0
		if len(exact) > 0 {
			recall = float64(hit) / float64(len(exact))
		}
		k, bands, lshCost, scanCost := linkage.LSHShape(a, b, thr)
		t.Logf("threshold %.2f: %d × %d CLKs, %d exact pairs (%v), LSH %d bits × %d bands found %d: recall %.4f (%v; estimated cost %.2f s against %.2f s for the scan)",
			thr, len(a), len(b), len(exact), tExact.Round(time.Millisecond), k, bands, hit, recall, tLSH.Round(time.Millisecond), lshCost/1e9, scanCost/1e9)
		if len(exact) < 1000 {
			t.Fatalf("threshold %.2f: only %d exact pairs: the test set is too small to measure recall", thr, len(exact))
		}
		if recall < 0.99 {
			t.Errorf("threshold %.2f: LSH recall %.4f, want ≥ 0.99", thr, recall)
		}
	}
}
