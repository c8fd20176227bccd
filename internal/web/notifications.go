package web

import (
	"net/http"
	"net/url"

	"github.com/ura-nrm/ura/internal/notify"
)

// The user's notifications (/notifications): what awaits them, newest
// first, each linked to its page, unread ones marked and each markable as
// read. The header's navigation shows the unread count (render.go).

type notificationsData struct {
	Items  []notify.Item
	Unread int
	// Older is the link to the next page ("" on the last); Paged is set
	// on every page but the first, which then links back to the newest.
	Older string
	Paged bool
}

// notificationsPage is how many notifications one page shows.
const notificationsPage = 50

func (s *server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	after := notify.ParseCursor(r.URL.Query().Get("before"))
	items, next, err := s.app.Notify.ListPage(r.Context(), a, false, after, notificationsPage)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	unread, err := s.app.Notify.UnreadCount(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &notificationsData{Items: items, Unread: unread, Paged: !after.IsZero()}
	if !next.IsZero() {
		d.Older = "/notifications?" + url.Values{"before": {next.String()}}.Encode()
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
