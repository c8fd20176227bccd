package linkage_test

import (
	"path/filepath"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

func BenchmarkJaroWinkler(b *testing.B) {
	for b.Loop() {
		linkage.JaroWinkler("stojanovski", "stojanovska")
	}
}

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		linkage.Normalize("Ђорђе Đorđević-Stojanovski")
	}
}

// BenchmarkScorePair scores one pair end to end (normalisation,
// comparison, weights) through Dedup on two records.
func BenchmarkScorePair(b *testing.B) {
	recs := []linkage.Record{
		{ID: "a", GivenName: "Đorđe", FamilyName: "Petrović", BirthDate: "1987-11-03", Sex: "M", Citizenship: "RS", Extra: map[string]string{"town": "Niš"}},
		{ID: "b", GivenName: "Ђорђе", FamilyName: "Петровић", BirthDate: "1987-03-11", Sex: "M", Citizenship: "RS", Extra: map[string]string{"town": "Nis"}},
	}
	for b.Loop() {
		linkage.Dedup(recs, linkage.Options{})
	}
}

func BenchmarkEncodeCLK(b *testing.B) {
	enc, err := linkage.NewEncoder(mustSchema(b, "febrl-schema.json"), []byte("bench secret"))
	if err != nil {
		b.Fatal(err)
	}
	row := map[string]string{"given_name": "michaela", "surname": "neumann", "street_number": "8",
		"address_1": "stanley street", "address_2": "miami", "suburb": "winston hills",
		"postcode": "4223", "state": "nsw", "date_of_birth": "19151111"}
	get := func(k string) string { return row[k] }
	for b.Loop() {
		enc.Encode("rec-1", get)
	}
}

func BenchmarkDedupFEBRL2(b *testing.B) {
	recs := febrlRecords(b, "dataset2.csv")
	for b.Loop() {
		linkage.Dedup(recs, linkage.Options{})
	}
}

func BenchmarkLinkFEBRL4(b *testing.B) {
	dir := febrlDir(b)
	enc, err := linkage.NewEncoder(mustSchema(b, "febrl-schema.json"), []byte("bench secret"))
	if err != nil {
		b.Fatal(err)
	}
	ca := encodeFile(b, enc, filepath.Join(dir, "dataset4a.csv"))
	cb := encodeFile(b, enc, filepath.Join(dir, "dataset4b.csv"))
	b.ResetTimer()
	for b.Loop() {
		linkage.Link(ca, cb, linkage.DefaultLinkThreshold)
	}
}
