package linkage_test

import (
	"bufio"
	"encoding/csv"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// TestWriteSynthCSV writes the synthetic regional set as a persons CSV for
// the speed measurements in docs/benchmarks.md (the sets are too big for
// the repository):
//
//	URA_SYNTH_OUT=/tmp/synth-1m.csv URA_SYNTH_FAMILIES=385000 \
//	  go test ./internal/linkage -run TestWriteSynthCSV -v
//
// It is skipped unless URA_SYNTH_OUT is set.
func TestWriteSynthCSV(t *testing.T) {
	path := os.Getenv("URA_SYNTH_OUT")
	if path == "" {
		t.Skip("URA_SYNTH_OUT not set")
	}
	families, err := strconv.Atoi(os.Getenv("URA_SYNTH_FAMILIES"))
	if err != nil || families <= 0 {
		t.Fatal("URA_SYNTH_FAMILIES must be a positive number")
	}
	recs := synth.Generate(synth.Options{Families: families, Seed: 12})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	extras := []string{"address", "town", "postcode"}
	w.Write(append([]string{"id", "given_name", "family_name", "birth_date", "sex", "citizenship"}, extras...))
	for _, r := range recs {
		row := []string{r.ID, r.GivenName, r.FamilyName, r.BirthDate, r.Sex, r.Citizenship}
		for _, k := range extras {
			row = append(row, r.Extra[k])
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records from %d families written to %s", len(recs), families, path)
}

// TestWriteSynthTwoParties writes two parties' persons CSVs of n records
// each (A: first registrations; B: the second registration of A's persons
// who have one, then other persons) for `ura match encode` and `ura match
// link` at scale:
//
//	URA_SYNTH_PARTIES=/tmp/lf URA_SYNTH_PARTY_SIZE=100000 \
//	  go test ./internal/linkage -run TestWriteSynthTwoParties -v
//
// writes /tmp/lf-a.csv and /tmp/lf-b.csv. Skipped unless set.
func TestWriteSynthTwoParties(t *testing.T) {
	prefix := os.Getenv("URA_SYNTH_PARTIES")
	if prefix == "" {
		t.Skip("URA_SYNTH_PARTIES not set")
	}
	n, err := strconv.Atoi(os.Getenv("URA_SYNTH_PARTY_SIZE"))
	if err != nil || n <= 0 {
		t.Fatal("URA_SYNTH_PARTY_SIZE must be a positive number")
	}
	a, b := twoParties(synth.Generate(synth.Options{Families: n * 4 / 3, Seed: 12}), n)
	for name, recs := range map[string][]linkage.Record{"a": a, "b": b} {
		path := prefix + "-" + name + ".csv"
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.Write([]string{"id", "given_name", "family_name", "birth_date", "sex", "citizenship"})
		for _, r := range recs {
			w.Write([]string{r.ID, r.GivenName, r.FamilyName, r.BirthDate, r.Sex, r.Citizenship})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d records written to %s", len(recs), path)
	}
}

// TestDedupScale runs Dedup on a persons CSV written by TestWriteSynthCSV
// and logs its time and quality (the ids carry the truth):
//
//	URA_SCALE_CSV=/tmp/synth-100k.csv go test ./internal/linkage -run TestDedupScale -v
//
// Skipped unless URA_SCALE_CSV is set.
func TestDedupScale(t *testing.T) {
	path := os.Getenv("URA_SCALE_CSV")
	if path == "" {
		t.Skip("URA_SCALE_CSV not set")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := linkage.ReadRecords(bufio.NewReaderSize(f, 1<<20))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pairs := linkage.Dedup(recs, linkage.Options{})
	el := time.Since(start)
	q := evaluate(recs, pairs)
	t.Logf("%d records in %v: %d pairs, precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d)",
		len(recs), el.Round(time.Millisecond), len(pairs), q.precision, q.recall, q.f1, q.tp, q.fp, q.fn)
}
