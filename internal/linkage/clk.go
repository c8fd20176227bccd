package linkage

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CLK is a cryptographic long-term key: the Bloom-filter encoding of one
// person under a shared secret. Bits uses clkhash's layout (bit 0 is the
// most significant bit of byte 0), so the base64 of Bits is what clkhash
// would write.
type CLK struct {
	ID   string
	Bits []byte
}

// Popcount is the number of bits set.
func (c CLK) Popcount() int {
	n := 0
	for _, b := range c.Bits {
		n += bits.OnesCount8(b)
	}
	return n
}

// Encoder turns records into CLKs following a linkage schema. It holds
// the keys derived from the secret; do not log or keep it longer than the
// encoding takes.
type Encoder struct {
	schema *Schema
	keys   [][2][]byte // two keys per feature: HMAC-SHA1/MD5, or BLAKE2b uses the first
	hashL  int         // bits before XOR folding
	// NormalizeText applies Normalize to string features before hashing,
	// so that a name written in Cyrillic by one party and in Latin by the
	// other sets the same bits. clkhash does not do this: turn it off for
	// byte-identical output with clkhash.
	NormalizeText bool
}

// NewEncoder derives the feature keys from the secret with the schema's
// HKDF: 2·len(features) keys of keySize bytes, the pair for feature i
// being keys 2i and 2i+1, as clkhash's generate_key_lists does.
func NewEncoder(s *Schema, secret []byte) (*Encoder, error) {
	if len(secret) == 0 {
		return nil, errors.New("linkage: empty secret")
	}
	newHash := sha256.New
	if s.KDF.Hash == "SHA512" {
		newHash = sha512.New
	}
	n := 2 * len(s.Features)
	km, err := hkdf.Key(newHash, secret, s.KDF.Salt, string(s.KDF.Info), n*s.KDF.KeySize)
	if err != nil {
		return nil, fmt.Errorf("linkage: deriving keys: %w", err)
	}
	e := &Encoder{schema: s, hashL: s.L << s.XorFolds}
	ks := s.KDF.KeySize
	for i := range s.Features {
		e.keys = append(e.keys, [2][]byte{km[2*i*ks : (2*i+1)*ks], km[(2*i+1)*ks : (2*i+2)*ks]})
	}
	return e, nil
}

// Encode encodes one person. value returns the raw value of a feature by
// its identifier ("" when absent). A value that does not fit its format (a
// non-integer in an integer feature) is hashed as written rather than
// rejected: clkhash would refuse the whole file, but one bad cell should
// not stop a linkage.
func (e *Encoder) Encode(id string, value func(identifier string) string) CLK {
	if e.schema.FieldFilters {
		return e.encodeFields(id, value)
	}
	bf := make([]byte, (e.hashL+7)/8)
	var tokens []string
	var ks []int
	for i, f := range e.schema.Features {
		if f.Ignored {
			continue
		}
		v := e.formatValue(f, value(f.Identifier))
		tokens = tokenize(f.Hashing, v, tokens[:0])
		if len(tokens) == 0 {
			continue
		}
		ks = bitsPerToken(f.Hashing, len(tokens), ks[:0])
		switch f.Hashing.Hash {
		case "doubleHash":
			doubleHash(bf, e.hashL, tokens, ks, e.keys[i], f.Hashing.PreventSingularity)
		default:
			blakeHash(bf, e.hashL, tokens, ks, e.keys[i][0])
		}
	}
	for l := e.hashL; l > e.schema.L; l /= 2 {
		bf = foldXOR(bf, l)
	}
	return CLK{ID: id, Bits: bf}
}

func (e *Encoder) formatValue(f Feature, v string) string {
	if m := f.Hashing.Missing; m != nil && v == m.Sentinel {
		return m.ReplaceWith
	}
	switch f.Format.Type {
	case "integer":
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case "date":
		if d, err := formatDate(v, f.Format.DateFormat, false); err == nil {
			return d
		}
	case "string":
		if e.NormalizeText && f.Identifier == ColSex {
			return normalizeSex(v)
		}
		if e.NormalizeText {
			return Normalize(v)
		}
	}
	return v
}

// tokenize splits a value as clkhash's comparators do: n-grams over
// characters, padded with n-1 spaces on both sides when n > 1, prefixed
// with their 1-based position ("3 ab") when positional.
func tokenize(h Hashing, v string, dst []string) []string {
	if v == "" {
		return dst
	}
	if h.Comparison == "exact" {
		return append(dst, v)
	}
	n := h.N
	if n > 1 {
		pad := strings.Repeat(" ", n-1)
		v = pad + v + pad
	}
	idx := make([]int, 0, len(v)+1) // byte offset of each rune, then len
	for i := range v {
		idx = append(idx, i)
	}
	idx = append(idx, len(v))
	runes := len(idx) - 1
	for i := 0; i+n <= runes; i++ {
		g := v[idx[i]:idx[i+n]]
		if h.Positional {
			g = strconv.Itoa(i+1) + " " + g
		}
		dst = append(dst, g)
	}
	return dst
}

// bitsPerToken gives each token its number of hash insertions: a fixed k,
// or bitsPerFeature shared out with the first tokens taking the remainder.
func bitsPerToken(h Hashing, n int, dst []int) []int {
	if h.BitsPerToken > 0 {
		for range n {
			dst = append(dst, h.BitsPerToken)
		}
		return dst
	}
	k, rest := h.BitsPerFeature/n, h.BitsPerFeature%n
	for i := range n {
		if i < rest {
			dst = append(dst, k+1)
		} else {
			dst = append(dst, k)
		}
	}
	return dst
}

func setBit(bf []byte, i int) { bf[i>>3] |= 0x80 >> (i & 7) }

// doubleHash is Schnell et al.'s construction: bit (h1 + i·h2) mod l for
// i < k, h1 = HMAC-SHA1 and h2 = HMAC-MD5 of the token read as big-endian
// integers.
func doubleHash(bf []byte, l int, tokens []string, ks []int, keys [2][]byte, nonSingular bool) {
	m1 := hmac.New(sha1.New, keys[0])
	m2 := hmac.New(md5.New, keys[1])
	var buf [64]byte
	for t, tok := range tokens {
		h1 := macMod(m1, []byte(tok), l, buf[:0])
		h2 := macMod(m2, []byte(tok), l, buf[:0])
		for c := 0; nonSingular && h2 == 0; c++ {
			// clkhash appends chr(c) UTF-8 encoded and tries again.
			h2 = macMod(m2, utf8.AppendRune([]byte(tok), rune(c)), l, buf[:0])
		}
		for i := 0; i < ks[t]; i++ {
			setBit(bf, int((uint64(h1)+uint64(i)*uint64(h2))%uint64(l)))
		}
	}
}

func macMod(m hash.Hash, msg []byte, l int, buf []byte) int {
	m.Reset()
	m.Write(msg)
	sum := m.Sum(buf)
	r := uint64(0)
	for _, b := range sum {
		r = (r<<8 | uint64(b)) % uint64(l)
	}
	return int(r)
}

// blakeHash is clkhash's default: BLAKE2b-512 keyed with the feature key
// and salted with the call number, read as 32 little-endian uint16 indices
// per call, each taken mod l.
func blakeHash(bf []byte, l int, tokens []string, ks []int, key []byte) {
	for t, tok := range tokens {
		k := ks[t]
		for call := 0; call*32 < k; call++ {
			sum := blake2b512([]byte(tok), key, []byte(strconv.Itoa(call)))
			for j := 0; j < 32 && call*32+j < k; j++ {
				setBit(bf, int(binary.LittleEndian.Uint16(sum[2*j:]))%l)
			}
		}
	}
}

// foldXOR halves a filter of l bits by XOR-ing its two halves.
func foldXOR(bf []byte, l int) []byte {
	half := l / 2
	out := make([]byte, (half+7)/8)
	get := func(i int) byte { return (bf[i>>3] >> (7 - i&7)) & 1 }
	for i := 0; i < half; i++ {
		if get(i)^get(i+half) == 1 {
			setBit(out, i)
		}
	}
	return out
}

// formatDate reformats a date written in a strptime layout (%Y, %y, %m,
// %d and literal characters) as YYYYMMDD, which is what clkhash hashes.
// With checkOnly, only the layout is validated.
func formatDate(v, layout string, checkOnly bool) (string, error) {
	var y, m, d int
	i := 0
	num := func(width int) (int, error) {
		n, j := 0, 0
		for j < width && i < len(v) && v[i] >= '0' && v[i] <= '9' {
			n = n*10 + int(v[i]-'0')
			i++
			j++
		}
		if j == 0 {
			return 0, ErrNotADate
		}
		return n, nil
	}
	for p := 0; p < len(layout); p++ {
		if layout[p] != '%' || p+1 == len(layout) {
			if !checkOnly && (i >= len(v) || v[i] != layout[p]) {
				return "", ErrNotADate
			}
			i++
			continue
		}
		p++
		var err error
		switch layout[p] {
		case 'Y':
			if !checkOnly {
				y, err = num(4)
			}
		case 'y':
			if !checkOnly {
				y, err = num(2)
				// POSIX: 69–99 are 1969–1999, 00–68 are 2000–2068.
				if y < 69 {
					y += 2000
				} else {
					y += 1900
				}
			}
		case 'm':
			if !checkOnly {
				m, err = num(2)
			}
		case 'd':
			if !checkOnly {
				d, err = num(2)
			}
		default:
			return "", errors.New("unsupported date directive")
		}
		if err != nil {
			return "", err
		}
	}
	if checkOnly {
		return "", nil
	}
	if i != len(v) || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", ErrNotADate
	}
	return fmt.Sprintf("%04d%02d%02d", y, m, d), nil
}
