package api

import (
	"net/http"
	"strconv"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
)

// The exchange's API (internal/exchange): queue a message to a partner
// country, follow its state, list what arrived.

type queuedJSON struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

type exchangeList struct {
	Items []*exchange.Message `json:"items"`
}

func (a *api) handleExchangeSend(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Exchange == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in exchange.SendRequest
	if !a.readJSON(w, r, &in) {
		return
	}
	id, err := a.Exchange.Send(r.Context(), u.Actor(), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.Header().Set("Location", "/api/v1/exchange/messages/"+id)
	a.answer(w, r, http.StatusAccepted, queuedJSON{ID: id, State: exchange.StateQueued}, nil)
}

func (a *api) handleExchangeMessage(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Exchange == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	m, err := a.Exchange.Get(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, m, err)
}

func (a *api) handleExchangeList(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Exchange == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	q := r.URL.Query()
	limit := 100
	for k, v := range q {
		if len(v) != 1 || (k != "direction" && k != "limit") {
			WriteProblem(w, r, errs.E(errs.Invalid, "exchange.query_invalid"), a.Log)
			return
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			WriteProblem(w, r, errs.InvalidField("limit", "exchange.query_invalid"), a.Log)
			return
		}
		limit = n
	}
	list, err := a.Exchange.List(r.Context(), u.Actor(), q.Get("direction"), limit)
	if list == nil {
		list = []*exchange.Message{}
	}
	a.answer(w, r, http.StatusOK, exchangeList{Items: list}, err)
}
