package linkage

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strconv"
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

// Dice returns the Dice coefficient 2|a∧b|/(|a|+|b|) of two CLKs of the
// same length (0 when both are empty).
func Dice(a, b CLK) float64 {
	pa, pb := a.Popcount(), b.Popcount()
	if pa+pb == 0 {
		return 0
	}
	n := min(len(a.Bits), len(b.Bits))
	c := 0
	for i := 0; i < n; i++ {
		c += bits.OnesCount8(a.Bits[i] & b.Bits[i])
	}
	return 2 * float64(c) / float64(pa+pb)
}

type packed struct {
	w   []uint64
	pop int
	idx int
}

func pack(cs []CLK) []packed {
	out := make([]packed, len(cs))
	for i, c := range cs {
		words := make([]uint64, (len(c.Bits)+7)/8)
		var buf [8]byte
		for j := range words {
			clear(buf[:])
			copy(buf[:], c.Bits[j*8:])
			words[j] = binary.BigEndian.Uint64(buf[:])
		}
		p := 0
		for _, w := range words {
			p += bits.OnesCount64(w)
		}
		out[i] = packed{w: words, pop: p, idx: i}
	}
	return out
}

// Link finds the one-to-one linkage of the CLKs of two parties: every
// pair with Dice ≥ threshold is a candidate, and candidates are accepted
// greedily from the highest score down, each record used at most once
// (a person appears once in each register). Blocking is by popcount:
// Dice ≥ t is impossible unless t/(2−t) ≤ |a|/|b| ≤ (2−t)/t, so only that
// band of b, sorted by popcount, is scanned. Matches are returned in
// order of A.
func Link(a, b []CLK, threshold float64) []Match {
	if threshold <= 0 || threshold > 1 {
		threshold = DefaultLinkThreshold
	}
	pa, pb := pack(a), pack(b)
	sort.SliceStable(pb, func(i, j int) bool { return pb[i].pop < pb[j].pop })
	pops := make([]int, len(pb))
	for i := range pb {
		pops[i] = pb[i].pop
	}
	type cand struct {
		i, j  int
		score float64
	}
	parts := make([][]cand, len(pa))
	parallel(len(pa), func(lo, hi int) {
		for x := lo; x < hi; x++ {
			ca := pa[x]
			if ca.pop == 0 {
				continue
			}
			minPop := int(float64(ca.pop) * threshold / (2 - threshold))
			maxPop := int(float64(ca.pop)*(2-threshold)/threshold) + 1
			start := sort.SearchInts(pops, minPop)
			var local []cand
			for y := start; y < len(pb) && pb[y].pop <= maxPop; y++ {
				cb := pb[y]
				n := min(len(ca.w), len(cb.w))
				c := 0
				for k := 0; k < n; k++ {
					c += bits.OnesCount64(ca.w[k] & cb.w[k])
				}
				if s := 2 * float64(c) / float64(ca.pop+cb.pop); s >= threshold {
					local = append(local, cand{ca.idx, cb.idx, s})
				}
			}
			parts[x] = local
		}
	})
	var cands []cand
	for _, p := range parts {
		cands = append(cands, p...)
	}
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
