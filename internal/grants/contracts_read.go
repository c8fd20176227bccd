package grants

import (
	"context"
	"sort"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// ReminderDays is how long before its due date a report is listed among
// the reminders.
const ReminderDays = 30

func (s *Service) contracts(ctx context.Context, q store.Querier, where string, args ...any) ([]*Contract, error) {
	rows, err := q.QueryContext(ctx, `SELECT k.id, k.application_id, a.title, c.reference, k.org_id, k.number, k.start_on, k.end_on,
		k.amount_cents, k.cofinancing_cents, k.coordinator_abroad, k.version FROM grant_contracts k
		JOIN grant_applications a ON a.id = k.application_id JOIN grant_calls c ON c.id = a.call_id
		WHERE `+where+` ORDER BY k.start_on DESC, k.number`, args...)
	if err != nil {
		return nil, errs.Internalf("read contracts: %w", err)
	}
	defer rows.Close()
	var out []*Contract
	var ids []string
	for rows.Next() {
		k := &Contract{}
		var abroad int
		if err := rows.Scan(&k.ID, &k.ApplicationID, &k.Title, &k.CallRef, &k.OrgID, &k.Number, &k.StartOn, &k.EndOn, &k.Amount,
			&k.Cofinancing, &abroad, &k.Version); err != nil {
			return nil, errs.Internalf("read contracts: %w", err)
		}
		k.CoordinatorAbroad = abroad == 1
		out = append(out, k)
		ids = append(ids, k.OrgID)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read contracts: %w", err)
	}
	rows.Close()
	names, err := orgNames(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, k := range out {
		k.OrgName = names[k.OrgID]
	}
	return out, nil
}

// Contracts lists the contracts the actor may see with their reporting
// schedules: every one for the coordinator's office, its own for a provider.
func (s *Service) Contracts(ctx context.Context, actor access.Actor) ([]*Contract, error) {
	var ks []*Contract
	var err error
	switch access.ScopeOf(actor, access.GrantView) {
	case access.All:
		ks, err = s.contracts(ctx, s.DB.Read(), `1 = 1`)
	case access.Org:
		ks, err = s.contracts(ctx, s.DB.Read(), `k.org_id = $1`, actor.OrgID)
	default:
		if !access.Can(actor, access.GrantFigures) {
			return nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		// A funder: the numbers and periods of the contracts of the calls
		// it funds, for choosing a report.
		ks, err = s.contracts(ctx, s.DB.Read(), fundedBy("1"), actor.UserID)
		return ks, err
	}
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if err := s.details(ctx, k, false); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Contract returns one contract with its budget, payments, reports,
// amendments and indicators.
func (s *Service) Contract(ctx context.Context, actor access.Actor, id string) (*Contract, error) {
	if err := access.Check(actor, access.GrantView); err != nil {
		return nil, err
	}
	ks, err := s.contracts(ctx, s.DB.Read(), `k.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 || access.CheckOrg(actor, access.GrantView, ks[0].OrgID) != nil {
		return nil, errNotFound
	}
	return ks[0], s.details(ctx, ks[0], true)
}

func (s *Service) details(ctx context.Context, k *Contract, all bool) error {
	q := s.DB.Read()
	today := day(s.Clock.Now())
	soon := day(s.Clock.Now().AddDate(0, 0, ReminderDays))
	rows, err := q.QueryContext(ctx, `SELECT id, kind, period_end, due_on, status, narrative, spent_cents, submitted_at
		FROM grant_reports WHERE contract_id = $1 ORDER BY due_on, kind`, k.ID)
	if err != nil {
		return errs.Internalf("read reports: %w", err)
	}
	for rows.Next() {
		var r Report
		if err := rows.Scan(&r.ID, &r.Kind, &r.PeriodEnd, &r.DueOn, &r.Status, &r.Narrative, &r.Spent, &r.SubmittedAt); err != nil {
			rows.Close()
			return errs.Internalf("read reports: %w", err)
		}
		open := r.Status == "due" || r.Status == "clarification"
		r.Overdue = open && r.DueOn < today
		r.DueSoon = open && !r.Overdue && r.DueOn <= soon
		k.Reports = append(k.Reports, r)
	}
	rows.Close()
	prow, err := q.QueryContext(ctx, `SELECT id, kind, due_on, amount_cents, paid_on FROM grant_payments WHERE contract_id = $1
		ORDER BY due_on, id`, k.ID)
	if err != nil {
		return errs.Internalf("read payments: %w", err)
	}
	for prow.Next() {
		var p Payment
		if err := prow.Scan(&p.ID, &p.Kind, &p.DueOn, &p.Amount, &p.PaidOn); err != nil {
			prow.Close()
			return errs.Internalf("read payments: %w", err)
		}
		k.Scheduled += p.Amount
		if p.PaidOn != "" {
			k.Paid += p.Amount
		}
		k.Payments = append(k.Payments, p)
	}
	prow.Close()
	if !all {
		return nil
	}
	brow, err := q.QueryContext(ctx, `SELECT heading, description, amount_cents FROM grant_budget_lines WHERE contract_id = $1
		ORDER BY pos`, k.ID)
	if err != nil {
		return errs.Internalf("read budget: %w", err)
	}
	for brow.Next() {
		var b BudgetLine
		if err := brow.Scan(&b.Heading, &b.Description, &b.Amount); err != nil {
			brow.Close()
			return errs.Internalf("read budget: %w", err)
		}
		k.Budget = append(k.Budget, b)
	}
	brow.Close()
	arow, err := q.QueryContext(ctx, `SELECT reason, old_amount_cents, new_amount_cents, old_end_on, new_end_on, decided_at
		FROM grant_amendments WHERE contract_id = $1 ORDER BY decided_at`, k.ID)
	if err != nil {
		return errs.Internalf("read amendments: %w", err)
	}
	for arow.Next() {
		var a Amendment
		var at store.Time
		if err := arow.Scan(&a.Reason, &a.OldAmount, &a.NewAmount, &a.OldEnd, &a.NewEnd, &at); err != nil {
			arow.Close()
			return errs.Internalf("read amendments: %w", err)
		}
		a.At = at.Time
		k.Amendments = append(k.Amendments, a)
	}
	arow.Close()
	irow, err := q.QueryContext(ctx, `SELECT i.id, i.level, i.name, i.baseline, i.target, COALESCE(v.period, ''), COALESCE(v.actual, 0)
		FROM grant_indicators i LEFT JOIN grant_indicator_values v ON v.indicator_id = i.id WHERE i.contract_id = $1
		ORDER BY i.pos, v.period`, k.ID)
	if err != nil {
		return errs.Internalf("read indicators: %w", err)
	}
	defer irow.Close()
	byID := map[string]*Indicator{}
	for irow.Next() {
		var id, level, name, period string
		var base, target, actual int
		if err := irow.Scan(&id, &level, &name, &base, &target, &period, &actual); err != nil {
			return errs.Internalf("read indicators: %w", err)
		}
		in := byID[id]
		if in == nil {
			in = &Indicator{ID: id, Level: level, Name: name, Baseline: base, Target: target, Actuals: map[string]int{}}
			byID[id] = in
			k.Indicators = append(k.Indicators, in)
		}
		if period != "" {
			in.Actuals[period] = actual
			in.Periods = append(in.Periods, period)
		}
	}
	return wrap(irow.Err())
}

// ReportReminder is a report due soon or overdue.
type ReportReminder struct {
	ContractID string `json:"contract"`
	Number     string `json:"number"`
	OrgName    string `json:"organisation_name"`
	Report     Report `json:"report"`
}

// Reminders lists the reports due within ReminderDays or overdue, of the
// contracts the actor may see, soonest first.
func (s *Service) Reminders(ctx context.Context, actor access.Actor) ([]ReportReminder, error) {
	sc := access.ScopeOf(actor, access.GrantView)
	if sc != access.All && sc != access.Org {
		return nil, nil
	}
	ks, err := s.Contracts(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []ReportReminder
	for _, k := range ks {
		for _, r := range k.Reports {
			if r.Overdue || r.DueSoon {
				out = append(out, ReportReminder{ContractID: k.ID, Number: k.Number, OrgName: k.OrgName, Report: r})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Report.DueOn < out[j].Report.DueOn })
	return out, nil
}
