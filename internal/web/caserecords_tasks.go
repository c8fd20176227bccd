package web

import (
	"net/http"
	"regexp"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/i18n"
)

// tasksSection is a case's open and done tasks.
type tasksSection struct {
	Open, Done []taskRow
}

// taskRow is a task as the case page and the dashboard show it: the kind's
// text (the reflection period with its end date), the state in words, and
// whether the actor's organisation may mark it done.
type taskRow struct {
	*clocks.Task
	Label   string
	State   string
	OrgName string
	Mine    bool
}

// newTaskRow words a task for p at now.
func newTaskRow(t *clocks.Task, a access.Actor, p *i18n.Printer, now time.Time, orgName string) taskRow {
	row := taskRow{Task: t, OrgName: orgName, Label: p.T("task.kind." + string(t.Kind)),
		Mine: !t.Done && t.AssignedOrg == a.OrgID && (t.AssignedUser == "" || t.AssignedUser == a.UserID) && access.Can(a, access.TaskComplete)}
	if t.Kind == clocks.ReflectionEnd {
		row.Label = p.T("task.reflection_ends", "date", p.Date(t.DueAt))
	}
	switch left := daysUntil(now, t.DueAt); {
	case t.Done:
		row.State = p.T("task.done_on", "date", p.Date(t.DoneAt))
	case t.Overdue:
		row.State = p.N("task.overdue_days", max(1, int(now.Sub(t.DueAt)/(24*time.Hour))))
	case left <= 0:
		row.State = p.T("task.due_today")
	default:
		row.State = p.N("task.days_left", left)
	}
	return row
}

func (s *server) loadTasks(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords, p *i18n.Printer) error {
	if s.app.Clocks == nil || !access.Can(a, access.CaseView) {
		return nil
	}
	tasks, err := s.app.Clocks.CaseTasks(r.Context(), a, c.ID)
	if err != nil {
		return err
	}
	sec := &tasksSection{}
	now := s.now()
	for _, t := range tasks {
		row := newTaskRow(t, a, p, now, d.org(t.AssignedOrg))
		if t.Done {
			sec.Done = append(sec.Done, row)
		} else {
			sec.Open = append(sec.Open, row)
		}
	}
	d.Tasks = sec
	return nil
}

// backRE is where a "mark done" form may send the user back to: the
// dashboard or a case page, nothing else (no open redirect).
var backRE = regexp.MustCompile(`^/(cases/[a-z2-9]{26})?$`)

// handleTaskDone marks a task of the actor's organisation done and goes
// back to the page the form was on.
func (s *server) handleTaskDone(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Clocks.Complete(r.Context(), st.user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	back := r.PostFormValue("back")
	if !backRE.MatchString(back) {
		back = "/"
	}
	if back != "/" {
		back += "#tasks"
	}
	s.redirectFlash(w, r, back, "flash.task_done")
}
