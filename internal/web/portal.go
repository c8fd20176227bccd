package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/portal"
)

// The public portal (/help/, internal/portal): no sign-in, no cookie, no
// client address in any log. The middleware leaves these paths alone where
// it would otherwise set a cookie (withLang, withSession) or log the client
// (withObservation); the pages set their own cache headers.

// isPortal tells whether a request is for the public portal.
func isPortal(r *http.Request) bool {
	return r.URL.Path == "/help" || strings.HasPrefix(r.URL.Path, "/help/")
}

func newPortal(a *app.App) (*portal.Site, error) {
	c := a.Cfg.Portal
	hours, err := portal.ParseHours(c.HelplineHours)
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(c.ExitURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--portal-exit-url must be an http(s) address, not %q", c.ExitURL)
	}
	loc, err := a.Cfg.Location()
	if err != nil {
		return nil, err
	}
	var dir portal.Directory
	if a.Referral != nil {
		dir = a.Referral.PublicDirectory
	}
	cfg := portal.Config{HelplineNumber: c.HelplineNumber, Hours: hours, Emergency: c.Emergency, ExitURL: c.ExitURL, Loc: loc}
	if a.Coord != nil {
		// The running public campaign, through the coordination
		// capability's one public function: title, theme and dates only.
		cfg.Campaign = func(ctx context.Context) (*portal.Campaign, error) {
			pc, err := a.Coord.CurrentCampaign(ctx)
			if err != nil || pc == nil {
				return nil, err
			}
			return &portal.Campaign{Title: pc.Title, Theme: pc.Theme, StartsOn: pc.StartsOn, EndsOn: pc.EndsOn}, nil
		}
	}
	return portal.New(cfg, dir, a.Tips, a.Clock.Now)
}

func portalPage(name string) func(s *server, w http.ResponseWriter, r *http.Request) {
	return func(s *server, w http.ResponseWriter, r *http.Request) { s.portal.ServePage(w, r, name) }
}

func (s *server) handlePortalRoot(w http.ResponseWriter, r *http.Request) {
	to := "/help/"
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusMovedPermanently)
}

func (s *server) handlePortalAsset(w http.ResponseWriter, r *http.Request) {
	s.portal.ServeAsset(w, r, r.PathValue("file"))
}

// The client address goes to the portal's in-memory rate limiter only.
func (s *server) handleTipSubmit(w http.ResponseWriter, r *http.Request) {
	s.portal.SubmitTip(w, r, s.clients.IP(r))
}

func (s *server) handleTipAddForm(w http.ResponseWriter, r *http.Request) {
	s.portal.ServePage(w, r, "add")
}

func (s *server) handleTipAdd(w http.ResponseWriter, r *http.Request) {
	s.portal.AddInfo(w, r, s.clients.IP(r))
}

func (s *server) handleTipThanks(w http.ResponseWriter, r *http.Request) {
	s.portal.ServeThanks(w, r, r.PathValue("token"))
}

func (s *server) handleTipChallenge(w http.ResponseWriter, r *http.Request) {
	s.portal.ServeChallenge(w, r)
}
