package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/referral"
)

// The dashboard (/): the home page of each role. At the top the numbers
// that matter to the role, each a link to the list that shows exactly the
// cases, referrals, tasks or events it counts; below them the tasks that
// wait on the user's organisation, overdue first, each linked to its case
// by reference (the reflection period shows as the task ending it, with its
// date and the days left); for the coordinator also every case's overdue
// tasks, without anything of the cases' content. Roles that work no cases
// get a short empty state. Every count is read by its owner package from
// an index (docs/benchmarks.md, "Home pages").

type dashboardData struct {
	RoleTitle string
	Role      string
	// CaseWork is false for analysts, auditors and administrators.
	CaseWork   bool
	Tasks      []taskRow
	CanOverdue bool
	Overdue    []overdueRow
	// Numbers are the role's counts, each with the link to its list.
	Numbers []homeNumber
	// Stages counts the cases by stage (coordinator, analyst); Years by
	// year of opening (analyst).
	Stages []homeNumber
	Years  []homeNumber
	// Callbacks are a helpline operator's call-backs not yet made, the
	// earliest due first (the same list the console shows).
	Callbacks []contactRow
	// NumbersLater names the role whose numbers come with a later issue
	// (the helpline).
	NumbersLater bool
	// StatsLink leads to the national statistics (coordinator, analyst).
	StatsLink bool
	// Hint says, for the roles that work no cases (monitor, evaluator,
	// provider, funder), where their work is: a sentence and a link.
	Hint *homeHint
}

// homeHint is the next step on a home page that would otherwise show only
// counts: the sentence and the page it leads to (named as the menu names it).
type homeHint struct{ Key, Href, Link string }

// homeHints are the next steps of the roles whose work is not cases.
var homeHints = map[access.Role]homeHint{
	access.Evaluator: {"home.hint.evaluator", "/grants", "nav.grants"},
	access.Provider:  {"home.hint.provider", "/grants", "nav.grants"},
	access.Funder:    {"home.hint.funder", "/grants/figures", "nav.grant_figures"},
	access.Monitor:   {"home.hint.monitor", "/coord", "nav.coord"},
}

// homeNumber is one count on a home page. Href is empty when the role has
// no list to open (the analyst's statistics).
type homeNumber struct {
	ID    string
	Label string
	Value int
	// More says Value is a lower bound ("more than").
	More bool
	Href string
}

type overdueRow struct {
	clocks.OverdueTask
	Label   string
	OrgName string
	Days    string
}

// caseListCap is the count above which a number reads "more than".
const caseListCap = cases.DefaultCountLimit

func (s *server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	d := &dashboardData{Role: string(st.user.Role), CaseWork: access.Can(a, access.TaskView) && s.app.Clocks != nil}
	if h, ok := homeHints[st.user.Role]; ok {
		d.Hint = &h
	}
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
	d.StatsLink = access.Can(a, access.StatsView) && s.app.Stats != nil
	if err := s.homeNumbers(r, st, d); err != nil && !absent(err) {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "dashboard.title."+string(st.user.Role), d)
	s.render(w, r, http.StatusOK, "dashboard", p)
}

// homeNumbers fills the role's counts. Each link is to a list whose
// filters select the same set the count counts.
func (s *server) homeNumbers(r *http.Request, st *state, d *dashboardData) error {
	ctx := r.Context()
	a := st.user.Actor()
	t := st.p.T
	add := func(id, label string, n int, href string) {
		d.Numbers = append(d.Numbers, homeNumber{ID: id, Label: t(label), Value: min(n, caseListCap), More: n > caseListCap, Href: href})
	}
	countCases := func(f cases.CaseFilter) (int, error) {
		f.Limit = 1
		_, n, err := s.app.Cases.FindCases(ctx, a, f)
		return n, err
	}
	// The cases of one's team: counted from the team index alone (a
	// filter on the stage would read every case of a large unit).
	teamCases := func(label string) error {
		n, err := countCases(cases.CaseFilter{})
		if err == nil {
			add("home-cases", label, n, "/cases")
		}
		return err
	}
	tasksDue := func() {
		add("home-tasks", "home.tasks_due", len(d.Tasks), "#tasks")
	}
	waiting := func(f referral.ReferralFilter, href string) error {
		pending := referral.StatePending
		f.State = &pending
		n, err := s.app.Referral.CountReferrals(ctx, a, f)
		if err == nil {
			add("home-referrals", "home.referrals_waiting", n, href)
		}
		return err
	}
	bedsFree := func(own bool) error {
		list, err := s.app.Referral.Availability(ctx, a)
		if err != nil {
			return err
		}
		free := 0
		for _, sh := range list {
			if !own || sh.OrgID == a.OrgID {
				free += sh.BedsFree
			}
		}
		href := "/shelters"
		if own {
			href += "?own=1"
		}
		add("home-beds", "home.beds_free", free, href)
		return nil
	}
	guardianMissing := func() error {
		ids, err := s.app.Clocks.OpenTaskCases(ctx, a, clocks.GuardianAppointment)
		if err != nil {
			return err
		}
		child := true
		n, err := countCases(cases.CaseFilter{IsChild: &child, IDs: ids})
		if err == nil {
			add("home-guardian", "home.children_no_guardian", n, "/cases?child=1&guardian=missing")
		}
		return err
	}
	inShelter := func() error {
		ids, err := s.app.Referral.OpenStayCases(ctx, a)
		if err != nil {
			return err
		}
		n, err := countCases(cases.CaseFilter{IDs: ids})
		if err == nil {
			add("home-staying", "home.in_shelter_now", n, "/cases?shelter=now")
		}
		return err
	}
	var byStage map[cases.Stage]int
	stages := func(links bool) error {
		counts, err := s.app.Cases.CountByStage(ctx, a)
		if err != nil {
			return err
		}
		byStage = counts
		for _, sg := range cases.Stages {
			n := homeNumber{ID: "stage-" + string(sg), Label: t("case.stage." + string(sg)), Value: counts[sg]}
			if links {
				n.Href = "/cases?stage=" + string(sg)
			}
			d.Stages = append(d.Stages, n)
		}
		return nil
	}
	run := func(fs ...func() error) error {
		for _, f := range fs {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	}
	switch st.user.Role {
	case access.Evaluator, access.Provider, access.Funder:
		return s.grantsHome(r, add)
	case access.Coordinator:
		year := strconv.Itoa(s.now().Year())
		// The open cases are the stages' counts but the closed ones: one
		// read of the stage index for both.
		return run(func() error { return stages(true) },
			func() error {
				open := 0
				for sg, n := range byStage {
					if sg != cases.StageClosed {
						open += n
					}
				}
				d.Numbers = append(d.Numbers, homeNumber{ID: "home-open", Label: t("home.open_cases"), Value: open, Href: "/cases?open=1"})
				return nil
			},
			func() error {
				// From the kept counts: the list behind the link counts the
				// same cases (the coordinator's list holds every case).
				status := cases.StatusIdentified
				from := year + "-01"
				n, err := s.app.Cases.CountOpenedSince(ctx, a, status, from)
				if err == nil {
					add("home-identified", "home.identified_this_year", n, "/cases?status="+string(status)+"&opened_from="+from)
				}
				return err
			},
			func() error { add("home-overdue", "home.overdue_tasks", len(d.Overdue), "#overdue"); return nil },
			func() error {
				return waiting(referral.ReferralFilter{Direction: "all"}, "/referrals?box=all&state=pending")
			},
			func() error { return bedsFree(false) },
			func() error {
				// The headline of the national statistics: this year so far
				// against last year by the same month.
				this, last, err := s.app.Stats.Headline(ctx, a)
				if err == nil {
					add("home-stats-year", "stats.registered_this_year", this, "/stats")
					now := s.now().UTC()
					add("home-stats-last", "stats.registered_last_year", last, fmt.Sprintf("/stats?from=%d-01-01&to=%d-%02d-01", now.Year()-1, now.Year()-1, now.Month()))
				}
				return err
			})
	case access.Police:
		tasksDue()
		return teamCases("home.unit_cases")
	case access.Prosecutor:
		return run(func() error {
			n, err := countCases(cases.CaseFilter{InProceedings: true})
			if err == nil {
				add("home-proceedings", "home.in_proceedings", n, "/cases?proceedings=active")
			}
			return err
		}, func() error { return teamCases("home.office_cases") })
	case access.Advocate, access.SocialWorker:
		tasksDue()
		return run(func() error { return teamCases("home.my_cases") }, guardianMissing,
			func() error { return waiting(referral.ReferralFilter{}, "/referrals?state=pending") })
	case access.Shelter:
		tasksDue()
		return run(inShelter, func() error { return bedsFree(true) },
			func() error { return waiting(referral.ReferralFilter{}, "/referrals?state=pending") })
	case access.NGO:
		tasksDue()
		return run(func() error { return teamCases("home.my_cases") }, inShelter,
			func() error { return waiting(referral.ReferralFilter{}, "/referrals?state=pending") })
	case access.Helpline:
		// The call-backs due, listed on the console (helpline.Callbacks
		// reads the same rows), and the cases opened from contacts.
		if s.app.Helpline == nil {
			d.NumbersLater = true
			return nil
		}
		cbs, err := s.app.Helpline.Callbacks(ctx, a)
		if err != nil {
			return err
		}
		add("home-callbacks", "helpline.callbacks", len(cbs), "/helpline#callbacks")
		d.Callbacks = s.contactRows(st.p, cbs)
		return teamCases("home.my_cases")
	case access.Analyst:
		if err := stages(false); err != nil {
			return err
		}
		years, err := s.app.Cases.CountByYear(ctx, a)
		if err != nil {
			return err
		}
		for _, y := range years {
			d.Years = append(d.Years, homeNumber{ID: "year-" + y.Year, Label: y.Year, Value: y.Cases})
		}
		return nil
	case access.Auditor:
		today := s.now().UTC().Format("2006-01-02")
		for _, c := range []struct{ id, label, query string }{
			{"home-events", "home.events_today", "from=" + today + "&to=" + today},
			{"home-denied", "home.denied_today", "from=" + today + "&to=" + today + "&outcome=denied"},
			{"home-breakglass", "home.breakglass", "outcome=breakglass"},
		} {
			q, _ := url.ParseQuery(c.query)
			f, _ := auditFilter(q, nil)
			f.Limit = 1
			_, n, err := audit.Find(ctx, s.app.DB.Read(), f)
			if err != nil {
				return err
			}
			d.Numbers = append(d.Numbers, homeNumber{ID: c.id, Label: t(c.label), Value: min(n, audit.CountLimit),
				More: n > audit.CountLimit, Href: "/audit?" + c.query})
		}
	}
	return nil
}
