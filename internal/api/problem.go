package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
}

// WriteProblem answers with problem+json. The detail is the catalogue text in
// the client's language; an internal cause goes to the log, never the client.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	e := errs.As(err)
	status := errs.HTTPStatus(e)
	key := e.Key
	if e.Code == errs.Internal {
		key = "error.internal"
		switch {
		case log == nil:
		case r.Context().Err() != nil:
			// The client went away mid-request: nothing is wrong here.
			log.Info("request abandoned by the client", "route", r.Pattern)
		default:
			log.Error("internal error", "route", r.Pattern, "err", e.Err)
		}
	}
	p := i18n.For(i18n.Match(r.Header.Get("Accept-Language")))
	args := []any{}
	for k, v := range e.Args {
		args = append(args, k, v)
	}
	pr := Problem{
		Type:   "https://ura.invalid/problems/" + string(e.Code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: p.T(key, args...),
		Code:   string(e.Code),
		Field:  e.Field,
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(pr)
}
