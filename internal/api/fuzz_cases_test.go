package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// FuzzCaseDecode feeds arbitrary bodies to the strict case decoder: it must
// never panic, must answer a safe error (invalid or too large) for anything
// it refuses, and its error must never contain the input's text, which may
// be a name.
func FuzzCaseDecode(f *testing.F) {
	f.Add([]byte(registration))
	f.Add([]byte(`{"person":{"given_name":"Ана","family_name":"Ђорђевић"}}`))
	f.Add([]byte(`{"person":{"sex":7}}`))
	f.Add([]byte(`{"nope":"Berisha"}`))
	f.Add([]byte(`{"person":{}} {"person":{}}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in cases.Input
		err := cases.Decode(bytes.NewReader(body), &in)
		if err == nil {
			return
		}
		e := errs.As(err)
		if e.Code != errs.Invalid && e.Code != errs.TooLarge {
			t.Fatalf("code %s for a bad body", e.Code)
		}
		if e.Field != "" && len(e.Field) > 4 && strings.Contains(string(body), e.Field) && !fieldLike(e.Field) {
			t.Fatalf("the error names a field that is not a field name")
		}
	})
}

// fieldLike accepts dotted lower-case JSON field paths (person.birth_date).
func fieldLike(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r >= 'A' && r <= 'Z' || r == '-' || r == ':' || r == '/' || r == '=' || r == ',' || r == ';') {
			return false
		}
	}
	return true
}
