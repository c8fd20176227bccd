package api

import (
	"net/http"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/identify"
)

// The screening endpoints: the indicator lists, a stateless assessment, and
// stored screenings. Their JSON shapes are a contract with other systems
// (docs/identify.md); add fields, never rename them.

type indicatorJSON struct {
	ID        string `json:"id"`
	Dimension string `json:"dimension"`
	Weight    string `json:"weight"`
	Label     string `json:"label"`
}

type indicatorsResponse struct {
	Profile    string          `json:"profile"`
	Version    string          `json:"version"`
	Indicators []indicatorJSON `json:"indicators"`
}

type dimensionJSON struct {
	Positive   bool     `json:"positive"`
	Clause     string   `json:"clause"`
	Strong     int      `json:"strong"`
	Medium     int      `json:"medium"`
	Weak       int      `json:"weak"`
	Indicators []string `json:"indicators"`
	Text       string   `json:"text"`
}

// explanationJSON says which indicators counted in each dimension, which
// clause made it positive, and which combination rule fired — as codes for
// machines and as text in the client's language.
type explanationJSON struct {
	Outcome        string                   `json:"outcome"`
	Profile        string                   `json:"profile"`
	Version        string                   `json:"version"`
	Rule           string                   `json:"rule"`
	Formula        string                   `json:"formula"`
	RecruitmentAct bool                     `json:"recruitment_act"`
	Recruitment    []string                 `json:"recruitment"`
	Exploitation   bool                     `json:"exploitation"`
	Destination    []string                 `json:"destination"`
	Dimensions     map[string]dimensionJSON `json:"dimensions"`
	Text           []string                 `json:"text"`
}

type assessResponse struct {
	TraffickingIndicated bool            `json:"trafficking_indicated"`
	Dimensions           map[string]bool `json:"dimensions"`
	Explanation          explanationJSON `json:"explanation"`
}

type screeningResponse struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	CaseID     *string   `json:"case_id"`
	Indicators []string  `json:"indicators"`
	Note       string    `json:"note,omitempty"`
	assessResponse
}

func (a *api) catalogue() *identify.Catalogue {
	if a.Screenings != nil && a.Screenings.Catalogue != nil {
		return a.Screenings.Catalogue
	}
	return identify.Default()
}

func screeningPrinter(r *http.Request) *i18n.Printer {
	return i18n.For(i18n.Match(r.Header.Get("Accept-Language")))
}

func (a *api) handleIndicators(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	p, ok := identify.ParseProfile(r.URL.Query().Get("profile"))
	if !ok {
		WriteProblem(w, r, errs.InvalidField("profile", "screening.error.profile"), a.Log)
		return
	}
	c := a.catalogue()
	lang := screeningPrinter(r).Lang()
	res := indicatorsResponse{Profile: string(p), Version: c.Version, Indicators: []indicatorJSON{}}
	for _, in := range c.Indicators(p) {
		res.Indicators = append(res.Indicators, indicatorJSON{ID: in.ID, Dimension: in.Dimension.String(),
			Weight: in.Weight.String(), Label: in.Label(lang)})
	}
	writeJSON(w, http.StatusOK, res)
}

// handleAssess answers the rule's result for a request and stores nothing.
func (a *api) handleAssess(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	in, err := identify.DecodeAssess(r.Body)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	res, err := a.catalogue().Assess(in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	writeJSON(w, http.StatusOK, assessJSON(&res, screeningPrinter(r)))
}

func (a *api) handleRecordScreening(w http.ResponseWriter, r *http.Request, u *auth.User) {
	in, err := identify.DecodeRecord(r.Body)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	if a.Screenings == nil {
		WriteProblem(w, r, errs.Internalf("api: no screening service"), a.Log)
		return
	}
	sc, err := a.Screenings.Record(r.Context(), u.Actor(), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Location", "/api/v1/screenings/"+sc.ID)
	writeJSON(w, http.StatusCreated, screeningJSON(sc, screeningPrinter(r), false))
}

func (a *api) handleScreening(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Screenings == nil {
		WriteProblem(w, r, errs.Internalf("api: no screening service"), a.Log)
		return
	}
	sc, err := a.Screenings.Find(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, screeningJSON(sc, screeningPrinter(r), true))
}

func screeningJSON(sc *identify.Screening, p *i18n.Printer, withNote bool) screeningResponse {
	out := screeningResponse{ID: sc.ID, At: sc.At, Indicators: sc.Indicators, assessResponse: assessJSON(&sc.Result, p)}
	if out.Indicators == nil {
		out.Indicators = []string{}
	}
	if sc.CaseID != "" {
		out.CaseID = &sc.CaseID
	}
	if withNote {
		out.Note = sc.Note
	}
	return out
}

func assessJSON(res *identify.Result, p *i18n.Printer) assessResponse {
	out := assessResponse{
		TraffickingIndicated: res.Indicated,
		Dimensions:           map[string]bool{},
		Explanation: explanationJSON{
			Outcome: string(res.Outcome), Profile: string(res.Profile), Version: res.Version,
			Rule: res.RuleName(), Formula: res.Formula(), RecruitmentAct: res.RecruitmentAct,
			Recruitment: screeningIDs(res.Recruitment), Exploitation: res.Exploitation, Destination: screeningIDs(res.Destination),
			Dimensions: map[string]dimensionJSON{}, Text: res.Explain(p),
		},
	}
	for _, d := range res.Dimensions {
		name := d.Dimension.String()
		out.Dimensions[name] = d.Positive
		out.Explanation.Dimensions[name] = dimensionJSON{Positive: d.Positive, Clause: string(d.Clause),
			Strong: d.Strong, Medium: d.Medium, Weak: d.Weak, Indicators: screeningIDs(d.Indicators),
			Text: identify.DimensionSentence(p, d)}
	}
	return out
}

func screeningIDs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
