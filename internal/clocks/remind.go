package clocks

import (
	"context"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// RemindResult counts what one Remind run did.
type RemindResult struct {
	Reminded  int // tasks newly coming due (within Config.RemindBefore)
	Escalated int // tasks newly overdue
}

// remindBatch bounds one run's transaction; the next run takes the rest.
const remindBatch = 200

// Remind marks open tasks that come due within Config.RemindBefore as
// reminded (a timeline line for the assigned organisation) and tasks past
// their due time as escalated (a timeline line for the whole team, so the
// case's other organisations and the coordinator see the delay). Each task
// is reminded and escalated at most once: the marks are set with a
// condition on their being unset, so running Remind twice, or on two nodes
// at once, changes nothing the second time.
func (s *Service) Remind(ctx context.Context, now time.Time) (RemindResult, error) {
	var res RemindResult
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var err error
		res.Reminded, err = s.mark(ctx, tx, "reminded_at", now.Add(s.Config.RemindBefore), "task.due:", true)
		if err != nil {
			return err
		}
		res.Escalated, err = s.mark(ctx, tx, "escalated_at", now, "task.overdue:", false)
		return err
	})
	if err != nil {
		return RemindResult{}, errs.As(err)
	}
	return res, nil
}

// mark sets column (reminded_at or escalated_at) on open tasks due before
// until and not yet marked, writing one timeline line per task it marked.
func (s *Service) mark(ctx context.Context, tx *store.Tx, column string, until time.Time, summary string, orgOnly bool) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, kind, assigned_org FROM tasks
		WHERE done_at IS NULL AND `+column+` IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT `+strconv.Itoa(remindBatch)+tx.ForUpdate(),
		store.T(until))
	if err != nil {
		return 0, errs.Internalf("remind: %w", err)
	}
	type due struct{ id, caseID, kind, org string }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.caseID, &d.kind, &d.org); err != nil {
			rows.Close()
			return 0, errs.Internalf("remind scan: %w", err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Internalf("remind: %w", err)
	}
	n := 0
	for _, d := range list {
		r, err := tx.ExecContext(ctx, `UPDATE tasks SET `+column+` = $1 WHERE id = $2 AND `+column+` IS NULL`, store.T(tx.Now), d.id)
		if err != nil {
			return 0, errs.Internalf("remind mark: %w", err)
		}
		if k, _ := r.RowsAffected(); k != 1 {
			continue
		}
		vis := cases.VisibleTeam
		if orgOnly {
			vis = cases.VisibleOrg(d.org)
		}
		if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: d.caseID, Kind: "task", ActorID: "system",
			RefTable: "tasks", RefID: d.id, Visibility: vis, Summary: summary + d.kind + ";v=2"}); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
