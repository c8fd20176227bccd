package linkage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Schema is a clkhash linkage schema (version 3; version 2 is read and
// converted as clkhash does). Both parties to a linkage must encode with
// the same schema and the same secret, or their CLKs cannot be compared.
type Schema struct {
	Version  int
	L        int // CLK length in bits after XOR folding
	XorFolds int
	KDF      KDF
	Features []Feature
	// FieldFilters encodes every feature into its own filter of L bits
	// (a record's CLK is their concatenation), so that the fields can be
	// compared one by one; a Ura extension (clkhash encodes all features
	// into one filter).
	FieldFilters bool
}

// CLKBytes is the length in bytes of one record's encoding.
func (s *Schema) CLKBytes() int {
	if !s.FieldFilters {
		return (s.L + 7) / 8
	}
	return len(s.ActiveFeatures()) * ((s.L + 7) / 8)
}

// ActiveFeatures lists the identifiers of the features that are hashed,
// in schema order: with FieldFilters, the order of the filters.
func (s *Schema) ActiveFeatures() []string {
	var out []string
	for _, f := range s.Features {
		if !f.Ignored {
			out = append(out, f.Identifier)
		}
	}
	return out
}

// KDF configures the derivation of one key per feature (and hash
// function) from the shared secret. Only HKDF exists in the schema.
type KDF struct {
	Type    string // "HKDF"
	Hash    string // "SHA256" or "SHA512"
	Salt    []byte
	Info    []byte
	KeySize int
}

// Feature is one column of the input and how it is hashed.
type Feature struct {
	Identifier string
	Ignored    bool
	Format     Format
	Hashing    Hashing
}

// Format says how a value is written, and so how it is brought into the
// one canonical form before hashing (integers without leading zeros,
// dates as YYYYMMDD).
type Format struct {
	Type       string // string, integer, date, enum
	Encoding   string // utf-8 or ascii
	DateFormat string // strptime format for type date
}

// Hashing is the per-feature part of the encoding.
type Hashing struct {
	Comparison     string // "ngram" or "exact"
	N              int
	Positional     bool
	BitsPerToken   int    // the bitsPerToken strategy (v2 "k")
	BitsPerFeature int    // the bitsPerFeature strategy (v2 "numBits")
	Hash           string // "blakeHash" (default) or "doubleHash"
	// PreventSingularity rehashes a doubleHash step that would be 0 mod l.
	PreventSingularity bool
	Missing            *MissingValue
}

// MissingValue replaces a sentinel ("", "N/A") before hashing; the
// sentinel is not validated against the format.
type MissingValue struct {
	Sentinel    string
	ReplaceWith string
}

// SchemaError describes why a schema was rejected.
type SchemaError struct{ Msg string }

func (e *SchemaError) Error() string { return "linkage schema: " + e.Msg }

type rawSchema struct {
	Version   *int `json:"version"`
	ClkConfig *struct {
		L        int `json:"l"`
		XorFolds int `json:"xorFolds"`
		KDF      *struct {
			Type    string `json:"type"`
			Hash    string `json:"hash"`
			Salt    string `json:"salt"`
			Info    string `json:"info"`
			KeySize int    `json:"keySize"`
		} `json:"kdf"`
	} `json:"clkConfig"`
	Features []rawFeature `json:"features"`
	// Ura is this project's extension: {"fieldFilters": true} encodes
	// every feature into a filter of its own (see EncodeFields).
	Ura *struct {
		FieldFilters bool `json:"fieldFilters"`
	} `json:"ura"`
}

type rawFeature struct {
	Identifier *string `json:"identifier"`
	Ignored    bool    `json:"ignored"`
	Format     *struct {
		Type     string `json:"type"`
		Encoding string `json:"encoding"`
		Format   string `json:"format"`
	} `json:"format"`
	Hashing *struct {
		Comparison *struct {
			Type       string `json:"type"`
			N          int    `json:"n"`
			Positional bool   `json:"positional"`
		} `json:"comparison"`
		Ngram      *int `json:"ngram"`
		Positional bool `json:"positional"`
		Strategy   *struct {
			BitsPerToken   *float64 `json:"bitsPerToken"`
			BitsPerFeature *float64 `json:"bitsPerFeature"`
			K              *float64 `json:"k"`
			NumBits        *float64 `json:"numBits"`
		} `json:"strategy"`
		Hash *struct {
			Type               string `json:"type"`
			PreventSingularity bool   `json:"prevent_singularity"`
		} `json:"hash"`
		MissingValue *struct {
			Sentinel    *string `json:"sentinel"`
			ReplaceWith *string `json:"replaceWith"`
		} `json:"missingValue"`
	} `json:"hashing"`
}

// ParseSchema reads a clkhash linkage schema in JSON. It checks what the
// encoder relies on and rejects what it cannot honour (numeric
// comparisons, UTF-16 encodings) rather than encode differently from the
// other party.
func ParseSchema(data []byte) (*Schema, error) {
	var raw rawSchema
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &SchemaError{Msg: fmt.Sprintf("invalid JSON at byte %d", se.Offset)}
		}
		return nil, &SchemaError{Msg: "invalid JSON: " + err.Error()}
	}
	if raw.Version == nil || (*raw.Version != 2 && *raw.Version != 3) {
		return nil, &SchemaError{Msg: "version must be 2 or 3"}
	}
	if raw.ClkConfig == nil || raw.ClkConfig.KDF == nil {
		return nil, &SchemaError{Msg: "clkConfig with l and kdf is required"}
	}
	c := raw.ClkConfig
	s := &Schema{Version: *raw.Version, L: c.L, XorFolds: c.XorFolds}
	if raw.Ura != nil {
		s.FieldFilters = raw.Ura.FieldFilters
	}
	if s.L < 1 || s.L > 1<<20 {
		return nil, &SchemaError{Msg: "clkConfig.l must be between 1 and 1048576"}
	}
	if s.XorFolds < 0 || s.XorFolds > 10 {
		return nil, &SchemaError{Msg: "clkConfig.xorFolds must be between 0 and 10"}
	}
	k := c.KDF
	s.KDF = KDF{Type: k.Type, Hash: k.Hash, KeySize: k.KeySize}
	if s.KDF.Type != "HKDF" {
		return nil, &SchemaError{Msg: "kdf.type must be HKDF"}
	}
	if s.KDF.Hash == "" {
		s.KDF.Hash = "SHA256"
	}
	if s.KDF.Hash != "SHA256" && s.KDF.Hash != "SHA512" {
		return nil, &SchemaError{Msg: "kdf.hash must be SHA256 or SHA512"}
	}
	if s.KDF.KeySize == 0 {
		s.KDF.KeySize = 64
	}
	if s.KDF.KeySize < 1 || s.KDF.KeySize > 1024 {
		return nil, &SchemaError{Msg: "kdf.keySize must be between 1 and 1024"}
	}
	var err error
	if k.Salt != "" {
		if s.KDF.Salt, err = base64.StdEncoding.DecodeString(k.Salt); err != nil {
			return nil, &SchemaError{Msg: "kdf.salt is not base64"}
		}
	}
	if k.Info != "" {
		if s.KDF.Info, err = base64.StdEncoding.DecodeString(k.Info); err != nil {
			return nil, &SchemaError{Msg: "kdf.info is not base64"}
		}
	}
	if len(raw.Features) == 0 {
		return nil, &SchemaError{Msg: "features must not be empty"}
	}
	for i, rf := range raw.Features {
		f, err := parseFeature(i, rf)
		if err != nil {
			return nil, err
		}
		s.Features = append(s.Features, f)
	}
	// HKDF yields at most 255 hash blocks: every feature needs two keys.
	hashLen := 32
	if s.KDF.Hash == "SHA512" {
		hashLen = 64
	}
	if 2*len(s.Features)*s.KDF.KeySize > 255*hashLen {
		return nil, &SchemaError{Msg: "too many features for the kdf key size"}
	}
	for _, f := range s.Features {
		if hl := s.L << s.XorFolds; !f.Ignored && f.Hashing.Hash == "blakeHash" && hl&(hl-1) != 0 {
			return nil, &SchemaError{Msg: "blakeHash needs l·2^xorFolds to be a power of two"}
		}
	}
	return s, nil
}

func parseFeature(i int, rf rawFeature) (Feature, error) {
	bad := func(msg string) error {
		return &SchemaError{Msg: fmt.Sprintf("feature %d: %s", i+1, msg)}
	}
	if rf.Identifier == nil {
		return Feature{}, bad("identifier is required")
	}
	f := Feature{Identifier: *rf.Identifier, Ignored: rf.Ignored}
	if f.Ignored {
		return f, nil
	}
	if rf.Format == nil || rf.Hashing == nil {
		return Feature{}, bad("format and hashing are required")
	}
	f.Format = Format{Type: rf.Format.Type, Encoding: rf.Format.Encoding, DateFormat: rf.Format.Format}
	switch f.Format.Type {
	case "string", "enum", "integer":
	case "date":
		if f.Format.DateFormat == "" {
			return Feature{}, bad("date format needs a format")
		}
		if _, err := formatDate("2000-01-01", f.Format.DateFormat, true); err != nil {
			return Feature{}, bad("unsupported date format directive")
		}
	default:
		return Feature{}, bad("format.type must be string, integer, date or enum")
	}
	switch f.Format.Encoding {
	case "":
		f.Format.Encoding = "utf-8"
	case "utf-8", "ascii":
	default:
		return Feature{}, bad("only utf-8 and ascii encodings are supported")
	}
	h := rf.Hashing
	switch {
	case h.Comparison != nil:
		f.Hashing.Comparison = h.Comparison.Type
		f.Hashing.N = h.Comparison.N
		f.Hashing.Positional = h.Comparison.Positional
	case h.Ngram != nil: // version 2
		f.Hashing.Comparison = "ngram"
		f.Hashing.N = *h.Ngram
		f.Hashing.Positional = h.Positional
	default:
		return Feature{}, bad("hashing.comparison is required")
	}
	switch f.Hashing.Comparison {
	case "ngram":
		if f.Hashing.N < 1 || f.Hashing.N > 32 {
			return Feature{}, bad("n-gram n must be between 1 and 32")
		}
	case "exact":
	default:
		return Feature{}, bad("comparison must be ngram or exact")
	}
	if h.Strategy == nil {
		return Feature{}, bad("hashing.strategy is required")
	}
	st := h.Strategy
	intOf := func(p *float64) (int, bool) {
		if p == nil || *p < 1 || *p > 1<<16 || *p != float64(int(*p)) {
			return 0, false
		}
		return int(*p), true
	}
	switch {
	case st.BitsPerToken != nil || st.K != nil:
		p := st.BitsPerToken
		if p == nil {
			p = st.K
		}
		n, ok := intOf(p)
		if !ok {
			return Feature{}, bad("bitsPerToken must be a positive integer")
		}
		f.Hashing.BitsPerToken = n
	case st.BitsPerFeature != nil || st.NumBits != nil:
		p := st.BitsPerFeature
		if p == nil {
			p = st.NumBits
		}
		n, ok := intOf(p)
		if !ok {
			return Feature{}, bad("bitsPerFeature must be a positive integer")
		}
		f.Hashing.BitsPerFeature = n
	default:
		return Feature{}, bad("strategy needs bitsPerToken or bitsPerFeature")
	}
	f.Hashing.Hash = "blakeHash"
	if h.Hash != nil && h.Hash.Type != "" {
		f.Hashing.Hash = h.Hash.Type
		f.Hashing.PreventSingularity = h.Hash.PreventSingularity
	}
	if f.Hashing.Hash != "blakeHash" && f.Hashing.Hash != "doubleHash" {
		return Feature{}, bad("hash.type must be blakeHash or doubleHash")
	}
	if mv := h.MissingValue; mv != nil {
		if mv.Sentinel == nil {
			return Feature{}, bad("missingValue needs a sentinel")
		}
		f.Hashing.Missing = &MissingValue{Sentinel: *mv.Sentinel, ReplaceWith: *mv.Sentinel}
		if mv.ReplaceWith != nil {
			f.Hashing.Missing.ReplaceWith = *mv.ReplaceWith
		}
	}
	return f, nil
}
