package jsonread

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
)

type doc struct {
	ID      string            `json:"id"`
	Person  *person           `json:"person"`
	Items   []item            `json:"items"`
	Labels  map[string]item   `json:"labels"`
	Free    any               `json:"free"`
	Skipped string            `json:"-"`
	Extra   map[string]string `json:"extra,omitempty"`
	embedded
}

type embedded struct {
	Version int `json:"version"`
}

type person struct {
	GivenName string `json:"given_name"`
	Documents []struct {
		Country string `json:"country"`
	} `json:"documents"`
}

type item struct {
	Code string `json:"code"`
}

var opts = Options{Max: 1 << 10, Keys: Keys{Invalid: "k.invalid", Type: "k.type", Unknown: "k.unknown"}, NameUnknown: true}

func TestRead(t *testing.T) {
	tests := []struct {
		name, body, key, field, parent string
	}{
		{"Good", `{"id":"a","person":{"given_name":"A","documents":[{"country":"XK"}]},"items":[{"code":"x"}],"labels":{"Any Key":{"code":"y"}},"free":{"anything":[1,{"x":2}]},"version":3}`, "", "", ""},
		{"CaseFolded", `{"ID":"a","PERSON":{"GIVEN_NAME":"A"}}`, "", "", ""},
		{"UnknownTop", `{"id":"a","colour":"blue"}`, "k.unknown", "colour", ""},
		{"UnknownNested", `{"person":{"given_name":"A","nickname":"B"}}`, "k.unknown", "person.nickname", "person"},
		{"UnknownInArray", `{"person":{"documents":[{"country":"XK"},{"number":"1"}]}}`, "k.unknown", "person.documents.number", "person.documents"},
		{"UnknownInMapValue", `{"labels":{"k":{"code":"a","other":1}}}`, "k.unknown", "labels.other", "labels"},
		{"UnknownKeyLooksLikeAName", `{"person":{"Berisha":1}}`, "k.unknown", "person", "person"},
		{"SkippedFieldIsUnknown", `{"Skipped":"x"}`, "k.unknown", "", ""},
		{"UnknownAfterEmbedded", `{"version":1,"embedded":{}}`, "k.unknown", "embedded", ""},
		{"WrongType", `{"id":5}`, "k.type", "id", ""},
		{"WrongTypeNested", `{"person":{"given_name":[]}}`, "k.type", "person.given_name", ""},
		{"Syntax", `{"id":`, "k.invalid", "", ""},
		{"Trailing", `{"id":"a"} {"id":"b"}`, "k.invalid", "", ""},
		{"TrailingGarbage", `{"id":"a"}x`, "k.invalid", "", ""},
		{"Empty", ``, "k.invalid", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := Read(strings.NewReader(tt.body), &d, opts)
			if tt.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := errs.As(err)
			if e.Code != errs.Invalid || e.Key != tt.key || e.Field != tt.field {
				t.Fatalf("got %v (field %q), want %s naming %q", err, e.Field, tt.key, tt.field)
			}
			var u *UnknownField
			if tt.key == "k.unknown" && (!errors.As(err, &u) || u.Parent != tt.parent) {
				t.Errorf("cause %v, want an UnknownField in %q", err, tt.parent)
			}
			if strings.Contains(err.Error(), "Berisha") || strings.Contains(err.Error(), "blue") {
				t.Errorf("the error repeats the client's text: %v", err)
			}
		})
	}
}

func TestReadWithoutNamingUnknown(t *testing.T) {
	o := opts
	o.NameUnknown = false
	var d doc
	e := errs.As(Read(strings.NewReader(`{"person":{"nickname":"B"}}`), &d, o))
	if e.Key != "k.unknown" || e.Field != "person" {
		t.Errorf("%v field %q, want the parent Person", e, e.Field)
	}
	e = errs.As(Read(strings.NewReader(`{"nickname":"B"}`), &d, o))
	if e.Key != "k.unknown" || e.Field != "" {
		t.Errorf("%v field %q, want no field", e, e.Field)
	}
}

func TestReadLimitsAndShapes(t *testing.T) {
	var d doc
	if err := Read(strings.NewReader(`{"id":"`+strings.Repeat("a", 2000)+`"}`), &d, opts); !errs.Is(err, errs.TooLarge) {
		t.Errorf("oversized: %v", err)
	}
	o := opts
	o.Object = true
	var m map[string]any
	for _, b := range []string{`null`, `[]`, `"x"`, `1`} {
		if err := Read(strings.NewReader(b), &m, o); errs.As(err).Key != "k.invalid" {
			t.Errorf("%s: %v", b, err)
		}
	}
	o.FieldOK = func(p string) bool { return p == "id" }
	if e := errs.As(Read(strings.NewReader(`{"person":{"given_name":1}}`), &d, o)); e.Field != "" || e.Key != "k.type" {
		t.Errorf("FieldOK not applied: %v", e)
	}
	deep := strings.Repeat(`{"free":`, 300) + "1" + strings.Repeat("}", 300)
	if err := Read(strings.NewReader(deep), &d, Options{Max: 1 << 20, Keys: opts.Keys}); err != nil {
		t.Errorf("a deep value of a free member: %v", err)
	}
}

// FuzzRead feeds arbitrary bodies to the reader: it must never panic, must
// answer one of its own errors, must not accept what encoding/json would
// refuse as unknown, and must never repeat the client's text in a field
// that is not a plain field name.
func FuzzRead(f *testing.F) {
	for _, s := range []string{`{"id":"a","person":{"given_name":"A","documents":[{"country":"XK"}]}}`, `{"x":1}`,
		`{"labels":{"a":{"code":"b","c":1}}}`, `[1,2]`, `{"free":{"a":[{"b":{}}]}}`, `{"id":"a"}{}`, `{"version":"1"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d doc
		err := Read(bytes.NewReader(b), &d, opts)
		// The reader refuses exactly what encoding/json refuses with unknown
		// fields disallowed (one value, nothing after it).
		var want doc
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		jsonErr := dec.Decode(&want)
		if jsonErr == nil && dec.More() {
			jsonErr = errors.New("trailing data")
		}
		if jsonErr == nil && len(b) <= int(opts.Max) && json.Valid(b) && err != nil {
			t.Fatalf("refused what encoding/json accepts: %v", err)
		}
		if jsonErr != nil && err == nil {
			t.Fatalf("accepted what encoding/json refuses: %v", jsonErr)
		}
		if err == nil {
			return
		}
		e := errs.As(err)
		switch e.Key {
		case "k.invalid", "k.type", "k.unknown", "error.too_large":
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if e.Field != "" && !safePath.MatchString(e.Field) {
			t.Fatalf("unsafe field %q", e.Field)
		}
	})
}

var benchBody = []byte(`{"id":"a","person":{"given_name":"Arta","documents":[{"country":"XK"},{"country":"AL"}]},
	"items":[{"code":"x"},{"code":"y"},{"code":"z"}],"labels":{"a":{"code":"y"}},"free":{"anything":[1,{"x":2}]},"version":3}`)

// BenchmarkRead reads a small request body with the strict reader;
// BenchmarkEncodingJSON is the plain decoder it wraps, for comparison.
func BenchmarkRead(b *testing.B) {
	for b.Loop() {
		var d doc
		if err := Read(bytes.NewReader(benchBody), &d, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodingJSON(b *testing.B) {
	for b.Loop() {
		var d doc
		dec := json.NewDecoder(bytes.NewReader(benchBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}
