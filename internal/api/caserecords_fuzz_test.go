package api_test

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/plans"
)

// tagNames collects the JSON names of a type's fields, recursively.
func tagNames(t reflect.Type, into map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			into[name] = true
		}
		tagNames(f.Type, into)
	}
}

var fieldPathRE = regexp.MustCompile(`^[a-z][a-z0-9_.]*$`)

// FuzzDecode feeds arbitrary bodies to the strict decoder and then to each
// input's validation: nothing panics, every error is a safe *errs.Error
// (invalid or too large), and a field named in an error is one of Ura's own
// field names (or an item index), never a key the client made up.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"scope":"country","target":"rs"}`, `{"level":"high","threats":"x"}`,
		`{"items":[{"type":"Health"}]}`, `{"Berisha":1}`, `{"interpreter":"yes"}`, `[]`, `null`, `{"a":1}{}`,
		`{"held_on":"2026-02-30","participants":["x"]}`, `{"informed":{"purpose":1}}`} {
		f.Add([]byte(s))
	}
	known := map[string]bool{}
	inputs := []func() any{
		func() any { return &consent.GrantInput{} }, func() any { return &consent.WithdrawInput{} },
		func() any { return &plans.RiskInput{} }, func() any { return &plans.NeedsInput{} },
		func() any { return &plans.PlanInput{} }, func() any { return &plans.ItemInput{} },
		func() any { return &plans.ReviewInput{} }, func() any { return &casenotes.NoteInput{} },
	}
	for _, in := range inputs {
		tagNames(reflect.TypeOf(in()), known)
	}
	safe := func(t *testing.T, err error) {
		e, ok := err.(*errs.Error)
		if !ok {
			t.Fatalf("not an *errs.Error: %T %v", err, err)
		}
		if e.Code != errs.Invalid && e.Code != errs.TooLarge {
			t.Fatalf("code %s", e.Code)
		}
		if e.Field == "" {
			return
		}
		if !fieldPathRE.MatchString(e.Field) {
			t.Fatalf("unsafe field %q", e.Field)
		}
		for _, seg := range strings.Split(e.Field, ".") {
			if _, err := strconv.Atoi(seg); err != nil && !known[seg] && seg != "file" {
				t.Fatalf("field %q names %q, not one of Ura's fields", e.Field, seg)
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		now := fixture.T0
		for _, mk := range inputs {
			v := mk()
			if err := api.DecodeJSONBody(strings.NewReader(string(body)), v); err != nil {
				safe(t, err)
				continue
			}
			var err error
			switch in := v.(type) {
			case *consent.GrantInput:
				err = in.Validate(len(body)%2 == 0, now)
			case *consent.WithdrawInput:
				err = in.Validate(false, now)
			case *plans.RiskInput:
				err = in.Validate(now)
			case *plans.NeedsInput:
				err = in.Validate(now)
			case *plans.PlanInput:
				err = in.Validate(now)
			case *plans.ItemInput:
				err = in.Validate("")
			case *plans.ReviewInput:
				err = in.Validate(now)
			case *casenotes.NoteInput:
				err = in.Validate()
			}
			if err != nil {
				safe(t, err)
			}
		}
	})
}
