package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// safeAnswer fails when an answer to outside input is a server error or shows
// internals.
func safeAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for outside input", rec.Code)
	}
	if b := rec.Body.String(); strings.Contains(b, "goroutine ") || strings.Contains(b, "panic:") {
		t.Fatal("internals in the answer")
	}
}

// FuzzSignInForm posts arbitrary bodies to the sign-in form: every answer is
// a clear 2xx–4xx, never a crash or a 500.
func FuzzSignInForm(f *testing.F) {
	en := newEnv(f, store.SQLite)
	f.Add("application/x-www-form-urlencoded", "email=admin%40matrix.invalid&password=x")
	f.Add("application/x-www-form-urlencoded", "email=%ff%fe&password=%c3%28")
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na\r\n--x--")
	f.Add("text/plain", "\x00\x01")
	f.Add("application/x-www-form-urlencoded", "email=a&email=b&password=;;;&&==")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest("POST", "/signin", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		safeAnswer(t, rec)
	})
}

// FuzzAuditQuery sends arbitrary query strings to the auditor's audit view
// and its CSV export.
func FuzzAuditQuery(f *testing.F) {
	en := newEnv(f, store.SQLite)
	tok, _ := en.session(f, access.Auditor)
	f.Add("from=2026-01-01&to=2026-12-31&action=auth.signin&page=2")
	f.Add("from=2026-13-45&page=-1")
	f.Add("outcome=%00&actor=" + strings.Repeat("x", 500))
	f.Add("page=99999999999999999999&lang=sr-Cyrl")
	f.Fuzz(func(t *testing.T, query string) {
		for _, path := range []string{"/audit?", "/audit/export.csv?"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path = strings.TrimSuffix(path, "?")
			req.URL.RawQuery = query
			req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
			rec := httptest.NewRecorder()
			en.h.ServeHTTP(rec, req)
			safeAnswer(t, rec)
		}
	})
}

// FuzzBearerHeader sends arbitrary Authorization headers to the API.
func FuzzBearerHeader(f *testing.F) {
	en := newEnv(f, store.SQLite)
	f.Add("Bearer ura_abc")
	f.Add("Bearer ")
	f.Add("Basic dXNlcjpwYXNz")
	f.Add("Bearer \x00\xff")
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		safeAnswer(t, rec)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("forged token answered %d, want 401", rec.Code)
		}
	})
}
