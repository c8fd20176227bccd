package linkage_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

// FuzzReadRecords: the reader must never panic, must reject with an
// InputError, and must never put a cell's text in its message.
func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(personsCSV))
	f.Add([]byte("id\n"))
	f.Add([]byte("id,birth_date\nx,1990-13-01\n"))
	f.Add([]byte("\ufeffid,given_name\n\"x\",\"a\"\"b\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := linkage.ReadRecords(bytes.NewReader(data))
		if err != nil {
			var ie *linkage.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q spans lines", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if r.ID == "" || seen[r.ID] {
				t.Fatalf("empty or duplicate id accepted")
			}
			seen[r.ID] = true
		}
		linkage.Dedup(recs, linkage.Options{})
	})
}

// FuzzParseSchema: the parser must never panic, and an accepted schema
// must encode without panicking.
func FuzzParseSchema(f *testing.F) {
	for _, name := range []string{"ura-schema.json", "febrl-schema.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"version":3,"clkConfig":{"l":8,"kdf":{"type":"HKDF"}},"features":[{"identifier":"a","format":{"type":"string"},"hashing":{"comparison":{"type":"ngram","n":1},"strategy":{"bitsPerToken":3}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := linkage.ParseSchema(data)
		if err != nil {
			return
		}
		enc, err := linkage.NewEncoder(s, []byte("k"))
		if err != nil {
			return
		}
		c := enc.Encode("x", func(string) string { return "Ђорђе 1990-01-02" })
		if len(c.Bits) != (s.L+7)/8 {
			t.Fatalf("CLK has %d bytes, want %d", len(c.Bits), (s.L+7)/8)
		}
	})
}

// FuzzNormalize: Normalize is idempotent, so stored blind-index keys can
// be normalised again safely.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Đorđević", "Ђорђевић", "Shkëlzen", "IŞIK", "dzh", "sshh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := linkage.Normalize(s)
		if n2 := linkage.Normalize(n); n2 != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, n2)
		}
		linkage.PhoneticKey(s)
	})
}
