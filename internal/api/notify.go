package api

import (
	"bytes"
	"io"
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

// notificationList is GET /api/v1/notifications: the caller's own
// notifications and the unread count the page header shows.
type notificationList struct {
	Items  any `json:"items"`
	Unread int `json:"unread"`
}

// unreadParam reads the one query parameter of the list strictly: a typo
// such as ?unred=1 is an error, not silently the whole list.
func unreadParam(r *http.Request) (bool, error) {
	q := r.URL.Query()
	for k, v := range q {
		if k != "unread" || len(v) != 1 {
			return false, errs.E(errs.Invalid, "notify.query_invalid")
		}
	}
	switch q.Get("unread") {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errs.InvalidField("unread", "notify.query_invalid")
}

func (a *api) handleNotifications(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Notify == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	unread, err := unreadParam(r)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	list, err := a.Notify.List(r.Context(), u.Actor(), unread)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	n, err := a.Notify.UnreadCount(r.Context(), u.Actor())
	a.answer(w, r, http.StatusOK, notificationList{Items: list, Unread: n}, err)
}

// handleNotificationRead takes no body; an empty JSON object is allowed for
// clients that always send one, anything else is refused.
func (a *api) handleNotificationRead(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Notify == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if len(r.URL.Query()) > 0 {
		WriteProblem(w, r, errs.E(errs.Invalid, "notify.query_invalid"), a.Log)
		return
	}
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	var first [1]byte
	if n, _ := io.ReadFull(body, first[:]); n > 0 {
		var empty struct{}
		if err := decodeStrict(r, io.MultiReader(bytes.NewReader(first[:n]), body), &empty); err != nil {
			WriteProblem(w, r, err, a.Log)
			return
		}
	}
	if err := a.Notify.MarkRead(r.Context(), u.Actor(), r.PathValue("id")); err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleNotificationOutbox shows administrators the e-mails waiting or
// given up on: account ids and error classes, never an address.
func (a *api) handleNotificationOutbox(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Notify == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if len(r.URL.Query()) > 0 {
		WriteProblem(w, r, errs.E(errs.Invalid, "notify.query_invalid"), a.Log)
		return
	}
	list, err := a.Notify.Outbox(r.Context(), u.Actor())
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}
