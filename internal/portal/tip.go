package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/tips"
)

// TipStore is what the portal needs from internal/tips.
type TipStore interface {
	Submit(ctx context.Context, in tips.Input) (code string, err error)
	AddInfo(ctx context.Context, code, body string) error
}

// maxForm caps a portal form's body: the fields' limits with room for
// encoding, far below the instance's general limit.
const maxForm = 64 << 10

// parseForm reads a portal form; false (after answering 413 or 400) when
// the body is too big or malformed.
func (s *Site) parseForm(w http.ResponseWriter, r *http.Request, v *View) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		status, key := http.StatusBadRequest, "error.malformed"
		if strings.Contains(err.Error(), "too large") {
			status, key = http.StatusRequestEntityTooLarge, "error.too_large"
		}
		v.Error = key
		s.dynamic(w, r, v, status)
		return false
	}
	return true
}

func fieldError(v *View, err error) bool {
	e := errs.As(err)
	if e.Code != errs.Invalid || e.Field == "" {
		return false
	}
	key := map[string]string{"validation.required": "error.required", "validation.too_long": "error.too_long",
		"validation.invalid_choice": "error.invalid_choice"}[e.Key]
	if key == "" {
		key = "error.invalid"
	}
	v.Errors[e.Field] = key
	v.Args = e.Args
	v.Error = "error.form"
	return true
}

// SubmitTip answers POST /help/tip. addr is the client's address, used
// only as a rate-limit key in memory (Guard.client); it is passed nowhere
// else. A stored tip is committed before the 303 to its thank-you page.
func (s *Site) SubmitTip(w http.ResponseWriter, r *http.Request, addr string) {
	l, unknown, _ := LangOf(r)
	v := s.view(l, "tip", unknown)
	v.Data = municipalityOptions(l)
	if !s.parseForm(w, r, v) {
		return
	}
	if fl, ok := ParseLang(r.PostForm.Get("lang")); ok && fl != l {
		l = fl
		v = s.view(l, "tip", false)
		v.Data = municipalityOptions(l)
	}
	f := r.PostForm
	for _, k := range []string{"what", "where", "when", "contact", "municipality"} {
		v.Form.Set(k, f.Get(k))
	}
	// The honeypot: a field people never see. Whatever filled it gets the
	// answer of a stored tip, and nothing is stored.
	if f.Get("website") != "" {
		s.redirectThanks(w, r, l, tips.NewCode())
		return
	}
	in := tips.Input{What: f.Get("what"), Where: f.Get("where"), When: f.Get("when"), Contact: f.Get("contact"),
		Municipality: f.Get("municipality"), Lang: string(l)}
	if err := in.Validate(); err != nil {
		if fieldError(v, err) {
			s.dynamic(w, r, v, http.StatusBadRequest)
			return
		}
	}
	pow := s.Guard.CheckPoW(f.Get("pow_challenge"), f.Get("pow_nonce"))
	if !s.Guard.AllowTip(addr, pow) {
		v.Error = "error.rate_tip"
		w.Header().Set("Retry-After", "60")
		s.dynamic(w, r, v, http.StatusTooManyRequests)
		return
	}
	code, err := s.Tips.Submit(r.Context(), in)
	if err != nil {
		if fieldError(v, err) {
			s.dynamic(w, r, v, http.StatusBadRequest)
			return
		}
		v.Error = "error.not_saved"
		s.dynamic(w, r, v, http.StatusInternalServerError)
		return
	}
	s.redirectThanks(w, r, l, code)
}

func (s *Site) redirectThanks(w http.ResponseWriter, r *http.Request, l Lang, code string) {
	tok := s.Guard.Thanks(code)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/help/tip/thanks/"+tok+"?lang="+url.QueryEscape(string(l)), http.StatusSeeOther)
}

// ThanksView is the thank-you page's data.
type ThanksView struct {
	Code  string
	Shown bool // the code was shown before (or the token is unknown)
}

// ServeThanks answers GET /help/tip/thanks/{token}: the tip code, once.
func (s *Site) ServeThanks(w http.ResponseWriter, r *http.Request, token string) {
	l, unknown, _ := LangOf(r)
	v := s.view(l, "thanks", unknown)
	code, ok := s.Guard.TakeThanks(token)
	v.Data = ThanksView{Code: code, Shown: !ok}
	s.dynamic(w, r, v, http.StatusOK)
}

// AddView is the add-information page's data.
type AddView struct{ Done bool }

// AddInfo answers POST /help/tip/add: the same answer whether or not the
// code names a tip, rate limited like a guess.
func (s *Site) AddInfo(w http.ResponseWriter, r *http.Request, addr string) {
	l, unknown, _ := LangOf(r)
	v := s.view(l, "add", unknown)
	v.Data = AddView{}
	if !s.parseForm(w, r, v) {
		return
	}
	if fl, ok := ParseLang(r.PostForm.Get("lang")); ok && fl != l {
		l = fl
		v = s.view(l, "add", false)
		v.Data = AddView{}
	}
	code, body := r.PostForm.Get("code"), r.PostForm.Get("body")
	v.Form.Set("code", code)
	v.Form.Set("body", body)
	if _, ok := tips.NormaliseCode(code); !ok {
		v.Errors["code"], v.Error = "error.code_format", "error.form"
	}
	if strings.TrimSpace(body) == "" {
		v.Errors["body"], v.Error = "error.required", "error.form"
	}
	if len(v.Errors) > 0 {
		s.dynamic(w, r, v, http.StatusBadRequest)
		return
	}
	if !s.Guard.AllowCode(addr) {
		v.Error = "error.rate_code"
		w.Header().Set("Retry-After", "60")
		s.dynamic(w, r, v, http.StatusTooManyRequests)
		return
	}
	if err := s.Tips.AddInfo(r.Context(), code, body); err != nil {
		if fieldError(v, err) {
			s.dynamic(w, r, v, http.StatusBadRequest)
			return
		}
		v.Error = "error.not_saved"
		s.dynamic(w, r, v, http.StatusInternalServerError)
		return
	}
	v.Form = url.Values{}
	v.Data = AddView{Done: true}
	s.dynamic(w, r, v, http.StatusOK)
}

// ServeChallenge answers GET /help/tip/challenge with a proof-of-work
// challenge (plain text) for the tip form's script.
func (s *Site) ServeChallenge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(s.Guard.Challenge()))
}
