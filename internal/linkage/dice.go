package linkage

import (
	"encoding/binary"
	"math/bits"
)

// clkSet holds CLKs as rows of a fixed number of 64-bit words in one
// contiguous slice, with each CLK's popcount computed once: the Dice
// kernel then walks memory in order and never follows a pointer per pair.
// Rows are padded with zero words to a multiple of eight words (one
// 512-bit vector); padding changes no popcount of an AND.
type clkSet struct {
	words int      // words per row, a multiple of 8
	w     []uint64 // len = n·words
	pop   []int32
}

// clkWords is the row width, in words, that holds CLKs of nbytes bytes.
func clkWords(nbytes int) int {
	w := (nbytes + 7) / 8
	return max(8, (w+7)&^7)
}

// maxCLKBytes is the length of the longest CLK in the given lists.
func maxCLKBytes(lists ...[]CLK) int {
	n := 0
	for _, cs := range lists {
		for _, c := range cs {
			n = max(n, len(c.Bits))
		}
	}
	return n
}

// newCLKSet packs cs into rows of the given width. The byte order inside
// a word does not matter to a popcount, so bytes are loaded little-endian
// (one move on every CPU Go supports).
func newCLKSet(cs []CLK, words int) *clkSet {
	s := &clkSet{words: words, w: make([]uint64, len(cs)*words), pop: make([]int32, len(cs))}
	for i, c := range cs {
		row := s.w[i*words : (i+1)*words]
		b := c.Bits
		k := 0
		for ; len(b) >= 8; k++ {
			row[k] = binary.LittleEndian.Uint64(b)
			b = b[8:]
		}
		if len(b) > 0 {
			var buf [8]byte
			copy(buf[:], b)
			row[k] = binary.LittleEndian.Uint64(buf[:])
		}
		p := 0
		for _, x := range row {
			p += bits.OnesCount64(x)
		}
		s.pop[i] = int32(p)
	}
	return s
}

func (s *clkSet) len() int { return len(s.pop) }

func (s *clkSet) row(i int) []uint64 {
	return s.w[i*s.words : (i+1)*s.words : (i+1)*s.words]
}

// rows returns rows [lo, hi) as one slice.
func (s *clkSet) rows(lo, hi int) []uint64 {
	return s.w[lo*s.words : hi*s.words : hi*s.words]
}

// andCounts sets out[j] to the popcount of q AND row j of rows, for every
// j < len(out); q has words words (a multiple of 8) and rows holds
// len(out) rows of the same width. It is the Dice kernel: the AVX-512
// VPOPCNTDQ path when the CPU has it, the portable one otherwise.
func andCounts(q, rows []uint64, words int, out []int32) {
	if len(out) == 0 {
		return
	}
	_ = rows[len(out)*words-1]
	_ = q[words-1]
	if useAVX512 {
		if words == 16 {
			andCounts16AVX512(&q[0], &rows[0], len(out), &out[0])
		} else {
			andCountsAVX512(&q[0], &rows[0], words, len(out), &out[0])
		}
		return
	}
	andCountsPortable(q, rows, words, out)
}

// andCountsPortable is andCounts in plain Go: a fully unrolled loop for
// 1024-bit CLKs (the common width) and four independent counters for the
// others, so that the popcounts of one row are not serialised on one
// register.
func andCountsPortable(q, rows []uint64, words int, out []int32) {
	if words == 16 {
		andCounts16(q, rows, out)
		return
	}
	for j := range out {
		r := rows[j*words : (j+1)*words : (j+1)*words]
		q := q[:len(r)]
		var c0, c1, c2, c3 int
		for k := 0; k+3 < len(r); k += 4 {
			c0 += bits.OnesCount64(q[k] & r[k])
			c1 += bits.OnesCount64(q[k+1] & r[k+1])
			c2 += bits.OnesCount64(q[k+2] & r[k+2])
			c3 += bits.OnesCount64(q[k+3] & r[k+3])
		}
		out[j] = int32(c0 + c1 + c2 + c3)
	}
}

func andCounts16(qs, rows []uint64, out []int32) {
	q := (*[16]uint64)(qs)
	for j := range out {
		r := (*[16]uint64)(rows[j*16 : j*16+16])
		c0 := bits.OnesCount64(q[0]&r[0]) + bits.OnesCount64(q[4]&r[4]) +
			bits.OnesCount64(q[8]&r[8]) + bits.OnesCount64(q[12]&r[12])
		c1 := bits.OnesCount64(q[1]&r[1]) + bits.OnesCount64(q[5]&r[5]) +
			bits.OnesCount64(q[9]&r[9]) + bits.OnesCount64(q[13]&r[13])
		c2 := bits.OnesCount64(q[2]&r[2]) + bits.OnesCount64(q[6]&r[6]) +
			bits.OnesCount64(q[10]&r[10]) + bits.OnesCount64(q[14]&r[14])
		c3 := bits.OnesCount64(q[3]&r[3]) + bits.OnesCount64(q[7]&r[7]) +
			bits.OnesCount64(q[11]&r[11]) + bits.OnesCount64(q[15]&r[15])
		out[j] = int32(c0 + c1 + c2 + c3)
	}
}

// andCount is the popcount of a AND b for two rows of one width, for
// candidates that are not contiguous (blocking by LSH).
func andCount(a, b []uint64) int {
	b = b[:len(a)]
	if len(a) == 16 {
		a, b := (*[16]uint64)(a), (*[16]uint64)(b)
		c0 := bits.OnesCount64(a[0]&b[0]) + bits.OnesCount64(a[4]&b[4]) +
			bits.OnesCount64(a[8]&b[8]) + bits.OnesCount64(a[12]&b[12])
		c1 := bits.OnesCount64(a[1]&b[1]) + bits.OnesCount64(a[5]&b[5]) +
			bits.OnesCount64(a[9]&b[9]) + bits.OnesCount64(a[13]&b[13])
		c2 := bits.OnesCount64(a[2]&b[2]) + bits.OnesCount64(a[6]&b[6]) +
			bits.OnesCount64(a[10]&b[10]) + bits.OnesCount64(a[14]&b[14])
		c3 := bits.OnesCount64(a[3]&b[3]) + bits.OnesCount64(a[7]&b[7]) +
			bits.OnesCount64(a[11]&b[11]) + bits.OnesCount64(a[15]&b[15])
		return c0 + c1 + c2 + c3
	}
	var c0, c1, c2, c3 int
	for k := 0; k+3 < len(a); k += 4 {
		c0 += bits.OnesCount64(a[k] & b[k])
		c1 += bits.OnesCount64(a[k+1] & b[k+1])
		c2 += bits.OnesCount64(a[k+2] & b[k+2])
		c3 += bits.OnesCount64(a[k+3] & b[k+3])
	}
	return c0 + c1 + c2 + c3
}

// andCountsAbove writes to out the indices j of the rows with
// popcount(q AND row j) ≥ minc and returns their number; out must hold
// one entry per row. Link calls it on runs of rows of one popcount, for
// which the Dice threshold is one count.
func andCountsAbove(q, rows []uint64, words, minc int, out []int32) int {
	n := len(rows) / words
	if n == 0 {
		return 0
	}
	_ = out[n-1]
	if useAVX512 && words == 16 {
		return andCountsAbove16AVX512(&q[0], &rows[0], n, minc, &out[0])
	}
	return andCountsAbovePortable(q, rows, words, minc, out)
}

func andCountsAbovePortable(q, rows []uint64, words, minc int, out []int32) int {
	n := len(rows) / words
	h := 0
	if words == 16 {
		q := (*[16]uint64)(q)
		for j := 0; j < n; j++ {
			r := (*[16]uint64)(rows[j*16 : j*16+16])
			c0 := bits.OnesCount64(q[0]&r[0]) + bits.OnesCount64(q[4]&r[4]) +
				bits.OnesCount64(q[8]&r[8]) + bits.OnesCount64(q[12]&r[12])
			c1 := bits.OnesCount64(q[1]&r[1]) + bits.OnesCount64(q[5]&r[5]) +
				bits.OnesCount64(q[9]&r[9]) + bits.OnesCount64(q[13]&r[13])
			c2 := bits.OnesCount64(q[2]&r[2]) + bits.OnesCount64(q[6]&r[6]) +
				bits.OnesCount64(q[10]&r[10]) + bits.OnesCount64(q[14]&r[14])
			c3 := bits.OnesCount64(q[3]&r[3]) + bits.OnesCount64(q[7]&r[7]) +
				bits.OnesCount64(q[11]&r[11]) + bits.OnesCount64(q[15]&r[15])
			if c0+c1+c2+c3 >= minc {
				out[h] = int32(j)
				h++
			}
		}
		return h
	}
	for j := 0; j < n; j++ {
		if andCount(q, rows[j*words:(j+1)*words]) >= minc {
			out[h] = int32(j)
			h++
		}
	}
	return h
}
