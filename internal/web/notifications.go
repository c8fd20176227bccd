package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/notify"
)

// The user's notifications (/notifications): what awaits them, newest
// first, each linked to its page, unread ones marked and each markable as
// read. The header's navigation shows the unread count (render.go).

type notificationsData struct {
	Items  []notify.Item
	Unread int
}

func (s *server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Notify.List(r.Context(), reqState(r).user.Actor(), false)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &notificationsData{Items: items}
	for _, it := range items {
		if it.ReadAt == nil {
			d.Unread++
		}
	}
	s.render(w, r, http.StatusOK, "notifications", s.newPage(r, "notifications.title", d))
}

func (s *server) handleNotificationRead(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Notify.MarkRead(r.Context(), reqState(r).user.Actor(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/notifications", "flash.notification_read")
}
