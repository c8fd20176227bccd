package linkage

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// naiveCounts is the reference: one byte at a time over the CLKs' bytes.
func naiveCount(a, b []byte) int {
	c := 0
	for i := 0; i < min(len(a), len(b)); i++ {
		c += bits.OnesCount8(a[i] & b[i])
	}
	return c
}

func randomCLKs(rng *rand.Rand, n, nbytes int, density float64) []CLK {
	cs := make([]CLK, n)
	for i := range cs {
		b := make([]byte, nbytes)
		for k := range b {
			for bit := 0; bit < 8; bit++ {
				if rng.Float64() < density {
					b[k] |= 1 << bit
				}
			}
		}
		cs[i] = CLK{ID: string(rune('a' + i%26)), Bits: b}
	}
	return cs
}

// checkKernels compares the portable kernel, the AVX-512 kernel (when
// the CPU has it) and the one-pair kernel with the byte-wise reference,
// for one query against every CLK of cs.
func checkKernels(t *testing.T, q CLK, cs []CLK) {
	t.Helper()
	words := clkWords(maxCLKBytes([]CLK{q}, cs))
	qs, set := newCLKSet([]CLK{q}, words), newCLKSet(cs, words)
	want := make([]int32, len(cs))
	for j, c := range cs {
		want[j] = int32(naiveCount(q.Bits, c.Bits))
		if got := int(set.pop[j]); got != c.Popcount() {
			t.Fatalf("row %d: popcount %d, want %d", j, got, c.Popcount())
		}
		if got := andCount(qs.row(0), set.row(j)); got != int(want[j]) {
			t.Fatalf("%d bytes, row %d: andCount = %d, want %d", len(c.Bits), j, got, want[j])
		}
	}
	// The fused kernel with the threshold test, at a few thresholds.
	for _, minc := range []int{0, 1, 5, 40, 200} {
		var wantIdx []int32
		for j := range want {
			if int(want[j]) >= minc {
				wantIdx = append(wantIdx, int32(j))
			}
		}
		hits := make([]int32, len(cs))
		check := func(name string, h int) {
			if h != len(wantIdx) {
				t.Fatalf("%d words, minc %d: %s found %d rows, want %d", words, minc, name, h, len(wantIdx))
			}
			for k := range wantIdx {
				if hits[k] != wantIdx[k] {
					t.Fatalf("%d words, minc %d: %s hit %d = %d, want %d", words, minc, name, k, hits[k], wantIdx[k])
				}
			}
		}
		check("portable", andCountsAbovePortable(qs.row(0), set.w, words, minc, hits))
		check("dispatch", andCountsAbove(qs.row(0), set.w, words, minc, hits))
		if hasAVX512Popcount && words == 16 {
			check("AVX-512", andCountsAbove16AVX512(&qs.w[0], &set.w[0], len(cs), minc, &hits[0]))
		}
	}
	got := make([]int32, len(cs))
	andCountsPortable(qs.row(0), set.w, words, got)
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("%d words, row %d: portable = %d, want %d", words, j, got[j], want[j])
		}
	}
	if !hasAVX512Popcount {
		return
	}
	clear(got)
	if words == 16 {
		andCounts16AVX512(&qs.w[0], &set.w[0], len(cs), &got[0])
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("row %d: AVX-512 (16 words) = %d, want %d", j, got[j], want[j])
			}
		}
		clear(got)
	}
	andCountsAVX512(&qs.w[0], &set.w[0], words, len(cs), &got[0])
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("%d words, row %d: AVX-512 = %d, want %d", words, j, got[j], want[j])
		}
	}
}

// TestDiceKernels holds the portable and the AVX-512 kernels to the
// byte-wise reference on random CLKs of many lengths (1024 bits and
// others, lengths that are not a multiple of 64 or of 512 bits) and
// densities, and the exported Dice to the same counts.
func TestDiceKernels(t *testing.T) {
	if !hasAVX512Popcount {
		t.Log("this CPU has no AVX-512 VPOPCNTDQ: only the portable kernel is checked")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, nbytes := range []int{1, 7, 8, 9, 63, 64, 65, 100, 127, 128, 129, 192, 256, 257, 512} {
		for _, density := range []float64{0, 0.05, 0.3, 0.5, 0.9, 1} {
			cs := randomCLKs(rng, 37, nbytes, density)
			q := randomCLKs(rng, 1, nbytes, 0.4)[0]
			checkKernels(t, q, cs)
			for _, c := range cs {
				pa, pb := q.Popcount(), c.Popcount()
				want := 0.0
				if pa+pb > 0 {
					want = 2 * float64(naiveCount(q.Bits, c.Bits)) / float64(pa+pb)
				}
				if got := Dice(q, c); got != want {
					t.Fatalf("%d bytes: Dice = %v, want %v", nbytes, got, want)
				}
			}
		}
	}
	// Mixed lengths: the shorter CLK is taken as padded with zeros.
	checkKernels(t, randomCLKs(rng, 1, 128, 0.4)[0], randomCLKs(rng, 5, 100, 0.4))
}

// TestDiceKernelDispatch checks that andCounts, whichever path it takes,
// agrees with the portable kernel.
func TestDiceKernelDispatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, nbytes := range []int{128, 200} {
		cs := randomCLKs(rng, 1000, nbytes, 0.35)
		words := clkWords(nbytes)
		set := newCLKSet(cs, words)
		a, b := make([]int32, 999), make([]int32, 999)
		andCounts(set.row(0), set.rows(1, 1000), words, a)
		andCountsPortable(set.row(0), set.rows(1, 1000), words, b)
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("%d bytes, row %d: andCounts = %d, portable = %d", nbytes, j, a[j], b[j])
			}
		}
	}
}

// FuzzDiceKernels feeds arbitrary bytes, cut into a query and rows of an
// arbitrary length, to both kernels.
func FuzzDiceKernels(f *testing.F) {
	f.Add(uint8(128), []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
	f.Add(uint8(3), []byte{0xff, 0x0f, 0xf0, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, n uint8, data []byte) {
		nbytes := int(n)%260 + 1
		if len(data) < nbytes {
			return
		}
		q := CLK{Bits: data[:nbytes]}
		var cs []CLK
		for rest := data[nbytes:]; len(rest) > 0; {
			k := min(len(rest), nbytes)
			cs = append(cs, CLK{Bits: rest[:k]})
			rest = rest[k:]
		}
		if len(cs) == 0 {
			return
		}
		checkKernels(t, q, cs)
	})
}

// benchKernel measures one query against 4,096 rows of 1024-bit CLKs
// of one popcount (512 KiB, resident in the L2 cache, as one run of
// Link's inner loop), the Dice threshold test included, and reports
// comparisons per second on one core.
func benchKernel(b *testing.B, kernel func(q, rows []uint64, minc int, out []int32) int) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 4096
	cs := randomCLKs(rng, n+1, 128, 0.3)
	set := newCLKSet(cs, 16)
	hits := make([]int32, n)
	q, rows := set.row(n), set.rows(0, n)
	minC := make([]int32, 1025)
	diceTable(minC, int(set.pop[n]), DefaultLinkThreshold)
	minc := int(minC[set.pop[0]])
	found := 0
	for b.Loop() {
		found += kernel(q, rows, minc, hits)
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "comparisons/s")
	b.ReportMetric(0, "ns/op")
	_ = found
}

// BenchmarkDice1024 is the Dice comparison of 1024-bit CLKs as Link
// makes it, per core:
//
//	go test ./internal/linkage -run '^$' -bench Dice1024 -cpu 1 -count 3
func BenchmarkDice1024(b *testing.B) {
	b.Run("portable", func(b *testing.B) {
		benchKernel(b, func(q, rows []uint64, minc int, out []int32) int {
			return andCountsAbovePortable(q, rows, 16, minc, out)
		})
	})
	b.Run("avx512", func(b *testing.B) {
		if !hasAVX512Popcount {
			b.Skip("no AVX-512 VPOPCNTDQ on this CPU")
		}
		benchKernel(b, func(q, rows []uint64, minc int, out []int32) int {
			return andCountsAbove16AVX512(&q[0], &rows[0], len(rows)/16, minc, &out[0])
		})
	})
	b.Run("pair", func(b *testing.B) {
		benchKernel(b, func(q, rows []uint64, minc int, out []int32) int {
			h := 0
			for j := 0; j < len(rows)/16; j++ {
				if andCount(q, rows[j*16:j*16+16]) >= minc {
					out[h] = int32(j)
					h++
				}
			}
			return h
		})
	})
}

// BenchmarkDiceKernelOnly is the kernel without the threshold test: the
// counts of one query against 4,096 rows of 1024 bits.
func BenchmarkDiceKernelOnly(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 4096
	cs := randomCLKs(rng, n+1, 128, 0.3)
	set := newCLKSet(cs, 16)
	counts := make([]int32, n)
	q, rows := set.row(n), set.rows(0, n)
	b.Run("portable", func(b *testing.B) {
		for b.Loop() {
			andCountsPortable(q, rows, 16, counts)
		}
		b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "comparisons/s")
	})
	b.Run("avx512", func(b *testing.B) {
		if !hasAVX512Popcount {
			b.Skip("no AVX-512 VPOPCNTDQ on this CPU")
		}
		for b.Loop() {
			andCounts16AVX512(&q[0], &rows[0], n, &counts[0])
		}
		b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "comparisons/s")
	})
}
