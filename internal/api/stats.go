package api

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/stats"
)

// handleStatsReport answers a standard report as JSON for other systems
// (DHIS2-style aggregate import: every cell named by its row and column
// codes), protected exactly as the pages are: "none" only for the
// coordinator's office, suppression by default for everyone else. Unknown
// reports, bad periods and places, and refused protections are 400 with
// the parameter named.
func (a *api) handleStatsReport(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Stats == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	actor := u.Actor()
	q := r.URL.Query()
	name := r.PathValue("name")
	if _, ok := stats.TemplateByName(name); !ok {
		WriteProblem(w, r, errs.InvalidField("name", "stats.report_unknown"), a.Log)
		return
	}
	f, err := stats.ParseFilter(a.Clock.Now(), q.Get("from"), q.Get("to"), q.Get("region"), q.Get("municipality"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	prot, err := stats.ParseProtection(actor, q.Get("protection"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	p := i18n.For(i18n.Match(r.Header.Get("Accept-Language")))
	rep, err := a.Stats.BuildReport(r.Context(), actor, name, f, prot, p, nil)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rep.JSON())
}
