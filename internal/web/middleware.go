package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/metrics"
)

type ctxKey struct{}

// state is what the middleware learns about a request, for handlers and logs.
type state struct {
	id     string
	route  string
	lang   i18n.Lang
	p      *i18n.Printer
	sess   *auth.Session
	user   *auth.User
	token  string
	status int
	// explicitLang is set when ?lang= chose the language.
	explicitLang bool
	// expired is set when the request carried a session that is no longer valid.
	expired bool
}

func reqState(r *http.Request) *state {
	if s, ok := r.Context().Value(ctxKey{}).(*state); ok {
		return s
	}
	return &state{lang: "en", p: i18n.For("en")}
}

type statusWriter struct {
	http.ResponseWriter
	st *state
}

func (w statusWriter) WriteHeader(code int) {
	if w.st.status == 0 {
		w.st.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w statusWriter) Write(b []byte) (int, error) {
	if w.st.status == 0 {
		w.st.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withObservation gives each request an id, and logs and measures it by route
// pattern — never by its URL, whose query could hold what a user typed.
func (s *server) withObservation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &state{id: newRequestID(), lang: "en", p: i18n.For("en")}
		w.Header().Set("X-Request-Id", st.id)
		ctx, apiRoute := metrics.WithRoute(r.Context())
		r = r.WithContext(context.WithValue(ctx, ctxKey{}, st))
		next.ServeHTTP(statusWriter{w, st}, r)
		route := st.route
		if route == "" {
			route = *apiRoute // the API's own route table (metrics.SetRoute)
		}
		if route == "" {
			route = routeLabel(r)
		}
		if st.status == 0 {
			st.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.ObserveRequest(r.Method, route, st.status, d)
		// The client address (behind trusted proxies only, internal/clientaddr)
		// ties an audit event's request id to where the request came from —
		// except on the public portal, whose visitors and tipsters leave no
		// address anywhere (internal/portal).
		if isPortal(r) {
			s.log.Info("request", "id", st.id, "method", r.Method, "route", route, "status", st.status, "ms", d.Milliseconds())
			return
		}
		s.log.Info("request", "id", st.id, "method", r.Method, "route", route, "status", st.status, "ms", d.Milliseconds(),
			"client", s.clients.IP(r))
	})
}

// routeLabel is a bounded label for requests that no page route claimed.
func routeLabel(r *http.Request) string {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/static/"):
		return "/static/"
	case strings.HasPrefix(p, "/api/"):
		if r.Pattern != "" {
			return r.Pattern
		}
		return "/api/"
	}
	return "other"
}

// withRecover turns a panic into a plain 500 page: the stack goes to the log
// (it holds no request values), never to the client.
func (s *server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "id", reqState(r).id, "stack", string(debug.Stack()))
				s.renderError(w, r, errs.Internalf("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withSecurityHeaders sets the headers every answer carries.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if !strings.HasPrefix(r.URL.Path, "/static/") && !isPortal(r) {
			h.Set("Cache-Control", "no-store") // the portal sets its own (ETag, internal/portal)
		}
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit caps every request body; a bigger one fails to parse and the
// handler answers 413.
func (s *server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isPortal(r) {
			next.ServeHTTP(w, r) // the portal caps its forms itself, far lower, and answers in its own pages
			return
		}
		limit := s.app.Cfg.MaxBodyBytes
		if l, ok := s.uploadLimit(r); ok && l > limit {
			limit = l // document uploads only (caserecords_notes.go)
		}
		if r.ContentLength > limit {
			s.renderError(w, r, errs.E(errs.TooLarge, "error.too_large"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

const langCookie = "ura_lang"

// withLang picks the page language: ?lang= (remembered in a cookie), then the
// signed-in user's setting, then the cookie, then Accept-Language. An unknown
// ?lang= is ignored, not an error page.
func (s *server) withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := reqState(r)
		if isPortal(r) {
			next.ServeHTTP(w, r) // the portal picks its own language from ?lang= alone: no cookie
			return
		}
		lang := i18n.Match(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil {
			if l, ok := i18n.Parse(c.Value); ok {
				lang = l
			}
		}
		if q := r.URL.Query().Get("lang"); q != "" {
			if l, ok := i18n.Parse(q); ok {
				lang = l
				http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
					HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
				st.explicitLang = true
			}
		}
		st.lang = lang
		st.p = s.printer(lang)
		next.ServeHTTP(w, r)
	})
}

// withReadAudit collects the read events of a request (audit.Defer) and
// commits them in one go just before the response begins: a case page that
// reads the case, its notes, consent, plan and referrals waits for one
// durable commit instead of five. If that commit fails, the client gets an
// error page instead of what was read.
func (s *server) withReadAudit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, d := audit.Defer(r.Context(), s.app.DB)
		r = r.WithContext(ctx)
		aw := &auditWriter{ResponseWriter: w, d: d, s: s, r: r}
		next.ServeHTTP(aw, r)
		if !aw.started {
			aw.begin() // a handler that wrote nothing still has its events committed
		}
	})
}

// auditWriter commits the request's read events before the first byte of
// the response.
type auditWriter struct {
	http.ResponseWriter
	d       *audit.Deferred
	s       *server
	r       *http.Request
	started bool
	failed  bool
}

func (w *auditWriter) begin() bool {
	if w.started {
		return !w.failed
	}
	w.started = true
	if err := w.d.Flush(w.r.Context()); err != nil {
		w.failed = true
		h := w.ResponseWriter.Header()
		for _, k := range []string{"Location", "Content-Disposition", "Content-Length"} {
			h.Del(k)
		}
		w.s.renderError(w.ResponseWriter, w.r, errs.Internalf("commit read events: %w", err))
		return false
	}
	return true
}

func (w *auditWriter) WriteHeader(code int) {
	if w.begin() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *auditWriter) Write(b []byte) (int, error) {
	if !w.begin() {
		return len(b), nil // the error page has been sent instead
	}
	return w.ResponseWriter.Write(b)
}

func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
