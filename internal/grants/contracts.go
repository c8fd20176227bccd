package grants

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Budget headings (PRAG Annex III).
var Headings = []string{"hr", "travel", "equipment", "local_office", "other_services", "other", "indirect"}

// Payment kinds.
var PaymentKinds = []string{"prefinancing", "interim", "balance"}

// Report states: due (not yet received), received, clarification
// (the office asked for more), approved, rejected.
var ReportStates = []string{"due", "received", "clarification", "approved", "rejected"}

// BudgetLine is one line of a contract's budget.
type BudgetLine struct {
	Heading     string `json:"heading"`
	Description string `json:"description"`
	Amount      int64  `json:"amount_cents"`
}

// Payment is one instalment of the payment schedule.
type Payment struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	DueOn  string `json:"due_on"`
	Amount int64  `json:"amount_cents"`
	PaidOn string `json:"paid_on,omitempty"`
}

// Report is one report of the reporting schedule.
type Report struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"` // interim | final
	PeriodEnd   string `json:"period_end"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	Narrative   string `json:"narrative,omitempty"`
	Spent       int64  `json:"spent_cents"`
	SubmittedAt string `json:"submitted_at,omitempty"`
	Overdue     bool   `json:"overdue"`
	DueSoon     bool   `json:"due_soon"`
}

// Indicator is a logframe indicator with its actual values.
type Indicator struct {
	ID       string         `json:"id"`
	Level    string         `json:"level"`
	Name     string         `json:"name"`
	Baseline int            `json:"baseline"`
	Target   int            `json:"target"`
	Actuals  map[string]int `json:"actuals"`
	Periods  []string       `json:"periods"`
}

// Amendment is a change of a contract's amount or end.
type Amendment struct {
	Reason    string    `json:"reason"`
	OldAmount int64     `json:"old_amount_cents"`
	NewAmount int64     `json:"new_amount_cents"`
	OldEnd    string    `json:"old_end_on"`
	NewEnd    string    `json:"new_end_on"`
	At        time.Time `json:"decided_at"`
}

// Contract is a grant contract with its schedules.
type Contract struct {
	ID                string       `json:"id"`
	ApplicationID     string       `json:"application"`
	Title             string       `json:"title"`
	CallRef           string       `json:"call_reference"`
	OrgID             string       `json:"organisation"`
	OrgName           string       `json:"organisation_name"`
	Number            string       `json:"number"`
	StartOn           string       `json:"start_on"`
	EndOn             string       `json:"end_on"`
	Amount            int64        `json:"amount_cents"`
	Cofinancing       int64        `json:"cofinancing_cents"`
	CoordinatorAbroad bool         `json:"coordinator_abroad"`
	Budget            []BudgetLine `json:"budget"`
	Payments          []Payment    `json:"payments"`
	Paid              int64        `json:"paid_cents"`
	Scheduled         int64        `json:"scheduled_cents"`
	Reports           []Report     `json:"reports"`
	Amendments        []Amendment  `json:"amendments"`
	Indicators        []*Indicator `json:"indicators"`
	Version           int          `json:"version"`
}

// ContractInput is a contract as the coordinator's office writes it.
type ContractInput struct {
	ApplicationID     string
	Number            string
	StartOn, EndOn    string
	Amount            string
	Cofinancing       string
	CoordinatorAbroad bool
	Budget            []struct{ Heading, Description, Amount string }
	Payments          []struct{ Kind, DueOn, Amount string }
}

// Schedule computes the reporting schedule by R3.3: an interim report for
// every full 12-month period before the end, due 60 days after the
// period's end; the final report due 3 months after the end (6 when the
// coordinator is not based in the action's country).
func Schedule(start, end string, abroad bool) []Report {
	s, _ := time.Parse("2006-01-02", start)
	e, _ := time.Parse("2006-01-02", end)
	var out []Report
	for k := 1; ; k++ {
		pe := s.AddDate(0, 12*k, -1)
		if !pe.Before(e) {
			break
		}
		out = append(out, Report{Kind: "interim", PeriodEnd: pe.Format("2006-01-02"), DueOn: pe.AddDate(0, 0, 60).Format("2006-01-02")})
	}
	m := 3
	if abroad {
		m = 6
	}
	out = append(out, Report{Kind: "final", PeriodEnd: end, DueOn: addMonths(e, m).Format("2006-01-02")})
	return out
}

// addMonths adds m calendar months, keeping to the last day of a shorter
// month (31 December + 6 months is 30 June, not 1 July).
func addMonths(t time.Time, m int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, m, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}

// CreateContract signs a contract for a selected (or reserve) application:
// the budget lines must add up to the total (grant plus co-financing), the
// payment schedule may not pay beyond the grant, and the reporting
// schedule is computed (R3.3). Nothing is stored unless all of it holds.
func (s *Service) CreateContract(ctx context.Context, actor access.Actor, in ContractInput) (*Contract, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	app, err := s.Application(ctx, actor, in.ApplicationID)
	if err != nil {
		return nil, err
	}
	if app.Status != AppSelected && app.Status != AppReserve {
		return nil, errs.E(errs.Invalid, "grants.not_selected")
	}
	if err := textField("number", &in.Number, 60, true); err != nil {
		return nil, err
	}
	if err := validDate("start_on", in.StartOn, true); err != nil {
		return nil, err
	}
	if err := validDate("end_on", in.EndOn, true); err != nil {
		return nil, err
	}
	if in.EndOn <= in.StartOn {
		return nil, errs.InvalidField("end_on", "validation.date_order")
	}
	amount, err := ParseEuro("amount", in.Amount, true)
	if err != nil {
		return nil, err
	}
	if amount == 0 {
		return nil, errs.InvalidField("amount", "grants.amount_positive")
	}
	if amount > app.Requested {
		return nil, errs.InvalidField("amount", "grants.amount_above_requested").With(map[string]any{"max": Euro(app.Requested)})
	}
	cofin, err := ParseEuro("cofinancing", in.Cofinancing, false)
	if err != nil {
		return nil, err
	}
	var lines []BudgetLine
	var sum int64
	for i, b := range in.Budget {
		f := "budget-" + strconv.Itoa(i+1)
		if b.Heading == "" && b.Description == "" && b.Amount == "" {
			continue
		}
		if !contains(Headings, b.Heading) {
			return nil, errs.InvalidField(f+"-heading", "validation.invalid_choice")
		}
		if err := textField(f+"-description", &b.Description, 300, true); err != nil {
			return nil, err
		}
		a, err := ParseEuro(f+"-amount", b.Amount, true)
		if err != nil {
			return nil, err
		}
		lines = append(lines, BudgetLine{Heading: b.Heading, Description: b.Description, Amount: a})
		sum += a
	}
	if len(lines) == 0 {
		return nil, errs.InvalidField("budget-1-heading", "grants.budget_required")
	}
	if sum != amount+cofin {
		return nil, errs.InvalidField("budget", "grants.budget_sum").With(map[string]any{"sum": Euro(sum), "total": Euro(amount + cofin)})
	}
	var pays []Payment
	var scheduled int64
	for i, p := range in.Payments {
		f := "payment-" + strconv.Itoa(i+1)
		if p.Kind == "" && p.DueOn == "" && p.Amount == "" {
			continue
		}
		if !contains(PaymentKinds, p.Kind) {
			return nil, errs.InvalidField(f+"-kind", "validation.invalid_choice")
		}
		if err := validDate(f+"-due", p.DueOn, true); err != nil {
			return nil, err
		}
		a, err := ParseEuro(f+"-amount", p.Amount, true)
		if err != nil {
			return nil, err
		}
		if a == 0 {
			return nil, errs.InvalidField(f+"-amount", "grants.amount_positive")
		}
		scheduled += a
		if scheduled > amount {
			return nil, errs.InvalidField(f+"-amount", "grants.payment_beyond").With(map[string]any{"amount": Euro(amount)})
		}
		pays = append(pays, Payment{ID: store.NewID(), Kind: p.Kind, DueOn: p.DueOn, Amount: a})
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_contracts WHERE application_id = $1`, app.ID).Scan(&n); err != nil {
			return errs.Internalf("read contracts: %w", err)
		}
		if n > 0 {
			return errs.E(errs.Conflict, "grants.contract_exists")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO grant_contracts (id, application_id, org_id, number, start_on, end_on,
			amount_cents, cofinancing_cents, coordinator_abroad, signed_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
			$9, $10, $11)`, id, app.ID, app.OrgID, in.Number, in.StartOn, in.EndOn, amount, cofin, store.Bool(in.CoordinatorAbroad),
			store.FormatTime(tx.Now), actor.UserID)
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("number", "grants.number_taken")
		}
		if err != nil {
			return errs.Internalf("insert contract: %w", err)
		}
		for i, b := range lines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_budget_lines (contract_id, pos, heading, description, amount_cents)
				VALUES ($1, $2, $3, $4, $5)`, id, i, b.Heading, b.Description, b.Amount); err != nil {
				return errs.Internalf("insert budget line: %w", err)
			}
		}
		for _, p := range pays {
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_payments (id, contract_id, kind, due_on, amount_cents)
				VALUES ($1, $2, $3, $4, $5)`, p.ID, id, p.Kind, p.DueOn, p.Amount); err != nil {
				return errs.Internalf("insert payment: %w", err)
			}
		}
		for _, r := range Schedule(in.StartOn, in.EndOn, in.CoordinatorAbroad) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_reports (id, contract_id, kind, period_end, due_on, status)
				VALUES ($1, $2, $3, $4, $5, 'due')`, store.NewID(), id, r.Kind, r.PeriodEnd, r.DueOn); err != nil {
				return errs.Internalf("insert report: %w", err)
			}
		}
		return record(ctx, tx, actor, "grant.contract", "grant_contract", id, "application="+app.ID)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Contract(ctx, actor, id)
}

// AddPayment adds an instalment; the schedule may never exceed the grant.
func (s *Service) AddPayment(ctx context.Context, actor access.Actor, contractID, kind, dueOn, amount string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if !contains(PaymentKinds, kind) {
		return errs.InvalidField("kind", "validation.invalid_choice")
	}
	if err := validDate("due_on", dueOn, true); err != nil {
		return err
	}
	a, err := ParseEuro("amount", amount, true)
	if err != nil {
		return err
	}
	if a == 0 {
		return errs.InvalidField("amount", "grants.amount_positive")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var total, sched int64
		err := tx.QueryRowContext(ctx, `SELECT amount_cents, (SELECT COALESCE(SUM(p.amount_cents), 0) FROM grant_payments p
			WHERE p.contract_id = c.id) FROM grant_contracts c WHERE c.id = $1`+tx.ForUpdate(), contractID).Scan(&total, &sched)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read contract: %w", err)
		}
		if sched+a > total {
			return errs.InvalidField("amount", "grants.payment_beyond").With(map[string]any{"amount": Euro(total)})
		}
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_payments (id, contract_id, kind, due_on, amount_cents)
			VALUES ($1, $2, $3, $4, $5)`, id, contractID, kind, dueOn, a); err != nil {
			return errs.Internalf("insert payment: %w", err)
		}
		return record(ctx, tx, actor, "grant.payment", "grant_contract", contractID, "payment="+id)
	}))
}

// MarkPaid records that an instalment was paid on a day.
func (s *Service) MarkPaid(ctx context.Context, actor access.Actor, contractID, paymentID, paidOn string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if err := validDate("paid_on", paidOn, true); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE grant_payments SET paid_on = $1 WHERE id = $2 AND contract_id = $3 AND paid_on = ''`,
			paidOn, paymentID, contractID)
		if err != nil {
			return errs.Internalf("mark paid: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound
		}
		return record(ctx, tx, actor, "grant.paid", "grant_contract", contractID, "payment="+paymentID)
	}))
}

// SubmitReport is the provider's narrative and financial report for one
// period of the schedule (due or asked for clarification).
func (s *Service) SubmitReport(ctx context.Context, actor access.Actor, contractID, reportID, narrative, spent string) error {
	if err := access.Check(actor, access.GrantApply); err != nil {
		return err
	}
	if err := textField("narrative", &narrative, 20000, true); err != nil {
		return err
	}
	sp, err := ParseEuro("spent", spent, true)
	if err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var org, st string
		var amount, cofin int64
		err := tx.QueryRowContext(ctx, `SELECT c.org_id, r.status, c.amount_cents, c.cofinancing_cents FROM grant_reports r
			JOIN grant_contracts c ON c.id = r.contract_id WHERE r.id = $1 AND r.contract_id = $2`, reportID, contractID).
			Scan(&org, &st, &amount, &cofin)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && org != actor.OrgID) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read report: %w", err)
		}
		if st != "due" && st != "clarification" {
			return errs.E(errs.Conflict, "grants.report_not_due")
		}
		if sp > amount+cofin {
			return errs.InvalidField("spent", "grants.spent_beyond")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_reports SET status = 'received', narrative = $1, spent_cents = $2,
			submitted_at = $3 WHERE id = $4`, narrative, sp, store.FormatTime(tx.Now), reportID); err != nil {
			return errs.Internalf("submit report: %w", err)
		}
		return record(ctx, tx, actor, "grant.report_submit", "grant_contract", contractID, "report="+reportID)
	}))
}

// ReviewReport records the office's review of a received report:
// approved, rejected or clarification (asked for more).
func (s *Service) ReviewReport(ctx context.Context, actor access.Actor, contractID, reportID, status string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if status != "approved" && status != "rejected" && status != "clarification" {
		return errs.InvalidField("status", "validation.invalid_choice")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE grant_reports SET status = $1, reviewed_at = $2 WHERE id = $3 AND contract_id = $4
			AND status = 'received'`, status, store.FormatTime(tx.Now), reportID, contractID)
		if err != nil {
			return errs.Internalf("review report: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "grants.report_not_received")
		}
		return record(ctx, tx, actor, "grant.report_review", "grant_contract", contractID, "status="+status)
	}))
}

// Amend changes a contract's amount or end date with a reason. The amount
// may not fall below what the payment schedule already holds; the
// reporting schedule's final report moves with the end.
func (s *Service) Amend(ctx context.Context, actor access.Actor, contractID, reason, amount, endOn string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if err := textField("reason", &reason, 2000, true); err != nil {
		return err
	}
	newAmount, err := ParseEuro("amount", amount, false)
	if err != nil {
		return err
	}
	if err := validDate("end_on", endOn, false); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var old int64
		var start, end string
		var abroad int
		var sched int64
		err := tx.QueryRowContext(ctx, `SELECT amount_cents, start_on, end_on, coordinator_abroad, (SELECT COALESCE(SUM(p.amount_cents), 0)
			FROM grant_payments p WHERE p.contract_id = c.id) FROM grant_contracts c WHERE c.id = $1`+tx.ForUpdate(), contractID).
			Scan(&old, &start, &end, &abroad, &sched)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read contract: %w", err)
		}
		if newAmount == 0 {
			newAmount = old
		}
		if endOn == "" {
			endOn = end
		}
		if newAmount == old && endOn == end {
			return errs.InvalidField("amount", "grants.amendment_empty")
		}
		if newAmount < sched {
			return errs.InvalidField("amount", "grants.amount_below_payments").With(map[string]any{"amount": Euro(sched)})
		}
		if endOn <= start {
			return errs.InvalidField("end_on", "validation.date_order")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_amendments (id, contract_id, reason, old_amount_cents, new_amount_cents,
			old_end_on, new_end_on, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, store.NewID(), contractID,
			reason, old, newAmount, end, endOn, actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert amendment: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_contracts SET amount_cents = $1, end_on = $2, version = version + 1
			WHERE id = $3`, newAmount, endOn, contractID); err != nil {
			return errs.Internalf("amend: %w", err)
		}
		if endOn != end {
			// The schedule follows the new end: reports not yet received are recomputed.
			if _, err := tx.ExecContext(ctx, `DELETE FROM grant_reports WHERE contract_id = $1 AND status = 'due'`, contractID); err != nil {
				return errs.Internalf("reschedule: %w", err)
			}
			kept := map[string]bool{}
			rows, err := tx.QueryContext(ctx, `SELECT kind, period_end FROM grant_reports WHERE contract_id = $1`, contractID)
			if err != nil {
				return errs.Internalf("reschedule: %w", err)
			}
			for rows.Next() {
				var k, p string
				if err := rows.Scan(&k, &p); err != nil {
					rows.Close()
					return errs.Internalf("reschedule: %w", err)
				}
				kept[k+p] = true
			}
			rows.Close()
			for _, r := range Schedule(start, endOn, abroad == 1) {
				if kept[r.Kind+r.PeriodEnd] {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO grant_reports (id, contract_id, kind, period_end, due_on, status)
					VALUES ($1, $2, $3, $4, $5, 'due')`, store.NewID(), contractID, r.Kind, r.PeriodEnd, r.DueOn); err != nil {
					return errs.Internalf("reschedule: %w", err)
				}
			}
		}
		return record(ctx, tx, actor, "grant.amend", "grant_contract", contractID, "")
	}))
}

// Indicator levels.
var Levels = []string{"impact", "outcome", "output"}

// AddIndicator adds a logframe indicator to a contract.
func (s *Service) AddIndicator(ctx context.Context, actor access.Actor, contractID, level, name, baseline, target string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if !contains(Levels, level) {
		return errs.InvalidField("level", "validation.invalid_choice")
	}
	if err := textField("name", &name, 300, true); err != nil {
		return err
	}
	b, err := strconv.Atoi(baseline)
	if baseline == "" {
		b, err = 0, nil
	}
	if err != nil || b < 0 {
		return errs.InvalidField("baseline", "grants.count_invalid")
	}
	t, err := strconv.Atoi(target)
	if err != nil || t < 0 {
		return errs.InvalidField("target", "grants.count_invalid")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_indicators WHERE contract_id = $1`, contractID).Scan(&n); err != nil {
			return errs.Internalf("read indicators: %w", err)
		}
		var c int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_contracts WHERE id = $1`, contractID).Scan(&c); err != nil || c == 0 {
			return errNotFound
		}
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_indicators (id, contract_id, level, name, baseline, target, pos)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, contractID, level, name, b, t, n); err != nil {
			return errs.Internalf("insert indicator: %w", err)
		}
		return record(ctx, tx, actor, "grant.indicator", "grant_contract", contractID, "indicator="+id)
	}))
}

// RecordActual records an indicator's actual value for a period (YYYY-MM):
// the provider of the contract or the coordinator's office.
func (s *Service) RecordActual(ctx context.Context, actor access.Actor, contractID, indicatorID, period, actual string) error {
	if !access.Can(actor, access.GrantApply) && !access.Can(actor, access.GrantManage) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	if _, err := time.Parse("2006-01", period); err != nil {
		return errs.InvalidField("period", "validation.date")
	}
	v, err := strconv.Atoi(actual)
	if err != nil || v < 0 {
		return errs.InvalidField("actual", "grants.count_invalid")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT c.org_id FROM grant_indicators i JOIN grant_contracts c ON c.id = i.contract_id
			WHERE i.id = $1 AND c.id = $2`, indicatorID, contractID).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read indicator: %w", err)
		}
		if access.CheckOrg(actor, access.GrantView, org) != nil {
			return errNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_indicator_values (indicator_id, period, actual, recorded_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (indicator_id, period) DO UPDATE SET actual = excluded.actual,
			recorded_at = excluded.recorded_at`, indicatorID, period, v, store.T(tx.Now)); err != nil {
			return errs.Internalf("record actual: %w", err)
		}
		return record(ctx, tx, actor, "grant.actual", "grant_contract", contractID, "indicator="+indicatorID)
	}))
}
