package web

import (
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/plans"
)

// careSection is the risk and needs assessments and the plan in force.
type careSection struct {
	Risk      *plans.RiskAssessment
	RiskOrg   string
	Needs     *plans.NeedsAssessment
	NeedsOrg  string
	Plan      *plans.Plan
	Items     []planItemRow
	CanAssess bool
	CanPlan   bool
	Levels    []plans.Level
	NeedCodes []string
	Types     []string
	Progress  []string
}

type planItemRow struct {
	*plans.Item
	OrgName string
}

func (s *server) loadCare(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords) error {
	if s.app.Plans == nil || !mayRead(a, c, access.PlanRead) {
		return nil
	}
	v, err := s.app.Plans.View(r.Context(), a, c.ID)
	if err != nil {
		return err
	}
	sec := &careSection{CanAssess: access.Can(a, access.AssessmentRecord), CanPlan: access.Can(a, access.PlanWrite),
		Levels: []plans.Level{plans.Low, plans.Medium, plans.High}, NeedCodes: plans.Needs, Types: plans.SupportTypes,
		Progress: plans.Progress, Plan: v.Plan}
	if len(v.Risks) > 0 {
		sec.Risk, sec.RiskOrg = v.Risks[0], d.org(v.Risks[0].AssessedOrg)
	}
	if len(v.Needs) > 0 {
		sec.Needs, sec.NeedsOrg = v.Needs[0], d.org(v.Needs[0].AssessedOrg)
	}
	if v.Plan != nil {
		for _, it := range v.Plan.Items {
			sec.Items = append(sec.Items, planItemRow{Item: it, OrgName: d.org(it.ResponsibleOrg)})
		}
	}
	d.Care = sec
	return nil
}

func (s *server) handleRiskRecord(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Plans.AssessRisk(r.Context(), st.user.Actor(), r.PathValue("id"), plans.RiskInput{
		Level: plans.Level(r.PostFormValue("level")), Threats: r.PostFormValue("threats"),
		AssessedOn: strings.TrimSpace(r.PostFormValue("assessed_on")), NextDueOn: strings.TrimSpace(r.PostFormValue("next_due_on"))})
	s.recordResult(w, r, "risk", "risk", err, "flash.risk_recorded")
}

func (s *server) handleNeedsRecord(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Plans.AssessNeeds(r.Context(), st.user.Actor(), r.PathValue("id"), plans.NeedsInput{
		Needs: r.PostForm["needs"], Remarks: r.PostFormValue("remarks"), AssessedOn: strings.TrimSpace(r.PostFormValue("assessed_on"))})
	s.recordResult(w, r, "needs", "risk", err, "flash.needs_recorded")
}

func (s *server) handlePlanCreate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Plans.CreatePlan(r.Context(), st.user.Actor(), r.PathValue("id"), plans.PlanInput{
		StartsOn: strings.TrimSpace(r.PostFormValue("starts_on")), ReviewDueOn: strings.TrimSpace(r.PostFormValue("review_due_on"))})
	s.recordResult(w, r, "plan", "plan", err, "flash.plan_created")
}

// errPlanNotFound answers a plan or item that is not this case's.
var errPlanNotFound = errs.E(errs.NotFound, "plan.not_found")

// casePlan returns the plan in force on the case in the address, read as
// the actor: a plan id from a form must be this case's plan.
func (s *server) casePlan(r *http.Request) (*plans.Plan, error) {
	v, err := s.app.Plans.View(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if v.Plan == nil {
		return nil, errs.InvalidField("plan", "plan.none")
	}
	return v.Plan, nil
}

func (s *server) handlePlanItemAdd(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	p, err := s.casePlan(r)
	if err == nil {
		_, err = s.app.Plans.AddItem(r.Context(), st.user.Actor(), p.ID, plans.ItemInput{
			Type: r.PostFormValue("type"), Goals: r.PostFormValue("goals"), Actions: r.PostFormValue("actions"),
			ResponsibleOrg: strings.TrimSpace(r.PostFormValue("responsible_org")), DueOn: strings.TrimSpace(r.PostFormValue("due_on"))})
	}
	s.recordResult(w, r, "item", "plan", err, "flash.plan_item_added")
}

func (s *server) handlePlanProgress(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	p, err := s.casePlan(r)
	if err == nil {
		err = errPlanNotFound
		for _, it := range p.Items {
			if it.ID == r.PathValue("item") {
				err = nil
			}
		}
	}
	if err == nil {
		err = s.app.Plans.SetProgress(r.Context(), st.user.Actor(), r.PathValue("item"), r.PostFormValue("progress"),
			strings.TrimSpace(r.PostFormValue("ended_on")))
	}
	s.recordResult(w, r, "progress", "plan", err, "flash.plan_progress")
}
