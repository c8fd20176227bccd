// Package web serves Ura's pages: server-rendered HTML, every asset embedded,
// no request leaves the instance. Handlers are thin: they read the form, call a
// service with the signed-in actor, and render. All routes are in routes.go.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clientaddr"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/portal"
	"github.com/ura-nrm/ura/internal/web/static"
)

type server struct {
	app     *app.App
	log     *slog.Logger
	tmpl    *templates
	metrics *metrics.Registry
	secure  bool
	// clients finds a request's client address (trusted proxies only).
	clients *clientaddr.Resolver
	// loc is the instance's time zone: every page shows times in it.
	loc *time.Location
	// portal is the public site at /help/.
	portal *portal.Site
}

// printer is a language's Printer showing times in the instance's zone.
func (s *server) printer(l i18n.Lang) *i18n.Printer { return i18n.For(l).In(s.loc) }

// New returns the whole HTTP handler of Ura: pages, the JSON API, static files,
// health and metrics, wrapped in the security middleware.
func New(a *app.App) (http.Handler, error) {
	h, _, err := NewWithMetrics(a)
	return h, err
}

// NewWithMetrics returns the handler of New and, for a separate listen
// address (--metrics-addr), a handler that serves /metrics alone from the
// same figures.
func NewWithMetrics(a *app.App) (http.Handler, http.Handler, error) {
	t, err := parseTemplates()
	if err != nil {
		return nil, nil, err
	}
	loc, err := a.Cfg.Location()
	if err != nil {
		return nil, nil, err
	}
	s := &server{app: a, log: a.Log, tmpl: t, metrics: newRegistry(a), secure: a.Cfg.Secure(), loc: loc,
		clients: clientaddr.New(a.Cfg.TrustedProxies)}
	if s.portal, err = newPortal(a); err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	mux.Handle("GET /static/", static.Handler())
	apiH := api.New(api.Deps{Auth: a.Auth, DB: a.DB, Clock: a.Clock, Log: a.Log, Cases: a.Cases, Screenings: a.Screenings,
		Dedup: a.Dedup, Notify: a.Notify, Referral: a.Referral, Stats: a.Stats, Grants: a.Grants, Helpline: a.Helpline, GBV: a.GBV, Justice: a.Justice, Exchange: a.Exchange, Coord: a.Coord, Records: api.CaseRecords{Consent: a.Consent, Notes: a.Notes, Plans: a.Plans, Clocks: a.Clocks},
		Limits: api.Limits{PerToken: a.Cfg.APIRatePerToken, PerAddress: a.Cfg.APIRatePerAddress, ClientIP: s.clients.IP}})
	mux.Handle("/api/", apiH)
	mux.HandleFunc("/", s.handleNotFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.handleCrossOriginDenied))
	var h http.Handler = mux
	h = s.withReadAudit(h)
	h = s.withSession(h)
	h = s.withLang(h)
	h = cop.Handler(h)
	h = s.withBodyLimit(h)
	h = withSecurityHeaders(h)
	h = s.withObservation(h)
	h = s.withRecover(h)
	return h, s.metricsListenerHandler(), nil
}

// guard applies a route's rule: public routes pass; others need a full
// session (or a partial one where allowed) and the policy's permission.
func (s *server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs := reqState(r)
		rs.route = rt.Pattern
		if !rt.Public {
			if rs.user == nil || rs.sess.Stage != auth.StageFull {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/signin", http.StatusSeeOther)
					return
				}
				s.renderError(w, r, errUnauthenticated)
				return
			}
			if err := access.CheckRoute(rs.user.Actor(), rt.Action); err != nil {
				s.auditDenied(r, rt)
				s.renderError(w, r, err)
				return
			}
			if r.Method == http.MethodPost && !s.validCSRF(r) {
				s.renderError(w, r, errCSRF)
				return
			}
		}
		if rt.Public && rt.Partial && r.Method == http.MethodPost && rs.sess != nil && !s.validCSRF(r) {
			s.renderError(w, r, errCSRF)
			return
		}
		rt.h(s, w, r)
	})
}

func (s *server) now() time.Time { return s.app.Clock.Now() }
