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
	// The access matrix alone calls every API route of every role from one
	// address, more than a minute's limit: the limits have their own tests
	// (TestRateLimits, TestAPIRateLimitByClientAddress).
	a.Cfg.APIRatePerAddress, a.Cfg.APIRatePerToken = 0, 0
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

// postForm sends a form with the session's CSRF token and returns the response.
func (en *env) postForm(path, cookie, csrf string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", csrf)
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

// TestApprovalMatrix proves separation of duties through the pages: an
// administrator's new police account waits closed; only the coordinator may
// approve or refuse it — not the administrator who asked, not any other
// role — a coordinator never decides on their own account, a refusal needs a
// reason, and a decided change cannot be decided again.
func TestApprovalMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			en := newEnv(t, e)
			admin, coord := en.users[access.Admin], en.users[access.Coordinator]
			adminTok, adminCSRF := en.session(t, access.Admin)
			rec := en.postForm("/admin/users", adminTok, adminCSRF, url.Values{"name": {"Besa Gashi"}, "email": {"besa@matrix.invalid"},
				"role": {"police"}, "org": {en.users[access.Police].OrgID}, "password": {pw}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("create police account: %d", rec.Code)
			}
			u, err := en.app.Auth.FindUserByEmail(ctx, admin.Actor(), "besa@matrix.invalid")
			if err != nil || u.Active {
				t.Fatalf("new police account: %+v, %v; want closed", u, err)
			}
			if _, _, err := en.app.Auth.SignIn(ctx, "besa@matrix.invalid", pw, auth.Client{IP: "127.0.0.1"}); err == nil {
				t.Fatal("the account waiting for approval signs in")
			}
			c, err := en.app.Auth.PendingChange(ctx, admin.Actor(), u.ID)
			if err != nil || c == nil {
				t.Fatalf("no pending change: %v", err)
			}
			approve, refuse := "/admin/approvals/"+c.ID+"/approve", "/admin/approvals/"+c.ID+"/refuse"

			for _, role := range access.Roles {
				tok, csrf := en.session(t, role)
				t.Run(string(role)+" GET /admin/approvals", func(t *testing.T) {
					got := en.do("GET", "/admin/approvals", tok, csrf, "")
					want := http.StatusForbidden
					if role == access.Coordinator || role == access.Admin || role == access.Auditor {
						want = http.StatusOK
					}
					if got != want {
						t.Errorf("status %d, want %d", got, want)
					}
				})
				if role == access.Coordinator {
					continue
				}
				t.Run(string(role)+" approves", func(t *testing.T) {
					if got := en.postForm(approve, tok, csrf, nil).Code; got != http.StatusForbidden {
						t.Errorf("status %d, want 403", got)
					}
					if got := en.postForm(refuse, tok, csrf, url.Values{"reason": {"no"}}).Code; got != http.StatusForbidden {
						t.Errorf("refuse: status %d, want 403", got)
					}
				})
			}
			t.Run("anonymous", func(t *testing.T) {
				if got := en.do("POST", approve, "", "", ""); got != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", got)
				}
			})
			t.Run("admin's own request, and no pending change moved", func(t *testing.T) {
				if got, _ := en.app.Auth.PendingChange(ctx, admin.Actor(), u.ID); got == nil || got.ID != c.ID {
					t.Fatalf("the change is no longer pending after refusals: %+v", got)
				}
				page := en.getBody(t, "/admin/users/"+u.ID, adminTok)
				if !strings.Contains(page, `id="user-pending"`) {
					t.Error("the administrator's user page does not show the change waiting for approval")
				}
				page = en.getBody(t, "/admin/approvals", adminTok)
				if strings.Contains(page, approve) {
					t.Error("the approvals page offers the administrator an approve button")
				}
			})

			coordTok, coordCSRF := en.session(t, access.Coordinator)
			t.Run("refusal needs a reason", func(t *testing.T) {
				rec := en.postForm(refuse, coordTok, coordCSRF, url.Values{"reason": {"  "}})
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-reason"`) {
					t.Errorf("empty reason: %d, error beside the field: %v", rec.Code, strings.Contains(rec.Body.String(), `id="err-reason"`))
				}
			})
			t.Run("coordinator approves", func(t *testing.T) {
				// A new account: the answer shows its activation code, once.
				rec := en.postForm(approve, coordTok, coordCSRF, nil)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="activation-code"`) {
					t.Fatalf("status %d, activation code shown: %v", rec.Code, strings.Contains(rec.Body.String(), `id="activation-code"`))
				}
				if strings.Contains(en.getBody(t, "/admin/approvals", coordTok), `id="activation-code"`) {
					t.Error("the activation code is shown again")
				}
				if u, _ := en.app.Auth.FindUserByID(ctx, admin.Actor(), u.ID); !u.Active {
					t.Error("approved, yet closed")
				}
				if got := en.postForm(approve, coordTok, coordCSRF, nil).Code; got != http.StatusConflict {
					t.Errorf("approving twice: %d, want 409", got)
				}
			})
			t.Run("coordinator on their own account", func(t *testing.T) {
				other := en.users[access.Police].OrgID
				rec := en.postForm("/admin/users/"+coord.ID+"/change", adminTok, adminCSRF, url.Values{"role": {"coordinator"}, "org": {other}})
				if rec.Code != http.StatusSeeOther {
					t.Fatalf("change coordinator's organisation: %d", rec.Code)
				}
				own, err := en.app.Auth.PendingChange(ctx, admin.Actor(), coord.ID)
				if err != nil || own == nil {
					t.Fatalf("no pending change: %v", err)
				}
				if got := en.postForm("/admin/approvals/"+own.ID+"/approve", coordTok, coordCSRF, nil).Code; got != http.StatusForbidden {
					t.Errorf("coordinator approving own account: %d, want 403", got)
				}
				if got, _ := en.app.Auth.FindUserByID(ctx, admin.Actor(), coord.ID); got.OrgID == other {
					t.Error("the coordinator moved themselves")
				}
			})
			t.Run("reopening waits", func(t *testing.T) {
				police := en.users[access.Police]
				if rec := en.postForm("/admin/users/"+police.ID+"/active", adminTok, adminCSRF, url.Values{"active": {"0"}}); rec.Code != http.StatusSeeOther {
					t.Fatalf("close: %d", rec.Code)
				}
				if rec := en.postForm("/admin/users/"+police.ID+"/active", adminTok, adminCSRF, url.Values{"active": {"1"}}); rec.Code != http.StatusSeeOther {
					t.Fatalf("reopen: %d", rec.Code)
				}
				if got, _ := en.app.Auth.FindUserByID(ctx, admin.Actor(), police.ID); got.Active {
					t.Error("reopened without approval")
				}
				rec := en.postForm("/admin/users/"+police.ID+"/active", adminTok, adminCSRF, url.Values{"active": {"1"}})
				if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `id="user-active-error"`) {
					t.Errorf("reopening twice: %d, message beside the button: %v", rec.Code, strings.Contains(rec.Body.String(), `id="user-active-error"`))
				}
			})
			t.Run("second factor reset waits", func(t *testing.T) {
				pros := en.users[access.Prosecutor]
				if rec := en.postForm("/admin/users/"+pros.ID+"/reset-totp", adminTok, adminCSRF, nil); rec.Code != http.StatusSeeOther {
					t.Fatalf("reset: %d", rec.Code)
				}
				if got, _ := en.app.Auth.FindUserByID(ctx, admin.Actor(), pros.ID); !got.TOTPEnabled {
					t.Error("the administrator reset a prosecutor's second factor alone")
				}
				if c, _ := en.app.Auth.PendingChange(ctx, admin.Actor(), pros.ID); c == nil || c.Kind != auth.ChangeTOTPReset {
					t.Errorf("pending change = %+v", c)
				}
			})
			t.Run("bad input beside the field, nothing changed", func(t *testing.T) {
				analyst := en.users[access.Analyst]
				rec := en.postForm("/admin/users/"+analyst.ID+"/change", adminTok, adminCSRF, url.Values{"role": {"sheriff"}, "org": {analyst.OrgID}})
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-role"`) {
					t.Errorf("unknown role: %d, error beside the field: %v", rec.Code, strings.Contains(rec.Body.String(), `id="err-role"`))
				}
				rec = en.postForm("/admin/users/"+analyst.ID+"/change", adminTok, adminCSRF, url.Values{"role": {"police"}, "org": {"nosuchorg"}})
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-org"`) {
					t.Errorf("unknown organisation: %d, error beside the field: %v", rec.Code, strings.Contains(rec.Body.String(), `id="err-org"`))
				}
				if got, _ := en.app.Auth.FindUserByID(ctx, admin.Actor(), analyst.ID); got.Role != access.Analyst {
					t.Errorf("role changed to %s by bad input", got.Role)
				}
				if c, _ := en.app.Auth.PendingChange(ctx, admin.Actor(), analyst.ID); c != nil {
					t.Error("bad input left a pending change")
				}
			})
		})
	}
}

func (en *env) getBody(t *testing.T, path, cookie string) string {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.String()
}
