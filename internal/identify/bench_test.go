package identify_test

import (
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/identify"
)

const benchBody = `{"profile":"adult_labour","indicators":["al.d1.deceived_nature_of_job","al.d1.deceived_wages",
	"al.d4.excessive_hours","al.d4.low_or_no_salary","al.d5.confiscation_of_documents","al.d5.debt_bondage"]}`

// BenchmarkAssess is the rule alone: decode, assess, explain in Albanian —
// everything POST /api/v1/screenings/assess does besides HTTP and the token.
func BenchmarkAssess(b *testing.B) {
	c := identify.Default()
	p := i18n.For(i18n.Albanian)
	for b.Loop() {
		in, err := identify.DecodeAssess(strings.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		r, err := c.Assess(in)
		if err != nil {
			b.Fatal(err)
		}
		_ = r.Explain(p)
	}
}

// BenchmarkAssessAll ticks every indicator of a profile: the worst case.
func BenchmarkAssessAll(b *testing.B) {
	c := identify.Default()
	in := identify.Input{Profile: identify.AdultSexual}
	for _, ind := range c.Indicators(identify.AdultSexual) {
		in.Indicators = append(in.Indicators, ind.ID)
	}
	for b.Loop() {
		if _, err := c.Assess(in); err != nil {
			b.Fatal(err)
		}
	}
}
