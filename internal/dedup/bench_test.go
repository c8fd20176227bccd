package dedup_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/linkage/synth"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// benchPersons is the register size of the benchmarks: 10,000 unless
// URA_BENCH_PERSONS says otherwise.
func benchPersons(b *testing.B) int {
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_PERSONS")); err == nil && v > 1 {
		return v
	}
	return 10000
}

// benchFixture seeds n synthetic persons, each under its own data key, with
// a case and blocking keys.
func benchFixture(b *testing.B, e string, n int) (*fixture, []cases.Person) {
	recs := synth.Generate(synth.Options{Families: n/2 + 10, Seed: 3})[:n]
	ps, munis := make([]cases.Person, n), make([]string, n)
	for i, r := range recs {
		ps[i], munis[i] = personFromSynth(r), r.Extra["town"]
	}
	f := newFixture(b, storetest.New(b, storeEngine(e)))
	f.seed(b, ps, munis, true)
	return f, ps
}

// BenchmarkLikely is the registration check at 10,000 persons: blocking on
// the blind-indexed keys, decrypting the candidates, scoring each.
func BenchmarkLikely(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			f, ps := benchFixture(b, string(e), benchPersons(b))
			ctx := context.Background()
			q := ps[len(ps)/2]
			q.GivenName, q.FamilyName = q.FamilyName, q.GivenName // registered the other way round
			b.ResetTimer()
			for b.Loop() {
				if _, err := f.dd.Likely(ctx, f.db.Read(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScan is one run of the periodic job over 10,000 persons.
func BenchmarkScan(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			f, _ := benchFixture(b, string(e), benchPersons(b))
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if _, err := f.dd.Scan(ctx, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
