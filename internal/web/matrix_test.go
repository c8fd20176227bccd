package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/apptest"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/web"
)

const pw = "matrix test passphrase 1"

// env is a whole Ura on a fresh store with one user per role.
type env struct {
	app    *app.App
	h      http.Handler
	clk    *clock.Fake
	users  map[access.Role]*auth.User
	secret map[access.Role]string
}

func newEnv(t testing.TB, e store.Engine) *env {
	t.Helper()
	ctx := context.Background()
	a, clk := apptest.Open(t, e)
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	en := &env{app: a, h: h, clk: clk, users: map[access.Role]*auth.User{}, secret: map[access.Role]string{}}
	for _, r := range access.Roles {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{
			Email: string(r) + "@matrix.invalid", Name: "User " + string(r), Role: r, OrgID: org.ID, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		en.users[r] = u
	}
	return en
}

// session signs the role's user in (enrolling a second factor when needed)
// and returns the session cookie value and CSRF token.
func (en *env) session(t testing.TB, r access.Role) (token, csrf string) {
	t.Helper()
	ctx := context.Background()
	en.clk.Advance(31 * time.Second) // a fresh TOTP step for every sign-in
	c := auth.Client{IP: "127.0.0.1"}
	tok, sess, err := en.app.Auth.SignIn(ctx, string(r)+"@matrix.invalid", pw, c)
	if err != nil {
		t.Fatalf("sign in %s: %v", r, err)
	}
	switch sess.Stage {
	case auth.StageEnrol:
		secret, _, err := en.app.Auth.BeginEnrolment(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(secret, en.clk.Now())
		_, tok, sess, err = en.app.Auth.ConfirmEnrolment(ctx, tok, code, c)
		if err != nil {
			t.Fatalf("enrol %s: %v", r, err)
		}
		en.secret[r] = secret
	case auth.StagePassword:
		code, _ := auth.TOTPCode(en.secret[r], en.clk.Now())
		tok, sess, err = en.app.Auth.VerifyTOTP(ctx, tok, code, c)
		if err != nil {
			t.Fatalf("totp %s: %v", r, err)
		}
	}
	if sess.Stage != auth.StageFull {
		t.Fatalf("%s: stage %q after sign-in", r, sess.Stage)
	}
	return tok, sess.CSRF
}

func fill(pattern string) string {
	p := strings.ReplaceAll(pattern, "{id}", "nosuchid")
	return strings.TrimSuffix(p, "{$}")
}

func (en *env) do(method, path, cookie, csrf, bearer string) int {
	var body *strings.Reader
	if method == "POST" {
		body = strings.NewReader(url.Values{"csrf": {csrf}}.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec.Code
}

// TestAccessMatrix walks every page and API route with every role and with no
// one signed in, and asserts both allow and deny against the policy table.
func TestAccessMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			for _, rt := range web.Routes() {
				path := fill(rt.Pattern)
				if rt.Public {
					continue
				}
				t.Run("anonymous "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
					got := en.do(rt.Method, path, "", "", "")
					want := http.StatusSeeOther
					if rt.Method == "POST" {
						want = http.StatusUnauthorized
					}
					if got != want {
						t.Errorf("status %d, want %d", got, want)
					}
				})
			}
			for _, role := range access.Roles {
				actor := en.users[role].Actor()
				for _, rt := range web.Routes() {
					if rt.Public {
						continue
					}
					name := string(role) + " " + rt.Method + " " + rt.Pattern
					t.Run(name, func(t *testing.T) {
						tok, csrf := en.session(t, role)
						got := en.do(rt.Method, fill(rt.Pattern), tok, csrf, "")
						switch {
						case access.Can(actor, rt.Action):
							if got == http.StatusForbidden || got == http.StatusUnauthorized || got >= 500 {
								t.Errorf("allowed by the policy, got %d", got)
							}
						case access.BreakGlassOpens(actor, rt.Action):
							// The gate lets break-glass through; without a grant the record is not found.
							if got != http.StatusNotFound && got != http.StatusSeeOther {
								t.Errorf("break-glass action without a grant: got %d, want 404", got)
							}
						case got != http.StatusForbidden:
							t.Errorf("denied by the policy, got %d, want 403", got)
						}
					})
				}
				tok, _, err := en.app.Auth.CreateToken(context.Background(), access.SystemActor, en.users[role].ID, "matrix", time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				for _, rt := range api.Routes() {
					t.Run(string(role)+" API "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
						got := en.do(rt.Method, fill(rt.Pattern), "", "", tok)
						switch {
						case rt.Public || access.Can(actor, rt.Action):
							if got == http.StatusForbidden || got == http.StatusUnauthorized || got >= 500 {
								t.Errorf("allowed, got %d", got)
							}
						case access.BreakGlassOpens(actor, rt.Action):
							if got != http.StatusNotFound {
								t.Errorf("break-glass action without a grant: got %d, want 404", got)
							}
						case got != http.StatusForbidden:
							t.Errorf("denied by the policy, got %d, want 403", got)
						}
						if !rt.Public {
							if got := en.do(rt.Method, fill(rt.Pattern), "", "", ""); got != http.StatusUnauthorized {
								t.Errorf("without a token: %d, want 401", got)
							}
						}
					})
				}
			}
		})
	}
}
