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
	f.Add([]byte("id,birth_date,sex,citizenship\nx,1937-12-33,Q,ZZ\ny,1937-02-29,,\n"))
	f.Add([]byte("id,given_name\nx,\xff\n"))
	f.Add([]byte("id,given_name\nx,\u0439\ny,\u0438\u0306\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := linkage.ReadRecordsWith(bytes.NewReader(data), linkage.ReadOptions{Strict: true}); err != nil {
			var ie *linkage.InputError
			if !errors.As(err, &ie) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("strict: error %q is not a one-line InputError", err)
			}
		}
		recs, err := linkage.ReadRecordsWith(bytes.NewReader(data), linkage.ReadOptions{Warn: func(e *linkage.InputError) {
			if e.Line < 2 || strings.Contains(e.Error(), "\n") {
				t.Fatalf("warning %q has no line or spans lines", e)
			}
		}})
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
	for _, name := range []string{"ura-schema.json", "febrl-schema.json", "ura-person-fields.json"} {
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
		if len(c.Bits) != s.CLKBytes() {
			t.Fatalf("CLK has %d bytes, want %d", len(c.Bits), s.CLKBytes())
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

// FuzzReadCLKs: reading CLK files must never panic; an accepted file has
// CLKs of one length, and linking it with itself must not panic either.
func FuzzReadCLKs(f *testing.F) {
	f.Add([]byte(`{"clks":["AAAA","AAAA"],"ids":["a","b"]}`))
	f.Add([]byte(`{"clks":["AAAA","AAAAAAAA"]}`))
	f.Add([]byte(`{"clks":[]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := linkage.ReadCLKs(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q spans lines", err)
			}
			return
		}
		for _, c := range cs {
			if len(c.Bits) != len(cs[0].Bits) {
				t.Fatal("CLKs of mixed lengths accepted")
			}
		}
		linkage.Link(cs, cs, 0.8)
	})
}
