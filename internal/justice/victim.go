package justice

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// VictimInput records one fact about a linked victim in the proceedings;
// which fields apply depends on Kind (see the Kind constants).
type VictimInput struct {
	CaseID          string `json:"case_id"`
	Kind            string `json:"kind"`
	Code            string `json:"code,omitempty"`
	Status          string `json:"status,omitempty"`
	Lang            string `json:"lang,omitempty"`
	Date            string `json:"date"`
	EventID         string `json:"event_id,omitempty"`
	Present         bool   `json:"present,omitempty"`
	AdvocatePresent bool   `json:"advocate_present,omitempty"`
	Testified       bool   `json:"testified,omitempty"`
	ClaimedEUR      int    `json:"claimed_eur,omitempty"`
	AwardedEUR      int    `json:"awarded_eur,omitempty"`
	Decided         string `json:"decided,omitempty"`
}

// MaxClaimEUR bounds a compensation amount.
const MaxClaimEUR = 100_000_000

func choice(field, v string, list []string) error {
	if v == "" {
		return errs.InvalidField(field, "validation.required")
	}
	if !contains(list, v) {
		return errs.InvalidField(field, "validation.invalid_choice")
	}
	return nil
}

// RecordVictim records a fact about the victim of a linked victim case:
// rights information given, presence at a hearing (with the advocate, and
// whether the victim testified: the advocate and the shelter are reminded of
// the date, without any criminal detail), a protective measure, a
// witness-protection referral, a non-punishment assessment, a compensation
// claim (the state programme's filing deadline is computed as a warning).
func (s *Service) RecordVictim(ctx context.Context, actor access.Actor, id string, in VictimInput) (string, error) {
	if err := access.Check(actor, access.JusticeVictim); err != nil {
		return "", err
	}
	v := VictimRecord{ID: store.NewID(), CaseID: strings.TrimSpace(in.CaseID), Kind: in.Kind, Code: strings.TrimSpace(in.Code),
		Status: strings.TrimSpace(in.Status), Lang: strings.TrimSpace(in.Lang), EventID: in.EventID, Present: in.Present,
		AdvocatePresent: in.AdvocatePresent}
	if err := choice("kind", v.Kind, VictimKinds); err != nil {
		return "", err
	}
	day, err := parseDay("date", in.Date)
	if err != nil {
		return "", err
	}
	v.Date = day
	today := s.today()
	if v.Kind != KindHearing && day.After(today) {
		return "", errs.InvalidField("date", "validation.date_future")
	}
	switch v.Kind {
	case KindRights:
		if err := choice("code", v.Code, InfoTypes); err != nil {
			return "", err
		}
		if err := choice("lang", v.Lang, Languages); err != nil {
			return "", err
		}
		v.Status = ""
	case KindHearing:
		if in.Testified {
			v.Code = "TESTIFIED"
		} else {
			v.Code = ""
		}
		v.Status = ""
	case KindMeasure:
		if err := choice("code", v.Code, Measures); err != nil {
			return "", err
		}
		if err := choice("status", v.Status, MeasureStatuses); err != nil {
			return "", err
		}
	case KindWitnessProt:
		v.Code = ""
		if err := choice("status", v.Status, WitnessStatuses); err != nil {
			return "", err
		}
	case KindNonPunish:
		if err := choice("code", v.Code, AllegedOffences); err != nil {
			return "", err
		}
		if err := choice("status", v.Status, NonPunishDecisions); err != nil {
			return "", err
		}
	case KindCompensation:
		if err := choice("code", v.Code, CompensationRoutes); err != nil {
			return "", err
		}
		if err := choice("status", v.Status, CompensationOutcome); err != nil {
			return "", err
		}
		if in.ClaimedEUR <= 0 || in.ClaimedEUR > MaxClaimEUR {
			return "", errs.InvalidField("claimed_eur", "justice.error.amount")
		}
		if in.AwardedEUR < 0 || in.AwardedEUR > in.ClaimedEUR {
			return "", errs.InvalidField("awarded_eur", "justice.error.awarded")
		}
		awarded := v.Status == "AWARDED" || v.Status == "PARTLY_AWARDED" || v.Status == "PAID"
		if awarded != (in.AwardedEUR > 0) {
			return "", errs.InvalidField("awarded_eur", "justice.error.awarded")
		}
		v.ClaimedEUR, v.AwardedEUR = in.ClaimedEUR, in.AwardedEUR
	}
	if v.Kind == KindNonPunish || v.Kind == KindCompensation {
		if strings.TrimSpace(in.Decided) != "" {
			if v.Decided, err = parseDay("decided", in.Decided); err != nil {
				return "", err
			}
			if v.Decided.Before(day) || v.Decided.After(today) {
				return "", errs.InvalidField("decided", "justice.error.decided_date")
			}
		}
	}
	if v.Kind != KindHearing && v.Kind != KindMeasure {
		v.EventID = ""
	}
	err = s.write(ctx, actor, id, access.JusticeVictim, func(tx *store.Tx, h *header) error {
		vids, err := victimIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		if !contains(vids, v.CaseID) {
			return errs.InvalidField("case_id", "justice.error.victim_not_linked")
		}
		if v.EventID != "" || v.Kind == KindHearing {
			events, err := loadEvents(ctx, tx, id)
			if err != nil {
				return err
			}
			var ev *Event
			for i := range events {
				if events[i].ID == v.EventID && Hearings[events[i].Type] {
					ev = &events[i]
				}
			}
			if ev == nil {
				return errs.InvalidField("event_id", "justice.error.hearing_unknown")
			}
			if v.Kind == KindHearing {
				v.Date = ev.Date
			}
		}
		if v.Kind == KindCompensation && v.Code == "STATE" {
			comp := s.cfg()[h.Jurisdiction].Compensation
			if comp.StateFilingMonths > 0 {
				od, _ := time.Parse(time.DateOnly, h.OffenceDate)
				v.Due = od.AddDate(0, comp.StateFilingMonths, 0)
			}
		}
		if err := insertVictimRecord(ctx, tx, id, v, actor.UserID); err != nil {
			return err
		}
		if v.Kind == KindHearing && v.Code == "TESTIFIED" && s.Reminders != nil && !v.Date.Before(today) {
			if err := s.Reminders.TestimonyReminder(ctx, tx, v.CaseID, v.Date); err != nil {
				return err
			}
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.victim", id, "kind="+v.Kind)
	})
	if err != nil {
		return "", err
	}
	return v.ID, nil
}

// Summary is a criminal case in a list: no defendant, no victim.
type Summary struct {
	ID          string
	OffenceCode string
	OffenceDate time.Time
	Stage       string
	Status      string
	References  []Reference
	NextHearing time.Time
	Deadlines   []Deadline // open or overdue
}

// ForVictimCase lists the criminal cases linked to a victim case that the
// actor may see, for the section on the victim case page. Roles without
// justice.view (shelter, NGO, helpline) get nothing, not even a count.
func (s *Service) ForVictimCase(ctx context.Context, actor access.Actor, caseID string) ([]*CriminalCase, error) {
	if !access.Can(actor, access.JusticeView) {
		return nil, nil
	}
	q := s.DB.Read()
	ids, err := criminalCasesOf(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	var out []*CriminalCase
	for _, id := range ids {
		g, err := s.authorize(ctx, q, actor, id, access.JusticeView)
		if err != nil {
			continue
		}
		cc, err := s.load(ctx, q, actor, g.h, false)
		if err != nil {
			return nil, err
		}
		out = append(out, cc)
	}
	return out, nil
}

// Dashboard is the prosecutor's dashboard.
type Dashboard struct {
	Hearings  []DashboardItem // upcoming hearings, soonest first
	Reviews   []DashboardItem // investigations due for their three-monthly review
	Deadlines []DashboardItem // other open or overdue deadlines, soonest first
	Cases     []*Summary
}

// DashboardItem is one line of the dashboard.
type DashboardItem struct {
	Case     *Summary
	Type     string // event type or rule id
	Date     time.Time
	Deadline *Deadline
}

// Dashboard gathers the open criminal cases of the actor's organisation.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor) (*Dashboard, error) {
	if err := access.Check(actor, access.JusticeDashboard); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	ids, err := casesOfOrg(ctx, q, actor.OrgID)
	if err != nil {
		return nil, err
	}
	today := s.today()
	d := &Dashboard{}
	for _, id := range ids {
		h, err := loadHeader(ctx, q, id)
		if err != nil {
			return nil, err
		}
		sum := &Summary{ID: h.ID, OffenceCode: h.OffenceCode, Stage: h.Stage, Status: h.Status}
		sum.OffenceDate, _ = time.Parse(time.DateOnly, h.OffenceDate)
		if sum.References, err = loadRefs(ctx, q, id); err != nil {
			return nil, err
		}
		events, err := loadEvents(ctx, q, id)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if Hearings[e.Type] && !e.Date.Before(today) {
				d.Hearings = append(d.Hearings, DashboardItem{Case: sum, Type: e.Type, Date: e.Date})
				if sum.NextHearing.IsZero() || e.Date.Before(sum.NextHearing) {
					sum.NextHearing = e.Date
				}
			}
		}
		for _, dl := range s.cfg().Deadlines(h.Jurisdiction, events, today) {
			if dl.State != DeadlineOpen && dl.State != DeadlineOverdue {
				continue
			}
			dl := dl
			sum.Deadlines = append(sum.Deadlines, dl)
			item := DashboardItem{Case: sum, Type: dl.Rule.ID, Date: dl.Due, Deadline: &dl}
			if dl.Rule.ID == "investigation_review" {
				d.Reviews = append(d.Reviews, item)
			} else {
				d.Deadlines = append(d.Deadlines, item)
			}
		}
		d.Cases = append(d.Cases, sum)
	}
	for _, l := range [][]DashboardItem{d.Hearings, d.Reviews, d.Deadlines} {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Date.Before(l[j].Date) })
	}
	return d, nil
}
