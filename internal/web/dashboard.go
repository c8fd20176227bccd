package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/clocks"
)

// The dashboard (/): the tasks that wait on the user's organisation,
// overdue first, each linked to its case by reference (the reflection
// period shows as the task ending it, with its date and the days left);
// for the coordinator also every case's overdue tasks, without anything of
// the cases' content. Roles that work no cases get a short empty state.

type dashboardData struct {
	RoleTitle string
	Role      string
	// CaseWork is false for analysts, auditors and administrators.
	CaseWork   bool
	Tasks      []taskRow
	CanOverdue bool
	Overdue    []overdueRow
}

type overdueRow struct {
	clocks.OverdueTask
	Label   string
	OrgName string
	Days    string
}

func (s *server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	d := &dashboardData{Role: string(st.user.Role), CaseWork: access.Can(a, access.TaskView) && s.app.Clocks != nil}
	if d.CaseWork {
		tasks, err := s.app.Clocks.DueFor(r.Context(), a)
		if err != nil && !absent(err) {
			s.renderError(w, r, err)
			return
		}
		now := s.now()
		for _, t := range tasks {
			d.Tasks = append(d.Tasks, newTaskRow(t, a, st.p, now, ""))
		}
	}
	if s.app.Clocks != nil && access.Can(a, access.TaskOverdue) {
		list, err := s.app.Clocks.Overdue(r.Context(), a)
		if err != nil && !absent(err) {
			s.renderError(w, r, err)
			return
		}
		names := map[string]string{}
		if orgs, err := s.app.Auth.FindOrgs(r.Context(), a); err == nil {
			for _, o := range orgs {
				names[o.ID] = o.Name
			}
		}
		d.CanOverdue = true
		for _, o := range list {
			d.Overdue = append(d.Overdue, overdueRow{OverdueTask: o, Label: st.p.T("task.kind." + string(o.Kind)),
				OrgName: names[o.AssignedOrg], Days: st.p.N("task.overdue_days", max(1, o.DaysOverdue))})
		}
	}
	p := s.newPage(r, "dashboard.title."+string(st.user.Role), d)
	s.render(w, r, http.StatusOK, "dashboard", p)
}
