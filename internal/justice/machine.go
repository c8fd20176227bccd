package justice

import (
	"sort"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
)

// The proceeding events of a criminal case (DOMAIN-2 §1.3), in their legal
// order. An event's rank is its place in that order; the side events of the
// pre-investigation phase (dismissal, police initial steps) share a rank.
const (
	CriminalReport      = "CRIMINAL_REPORT"
	ReportDismissed     = "REPORT_DISMISSED"
	PoliceInitialSteps  = "POLICE_INITIAL_STEPS"
	RulingInvestigation = "RULING_INITIATION_INVESTIGATION"
	Investigation       = "INVESTIGATION"
	IndictmentFiled     = "INDICTMENT_FILED"
	InitialHearing      = "INITIAL_HEARING"
	SecondHearing       = "SECOND_HEARING"
	MainTrial           = "MAIN_TRIAL"
	JudgmentFirst       = "JUDGMENT_FIRST_INSTANCE"
	Appeal              = "APPEAL"
	FinalJudgment       = "FINAL_JUDGMENT"
	ExtraordinaryRemedy = "EXTRAORDINARY_REMEDY"
)

// EventTypes lists the event codes in legal order.
var EventTypes = []string{CriminalReport, ReportDismissed, PoliceInitialSteps, RulingInvestigation, Investigation,
	IndictmentFiled, InitialHearing, SecondHearing, MainTrial, JudgmentFirst, Appeal, FinalJudgment, ExtraordinaryRemedy}

var ranks = map[string]int{CriminalReport: 0, ReportDismissed: 1, PoliceInitialSteps: 1, RulingInvestigation: 2,
	Investigation: 3, IndictmentFiled: 4, InitialHearing: 5, SecondHearing: 6, MainTrial: 7, JudgmentFirst: 8,
	Appeal: 9, FinalJudgment: 10, ExtraordinaryRemedy: 11}

func rank(t string) int {
	if r, ok := ranks[t]; ok {
		return r
	}
	return -1
}

// requires names, per event, the earlier events one of which must have been
// recorded (a judgment needs its indictment).
var requires = map[string][]string{
	ReportDismissed:     {CriminalReport},
	PoliceInitialSteps:  {CriminalReport},
	RulingInvestigation: {CriminalReport},
	Investigation:       {RulingInvestigation},
	IndictmentFiled:     {CriminalReport},
	InitialHearing:      {IndictmentFiled},
	SecondHearing:       {InitialHearing},
	MainTrial:           {InitialHearing},
	JudgmentFirst:       {IndictmentFiled},
	Appeal:              {JudgmentFirst},
	FinalJudgment:       {JudgmentFirst},
	ExtraordinaryRemedy: {FinalJudgment},
}

// once are the events a criminal case has at most one of.
var once = map[string]bool{CriminalReport: true, ReportDismissed: true, RulingInvestigation: true, IndictmentFiled: true,
	InitialHearing: true, SecondHearing: true, FinalJudgment: true}

// Hearings may be scheduled ahead; every other event is dated when it happened.
var Hearings = map[string]bool{InitialHearing: true, SecondHearing: true, MainTrial: true}

// Outcomes of a judgment (DOMAIN-2 §1.3 row 8).
var Outcomes = []string{"CONVICTION", "ACQUITTAL", "REJECTION"}

// MaxScheduleAhead is how far ahead a hearing may be scheduled.
const MaxScheduleAhead = 2 * 365 * 24 * time.Hour

// Event is one proceeding event.
type Event struct {
	ID        string
	Seq       int
	Type      string
	Date      time.Time // a day, UTC midnight
	Outcome   string    // judgments: CONVICTION, ACQUITTAL, REJECTION
	Detention bool      // indictment: the defendant is in detention on remand
	CreatedAt time.Time
	CreatedBy string
}

// Day formats a day as YYYY-MM-DD.
func Day(t time.Time) string { return t.Format(time.DateOnly) }

// CheckNext says whether ev may follow the recorded events (in order of
// their sequence), on today: the state machine of §1.3. Errors name the
// field ("type", "date" or "outcome").
func CheckNext(recorded []Event, ev Event, today time.Time) error {
	r := rank(ev.Type)
	if r < 0 {
		return errs.InvalidField("type", "validation.invalid_choice")
	}
	if ev.Date.IsZero() {
		return errs.InvalidField("date", "validation.required")
	}
	isJudgment := ev.Type == JudgmentFirst || ev.Type == FinalJudgment
	switch {
	case isJudgment && !contains(Outcomes, ev.Outcome):
		return errs.InvalidField("outcome", "justice.error.outcome_required")
	case !isJudgment && ev.Outcome != "":
		return errs.InvalidField("outcome", "justice.error.outcome_not_here")
	case ev.Detention && ev.Type != IndictmentFiled:
		return errs.InvalidField("detention", "justice.error.detention_not_here")
	}
	if Hearings[ev.Type] {
		if ev.Date.After(today.Add(MaxScheduleAhead)) {
			return errs.InvalidField("date", "justice.error.too_far_ahead")
		}
	} else if ev.Date.After(today) {
		return errs.InvalidField("date", "validation.date_future")
	}
	have := map[string]Event{}
	maxRank := -1
	for _, e := range recorded {
		if _, ok := have[e.Type]; !ok {
			have[e.Type] = e
		}
		if rank(e.Type) > maxRank {
			maxRank = rank(e.Type)
		}
	}
	if len(recorded) == 0 && ev.Type != CriminalReport {
		return errs.InvalidField("type", "justice.error.report_first")
	}
	if once[ev.Type] {
		if _, ok := have[ev.Type]; ok {
			return errs.InvalidField("type", "justice.error.already_recorded")
		}
	}
	if req := requires[ev.Type]; len(req) > 0 {
		found := false
		for _, t := range req {
			_, ok := have[t]
			found = found || ok
		}
		if !found {
			return errs.InvalidField("type", "justice.error.needs."+strings.ToLower(req[0]))
		}
	}
	if _, final := have[FinalJudgment]; final && ev.Type != ExtraordinaryRemedy {
		return errs.InvalidField("type", "justice.error.after_final")
	}
	if r < maxRank && !(r == rank(MainTrial) && maxRank <= rank(Appeal)) && !(ev.Type == JudgmentFirst && maxRank == rank(Appeal)) {
		// Out of order; a retrial after an appeal (main trial and a new
		// first-instance judgment) is the one way back.
		return errs.InvalidField("type", "justice.error.out_of_order")
	}
	// The date may not precede any event that must come before it.
	for _, e := range recorded {
		if rank(e.Type) < r && ev.Date.Before(e.Date) && !(rank(e.Type) == 1 && r <= 2) {
			return errs.InvalidField("date", "justice.error.date_before").With(map[string]any{"date": Day(e.Date)})
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Deadline states.
const (
	DeadlineOpen    = "open"    // not met, not yet due
	DeadlineOverdue = "overdue" // not met, past due
	DeadlineMet     = "met"     // met in time
	DeadlineLate    = "late"    // met after it was due
)

// Deadline is one legal deadline of a criminal case, computed from its
// events and the configuration in force on the triggering event's day.
type Deadline struct {
	Rule    Rule
	EventID string
	From    time.Time
	Due     time.Time
	MetAt   time.Time
	State   string
	// Hard: the rule is verified ([V]) and may raise a hard alert; every
	// other rule is a soft reminder, labelled unverified.
	Hard bool
}

// Deadlines computes the deadlines of a criminal case from its events
// (sorted by sequence) in jurisdiction j, on today.
func (c Config) Deadlines(j string, events []Event, today time.Time) []Deadline {
	sorted := append([]Event(nil), events...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].Seq < sorted[b].Seq })
	var out []Deadline
	for i, e := range sorted {
		for _, r := range c.RulesOn(j, Day(e.Date)) {
			if r.After != e.Type && r.RenewOn != e.Type {
				continue
			}
			if (r.IfDetention && !e.Detention) || (r.UnlessDetention && e.Detention) {
				continue
			}
			d := Deadline{Rule: r, EventID: e.ID, From: e.Date, Due: r.Due(e.Date), Hard: r.Marker.Hard()}
			for _, later := range sorted[i+1:] {
				if contains(r.MetBy, later.Type) && !later.Date.Before(e.Date) && !later.Date.After(today) {
					d.MetAt = later.Date
					break
				}
			}
			switch {
			case !d.MetAt.IsZero() && d.MetAt.After(d.Due):
				d.State = DeadlineLate
			case !d.MetAt.IsZero():
				d.State = DeadlineMet
			case today.After(d.Due):
				d.State = DeadlineOverdue
			default:
				d.State = DeadlineOpen
			}
			out = append(out, d)
		}
	}
	return out
}
