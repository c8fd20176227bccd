package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in page:\n%s", body)
	}
	return m[1]
}

// signIn walks the sign-in form and the second factor with a fresh client.
func signIn(t *testing.T, in *instance, role string) *http.Client {
	t.Helper()
	c, ok := in.Creds[role]
	if !ok {
		t.Fatalf("no demo account for %s", role)
	}
	cl := client(t)
	res, err := cl.PostForm(in.URL+"/signin", url.Values{"email": {c.Email}, "password": {c.Password}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s = %d", role, res.StatusCode)
	}
	if c.Secret == "" {
		return cl
	}
	if loc := res.Header.Get("Location"); loc != "/signin/totp" {
		t.Fatalf("after password: redirect to %q, want /signin/totp", loc)
	}
	res, _ = cl.Get(in.URL + "/signin/totp")
	csrf := csrfOf(t, readBody(t, res))
	code, err := auth.TOTPCode(c.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err = cl.PostForm(in.URL+"/signin/totp", url.Values{"csrf": {csrf}, "code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("second factor as %s = %d → %q", role, res.StatusCode, res.Header.Get("Location"))
	}
	return cl
}

func TestHTTPBadInputAndHeaders(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	admin := signIn(t, in, "admin")

	t.Run("SecurityHeaders", func(t *testing.T) {
		res, err := admin.Get(in.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.StatusCode != 200 {
			t.Fatalf("dashboard = %d", res.StatusCode)
		}
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
		} {
			if got := res.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to contain %q", h, got, want)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") {
			t.Error("inline script in the page")
		}
	})
	t.Run("OversizedBody", func(t *testing.T) {
		big := strings.Repeat("a", 2<<20)
		res, err := http.Post(in.URL+"/signin", "application/x-www-form-urlencoded", strings.NewReader("email="+big))
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", res.StatusCode)
		}
	})
	t.Run("InvalidUTF8", func(t *testing.T) {
		res, err := http.PostForm(in.URL+"/signin", url.Values{"email": {"\xff\xfe@x"}, "password": {"\xc3\x28"}})
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("status %d, want a 4xx", res.StatusCode)
		}
		if strings.Contains(body, "goroutine") {
			t.Error("stack trace in the answer")
		}
	})
	t.Run("ForgedSession", func(t *testing.T) {
		req, _ := http.NewRequest("GET", in.URL+"/", nil)
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: "forged-token-value"})
		res, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
			t.Errorf("forged session: %d → %q, want 303 → /signin", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("CrossOriginPost", func(t *testing.T) {
		req, _ := http.NewRequest("POST", in.URL+"/admin/orgs", strings.NewReader("name=Evil&type=ngo"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST = %d, want 403", res.StatusCode)
		}
	})
	t.Run("MissingCSRFToken", func(t *testing.T) {
		res, err := admin.PostForm(in.URL+"/admin/orgs", url.Values{"name": {"No Token Org"}, "type": {"ngo"}})
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST without CSRF token = %d, want 403", res.StatusCode)
		}
		res, _ = admin.Get(in.URL + "/admin/orgs")
		if strings.Contains(readBody(t, res), "No Token Org") {
			t.Error("the organisation was created anyway")
		}
	})
	t.Run("UnknownLanguage", func(t *testing.T) {
		req, _ := http.NewRequest("GET", in.URL+"/signin?lang=xx", nil)
		req.Header.Set("Accept-Language", "sq-XK,sq;q=0.9")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="sq"`) {
			t.Errorf("status %d; want the Albanian page from Accept-Language", res.StatusCode)
		}
	})
	t.Run("APIWithoutToken", func(t *testing.T) {
		for _, tok := range []string{"", "ura_forged"} {
			req, _ := http.NewRequest("GET", in.URL+"/api/v1/me", nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, res)
			if res.StatusCode != 401 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"status":401`) {
				t.Errorf("token %q: %d %s %s", tok, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		res, _ := admin.Get(in.URL + "/no/such/page")
		readBody(t, res)
		if res.StatusCode != 404 {
			t.Errorf("status %d, want 404", res.StatusCode)
		}
		res, _ = http.Get(in.URL + "/api/v1/nothing")
		if readBody(t, res); res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("API 404: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
	t.Run("HealthAndMetrics", func(t *testing.T) {
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
			res, err := http.Get(in.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s = %d, want %q in body", path, res.StatusCode, want)
			}
		}
		// Without a scrape token or --metrics-addr, /metrics is not served.
		res, err := http.Get(in.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, res); res.StatusCode != 404 || strings.Contains(body, "ura_http_request_duration_seconds") {
			t.Errorf("/metrics = %d without a token, want 404", res.StatusCode)
		}
	})
	t.Run("NoPersonalDataInLogs", func(t *testing.T) {
		logs := in.Err.String()
		for _, c := range in.Creds {
			if strings.Contains(logs, c.Email) || strings.Contains(logs, c.Password) {
				t.Error("a demo e-mail or password reached the log")
			}
		}
	})
}
