package identify_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
)

// FuzzAssessRequest feeds arbitrary bodies to the decoder of
// POST /api/v1/screenings/assess and to Assess. It must never panic; every
// rejection must be an Invalid or TooLarge error naming a known field (never
// a client's own field names or values); and whatever passes must be a valid
// profile with that profile's ids only. Seeds: testdata/fuzz/FuzzAssessRequest.
func FuzzAssessRequest(f *testing.F) {
	f.Add([]byte(`{"profile":"adult_labour","indicators":["al.d1.deceived_wages"]}`))
	c := identify.Default()
	fields := map[string]bool{"": true, "body": true, "profile": true, "indicators": true, "recruitment_act": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := identify.DecodeAssess(bytes.NewReader(body))
		if err == nil {
			var r identify.Result
			r, err = c.Assess(in)
			if err == nil {
				if _, ok := identify.ParseProfile(string(r.Profile)); !ok {
					t.Fatalf("accepted profile %q", r.Profile)
				}
				n := 0
				for _, d := range r.Dimensions {
					for _, id := range d.Indicators {
						if ind, ok := c.Indicator(id); !ok || ind.Profile != r.Profile || ind.Dimension != d.Dimension {
							t.Fatalf("accepted %q in %s", id, d.Dimension)
						}
						n++
					}
				}
				if n != len(in.Indicators) {
					t.Fatalf("%d ids in, %d explained", len(in.Indicators), n)
				}
				return
			}
		}
		e := errs.As(err)
		if e.Code != errs.Invalid && e.Code != errs.TooLarge {
			t.Fatalf("code %s for a bad body", e.Code)
		}
		if !fields[e.Field] {
			t.Fatalf("error names field %q", e.Field)
		}
		if !strings.HasPrefix(e.Key, "screening.error.") && e.Key != "error.too_large" {
			t.Fatalf("key %q", e.Key)
		}
	})
}

func TestDecodeAssess(t *testing.T) {
	tests := []struct {
		name, body string
		field      string // "" = accepted
		code       errs.Code
	}{
		{"OK", `{"profile":"child_labour","indicators":["cl.d4.hazardous_work"],"recruitment_act":true}`, "", ""},
		{"NoIndicators", `{"profile":"child_labour"}`, "", ""},
		{"UnknownField", `{"profile":"child_labour","name":"X"}`, "body", errs.Invalid},
		{"TwoValues", `{"profile":"child_labour"}{}`, "body", errs.Invalid},
		{"Trailing", `{"profile":"child_labour"} x`, "body", errs.Invalid},
		{"Array", `[]`, "body", errs.Invalid},
		{"Null", `null`, "body", errs.Invalid},
		{"Empty", ``, "body", errs.Invalid},
		{"WrongType", `{"profile":5}`, "profile", errs.Invalid},
		{"WrongTypeIndicators", `{"profile":"adult_labour","indicators":"al.d1.deceived_wages"}`, "indicators", errs.Invalid},
		{"Note", `{"profile":"adult_labour","note":"x"}`, "body", errs.Invalid},
		{"TooLarge", `{"profile":"` + strings.Repeat("a", identify.MaxBody) + `"}`, "", errs.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identify.DecodeAssess(strings.NewReader(tt.body))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			e := errs.As(err)
			if e == nil || e.Code != tt.code || e.Field != tt.field {
				t.Errorf("err = %v, want %s field %q", err, tt.code, tt.field)
			}
		})
	}
}

func TestDecodeRecordTakesANote(t *testing.T) {
	in, err := identify.DecodeRecord(strings.NewReader(`{"profile":"adult_sexual","indicators":[],"note":"met at the bus station"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Note, "met at the bus station"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
