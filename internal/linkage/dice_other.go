//go:build !amd64

package linkage

// useAVX512 is false off amd64: the portable kernel is the only one.
const (
	useAVX512         = false
	hasAVX512Popcount = false
)

func andCounts16AVX512(q, rows *uint64, n int, out *int32) { panic("unreachable") }

func andCountsAVX512(q, rows *uint64, words, n int, out *int32) { panic("unreachable") }

func andCountsAbove16AVX512(q, rows *uint64, n, minc int, out *int32) int { panic("unreachable") }
