package linkage

import (
	"os"

	"golang.org/x/sys/cpu"
)

// hasAVX512Popcount reports whether the CPU (and the operating system,
// which must save the 512-bit registers) offers AVX-512 with VPOPCNTDQ.
var hasAVX512Popcount = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ

// useAVX512 chooses the Dice kernel once, at start-up. URA_DICE_PORTABLE=1
// forces the portable kernel (to measure it, or to rule the vector path
// out when investigating a result).
var useAVX512 = hasAVX512Popcount && os.Getenv("URA_DICE_PORTABLE") != "1"

// andCounts16AVX512 computes out[j] = popcount(q AND row j) for n rows of
// 16 words (1024-bit CLKs), q held in two vector registers.
//
//go:noescape
func andCounts16AVX512(q, rows *uint64, n int, out *int32)

// andCountsAVX512 is the same for rows of any multiple of 8 words.
//
//go:noescape
func andCountsAVX512(q, rows *uint64, words, n int, out *int32)

// andCountsAbove16AVX512 writes to out the indices j < n of the 16-word
// rows with popcount(q AND row j) ≥ minc and returns their number: the
// kernel and the threshold test in one pass, no count stored per pair.
//
//go:noescape
func andCountsAbove16AVX512(q, rows *uint64, n, minc int, out *int32) int
