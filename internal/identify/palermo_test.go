package identify_test

import (
	"fmt"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/identify"
)

// TestCheckPalermoExhaustive walks every combination of the three elements
// for adults and children against Art. 3 written out: adults need act, means
// and purpose; children act and purpose (3(c)).
func TestCheckPalermoExhaustive(t *testing.T) {
	for _, form := range identify.Forms {
		for _, child := range []bool{false, true} {
			if form == identify.FormSaleOfChild && !child {
				continue
			}
			for bits := 0; bits < 8; bits++ {
				act, means, purpose := bits&1 != 0, bits&2 != 0, bits&4 != 0
				in := identify.PalermoInput{Form: form, Child: child, Purpose: purpose}
				if act {
					in.Acts = []identify.Act{"harbouring"}
				}
				if means {
					in.Means = []identify.Means{"abuse_of_vulnerability", "deception"}
				}
				r, err := identify.CheckPalermo(in)
				if err != nil {
					t.Fatal(err)
				}
				want := act && purpose && (means || child)
				if r.Indicated != want {
					t.Errorf("%s child=%v act=%v means=%v purpose=%v: indicated %v, want %v", form, child, act, means, purpose, r.Indicated, want)
				}
				if r.MeansRequired == child {
					t.Errorf("child=%v: MeansRequired %v", child, r.MeansRequired)
				}
				var missing []identify.Element
				if !act {
					missing = append(missing, identify.ElementAct)
				}
				if !means && !child {
					missing = append(missing, identify.ElementMeans)
				}
				if !purpose {
					missing = append(missing, identify.ElementPurpose)
				}
				if fmt.Sprint(r.Missing) != fmt.Sprint(missing) {
					t.Errorf("%s child=%v bits=%03b: missing %v, want %v", form, child, bits, r.Missing, missing)
				}
			}
		}
	}
}

func TestCheckPalermoBadInput(t *testing.T) {
	tests := []struct {
		name  string
		in    identify.PalermoInput
		field string
	}{
		{"UnknownForm", identify.PalermoInput{Form: "sexual_exploitation"}, "form"},
		{"SaleOfAdult", identify.PalermoInput{Form: identify.FormSaleOfChild}, "form"},
		{"UnknownAct", identify.PalermoInput{Form: identify.FormServitude, Acts: []identify.Act{"kidnap"}}, "act"},
		{"UnknownMeans", identify.PalermoInput{Form: identify.FormServitude, Means: []identify.Means{"consent"}}, "means"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identify.CheckPalermo(tt.in)
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != tt.field {
				t.Errorf("err = %v, want invalid field %q", err, tt.field)
			}
		})
	}
}
