package linkage

import (
	"encoding/binary"
	"slices"
	"sync"
)

// Blocking: which pairs of records are compared at all.
//
// Each record falls in a few blocks, each a cheap guess that two records
// may be the same person; the union of the blocks is what keeps recall
// high when any one field is mistyped or missing:
//
//   - F: phonetic code of a family-name word + birth year
//   - G: phonetic code of the first given name + birth month and day
//   - D: full birth date
//   - N: phonetic codes of first given and first family name, in sorted
//     order, so that swapped names meet and dates may be missing
//   - P: first two letters of given and family name + birth year, for a
//     typo that changes a phonetic code
//   - E: the value of an extra field (postcode, document number…)
//
// Inside a block, records are sorted by a second field the block's key
// does not contain (the given name in a family-name block, the date in a
// name block…) and each record is compared with its snWindow neighbours
// on either side (the sorted-neighbourhood method): a small block is
// compared in full, and a big one — a common surname in a common year, a
// town — costs a number of pairs that grows with its size, not its
// square, and is still searched rather than dropped. The pairs a record
// gets from all its blocks are merged per record, so that no set of all
// pairs is ever held, and the result does not depend on scheduling.
const snWindow = 4

// Block kinds, the first byte of a key's hash input.
const (
	blockFamilyYear = 'F'
	blockGivenDay   = 'G'
	blockDate       = 'D'
	blockNames      = 'N'
	blockPrefix     = 'P'
	blockExtra      = 'E'
)

// blockEntry is one record in one block: the block's key (a 64-bit hash),
// the record's position inside the block (sort), and the record.
type blockEntry struct {
	key  uint64
	sort uint64
	rec  int32
}

type keyHasher struct{ h uint64 }

func newKeyHasher(kind byte) keyHasher {
	k := keyHasher{h: 14695981039346656037}
	k.byte(kind)
	return k
}

func (k *keyHasher) byte(b byte) {
	k.h ^= uint64(b)
	k.h *= 1099511628211
}

func (k *keyHasher) str(s string) {
	for i := 0; i < len(s); i++ {
		k.byte(s[i])
	}
	k.byte(0xff) // separator: no valid UTF-8 byte
}

func (k *keyHasher) int(v int) {
	for i := 0; i < 4; i++ {
		k.byte(byte(v >> (8 * i)))
	}
}

// sum finishes the hash with a final mix, so that keys spread over the
// high bits used to partition them.
func (k *keyHasher) sum() uint64 {
	h := k.h
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// prefixKey orders strings by their first eight bytes.
func prefixKey(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

func dateKey(p *prepared) uint64 {
	if !p.dateOK {
		return 0
	}
	return uint64(p.date.Year*10000 + p.date.Month*100 + p.date.Day)
}

// blockingEntries appends the record's blocks to dst.
func blockingEntries(p *prepared, rec int32, dst []blockEntry) []blockEntry {
	n0 := len(dst)
	add := func(k keyHasher, sort uint64) {
		key := k.sum()
		for _, e := range dst[n0:] {
			if e.key == key {
				return // the same key twice from one record
			}
		}
		dst = append(dst, blockEntry{key: key, sort: sort, rec: rec})
	}
	// Orders inside a block: by the phonetic code of the name the key
	// lacks, then of the other name or the date, so that registrations of
	// one person, which mostly agree there, end up side by side.
	var gph, fph string
	if len(p.givenPh) > 0 {
		gph = p.givenPh[0]
	}
	if len(p.familyPh) > 0 {
		fph = p.familyPh[0]
	}
	byGiven := prefixKey(gph)&^0xffffffff | dateKey(p)&0xffffffff
	byFamily := prefixKey(fph)&^0xffffffff | prefixKey(gph)>>32
	byDate := dateKey(p)<<32 | prefixKey(gph)>>32
	lo, hi := gph, fph
	if lo > hi {
		lo, hi = hi, lo
	}
	byNames := prefixKey(lo)&^0xffffffff | prefixKey(hi)>>32 // swapped names meet
	if p.dateOK {
		y := p.date.Year
		fam := p.familyPh
		if len(fam) == 0 {
			fam = p.givenPh // a swapped-in family name
		}
		for _, c := range fam {
			k := newKeyHasher(blockFamilyYear)
			k.str(c)
			k.int(y)
			add(k, byGiven)
		}
		if p.date.Day != 0 {
			if len(p.givenPh) > 0 {
				k := newKeyHasher(blockGivenDay)
				k.str(p.givenPh[0])
				k.int(p.date.Month*100 + p.date.Day)
				add(k, byFamily)
			}
			k := newKeyHasher(blockDate)
			k.int(y*10000 + p.date.Month*100 + p.date.Day)
			add(k, byFamily)
		}
	}
	if len(p.givenPh) > 0 && len(p.familyPh) > 0 {
		a, b := p.givenPh[0], p.familyPh[0]
		if a > b {
			a, b = b, a
		}
		k := newKeyHasher(blockNames)
		k.str(a)
		k.str(b)
		add(k, byDate)
	}
	if p.dateOK && len(p.given) >= 2 && len(p.family) >= 2 {
		k := newKeyHasher(blockPrefix)
		k.str(p.given[:2])
		k.str(p.family[:2])
		k.int(p.date.Year)
		add(k, byDate)
	}
	for i, v := range p.extra {
		if len(v) >= 2 {
			k := newKeyHasher(blockExtra)
			k.int(i)
			k.str(v)
			add(k, byNames)
		}
	}
	return dst
}

// candidatePairs returns every pair of records that are neighbours in a
// block (see snWindow), as i<<32|j with i < j, sorted. Blocks of at most
// maxBlock records that are also no bigger than 2·snWindow+1 are compared
// in full.
func candidatePairs(recs []prepared, maxBlock int) []uint64 {
	n := len(recs)
	// The entries of all blocks, sorted by block and position in it.
	parts := make([][]blockEntry, 0, 8)
	var mu sync.Mutex
	parallel(n, func(lo, hi int) {
		var es []blockEntry
		for i := lo; i < hi; i++ {
			es = blockingEntries(&recs[i], int32(i), es)
		}
		mu.Lock()
		parts = append(parts, es)
		mu.Unlock()
	})
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	entries := make([]blockEntry, 0, total)
	for _, p := range parts {
		entries = append(entries, p...)
	}
	parts = nil
	sortEntries(entries)

	// Per record, where its entries are; per entry, its block's bounds.
	first := make([]int32, n+1)
	for _, e := range entries {
		first[e.rec+1]++
	}
	for i := 0; i < n; i++ {
		first[i+1] += first[i]
	}
	at := make([]int32, len(entries))
	fill := slices.Clone(first[:n])
	blockStart := make([]int32, len(entries))
	blockEnd := make([]int32, len(entries))
	for s := 0; s < len(entries); {
		e := s + 1
		for e < len(entries) && entries[e].key == entries[s].key {
			e++
		}
		for p := s; p < e; p++ {
			blockStart[p], blockEnd[p] = int32(s), int32(e)
			r := entries[p].rec
			at[fill[r]] = int32(p)
			fill[r]++
		}
		s = e
	}
	fill = nil
	full := min(maxBlock, 2*snWindow+1)

	// Each worker takes a contiguous range of records and lists, for each,
	// the later records it meets in any block; a per-worker stamp keeps
	// each pair once.
	w := workers(n)
	out := make([][]uint64, w)
	step := (n + w - 1) / w
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := k*step, min(n, (k+1)*step)
		wg.Add(1)
		go func() {
			defer wg.Done()
			stamp := make([]int32, n)
			for i := range stamp {
				stamp[i] = -1
			}
			var local []uint64
			var js []int32
			for i := lo; i < hi; i++ {
				js = js[:0]
				for _, p := range at[first[i]:first[i+1]] {
					s, e := int(blockStart[p]), int(blockEnd[p])
					if e-s > full {
						s, e = max(s, int(p)-snWindow), min(e, int(p)+snWindow+1)
					}
					for q := s; q < e; q++ {
						j := entries[q].rec
						if int(j) > i && stamp[j] != int32(i) {
							stamp[j] = int32(i)
							js = append(js, j)
						}
					}
				}
				slices.Sort(js)
				for _, j := range js {
					local = append(local, uint64(i)<<32|uint64(j))
				}
			}
			out[k] = local
		}()
	}
	wg.Wait()
	total = 0
	for _, o := range out {
		total += len(o)
	}
	pairs := make([]uint64, 0, total)
	for _, o := range out {
		pairs = append(pairs, o...)
	}
	return pairs
}

// sortEntries sorts by key, then position, then record: first into 256
// partitions by the key's top byte, then each partition on its own, in
// parallel.
func sortEntries(es []blockEntry) {
	var count [257]int
	for _, e := range es {
		count[e.key>>56+1]++
	}
	for b := 0; b < 256; b++ {
		count[b+1] += count[b]
	}
	tmp := make([]blockEntry, len(es))
	pos := count
	for _, e := range es {
		b := e.key >> 56
		tmp[pos[b]] = e
		pos[b]++
	}
	copy(es, tmp)
	tmp = nil
	parallelMin(256, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			slices.SortFunc(es[count[b]:count[b+1]], func(x, y blockEntry) int {
				switch {
				case x.key != y.key:
					return cmpU64(x.key, y.key)
				case x.sort != y.sort:
					return cmpU64(x.sort, y.sort)
				}
				return int(x.rec - y.rec)
			})
		}
	})
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}
