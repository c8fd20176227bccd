package exchange

import (
	"context"
	"sort"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// requestTypes are the messages that wait for an answer, by the type that
// answers them.
var requestTypes = map[string]string{"identity_request": "identity_reply", "assessment_request": "assessment_report",
	"return_plan": "return_plan_answer", "person_query": "person_answer"}

// MonitoringMonths are the agreed intervals of post-return monitoring
// reports, in months after the handover.
var MonitoringMonths = []int{3, 6, 12}

// Dashboard is the contact point's picture of the exchange.
type Dashboard struct {
	// OpenRequests are requests partners sent that this instance has not answered.
	OpenRequests []*Message
	// Overdue are requests this instance sent, past their due date, unanswered.
	Overdue []*Message
	// Returns are return plans both sides agreed.
	Returns []Return
	// Monitoring are monitoring reports due (or overdue) within the next month.
	Monitoring []MonitoringDue
	// Recent are the latest messages, both directions.
	Recent []*Message
	// Counts by direction and state ("out.queued", …).
	Counts map[string]int
}

// Return is an agreed return plan.
type Return struct {
	Country, XRef, CaseID, Crossing, Organisation string
	Date                                          time.Time
	Direction                                     string
}

// MonitoringDue is a monitoring report due after a handover.
type MonitoringDue struct {
	Country, XRef, CaseID string
	Months                int
	Due                   time.Time
	Overdue               bool
	// Direction "out": this instance handed over and waits for the report;
	// "in": the partner handed over and this instance reports.
	Direction string
}

// Dashboard builds the contact point's dashboard at now.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor, now time.Time) (*Dashboard, error) {
	d := &Dashboard{}
	q := s.DB.Read()
	reqs, err := listTypes(ctx, q, []string{"identity_request", "assessment_request", "return_plan", "person_query"}, 500)
	if err != nil {
		return nil, errs.Internalf("dashboard: %w", err)
	}
	for _, r := range reqs {
		switch {
		case r.Direction == "in" && r.State == StateReceived:
			d.OpenRequests = append(d.OpenRequests, r.message())
		case r.Direction == "out" && (r.State == StateQueued || r.State == StateDelivered) && r.DueAt.Valid && r.DueAt.Time.Before(now):
			d.Overdue = append(d.Overdue, r.message())
		}
	}
	// Agreed return plans.
	answers, err := listTypes(ctx, q, []string{"return_plan_answer"}, 500)
	if err != nil {
		return nil, errs.Internalf("dashboard: %w", err)
	}
	for _, a := range answers {
		b, err := s.openBody(ctx, q, a)
		if err != nil || b["agreed"] != true {
			continue
		}
		// The plan is in the other direction from its answer.
		planDir := "out"
		if a.Direction == "out" {
			planDir = "in"
		}
		plan, err := getMsg(ctx, q, planDir, a.ReplyTo)
		if err != nil || plan == nil {
			continue
		}
		pb, err := s.openBody(ctx, q, plan)
		if err != nil {
			continue
		}
		date, _ := time.Parse(time.DateOnly, str(pb["date"]))
		d.Returns = append(d.Returns, Return{Country: plan.Peer, XRef: plan.XRef, CaseID: plan.CaseID, Crossing: str(pb["crossing"]),
			Organisation: str(pb["receiving_organisation"]), Date: date, Direction: plan.Direction})
	}
	sort.Slice(d.Returns, func(i, j int) bool { return d.Returns[i].Date.Before(d.Returns[j].Date) })
	// Monitoring due after each handover.
	handovers, err := listTypes(ctx, q, []string{"handover", "monitoring_report"}, 1000)
	if err != nil {
		return nil, errs.Internalf("dashboard: %w", err)
	}
	reported := map[string]map[int]bool{}
	for _, r := range handovers {
		if r.Type != "monitoring_report" || r.State == StateRejected {
			continue
		}
		b, err := s.openBody(ctx, q, r)
		if err != nil {
			continue
		}
		if reported[r.XRef] == nil {
			reported[r.XRef] = map[int]bool{}
		}
		if n, err := num(b["months"]); err == nil {
			reported[r.XRef][n] = true
		}
	}
	for _, r := range handovers {
		if r.Type != "handover" || r.State == StateRejected {
			continue
		}
		b, err := s.openBody(ctx, q, r)
		if err != nil {
			continue
		}
		on, err := time.Parse(time.DateOnly, str(b["handed_over_on"]))
		if err != nil {
			continue
		}
		for _, m := range MonitoringMonths {
			due := on.AddDate(0, m, 0)
			if reported[r.XRef][m] || due.After(now.AddDate(0, 1, 0)) {
				continue
			}
			d.Monitoring = append(d.Monitoring, MonitoringDue{Country: r.Peer, XRef: r.XRef, CaseID: r.CaseID, Months: m, Due: due,
				Overdue: due.Before(now), Direction: r.Direction})
		}
	}
	sort.Slice(d.Monitoring, func(i, j int) bool { return d.Monitoring[i].Due.Before(d.Monitoring[j].Due) })
	if d.Recent, err = s.List(ctx, actor, "", 20); err != nil {
		return nil, err
	}
	if d.Counts, err = s.Counts(ctx); err != nil {
		return nil, errs.Internalf("dashboard: %w", err)
	}
	return d, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) (int, error) {
	switch x := v.(type) {
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return int(n), err
	case float64:
		return int(x), nil
	}
	return 0, errs.Internalf("not a number")
}
