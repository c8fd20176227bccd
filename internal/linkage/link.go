package linkage

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// Match links record A of the first party to record B of the second;
// Score is the Dice coefficient of their CLKs.
type Match struct {
	A, B  string
	Score float64
}

// DefaultLinkThreshold is the Dice coefficient at which two CLKs are
// taken for the same person; 0.8 is the value clkhash's tutorial uses on
// FEBRL and the one the published precision and recall refer to.
const DefaultLinkThreshold = 0.8

// Dice returns the Dice coefficient 2|a∧b|/(|a|+|b|) of two CLKs (0 when
// both are empty). A shorter CLK is taken as padded with zero bits.
func Dice(a, b CLK) float64 {
	x, y := a.Bits, b.Bits
	if len(x) > len(y) {
		x, y = y, x
	}
	var c, pa, pb int
	for len(x) >= 8 {
		u, v := binary.LittleEndian.Uint64(x), binary.LittleEndian.Uint64(y)
		c += bits.OnesCount64(u & v)
		pa += bits.OnesCount64(u)
		pb += bits.OnesCount64(v)
		x, y = x[8:], y[8:]
	}
	for i := range x {
		c += bits.OnesCount8(x[i] & y[i])
		pa += bits.OnesCount8(x[i])
		pb += bits.OnesCount8(y[i])
	}
	for _, v := range y[len(x):] {
		pb += bits.OnesCount8(v)
	}
	if pa+pb == 0 {
		return 0
	}
	return 2 * float64(c) / float64(pa+pb)
}

// exactLinkPairs is the size (|A|·|B|) up to which Link compares every
// pair in the popcount band; above it, LSH blocking takes over (see
// lsh.go), trading a measured ≤ 1 % of the pairs at the threshold for
// time that no longer grows with |A|·|B|. 2³⁰ pairs take about two
// seconds on two cores.
const exactLinkPairs = 1 << 30

// linkCand is one pair above the threshold: i in A, j in B.
type linkCand struct {
	i, j  int32
	score float64
}

// Link finds the one-to-one linkage of the CLKs of two parties: every
// pair with Dice ≥ threshold is a candidate, and candidates are accepted
// greedily from the highest score down, each record used at most once
// (a person appears once in each register). Blocking is by popcount:
// Dice ≥ t is impossible unless t/(2−t) ≤ |a|/|b| ≤ (2−t)/t, so only that
// band of b, sorted by popcount, is scanned; above exactLinkPairs pairs,
// bit-sampling LSH chooses the candidates inside the band. Matches are
// returned in order of A.
func Link(a, b []CLK, threshold float64) []Match {
	if threshold <= 0 || threshold > 1 {
		threshold = DefaultLinkThreshold
	}
	cands := linkCandidates(a, b, threshold, linkAuto)
	sort.Slice(cands, func(x, y int) bool {
		if cands[x].score != cands[y].score {
			return cands[x].score > cands[y].score
		}
		if cands[x].i != cands[y].i {
			return cands[x].i < cands[y].i
		}
		return cands[x].j < cands[y].j
	})
	usedA := make([]bool, len(a))
	usedB := make([]bool, len(b))
	var out []Match
	for _, c := range cands {
		if usedA[c.i] || usedB[c.j] {
			continue
		}
		usedA[c.i], usedB[c.j] = true, true
		out = append(out, Match{A: a[c.i].ID, B: b[c.j].ID, Score: c.score})
	}
	sort.Slice(out, func(x, y int) bool {
		if out[x].A != out[y].A {
			return out[x].A < out[y].A
		}
		return out[x].B < out[y].B
	})
	return out
}

// How linkCandidates chooses its candidates.
type linkMode int

const (
	linkAuto  linkMode = iota // LSH when its estimated cost is lower
	linkExact                 // every pair in the popcount band
	linkLSH                   // pairs that share an LSH band
)

// linkModeEnv lets URA_LINK_BLOCKING=exact or lsh force a mode, to
// measure one against the other on the same files.
func linkModeEnv(m linkMode) linkMode {
	switch os.Getenv("URA_LINK_BLOCKING") {
	case "exact":
		return linkExact
	case "lsh":
		return linkLSH
	}
	return m
}

// linkCandidates returns every pair with Dice ≥ threshold (linkExact),
// or those of them that share an LSH band (linkLSH), in no set order.
// linkAuto uses LSH above exactLinkPairs pairs when its estimated cost
// is lower than the exact scan's.
func linkCandidates(a, b []CLK, threshold float64, mode linkMode) []linkCand {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	words := clkWords(maxCLKBytes(a, b))
	sa := newCLKSet(a, words)
	// B sorted by popcount, so that the band of one A is contiguous.
	order := make([]int32, len(b))
	for i := range order {
		order[i] = int32(i)
	}
	bpop := make([]int, len(b))
	for i, c := range b {
		bpop[i] = c.Popcount()
	}
	sort.SliceStable(order, func(x, y int) bool { return bpop[order[x]] < bpop[order[y]] })
	sorted := make([]CLK, len(b))
	for k, i := range order {
		sorted[k] = b[i]
	}
	sb := newCLKSet(sorted, words)
	sorted = nil
	pops := make([]int, len(b))
	maxPop := 0
	for k := range pops {
		pops[k] = int(sb.pop[k])
		maxPop = max(maxPop, pops[k])
	}
	var idx *lshIndex
	if mode = linkModeEnv(mode); mode != linkExact {
		nbits := maxCLKBytes(a, b) * 8
		pl := planLSH(sa, sb, nbits, threshold)
		if mode == linkLSH || len(a)*len(b) > exactLinkPairs && pl.lshCost < pl.scanCost {
			idx = buildLSH(sb, pl, nbits)
		}
	}
	// The Dice threshold as a least count |a∧b| per pair of popcounts,
	// computed once per popcount of A, and where each popcount's run of
	// B starts.
	maxPopA := 0
	for _, p := range sa.pop {
		maxPopA = max(maxPopA, int(p))
	}
	tables := make([][]int32, maxPopA+1)
	bands := make([][2]int, maxPopA+1)
	for _, p := range sa.pop {
		if p > 0 && tables[p] == nil {
			tables[p] = make([]int32, maxPop+1)
			bands[p][0], bands[p][1] = diceTable(tables[p], int(p), threshold)
		}
	}
	runStart := make([]int, maxPop+2)
	for pb := range runStart {
		runStart[pb] = sort.SearchInts(pops, pb)
	}
	w := runtime.GOMAXPROCS(0)
	parts := make([][]linkCand, w)
	// Workers take A in small chunks from a shared counter: the work per
	// record varies with its popcount band.
	var next atomic.Int64
	const chunk = 64
	var wg sync.WaitGroup
	for p := 0; p < w; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits := make([]int32, len(b))
			var stamp []int32
			if idx != nil {
				stamp = make([]int32, len(b))
				for k := range stamp {
					stamp[k] = -1
				}
			}
			var local []linkCand
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(a) {
					break
				}
				for x := lo; x < min(lo+chunk, len(a)); x++ {
					qp := int(sa.pop[x])
					if qp == 0 {
						continue
					}
					minC, plo, phi := tables[qp], bands[qp][0], bands[qp][1]
					if plo > phi {
						continue
					}
					q := sa.row(x)
					if idx != nil {
						local = idx.scan(local, x, q, qp, sb, minC, plo, phi, stamp)
						continue
					}
					for pb := plo; pb <= phi; pb++ {
						s, e := runStart[pb], runStart[pb+1]
						if s == e {
							continue
						}
						h := andCountsAbove(q, sb.rows(s, e), words, int(minC[pb]), hits)
						for _, k := range hits[:h] {
							y := s + int(k)
							c := andCount(q, sb.row(y))
							local = append(local, linkCand{int32(x), order[y], 2 * float64(c) / float64(qp+pb)})
						}
					}
				}
			}
			parts[p] = local
		}()
	}
	wg.Wait()
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]linkCand, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	if idx != nil {
		for k := range out {
			out[k].j = order[out[k].j]
		}
	}
	return out
}

// diceTable fills minC[pb] with the least count c = |a∧b| for which
// 2c/(qp+pb) ≥ thr holds in floating point — the very test Link always
// made, so exactly the same pairs pass — and returns the band [lo, hi] of
// popcounts pb for which some c ≤ min(qp, pb) passes.
func diceTable(minC []int32, qp int, thr float64) (lo, hi int) {
	lo, hi = -1, -1
	for pb := range minC {
		p := qp + pb
		c := max(0, int(thr*float64(p)/2)-1)
		for c <= min(qp, pb) && 2*float64(c)/float64(p) < thr {
			c++
		}
		if c > min(qp, pb) || p == 0 {
			minC[pb] = math.MaxInt32
			continue
		}
		minC[pb] = int32(c)
		if lo < 0 {
			lo = pb
		}
		hi = pb
	}
	if lo < 0 {
		return 1, 0
	}
	return lo, hi
}

// clkFile is the JSON exchanged between parties: {"clks": [base64…]} as
// clkhash and anonlink write it, plus the parties' own record ids in the
// same order (absent ids are numbered from 0).
type clkFile struct {
	CLKs []string `json:"clks"`
	IDs  []string `json:"ids,omitempty"`
	// Fields and FieldBits describe field-filter CLKs (a schema with
	// FieldFilters): the features in the order of their filters, and the
	// bits of one filter. Absent for clkhash's single CLKs.
	Fields    []string `json:"fields,omitempty"`
	FieldBits int      `json:"fieldBits,omitempty"`
}

// CLKSet is a CLK file: the CLKs and, for field-filter CLKs, the layout
// of their filters.
type CLKSet struct {
	CLKs      []CLK
	Fields    []string // nil for single CLKs
	FieldBits int
}

// WriteCLKs writes CLKs as JSON.
func WriteCLKs(w io.Writer, cs []CLK) error {
	return WriteCLKSet(w, CLKSet{CLKs: cs})
}

// WriteCLKSet writes a CLK file, with the filter layout when set.
func WriteCLKSet(w io.Writer, set CLKSet) error {
	cs := set.CLKs
	f := clkFile{CLKs: make([]string, len(cs)), IDs: make([]string, len(cs)), Fields: set.Fields, FieldBits: set.FieldBits}
	for i, c := range cs {
		f.CLKs[i] = base64.StdEncoding.EncodeToString(c.Bits)
		f.IDs[i] = c.ID
	}
	enc := json.NewEncoder(w)
	return enc.Encode(f)
}

// ReadCLKs reads CLKs written by WriteCLKs or by clkhash. All CLKs must
// have the same length.
func ReadCLKs(r io.Reader) ([]CLK, error) {
	set, err := ReadCLKSet(r)
	if err != nil {
		return nil, err
	}
	return set.CLKs, nil
}

// ReadCLKSet reads a CLK file with its filter layout, if any. A layout
// must fit the CLKs: as many filters of FieldBits bits as fields.
func ReadCLKSet(r io.Reader) (CLKSet, error) {
	cs, f, err := readCLKFile(r)
	if err != nil {
		return CLKSet{}, err
	}
	set := CLKSet{CLKs: cs, Fields: f.Fields, FieldBits: f.FieldBits}
	if len(f.Fields) > 0 || f.FieldBits != 0 {
		if len(f.Fields) == 0 || f.FieldBits <= 0 || f.FieldBits > 1<<20 {
			return CLKSet{}, errors.New("not a CLK file: fields and fieldBits must be given together")
		}
		if len(cs) > 0 && len(cs[0].Bits) != len(f.Fields)*((f.FieldBits+7)/8) {
			return CLKSet{}, errors.New("not a CLK file: clks do not hold one filter per field")
		}
	}
	return set, nil
}

func readCLKFile(r io.Reader) ([]CLK, clkFile, error) {
	var f clkFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, f, errors.New("not a CLK file: invalid JSON")
	}
	if f.IDs != nil && len(f.IDs) != len(f.CLKs) {
		return nil, f, errors.New("not a CLK file: ids and clks differ in number")
	}
	out := make([]CLK, len(f.CLKs))
	for i, s := range f.CLKs {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, f, fmt.Errorf("clk %d: not base64", i+1)
		}
		if i > 0 && len(b) != len(out[0].Bits) {
			return nil, f, fmt.Errorf("clk %d: length differs from the first", i+1)
		}
		id := strconv.Itoa(i)
		if f.IDs != nil {
			id = f.IDs[i]
		}
		out[i] = CLK{ID: id, Bits: b}
	}
	return out, f, nil
}
