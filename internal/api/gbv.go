package api

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/gbv"
)

// The GBV endpoints (internal/gbv, docs/gbv.md). POST /api/v1/gbv/classify
// is a stable contract: the six answers in, the GBVIMS type out, nothing
// stored.

type classifyResponse struct {
	Type string `json:"type"`
}

func (a *api) handleGBVClassify(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	in, err := gbv.DecodeAnswers(r.Body)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	writeJSON(w, http.StatusOK, classifyResponse{Type: string(gbv.Classify(in))})
}

// incidentResponse is a recorded incident: its GBVIMS type and the types
// that also applied later in the order (the explanation), never the
// survivor's account.
type incidentResponse struct {
	ID         string   `json:"id"`
	CaseID     string   `json:"case_id"`
	OccurredOn string   `json:"occurred_on"`
	Type       string   `json:"type"`
	Also       []string `json:"also"`
	Context    string   `json:"context"`
}

// handleGBVIncident records an incident on a case, classified by the rule.
func (a *api) handleGBVIncident(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.GBV == nil {
		WriteProblem(w, r, errs.E(errs.NotFound, "error.not_found"), a.Log)
		return
	}
	var in gbv.IncidentInput
	if !a.readJSON(w, r, &in) {
		return
	}
	inc, err := a.GBV.RecordIncident(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := incidentResponse{ID: inc.ID, CaseID: inc.CaseID, OccurredOn: inc.OccurredOn.Format("2006-01-02"), Type: string(inc.Type),
		Also: []string{}, Context: inc.Context}
	for _, t := range inc.Explanation.Also() {
		out.Also = append(out.Also, string(t))
	}
	a.answer(w, r, http.StatusCreated, out, nil)
}
