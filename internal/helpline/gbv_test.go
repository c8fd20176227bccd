package helpline_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestDVCallOpensGBVCase: a call about domestic violence becomes a GBV
// case, with the caller's consent, through the same registration.
func TestDVCallOpensGBVCase(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			in := call()
			in.Topic, in.CallerType, in.CallerIsVictim = "domestic_violence.physical", "possible_victim", true
			c, err := en.a.Helpline.Log(ctx, en.op, in)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := en.a.Helpline.OpenCase(ctx, en.op, c.ID, helpline.CaseInput{GivenName: "Teuta", Sex: "female", BirthYear: "1988", Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			if typ, err := cases.CaseType(ctx, en.a.DB.Read(), reg.ID); err != nil || typ != cases.CaseTypeGBV {
				t.Errorf("case type %q, %v; want gbv", typ, err)
			}
		})
	}
}
