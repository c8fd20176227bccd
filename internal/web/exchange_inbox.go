package web

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/ura-nrm/ura/internal/exchange"
)

// handleExchangeInbox is where partner instances deliver envelopes. It needs
// no session: the envelope's signature by a registered, active partner's key
// is its authentication (internal/exchange). The answer is the signed
// receipt, or a problem naming the reason the envelope was refused.
func (s *server) handleExchangeInbox(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	b, err := io.ReadAll(io.LimitReader(r.Body, exchange.MaxEnvelopeBytes+1))
	if err != nil {
		writeInboxProblem(w, err)
		return
	}
	rcp, err := s.app.Exchange.Receive(r.Context(), b)
	if err != nil {
		writeInboxProblem(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(rcp)
}

func writeInboxProblem(w http.ResponseWriter, err error) {
	st, p := exchange.ProblemOf(err)
	if st == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(p)
}
