package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

var (
	errUnauthenticated = errs.E(errs.Unauthenticated, "session.expired")
	errCSRF            = errs.E(errs.Forbidden, "error.csrf")
)

func (s *server) cookieName() string {
	if s.secure {
		return "__Host-ura_session" // bound to this host, path / and https
	}
	return "ura_session"
}

func (s *server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

func (s *server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

// withSession loads the session named by the cookie, if any. An expired or
// forged cookie is dropped, and the request goes on signed out.
func (s *server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics" || isPortal(r) {
			next.ServeHTTP(w, r)
			return
		}
		st := reqState(r)
		if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
			sess, user, err := s.app.Auth.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				st.sess, st.user, st.token = sess, user, c.Value
				s.applyUserLang(r, st)
			case errs.Is(err, errs.Unauthenticated):
				s.clearSessionCookie(w)
				st.expired = true
			default:
				s.renderError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// applyUserLang makes a signed-in user's language setting win over the
// browser's, and remembers a ?lang= choice in the account.
func (s *server) applyUserLang(r *http.Request, st *state) {
	if st.user == nil || st.sess.Stage != auth.StageFull {
		return
	}
	if st.explicitLang {
		if st.user.Lang != string(st.lang) {
			if err := s.app.Auth.SetLang(r.Context(), st.user.Actor(), string(st.lang)); err == nil {
				st.user.Lang = string(st.lang)
			}
		}
		return
	}
	if st.user.Lang != "" {
		if l, ok := i18n.Parse(st.user.Lang); ok {
			st.lang, st.p = l, s.printer(l)
		}
	}
}

// validCSRF checks the form's token against the session's, in constant time.
// Cross-origin requests are already refused by http.CrossOriginProtection; the
// token also covers browsers that send neither Sec-Fetch-Site nor Origin.
func (s *server) validCSRF(r *http.Request) bool {
	st := reqState(r)
	if st.sess == nil {
		return false
	}
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(st.sess.CSRF)) == 1
}

func (s *server) handleCrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, errCSRF)
}

// auditDenied records a refused request: who tried which route.
func (s *server) auditDenied(r *http.Request, rt Route) {
	st := reqState(r)
	a := st.user.Actor()
	_, err := audit.AppendNow(r.Context(), s.app.DB, s.now(), audit.Event{
		Actor:  audit.Actor{UserID: a.UserID, OrgID: a.OrgID, Role: string(a.Role)},
		Action: "access.denied", ObjectType: "route", ObjectID: rt.Method + ":" + rt.Pattern,
		Outcome: "denied", RequestID: st.id,
	})
	if err != nil {
		s.log.Error("audit denied request", "id", st.id, "err", err)
	}
}

// actorAudit converts the signed-in user to an audit actor.
func actorAudit(u *auth.User) audit.Actor {
	a := u.Actor()
	return audit.Actor{UserID: a.UserID, OrgID: a.OrgID, Role: string(a.Role)}
}
