package linkage

import (
	"runtime"
	"sort"
	"sync"
)

// maxClosureCluster bounds the clusters completed transitively. A real
// person is rarely registered more than a handful of times; a bigger
// component is more likely a chain of weak links than one person, so it
// is left as the pairs that were found directly.
const maxClosureCluster = 8

// closureVeto is the direct match probability below which a pair is not
// added by cluster completion however strong the chain joining it.
const closureVeto = 0.5

// Dedup finds the pairs of records that are likely the same person. It
// blocks, compares every candidate pair field by field, estimates the
// Fellegi–Sunter weights with EM from the data itself, and reports the
// pairs whose match probability reaches opts.Threshold, ordered by A then
// B. Unless opts.NoClosure is set, the clusters formed by those pairs are
// completed: when A–B and B–C match, A–C is reported too (scored by the
// weakest link that joins them), because a person registered three times
// with different errors is not always similar enough end to end. The
// output depends only on the input, not on map order or scheduling.
func Dedup(records []Record, opts Options) []Pair {
	if len(records) < 2 {
		return nil
	}
	extras := extraNames(records)
	recs := prepareAll(records, extras)
	width := fieldExtra + len(extras)
	cands := candidatePairs(recs, opts.maxBlock())
	gammas := compareAll(recs, cands, width)
	md := fitModel(recs, cands, gammas, len(extras), opts, opts.warn())

	thr := opts.threshold()
	score := map[uint64]float64{}
	for c, key := range cands {
		if s := md.probability(gammas[c*width : (c+1)*width]); s >= thr {
			score[key] = s
		}
	}
	if !opts.NoClosure {
		g := make([]int8, width)
		closeClusters(score, func(i, j uint32) bool {
			compare(&recs[i], &recs[j], g)
			return md.probability(g) < closureVeto
		})
	}
	out := make([]Pair, 0, len(score))
	for key, s := range score {
		a, b := records[key>>32].ID, records[key&0xffffffff].ID
		if a > b {
			a, b = b, a
		}
		out = append(out, Pair{A: a, B: b, Score: s})
	}
	sortPairs(out)
	return out
}

func sortPairs(ps []Pair) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].A != ps[j].A {
			return ps[i].A < ps[j].A
		}
		return ps[i].B < ps[j].B
	})
}

func prepareAll(records []Record, extras []string) []prepared {
	recs := make([]prepared, len(records))
	parallel(len(records), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			recs[i] = prepare(records[i], extras)
		}
	})
	return recs
}

func compareAll(recs []prepared, cands []uint64, width int) []int8 {
	gammas := make([]int8, len(cands)*width)
	parallel(len(cands), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			key := cands[c]
			compare(&recs[key>>32], &recs[key&0xffffffff], gammas[c*width:(c+1)*width])
		}
	})
	return gammas
}

// parallel splits [0,n) into one contiguous range per CPU. Each worker
// writes only its own range, so the result is the same as a serial run.
func parallel(n int, fn func(lo, hi int)) { parallelMin(n, 1024, fn) }

// workers is the number of ranges parallel would split n items into.
func workers(n int) int {
	if n < 1024 {
		return 1
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// parallelMin is parallel for work items big enough to be split from
// minN of them on.
func parallelMin(n, minN int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < minN || w < 2 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + w - 1) / w
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// closeClusters adds the missing pairs inside every small connected
// component of the match graph. The added pair's score is the bottleneck
// of the strongest path between the two records. A pair for which veto
// is true is never added: compared directly, its two records are clearly
// two people (twins found through a duplicate of one of them), and a
// chain through a third record does not outweigh that.
func closeClusters(score map[uint64]float64, veto func(i, j uint32) bool) {
	adj := map[uint32][]uint32{}
	keys := make([]uint64, 0, len(score))
	for k := range score {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		i, j := uint32(k>>32), uint32(k&0xffffffff)
		adj[i] = append(adj[i], j)
		adj[j] = append(adj[j], i)
	}
	nodes := make([]uint32, 0, len(adj))
	for n := range adj {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i] < nodes[j] })
	seen := map[uint32]bool{}
	for _, start := range nodes {
		if seen[start] {
			continue
		}
		comp := []uint32{start}
		seen[start] = true
		for q := 0; q < len(comp); q++ {
			for _, nb := range adj[comp[q]] {
				if !seen[nb] {
					seen[nb] = true
					comp = append(comp, nb)
				}
			}
		}
		if len(comp) < 3 || len(comp) > maxClosureCluster {
			continue
		}
		completeComponent(comp, score, veto)
	}
}

// completeComponent runs a max–min (widest path) Floyd–Warshall over one
// small component.
func completeComponent(comp []uint32, score map[uint64]float64, veto func(i, j uint32) bool) {
	n := len(comp)
	best := make([][]float64, n)
	for a := range best {
		best[a] = make([]float64, n)
	}
	pk := func(i, j uint32) uint64 {
		if i > j {
			i, j = j, i
		}
		return uint64(i)<<32 | uint64(j)
	}
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			s := score[pk(comp[a], comp[b])]
			best[a][b], best[b][a] = s, s
		}
	}
	for k := 0; k < n; k++ {
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				if w := min(best[a][k], best[k][b]); w > best[a][b] {
					best[a][b] = w
				}
			}
		}
	}
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			k := pk(comp[a], comp[b])
			if _, ok := score[k]; !ok && best[a][b] > 0 && !veto(uint32(k>>32), uint32(k)) {
				score[k] = best[a][b]
			}
		}
	}
}
