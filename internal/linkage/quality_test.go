package linkage_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// TestDedupFEBRL holds the engine to the quality the issue asks for on
// the FEBRL benchmark files, at the default threshold.
func TestDedupFEBRL(t *testing.T) {
	tests := []struct {
		file  string
		minF1 float64
	}{
		{"dataset1.csv", 0.98},
		{"dataset2.csv", 0.98},
		{"dataset3.csv", 0.98},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs := febrlRecords(t, tt.file)
			start := time.Now()
			pairs := linkage.Dedup(recs, linkage.Options{})
			q := evaluate(recs, pairs)
			t.Logf("%s: %d records, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d) in %v",
				tt.file, len(recs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, time.Since(start).Round(time.Millisecond))
			if q.f1 < tt.minF1 {
				t.Errorf("F1 = %.4f, want ≥ %.2f", q.f1, tt.minF1)
			}
		})
	}
}

// TestDedupSynthetic holds the engine to F1 ≥ 0.95 on the synthetic
// regional set: Latin and Cyrillic spellings, lost diacritics, swapped
// names and dates, nicknames, and siblings and twins who must stay apart.
func TestDedupSynthetic(t *testing.T) {
	recs := synth.Generate(synth.Options{Families: 1500, Seed: 1})
	start := time.Now()
	pairs := linkage.Dedup(recs, linkage.Options{})
	q := evaluate(recs, pairs)
	t.Logf("synthetic: %d records, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d) in %v",
		len(recs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, time.Since(start).Round(time.Millisecond))
	if q.f1 < 0.95 {
		t.Errorf("F1 = %.4f, want ≥ 0.95", q.f1)
	}
}

// febrlPlain converts a FEBRL file as a plain script would (the awk in
// docs/linkage.md): rec_id → id, surname → family_name, date_of_birth
// YYYYMMDD → birth_date YYYY-MM-DD with impossible dates left as they are,
// every other column kept. Nothing is cleaned: the reader must cope.
func febrlPlain(tb testing.TB, name string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(febrlDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	head := strings.Split(lines[0], ",")
	for i, line := range lines {
		f := strings.Split(line, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
			if r, ok := febrlRename[f[j]]; ok && i == 0 {
				f[j] = r
			}
		}
		if i > 0 {
			for j, h := range head {
				if strings.TrimSpace(h) == "date_of_birth" && len(f[j]) == 8 {
					f[j] = f[j][:4] + "-" + f[j][4:6] + "-" + f[j][6:]
				}
			}
		}
		b.WriteString(strings.Join(f, ",") + "\n")
	}
	return b.String()
}

var febrlRename = map[string]string{"rec_id": "id", "surname": "family_name", "date_of_birth": "birth_date"}

// TestDedupFEBRLPlain runs `ura match dedup` on the plainly converted
// FEBRL files: impossible dates are reported and treated as missing, not
// a reason to refuse the file, and quality stays at F1 ≥ 0.98.
func TestDedupFEBRLPlain(t *testing.T) {
	for _, file := range []string{"dataset1.csv", "dataset2.csv", "dataset3.csv"} {
		t.Run(file, func(t *testing.T) {
			in := febrlPlain(t, file)
			var out, errOut bytes.Buffer
			if err := linkage.RunCLI(context.Background(), []string{"dedup", "--in", "-", "--out", "-"}, strings.NewReader(in), &out, &errOut); err != nil {
				t.Fatal(err)
			}
			recs, err := linkage.ReadRecords(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&out).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var pairs []linkage.Pair
			for _, r := range rows[1:] {
				pairs = append(pairs, linkage.Pair{A: r[0], B: r[1]})
			}
			q := evaluate(recs, pairs)
			warnings := strings.Count(errOut.String(), "\n")
			t.Logf("%s: precision %.4f recall %.4f F1 %.4f; %d values reported as invalid", file, q.precision, q.recall, q.f1, warnings)
			if q.f1 < 0.98 {
				t.Errorf("F1 = %.4f, want ≥ 0.98", q.f1)
			}
		})
	}
}
