package justice

import (
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func evs(list ...string) []Event {
	// list: TYPE@YYYY-MM-DD, in order.
	var out []Event
	for i, x := range list {
		t, d := x[:len(x)-11], x[len(x)-10:]
		out = append(out, Event{ID: t + d, Seq: i + 1, Type: t, Date: day(d)})
	}
	return out
}

// TestStateMachine walks the §1.3 state machine: every allowed step and
// every refused one, with the field the error names.
func TestStateMachine(t *testing.T) {
	today := day("2026-12-03")
	full := evs("CRIMINAL_REPORT@2026-01-05", "RULING_INITIATION_INVESTIGATION@2026-01-20", "INVESTIGATION@2026-04-15",
		"INDICTMENT_FILED@2026-06-01")
	tests := []struct {
		name     string
		recorded []Event
		ev       Event
		field    string // "" = allowed
		key      string
	}{
		{"report first", nil, Event{Type: CriminalReport, Date: day("2026-01-05")}, "", ""},
		{"nothing before the report", nil, Event{Type: RulingInvestigation, Date: day("2026-01-05")}, "type", "justice.error.report_first"},
		{"unknown type", nil, Event{Type: "TRIAL", Date: day("2026-01-05")}, "type", "validation.invalid_choice"},
		{"no date", nil, Event{Type: CriminalReport}, "date", "validation.required"},
		{"report in the future", nil, Event{Type: CriminalReport, Date: day("2026-12-04")}, "date", "validation.date_future"},
		{"two reports", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: CriminalReport, Date: day("2026-01-06")}, "type", "justice.error.already_recorded"},
		{"dismissal", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: ReportDismissed, Date: day("2026-01-10")}, "", ""},
		{"police steps", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: PoliceInitialSteps, Date: day("2026-01-05")}, "", ""},
		{"ruling", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: RulingInvestigation, Date: day("2026-01-20")}, "", ""},
		{"ruling after a dismissal (complaint upheld)", evs("CRIMINAL_REPORT@2026-01-05", "REPORT_DISMISSED@2026-01-10"),
			Event{Type: RulingInvestigation, Date: day("2026-02-01")}, "", ""},
		{"ruling before the report", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: RulingInvestigation, Date: day("2026-01-01")}, "date", "justice.error.date_before"},
		{"review without a ruling", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: Investigation, Date: day("2026-03-01")}, "type", "justice.error.needs.ruling_initiation_investigation"},
		{"review", full[:2], Event{Type: Investigation, Date: day("2026-04-15")}, "", ""},
		{"second review", full[:3], Event{Type: Investigation, Date: day("2026-07-10")}, "", ""},
		{"direct indictment", evs("CRIMINAL_REPORT@2026-01-05"), Event{Type: IndictmentFiled, Date: day("2026-02-01")}, "", ""},
		{"indictment", full[:3], Event{Type: IndictmentFiled, Date: day("2026-06-01")}, "", ""},
		{"detention only on an indictment", full[:3], Event{Type: Investigation, Date: day("2026-06-01"), Detention: true}, "detention", "justice.error.detention_not_here"},
		{"review after the indictment", full, Event{Type: Investigation, Date: day("2026-06-10")}, "type", "justice.error.out_of_order"},
		{"judgment before its indictment", full[:3], Event{Type: JudgmentFirst, Date: day("2026-06-10"), Outcome: "CONVICTION"}, "type", "justice.error.needs.indictment_filed"},
		{"hearing before the indictment", full[:3], Event{Type: InitialHearing, Date: day("2026-06-10")}, "type", "justice.error.needs.indictment_filed"},
		{"hearing dated before the ruling", append(evs("CRIMINAL_REPORT@2026-01-05", "RULING_INITIATION_INVESTIGATION@2026-03-20"), Event{ID: "i", Seq: 3, Type: IndictmentFiled, Date: day("2026-05-01")}),
			Event{Type: InitialHearing, Date: day("2026-03-01")}, "date", "justice.error.date_before"},
		{"initial hearing scheduled ahead", full, Event{Type: InitialHearing, Date: day("2027-01-10")}, "", ""},
		{"hearing too far ahead", full, Event{Type: InitialHearing, Date: day("2029-01-10")}, "date", "justice.error.too_far_ahead"},
		{"second hearing needs the initial one", full, Event{Type: SecondHearing, Date: day("2026-07-10")}, "type", "justice.error.needs.initial_hearing"},
		{"main trial", append(full, Event{ID: "h", Seq: 5, Type: InitialHearing, Date: day("2026-06-20")}), Event{Type: MainTrial, Date: day("2026-09-01")}, "", ""},
		{"judgment needs an outcome", full, Event{Type: JudgmentFirst, Date: day("2026-09-01")}, "outcome", "justice.error.outcome_required"},
		{"outcome only on judgments", full, Event{Type: InitialHearing, Date: day("2026-09-01"), Outcome: "CONVICTION"}, "outcome", "justice.error.outcome_not_here"},
		{"judgment", full, Event{Type: JudgmentFirst, Date: day("2026-09-01"), Outcome: "CONVICTION"}, "", ""},
		{"judgment in the future", full, Event{Type: JudgmentFirst, Date: day("2026-12-09"), Outcome: "CONVICTION"}, "date", "validation.date_future"},
		{"appeal needs a judgment", full, Event{Type: Appeal, Date: day("2026-09-01")}, "type", "justice.error.needs.judgment_first_instance"},
		{"appeal", append(full, Event{ID: "j", Seq: 5, Type: JudgmentFirst, Date: day("2026-09-01"), Outcome: "CONVICTION"}), Event{Type: Appeal, Date: day("2026-09-10")}, "", ""},
		{"retrial after an appeal", append(full, Event{ID: "h", Seq: 5, Type: InitialHearing, Date: day("2026-06-20")}, Event{ID: "j", Seq: 6, Type: JudgmentFirst, Date: day("2026-09-01")}, Event{ID: "a", Seq: 7, Type: Appeal, Date: day("2026-09-10")}),
			Event{Type: MainTrial, Date: day("2026-11-10")}, "", ""},
		{"final", append(full, Event{ID: "j", Seq: 5, Type: JudgmentFirst, Date: day("2026-09-01")}), Event{Type: FinalJudgment, Date: day("2026-10-01"), Outcome: "CONVICTION"}, "", ""},
		{"nothing after the final judgment but a remedy", append(full, Event{ID: "j", Seq: 5, Type: JudgmentFirst, Date: day("2026-09-01")}, Event{ID: "f", Seq: 6, Type: FinalJudgment, Date: day("2026-10-01")}),
			Event{Type: Appeal, Date: day("2026-10-05")}, "type", "justice.error.after_final"},
		{"extraordinary remedy", append(full, Event{ID: "j", Seq: 5, Type: JudgmentFirst, Date: day("2026-09-01")}, Event{ID: "f", Seq: 6, Type: FinalJudgment, Date: day("2026-10-01")}),
			Event{Type: ExtraordinaryRemedy, Date: day("2026-11-05")}, "", ""},
		{"remedy needs a final judgment", full, Event{Type: ExtraordinaryRemedy, Date: day("2026-11-05")}, "type", "justice.error.needs.final_judgment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNext(tc.recorded, tc.ev, today)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := errs.As(err)
			if err == nil || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("got %v (field %q key %q), want field %q key %q", err, e.Field, e.Key, tc.field, tc.key)
			}
		})
	}
}

// TestDeadlineRules covers every deadline rule of the configuration: when it
// starts, when it falls due, what meets it, and whether it is a hard alert
// ([V]) or a soft reminder.
func TestDeadlineRules(t *testing.T) {
	c := DefaultConfig
	today := day("2026-12-03")
	type want struct {
		rule  string
		due   string
		state string
		hard  bool
	}
	tests := []struct {
		name   string
		events []Event
		want   []want
	}{
		{"inaction: six months after the report, open", evs("CRIMINAL_REPORT@2026-09-01"),
			[]want{{"prosecutor_inaction", "2027-03-01", DeadlineOpen, true}}},
		{"inaction: overdue", evs("CRIMINAL_REPORT@2026-01-01"),
			[]want{{"prosecutor_inaction", "2026-07-01", DeadlineOverdue, true}}},
		{"dismissal: complaint in 8 days; the dismissal meets the inaction rule", evs("CRIMINAL_REPORT@2026-11-01", "REPORT_DISMISSED@2026-11-30"),
			[]want{{"prosecutor_inaction", "2027-05-01", DeadlineMet, true}, {"complaint_dismissal", "2026-12-08", DeadlineOpen, true}}},
		{"review every three months, renewed by each review; investigation length unverified",
			evs("CRIMINAL_REPORT@2026-01-05", "RULING_INITIATION_INVESTIGATION@2026-01-20", "INVESTIGATION@2026-05-01"),
			[]want{{"prosecutor_inaction", "2026-07-05", DeadlineMet, true}, {"investigation_review", "2026-04-20", DeadlineLate, true},
				{"investigation_length", "2028-01-20", DeadlineOpen, false}, {"investigation_review", "2026-08-01", DeadlineOverdue, true}}},
		{"initial hearing within 30 days", evs("CRIMINAL_REPORT@2026-10-01", "INDICTMENT_FILED@2026-11-20"),
			[]want{{"prosecutor_inaction", "2027-04-01", DeadlineMet, true}, {"initial_hearing", "2026-12-20", DeadlineOpen, true}}},
		{"initial hearing within 15 days in detention", append(evs("CRIMINAL_REPORT@2026-10-01"), Event{ID: "i", Seq: 2, Type: IndictmentFiled, Date: day("2026-11-10"), Detention: true}),
			[]want{{"prosecutor_inaction", "2027-04-01", DeadlineMet, true}, {"initial_hearing_detention", "2026-11-25", DeadlineOverdue, true}}},
		{"second hearing unverified; a hearing scheduled ahead does not meet a deadline yet",
			evs("CRIMINAL_REPORT@2026-09-01", "INDICTMENT_FILED@2026-10-01", "INITIAL_HEARING@2026-10-20", "SECOND_HEARING@2026-12-20"),
			[]want{{"prosecutor_inaction", "2027-03-01", DeadlineMet, true}, {"initial_hearing", "2026-10-31", DeadlineMet, true},
				{"second_hearing", "2026-11-19", DeadlineOverdue, false}}},
		{"judgment: written reasons and appeal, unverified", evs("CRIMINAL_REPORT@2026-01-01", "INDICTMENT_FILED@2026-02-01",
			"INITIAL_HEARING@2026-02-20", "MAIN_TRIAL@2026-05-01", "JUDGMENT_FIRST_INSTANCE@2026-11-25", "APPEAL@2026-12-01"),
			[]want{{"prosecutor_inaction", "2026-07-01", DeadlineMet, true}, {"initial_hearing", "2026-03-03", DeadlineMet, true},
				{"second_hearing", "2026-03-22", DeadlineLate, false},
				{"written_judgment", "2026-12-10", DeadlineMet, false}, {"appeal_filing", "2026-12-10", DeadlineMet, false}}},
		{"legacy procedure code: rules of its own set, not verified", evs("CRIMINAL_REPORT@2020-01-05", "RULING_INITIATION_INVESTIGATION@2020-02-01"),
			[]want{{"investigation_review", "2020-05-01", DeadlineOverdue, false}, {"investigation_length", "2022-02-01", DeadlineOverdue, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Deadlines("XK", tc.events, today)
			if len(got) != len(tc.want) {
				for _, g := range got {
					t.Logf("%s %s %s", g.Rule.ID, Day(g.Due), g.State)
				}
				t.Fatalf("%d deadlines, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Rule.ID != w.rule || Day(g.Due) != w.due || g.State != w.state || g.Hard != w.hard {
					t.Errorf("#%d = %s %s %s hard=%v, want %+v", i, g.Rule.ID, Day(g.Due), g.State, g.Hard, w)
				}
			}
		})
	}
	// Every configured rule is exercised above.
	covered := map[string]bool{}
	for _, tc := range tests {
		for _, w := range tc.want {
			covered[w.rule] = true
		}
	}
	for _, set := range c["XK"].DeadlineSets {
		for _, r := range set.Rules {
			if !covered[r.ID] {
				t.Errorf("rule %s/%s has no test", set.Version, r.ID)
			}
			if r.Marker != Verified && r.Marker.Hard() {
				t.Errorf("rule %s: unverified but hard", r.ID)
			}
		}
	}
}

// TestTemporalLaw: the offence date decides the code (R1.4.3).
func TestTemporalLaw(t *testing.T) {
	c := DefaultConfig
	for _, tc := range []struct {
		code, day, law, article string
		ok                      bool
	}{
		{"THB", "2018-06-01", "CC-04/L-082", "171", true},
		{"THB", "2019-01-14", "CC-06/L-074", "165", true},
		{"THB", "2025-03-01", "CC-06/L-074", "165", true},
		{"FACILITATING_PROSTITUTION", "2018-06-01", "CC-04/L-082", "", true},
		{"FACILITATING_PROSTITUTION", "2020-06-01", "", "", false}, // reclassified as THB in 2019
		{"THB", "2012-06-01", "", "", false},                       // before any configured code
		{"NO_SUCH", "2020-06-01", "", "", false},
	} {
		o, ok := c.OffenceOn("XK", tc.code, tc.day)
		if ok != tc.ok || o.Law != tc.law || o.Article != tc.article {
			t.Errorf("%s on %s = %+v %v", tc.code, tc.day, o, ok)
		}
	}
	if o, _ := c.OffenceOn("XK", "THB", "2024-01-01"); o.MinMonths != 60 || o.MaxMonths != 144 {
		t.Errorf("THB range = %d-%d months, want 60-144", o.MinMonths, o.MaxMonths)
	}
	if o, ok := c.OffenceOn("AL", "THB", "2024-01-01"); !ok || o.Article != "110/a" {
		t.Errorf("Albania THB = %+v", o)
	}
}
