package identify_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/identify"
)

func TestExplainEveryLanguage(t *testing.T) {
	c := identify.Default()
	inputs := []identify.Input{
		{Profile: identify.AdultLabour, Indicators: []string{"al.d1.deceived_nature_of_job", "al.d1.deceived_wages",
			"al.d4.excessive_hours", "al.d4.low_or_no_salary", "al.d6.dependency_on_exploiters", "al.d6.economic_reasons", "al.d6.personal_characteristics"}},
		{Profile: identify.ChildSexual, RecruitmentAct: true, Indicators: []string{"cs.d4.hazardous_work", "cs.d4.low_or_no_salary"}},
		{Profile: identify.AdultSexual},
	}
	for _, in := range inputs {
		r, err := c.Assess(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range i18n.Supported {
			lines := r.Explain(i18n.For(l))
			if len(lines) != 1+identify.NumDimensions+3+2 {
				t.Errorf("%s %s: %d lines", in.Profile, l, len(lines))
			}
			for _, line := range lines {
				if line == "" || strings.Contains(line, "{") || strings.Contains(line, "screening.") {
					t.Errorf("%s %s: unfinished line %q", in.Profile, l, line)
				}
				if l == i18n.SerbianCyrillic {
					for _, ch := range line {
						if ch < unicode.MaxASCII && unicode.IsLetter(ch) {
							t.Errorf("Cyrillic line mixes scripts: %q", line)
							break
						}
					}
				}
			}
		}
	}
}

func TestExplainNamesTheClause(t *testing.T) {
	r, err := identify.Default().Assess(identify.Input{Profile: identify.AdultLabour,
		Indicators: []string{"al.d6.dependency_on_exploiters", "al.d6.economic_reasons", "al.d6.personal_characteristics"}})
	if err != nil {
		t.Fatal(err)
	}
	d6 := r.Dimensions[identify.D6-1]
	if !d6.Positive || d6.Clause != identify.ClauseTwoMediumOneWeak || d6.Medium != 2 || d6.Weak != 1 {
		t.Errorf("D6 = %+v, want positive by two_medium_one_weak", d6)
	}
	got := identify.DimensionSentence(i18n.For(i18n.English), d6)
	if want := "D6 Abuse of vulnerability at destination: positive — 2 medium indicators with at least 1 weak (0 strong, 2 medium, 1 weak)."; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
