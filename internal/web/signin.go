package web

import (
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

// client is who is signing in: the client address (X-Forwarded-For only
// from the configured proxies, right-most untrusted entry) counts against
// the per-address throttle.
func (s *server) client(r *http.Request) auth.Client {
	return auth.Client{IP: s.clients.IP(r), RequestID: reqState(r).id}
}

// afterStage sends a session to the page its stage needs next.
func stagePath(st auth.Stage) string {
	switch st {
	case auth.StagePassword:
		return "/signin/totp"
	case auth.StageEnrol:
		return "/signin/enrol"
	}
	return "/"
}

func (s *server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if st.sess != nil {
		http.Redirect(w, r, stagePath(st.sess.Stage), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "signin.title", nil)
	if st.expired {
		p.Error = st.p.T("session.expired")
	}
	s.render(w, r, http.StatusOK, "signin", p)
}

func (s *server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, formError(err))
		return
	}
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	token, sess, err := s.app.Auth.SignIn(r.Context(), email, password, s.client(r))
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			s.renderError(w, r, err)
			return
		}
		p := s.newPage(r, "signin.title", nil)
		p.Error = reqState(r).p.T("signin.failed")
		p.Form.Set("email", email)
		status := http.StatusUnauthorized
		if e.Code == errs.Invalid {
			status = http.StatusBadRequest
		}
		s.render(w, r, status, "signin", p)
		return
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, stagePath(sess.Stage), http.StatusSeeOther)
}

func (s *server) partialSession(w http.ResponseWriter, r *http.Request, want auth.Stage) bool {
	st := reqState(r)
	if st.sess == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return false
	}
	if st.sess.Stage != want {
		http.Redirect(w, r, stagePath(st.sess.Stage), http.StatusSeeOther)
		return false
	}
	return true
}

func (s *server) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	if !s.partialSession(w, r, auth.StagePassword) {
		return
	}
	s.render(w, r, http.StatusOK, "totp", s.newPage(r, "totp.title", nil))
}

func (s *server) handleTOTP(w http.ResponseWriter, r *http.Request) {
	if !s.partialSession(w, r, auth.StagePassword) {
		return
	}
	st := reqState(r)
	code := strings.TrimSpace(r.PostFormValue("code"))
	recovery := strings.TrimSpace(r.PostFormValue("recovery"))
	var token string
	var err error
	if recovery != "" {
		token, _, err = s.app.Auth.UseRecoveryCode(r.Context(), st.token, recovery, s.client(r))
	} else {
		token, _, err = s.app.Auth.VerifyTOTP(r.Context(), st.token, code, s.client(r))
	}
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			s.renderError(w, r, err)
			return
		}
		if errs.Is(err, errs.Unauthenticated) && errs.As(err).Key == "session.expired" {
			s.clearSessionCookie(w)
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		p := s.newPage(r, "totp.title", nil)
		p.Error = st.p.T("totp.failed")
		s.render(w, r, http.StatusUnauthorized, "totp", p)
		return
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type enrolData struct {
	Secret string
	QR     any
	Codes  []string
	// Activation: the account was approved by a second person and needs
	// the activation code the approver handed over.
	Activation bool
}

func (s *server) handleEnrolForm(w http.ResponseWriter, r *http.Request) {
	if !s.partialSession(w, r, auth.StageEnrol) {
		return
	}
	s.renderEnrol(w, r, http.StatusOK, "")
}

func (s *server) renderEnrol(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	st := reqState(r)
	secret, uri, err := s.app.Auth.BeginEnrolment(r.Context(), st.token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	qr, err := qrSVG(uri)
	if err != nil {
		s.renderError(w, r, errs.Internalf("qr: %w", err))
		return
	}
	need, err := s.app.Auth.NeedsActivation(r.Context(), st.token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "enrol.title", enrolData{Secret: groupSecret(secret), QR: qr, Activation: need})
	if errKey == "totp.failed" && need {
		errKey = "enrol.activation_failed"
	}
	if errKey != "" {
		p.Error = st.p.T(errKey)
	}
	s.render(w, r, status, "enrol", p)
}

func (s *server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	if !s.partialSession(w, r, auth.StageEnrol) {
		return
	}
	st := reqState(r)
	codes, token, _, err := s.app.Auth.ConfirmEnrolmentActivation(r.Context(), st.token, strings.TrimSpace(r.PostFormValue("code")),
		r.PostFormValue("activation"), s.client(r))
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			s.renderError(w, r, err)
			return
		}
		s.renderEnrol(w, r, http.StatusBadRequest, "totp.failed")
		return
	}
	s.setSessionCookie(w, token)
	// The recovery codes are shown once, on this answer; the page links on to
	// the dashboard.
	st.sess.Stage = auth.StageFull
	p := s.newPage(r, "enrol.codes_title", enrolData{Codes: codes})
	s.render(w, r, http.StatusOK, "recovery", p)
}

func (s *server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if st.token != "" {
		if err := s.app.Auth.SignOut(r.Context(), st.token); err != nil {
			s.log.Error("sign out", "id", st.id, "err", err)
		}
	}
	s.clearSessionCookie(w)
	s.redirectFlash(w, r, "/signin", "flash.signed_out")
}

// groupSecret splits a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formError(err error) error {
	if strings.Contains(err.Error(), "too large") {
		return errs.E(errs.TooLarge, "error.too_large")
	}
	return errs.E(errs.Invalid, "error.invalid").Wrap(err)
}
