package api

import (
	"net/http"
	"strconv"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/coord"
)

// Coordination's API (internal/coord): the plans an actor may see, one
// plan with its activities and indicators (computed ones filled in from
// Ura's data), and an institution's progress report on its own activity.

type planSummaryJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Kind       string `json:"kind"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Status     string `json:"status"`
	Activities int    `json:"activities"`
}

type activityJSON struct {
	ID              string   `json:"id"`
	Code            string   `json:"code"`
	Objective       string   `json:"objective"`
	Description     string   `json:"description"`
	LeadOrgID       string   `json:"lead_org_id"`
	LeadOrg         string   `json:"lead_org"`
	Support         []string `json:"support_org_ids"`
	Deadline        string   `json:"deadline"`
	Due             string   `json:"due"`
	CostEUR         int64    `json:"cost_eur"`
	Funding         string   `json:"funding"`
	Status          string   `json:"status,omitempty"`
	Percent         *int     `json:"percent,omitempty"`
	Recommendations int      `json:"recommendations"`
}

type coordIndicatorJSON struct {
	ID        string             `json:"id"`
	Code      string             `json:"code"`
	Objective string             `json:"objective"`
	Name      string             `json:"name"`
	Level     string             `json:"level"`
	Unit      string             `json:"unit"`
	Baseline  *float64           `json:"baseline,omitempty"`
	Computed  bool               `json:"computed"`
	Measure   string             `json:"measure,omitempty"`
	Filter    string             `json:"filter,omitempty"`
	Targets   map[string]float64 `json:"targets"`
	Values    map[string]float64 `json:"values"`
}

type planJSON struct {
	ID         string               `json:"id"`
	Title      string               `json:"title"`
	Kind       string               `json:"kind"`
	Start      string               `json:"start"`
	End        string               `json:"end"`
	Status     string               `json:"status"`
	Activities []activityJSON       `json:"activities"`
	Indicators []coordIndicatorJSON `json:"indicators"`
}

func years(m map[int]float64) map[string]float64 {
	out := map[string]float64{}
	for y, v := range m {
		out[strconv.Itoa(y)] = v
	}
	return out
}

func (a *api) handleCoordPlans(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Coord == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Coord.Plans(r.Context(), u.Actor())
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := []planSummaryJSON{}
	for _, p := range list {
		out = append(out, planSummaryJSON{ID: p.ID, Title: p.Title, Kind: p.Kind, Start: p.Start, End: p.End, Status: p.Status, Activities: p.Activities})
	}
	a.answer(w, r, http.StatusOK, map[string]any{"plans": out}, nil)
}

func (a *api) handleCoordPlan(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Coord == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	p, err := a.Coord.Plan(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := planJSON{ID: p.ID, Title: p.Title, Kind: p.Kind, Start: p.Start, End: p.End, Status: p.Status,
		Activities: []activityJSON{}, Indicators: []coordIndicatorJSON{}}
	for _, x := range p.Activities {
		j := activityJSON{ID: x.ID, Code: x.Code, Objective: x.ObjectiveCode, Description: x.Description, LeadOrgID: x.Lead.ID,
			LeadOrg: x.Lead.Name, Support: []string{}, Deadline: x.Deadline, Due: x.Due, CostEUR: x.CostEUR, Funding: x.Funding,
			Recommendations: x.Recommendations}
		for _, o := range x.Support {
			j.Support = append(j.Support, o.ID)
		}
		if x.Latest != nil {
			pct := x.Latest.Percent
			j.Status, j.Percent = x.Latest.Status, &pct
		}
		out.Activities = append(out.Activities, j)
	}
	for _, i := range p.Indicators {
		out.Indicators = append(out.Indicators, coordIndicatorJSON{ID: i.ID, Code: i.Code, Objective: i.ObjectiveCode, Name: i.Name, Level: i.Level,
			Unit: i.Unit, Baseline: i.Baseline, Computed: i.Computed(), Measure: i.Measure, Filter: i.Filter, Targets: years(i.Targets),
			Values: years(i.Values)})
	}
	a.answer(w, r, http.StatusOK, out, nil)
}

// progressIn is an institution's report as JSON (evidence documents go
// through the page).
type progressIn struct {
	Period         string `json:"period"`
	Status         string `json:"status"`
	Percent        int    `json:"percent"`
	Narrative      string `json:"narrative"`
	ExpenditureEUR int64  `json:"expenditure_eur"`
	Obstacles      string `json:"obstacles"`
}

type progressJSON struct {
	ID         string `json:"id"`
	ActivityID string `json:"activity_id"`
	Period     string `json:"period"`
	Status     string `json:"status"`
	Percent    int    `json:"percent"`
	State      string `json:"state"`
}

func (a *api) handleCoordProgress(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Coord == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in progressIn
	if !a.readJSON(w, r, &in) {
		return
	}
	p, err := a.Coord.Report(r.Context(), u.Actor(), r.PathValue("id"), coord.ProgressInput{Period: in.Period, Status: in.Status,
		Percent: strconv.Itoa(in.Percent), Narrative: in.Narrative, Expenditure: strconv.FormatInt(in.ExpenditureEUR, 10), Obstacles: in.Obstacles})
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusCreated, progressJSON{ID: p.ID, ActivityID: p.ActivityID, Period: p.Period, Status: p.Status, Percent: p.Percent,
		State: p.State}, nil)
}
