package gbv

import (
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
)

// TestClassifyAll64 walks every combination of the six answers: the type is
// the first answer that is yes, in the GBVIMS order, or non-GBV.
func TestClassifyAll64(t *testing.T) {
	order := []Type{Rape, SexualAssault, PhysicalAssault, ForcedMarriage, DenialOfResources, PsychologicalAbuse}
	seen := map[Type]int{}
	for n := 0; n < 64; n++ {
		a := Answers{Penetration: n&1 != 0, SexualContact: n&2 != 0, PhysicalAssault: n&4 != 0,
			ForcedMarriage: n&8 != 0, DenialOfResources: n&16 != 0, PsychologicalAbuse: n&32 != 0}
		want := NonGBV
		for bit := 0; bit < 6; bit++ {
			if n&(1<<bit) != 0 {
				want = order[bit]
				break
			}
		}
		if got := Classify(a); got != want {
			t.Errorf("%06b: Classify = %s, want %s", n, got, want)
		}
		e := Explain(a)
		if e.Type != want {
			t.Errorf("%06b: Explain.Type = %s, want %s", n, e.Type, want)
		}
		yes := 0
		for bit := 0; bit < 6; bit++ {
			if n&(1<<bit) != 0 {
				yes++
			}
		}
		if len(e.Applies) != yes || (yes > 0 && len(e.Also()) != yes-1) {
			t.Errorf("%06b: applies %v, also %v", n, e.Applies, e.Also())
		}
		seen[want]++
	}
	// 32 combinations have penetration, 16 sexual contact first, … 1 none.
	for i, ty := range order {
		if seen[ty] != 32>>i {
			t.Errorf("%s won %d times, want %d", ty, seen[ty], 32>>i)
		}
	}
	if seen[NonGBV] != 1 {
		t.Errorf("non_gbv %d times", seen[NonGBV])
	}
}

func TestDecodeAnswers(t *testing.T) {
	a, err := DecodeAnswers(strings.NewReader(`{"penetration":false,"sexual_contact":true,"physical_assault":true,"forced_marriage":false,"denial_of_resources":false,"psychological_abuse":false}`))
	if err != nil || Classify(a) != SexualAssault {
		t.Fatalf("got %v %v", a, err)
	}
	for _, body := range []string{`{`, `[]`, `{"rape":true}`, `{"penetration":"yes"}`, `{} {}`} {
		_, err := DecodeAnswers(strings.NewReader(body))
		if !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want invalid", body, err)
		}
	}
}
