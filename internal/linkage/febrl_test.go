package linkage_test

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

// febrlDir finds shared/data/febrl by walking up from the package
// directory: CI clones the repository with shared/ beside it.
func febrlDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "febrl")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("FEBRL data not found: no shared/data/febrl in any parent directory")
		}
		dir = parent
	}
}

// febrlRecords converts a FEBRL file to Ura records: rec_id → ID,
// surname → FamilyName, date_of_birth YYYYMMDD → BirthDate when it is a
// valid date, every other column an extra field. A date made invalid by
// the generator's typos keeps its valid year (and month) in BirthDate and
// its raw digits in the extra field dob_raw, so the evidence is not lost.
func febrlRecords(tb testing.TB, name string) []linkage.Record {
	tb.Helper()
	f, err := os.Open(filepath.Join(febrlDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := convertFebrl(f)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return recs
}

func convertFebrl(r io.Reader) ([]linkage.Record, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	var out []linkage.Record
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		rec := linkage.Record{Extra: map[string]string{}}
		for i, v := range row {
			v = strings.TrimSpace(v)
			switch head[i] {
			case "rec_id":
				rec.ID = v
			case "given_name":
				rec.GivenName = v
			case "surname":
				rec.FamilyName = v
			case "date_of_birth":
				rec.BirthDate = febrlDate(v)
				if v != "" && rec.BirthDate != v[:4]+"-"+safeSlice(v, 4, 6)+"-"+safeSlice(v, 6, 8) {
					rec.Extra["dob_raw"] = v
				}
			default:
				if v != "" {
					rec.Extra[head[i]] = v
				}
			}
		}
		out = append(out, rec)
	}
}

func safeSlice(s string, lo, hi int) string {
	if hi > len(s) {
		return ""
	}
	return s[lo:hi]
}

// febrlDate turns YYYYMMDD into the longest valid ISO prefix.
func febrlDate(v string) string {
	if len(v) != 8 {
		return ""
	}
	for _, c := range []string{v[:4] + "-" + v[4:6] + "-" + v[6:], v[:4] + "-" + v[4:6], v[:4]} {
		if _, err := linkage.ParseDate(c); err == nil {
			return c
		}
	}
	return ""
}

// entity is the ground truth hidden in a FEBRL id: rec-N-org and
// rec-N-dup-K are the same person N.
func entity(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) < 2 {
		return id
	}
	return parts[1]
}

type quality struct {
	tp, fp, fn            int
	precision, recall, f1 float64
}

// evaluate scores found pairs against all pairs within the same entity.
func evaluate(recs []linkage.Record, found []linkage.Pair) quality {
	groups := map[string]int{}
	for _, r := range recs {
		groups[entity(r.ID)]++
	}
	truth := 0
	for _, n := range groups {
		truth += n * (n - 1) / 2
	}
	var q quality
	for _, p := range found {
		if entity(p.A) == entity(p.B) {
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
