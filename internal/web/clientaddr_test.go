package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clientaddr"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/web"
)

// TestSignInThrottleBehindProxy: behind a trusted proxy that appends the
// address it saw, a guesser who puts a new address at the left of
// X-Forwarded-For on every try is still counted at the address the proxy
// saw, and throttled there; a client that talks to Ura directly cannot
// borrow another address with the header at all.
func TestSignInThrottleBehindProxy(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, _ := apptest.Open(t, e)
			var err error
			a.Cfg.TrustedProxies, err = clientaddr.ParsePrefixes("10.0.0.0/8")
			if err != nil {
				t.Fatal(err)
			}
			h, err := web.New(a)
			if err != nil {
				t.Fatal(err)
			}
			org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org analysts", Type: "ngo"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "analyst@proxy.invalid",
				Name: "Analyst", Role: access.Analyst, OrgID: org.ID, Password: pw}); err != nil {
				t.Fatal(err)
			}
			signIn := func(remote, xff, email, password string) int {
				form := url.Values{"email": {email}, "password": {password}}
				req := httptest.NewRequest("POST", "/signin", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.RemoteAddr = remote
				if xff != "" {
					req.Header.Set("X-Forwarded-For", xff)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			for i := range auth.DefaultConfig().IPMaxFailures {
				forged := fmt.Sprintf("203.0.113.%d", i+1)
				if got := signIn("10.0.0.2:40000", forged+", 198.51.100.66", fmt.Sprintf("guess%d@proxy.invalid", i), "wrong password!"); got != http.StatusUnauthorized {
					t.Fatalf("guess %d: status %d, want 401", i, got)
				}
			}
			if got := signIn("10.0.0.2:40000", "203.0.113.200, 198.51.100.66", "analyst@proxy.invalid", pw); got != http.StatusUnauthorized {
				t.Errorf("the guesser's address, right password: status %d, want 401 (throttled)", got)
			}
			if got := signIn("10.0.0.2:40000", "198.51.100.67", "analyst@proxy.invalid", pw); got != http.StatusSeeOther {
				t.Errorf("another client behind the proxy: status %d, want 303", got)
			}
			// A direct client naming the throttled address is counted at its own.
			if got := signIn("192.0.2.50:5000", "198.51.100.66", "analyst@proxy.invalid", pw); got != http.StatusSeeOther {
				t.Errorf("direct client with a forged header: status %d, want 303", got)
			}
			// And a direct client cannot escape its own throttle with the header.
			for i := range auth.DefaultConfig().IPMaxFailures {
				signIn("192.0.2.60:5000", fmt.Sprintf("203.0.113.%d", i+1), fmt.Sprintf("g%d@proxy.invalid", i), "wrong password!")
			}
			if got := signIn("192.0.2.60:5000", "203.0.113.250", "analyst@proxy.invalid", pw); got != http.StatusUnauthorized {
				t.Errorf("direct guesser with a fresh header: status %d, want 401 (throttled)", got)
			}
		})
	}
}

// TestAPIRateLimitByClientAddress: behind a trusted proxy the API's
// per-address limit counts the address the proxy saw, so a client cannot
// spread its requests over forged X-Forwarded-For entries.
func TestAPIRateLimitByClientAddress(t *testing.T) {
	a, _ := apptest.Open(t, "sqlite")
	var err error
	if a.Cfg.TrustedProxies, err = clientaddr.ParsePrefixes("10.0.0.0/8"); err != nil {
		t.Fatal(err)
	}
	a.Cfg.APIRatePerAddress, a.Cfg.APIRatePerToken = 5, 0
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	get := func(xff string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.RemoteAddr = "10.0.0.2:40000"
		req.Header.Set("X-Forwarded-For", xff)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 5 {
		if rec := get(fmt.Sprintf("203.0.113.%d, 198.51.100.66", i+1)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("request %d: %d, want 401", i+1, rec.Code)
		}
	}
	rec := get("203.0.113.99, 198.51.100.66")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("6th request from one client with a forged entry: %d, Retry-After %q; want 429", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := get("198.51.100.67"); rec.Code != http.StatusUnauthorized {
		t.Errorf("another client behind the proxy: %d, want 401", rec.Code)
	}
}
