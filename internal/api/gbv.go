package api

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
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
