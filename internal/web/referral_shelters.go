package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/referral"
)

// The shelters' live availability board (/shelters): beds total, occupied,
// reserved and free per active shelter, derived at the moment of asking
// from open stays and accepted referrals (referral.Availability). A full
// shelter is marked; one with more people than beds (an emergency
// overflow) carries a warning.

type sheltersData struct {
	Shelters     []referral.Availability
	Free, Total  int
	OverCapacity int
}

func (s *server) handleShelters(w http.ResponseWriter, r *http.Request) {
	actor := reqState(r).user.Actor()
	list, err := s.app.Referral.Availability(r.Context(), actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &sheltersData{}
	own := r.URL.Query().Get("own") == "1" // one's own organisation's shelters (the shelter's home page)
	for _, a := range list {
		if own && a.OrgID != actor.OrgID {
			continue
		}
		d.Shelters = append(d.Shelters, a)
		d.Free += a.BedsFree
		d.Total += a.BedsTotal
		if a.OverCapacity {
			d.OverCapacity++
		}
	}
	s.render(w, r, http.StatusOK, "shelters", s.newPage(r, "shelters.title", d))
}
