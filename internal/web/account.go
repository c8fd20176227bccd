package web

import (
	"net/http"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

type accountData struct {
	User     *auth.User
	Sessions []auth.SessionInfo
	Langs    []langItem
}

func (s *server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, nil)
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	sessions, err := s.app.Auth.FindSessions(r.Context(), st.user.Actor(), st.user.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := accountData{User: st.user, Sessions: sessions}
	for _, l := range i18n.Supported {
		d.Langs = append(d.Langs, langItem{Tag: string(l), Label: st.p.LangName(l), Current: l == st.lang})
	}
	p := s.newPage(r, "account.title", d)
	if formErr != nil {
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "account", p)
}

// setFormError puts a validation error next to its field, or on top.
func setFormError(p *page, st *state, err error) {
	e := errs.As(err)
	msg := st.p.T(e.Key, argList(e.Args)...)
	if e.Field != "" {
		p.Errors[e.Field] = msg
	} else {
		p.Error = msg
	}
}

func (s *server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	cur, next := r.PostFormValue("current"), r.PostFormValue("new")
	if next != r.PostFormValue("confirm") {
		s.renderAccount(w, r, http.StatusBadRequest, errs.InvalidField("confirm", "validation.password_mismatch"))
		return
	}
	if err := s.app.Auth.ChangePassword(r.Context(), st.user.Actor(), cur, next); err != nil {
		if isFormErr(err) {
			s.renderAccount(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/account", "flash.password_changed")
}

func (s *server) handleSetLang(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		s.renderAccount(w, r, http.StatusBadRequest, errs.InvalidField("lang", "validation.lang"))
		return
	}
	if err := s.app.Auth.SetLang(r.Context(), st.user.Actor(), string(l)); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.redirectFlash(w, r, "/account", "flash.saved")
}

func (s *server) handleRevokeOwnSessions(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := s.app.Auth.RevokeSessions(r.Context(), st.user.Actor(), st.user.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.clearSessionCookie(w)
	s.redirectFlash(w, r, "/signin", "flash.signed_out")
}

type tokensData struct {
	Tokens []*auth.Token
	New    string
}

func (s *server) handleTokens(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, "", nil)
}

func (s *server) renderTokens(w http.ResponseWriter, r *http.Request, status int, newToken string, formErr error) {
	st := reqState(r)
	toks, err := s.app.Auth.FindTokens(r.Context(), st.user.Actor(), st.user.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "tokens.title", tokensData{Tokens: toks, New: newToken})
	if formErr != nil {
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "tokens", p)
}

func (s *server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	days := 90
	switch r.PostFormValue("days") {
	case "7":
		days = 7
	case "30":
		days = 30
	case "", "90":
	default:
		s.renderTokens(w, r, http.StatusBadRequest, "", errs.InvalidField("days", "validation.invalid"))
		return
	}
	tok, _, err := s.app.Auth.CreateToken(r.Context(), st.user.Actor(), st.user.ID, r.PostFormValue("label"), time.Duration(days)*24*time.Hour)
	if err != nil {
		if isFormErr(err) {
			s.renderTokens(w, r, errs.HTTPStatus(err), "", err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	// Shown once, in this answer only (never in a URL or a redirect).
	s.renderTokens(w, r, http.StatusCreated, tok, nil)
}

func (s *server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := s.app.Auth.RevokeToken(r.Context(), st.user.Actor(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/account/tokens", "flash.token_revoked")
}

func isFormErr(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Conflict:
		return true
	}
	return false
}
