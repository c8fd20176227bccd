package linkage

import (
	"fmt"
	"slices"
	"sort"
)

// blockingKeys lists the blocks a record falls in. Each key is a cheap
// guess that two records may be the same person; the union of the keys is
// what keeps recall high when any one field is mistyped or missing:
//
//   - F: phonetic code of a family-name word + birth year
//   - G: phonetic code of the first given name + birth month and day
//   - D: full birth date
//   - N: phonetic codes of first given and first family name, in sorted
//     order, so that swapped names meet and dates may be missing
//   - P: first two letters of given and family name + birth year, for a
//     typo that changes a phonetic code
//   - E: the value of an extra field (postcode, document number…)
func blockingKeys(p *prepared, dst []string) []string {
	dst = dst[:0]
	y := ""
	if p.dateOK {
		y = fmt.Sprintf("%04d", p.date.Year)
	}
	if y != "" {
		for _, c := range p.familyPh {
			dst = append(dst, "F"+c+"|"+y)
		}
		if len(p.familyPh) == 0 {
			for _, c := range p.givenPh {
				dst = append(dst, "F"+c+"|"+y) // a swapped-in family name
			}
		}
	}
	if p.dateOK && p.date.Day != 0 {
		md := fmt.Sprintf("%02d%02d", p.date.Month, p.date.Day)
		if len(p.givenPh) > 0 {
			dst = append(dst, "G"+p.givenPh[0]+"|"+md)
		}
		dst = append(dst, "D"+p.date.String())
	}
	if len(p.givenPh) > 0 && len(p.familyPh) > 0 {
		a, b := p.givenPh[0], p.familyPh[0]
		if a > b {
			a, b = b, a
		}
		dst = append(dst, "N"+a+"|"+b)
	}
	if y != "" && len(p.given) >= 2 && len(p.family) >= 2 {
		dst = append(dst, "P"+p.given[:2]+p.family[:2]+"|"+y)
	}
	for i, v := range p.extra {
		if len(v) >= 2 {
			dst = append(dst, fmt.Sprintf("E%d|%s", i, v))
		}
	}
	return dst
}

// candidatePairs returns the union of all pairs that share a block of at
// most maxBlock records, as i<<32|j with i < j, sorted.
func candidatePairs(recs []prepared, maxBlock int) []uint64 {
	blocks := map[string][]int32{}
	var keys []string
	for i := range recs {
		keys = blockingKeys(&recs[i], keys)
		for _, k := range keys {
			b := blocks[k]
			if len(b) > 0 && b[len(b)-1] == int32(i) {
				continue // the same key twice from one record
			}
			if len(b) <= maxBlock {
				blocks[k] = append(b, int32(i))
			}
		}
	}
	names := make([]string, 0, len(blocks))
	for k, b := range blocks {
		if len(b) >= 2 && len(b) <= maxBlock {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	seen := map[uint64]struct{}{}
	var out []uint64
	for _, k := range names {
		b := blocks[k]
		for x := 0; x < len(b); x++ {
			for y := x + 1; y < len(b); y++ {
				i, j := uint64(b[x]), uint64(b[y])
				if i > j {
					i, j = j, i
				}
				key := i<<32 | j
				if _, ok := seen[key]; ok {
					continue
				}
				seen[key] = struct{}{}
				out = append(out, key)
			}
		}
	}
	slices.Sort(out)
	return out
}
