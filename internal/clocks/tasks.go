package clocks

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

var errTaskNotFound = errs.E(errs.NotFound, "task.not_found")

// addTask inserts an open task and puts it on the case timeline for the
// assigned organisation.
func (s *Service) addTask(ctx context.Context, tx *store.Tx, ref *cases.Ref, kind Kind, table, refID string, due time.Time, org string) (*Task, error) {
	t := &Task{ID: store.NewID(), CaseID: ref.ID, CaseRef: ref.Reference, Kind: kind, RefTable: table, RefID: refID,
		DueAt: due.UTC(), AssignedOrg: org, CreatedAt: tx.Now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, case_id, case_ref, kind, ref_table, ref_id, due_at, assigned_org, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, t.ID, t.CaseID, t.CaseRef, string(kind), table, refID,
		store.T(t.DueAt), org, store.T(tx.Now)); err != nil {
		return nil, errs.Internalf("add task: %w", err)
	}
	err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "task", ActorID: "system",
		RefTable: "tasks", RefID: t.ID, Visibility: cases.VisibleTeam, Summary: "task.created:" + string(kind) + ";v=2"})
	return t, err
}

const taskColumns = `id, case_id, case_ref, kind, ref_table, ref_id, due_at, assigned_org, assigned_user, created_at, done_at, done_by`

func scanTask(row interface{ Scan(...any) error }, now, soon time.Time) (*Task, error) {
	var t Task
	var kind string
	var due, created, done store.Time
	if err := row.Scan(&t.ID, &t.CaseID, &t.CaseRef, &kind, &t.RefTable, &t.RefID, &due, &t.AssignedOrg,
		&t.AssignedUser, &created, &done, &t.DoneBy); err != nil {
		return nil, err
	}
	t.Kind, t.DueAt, t.CreatedAt = Kind(kind), due.Time, created.Time
	t.Done, t.DoneAt = done.Valid, done.Time
	t.Overdue = !t.Done && t.DueAt.Before(now)
	t.DueSoon = !t.Done && !t.Overdue && !t.DueAt.After(soon)
	return &t, nil
}

// DueFor returns the open tasks of the actor's organisation (those assigned
// to the organisation as a whole or to the actor by name), overdue first,
// then by due date: the reminders on the actor's dashboard.
func (s *Service) DueFor(ctx context.Context, actor access.Actor) ([]*Task, error) {
	if err := access.Check(actor, access.TaskView); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE assigned_org = $1 AND (assigned_user = '' OR assigned_user = $2) AND done_at IS NULL
		ORDER BY due_at, id LIMIT 500`, actor.OrgID, actor.UserID)
	if err != nil {
		return nil, errs.Internalf("tasks due: %w", err)
	}
	defer rows.Close()
	var out []*Task
	for rows.Next() {
		t, err := scanTask(rows, now, now.Add(s.Config.RemindBefore))
		if err != nil {
			return nil, errs.Internalf("tasks scan: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("tasks due: %w", err)
	}
	return out, nil
}

// Overdue lists every case's overdue tasks for the coordinator, longest
// overdue first: case reference, task kind, organisation and days overdue —
// enough to chase, nothing of the case's content.
func (s *Service) Overdue(ctx context.Context, actor access.Actor) ([]OverdueTask, error) {
	if err := access.Check(actor, access.TaskOverdue); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, case_id, case_ref, kind, assigned_org, due_at FROM tasks
		WHERE done_at IS NULL AND due_at < $1 ORDER BY due_at, id LIMIT 1000`, store.T(now))
	if err != nil {
		return nil, errs.Internalf("overdue: %w", err)
	}
	defer rows.Close()
	var out []OverdueTask
	for rows.Next() {
		var o OverdueTask
		var kind string
		var due store.Time
		if err := rows.Scan(&o.TaskID, &o.CaseID, &o.CaseRef, &kind, &o.AssignedOrg, &due); err != nil {
			return nil, errs.Internalf("overdue scan: %w", err)
		}
		o.Kind, o.DueAt = Kind(kind), due.Time
		o.DaysOverdue = int(now.Sub(due.Time) / (24 * time.Hour))
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("overdue: %w", err)
	}
	return out, nil
}

// Complete marks a task of the actor's organisation done. Of two users
// completing the same task at once, one wins; the other gets a Conflict
// saying it is already done (never a silent double completion).
func (s *Service) Complete(ctx context.Context, actor access.Actor, taskID string) (*Task, error) {
	if err := access.Check(actor, access.TaskComplete); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out *Task
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		t, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`+tx.ForUpdate(), taskID), now, now)
		if errors.Is(err, sql.ErrNoRows) {
			return errTaskNotFound
		}
		if err != nil {
			return errs.Internalf("task: %w", err)
		}
		if !actor.System && (t.AssignedOrg != actor.OrgID || t.AssignedUser != "" && t.AssignedUser != actor.UserID) {
			return errTaskNotFound
		}
		if t.Done {
			return errs.E(errs.Conflict, "task.already_done")
		}
		by := actor.UserID
		if actor.System {
			by = "system"
		}
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, done_by = $2, done_reason = 'done'
			WHERE id = $3 AND done_at IS NULL`, store.T(now), by, t.ID)
		if err != nil {
			return errs.Internalf("task done: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.Conflict, "task.already_done")
		}
		if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "task.complete",
			ObjectType: "case", ObjectID: t.CaseRef, Detail: "task=" + t.ID + ",kind=" + string(t.Kind)}); err != nil {
			return errs.Internalf("audit task: %w", err)
		}
		e := cases.TimelineEntry{CaseID: t.CaseID, Kind: "task", ActorID: by, ActorOrg: actor.OrgID,
			RefTable: "tasks", RefID: t.ID, Visibility: cases.VisibleTeam, Summary: "task.done:" + string(t.Kind) + ";v=2"}
		if err := cases.AppendTimeline(ctx, tx, e); err != nil {
			return err
		}
		t.Done, t.DoneAt, t.DoneBy, t.Overdue, t.DueSoon = true, now, by, false, false
		out = t
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// CaseTasks lists every task of a case (open and done), for the case page.
func (s *Service) CaseTasks(ctx context.Context, actor access.Actor, caseID string) ([]*Task, error) {
	ref, err := s.Cases.Authorize(ctx, s.DB.Read(), actor, caseID, access.CaseView)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE case_id = $1
		ORDER BY done_at IS NOT NULL, due_at, id`, ref.ID)
	if err != nil {
		return nil, errs.Internalf("case tasks: %w", err)
	}
	defer rows.Close()
	var out []*Task
	for rows.Next() {
		t, err := scanTask(rows, now, now.Add(s.Config.RemindBefore))
		if err != nil {
			return nil, errs.Internalf("case tasks scan: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
