package static_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/web/static"
)

func TestPath(t *testing.T) {
	tests := []struct {
		name string
		want *regexp.Regexp
	}{
		{"app.css", regexp.MustCompile(`^/static/app\.[0-9a-f]{12}\.css$`)},
		{"app.js", regexp.MustCompile(`^/static/app\.[0-9a-f]{12}\.js$`)},
		{"htmx.min.js", regexp.MustCompile(`^/static/htmx\.min\.js$`)}, // removed: no page used it
		{"favicon.svg", regexp.MustCompile(`^/static/favicon\.[0-9a-f]{12}\.svg$`)},
		{"nope.css", regexp.MustCompile(`^/static/nope\.css$`)},
	}
	for _, tt := range tests {
		if got := static.Path(tt.name); !tt.want.MatchString(got) {
			t.Errorf("Path(%q) = %q, want match %s", tt.name, got, tt.want)
		}
	}
}

func TestHandler(t *testing.T) {
	h := static.Handler()
	tests := []struct {
		name, method, url string
		wantStatus        int
		wantType          string
		wantCache         string
	}{
		{"HashedCSS", "GET", static.Path("app.css"), 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"HashedJS", "GET", static.Path("app.js"), 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"HashedSVG", "HEAD", static.Path("favicon.svg"), 200, "image/svg+xml", "public, max-age=31536000, immutable"},
		{"PlainName", "GET", "/static/app.css", 200, "text/css; charset=utf-8", "no-cache"},
		{"NoHTMX", "GET", "/static/htmx.min.js", 404, "", ""},
		{"StaleHash", "GET", "/static/app.000000000000.css", 404, "", ""},
		{"Unknown", "GET", "/static/secret.go", 404, "", ""},
		{"Post", "POST", static.Path("app.css"), 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.url, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

// TestNotModified checks that a revalidating browser gets 304 for a plain name.
func TestNotModified(t *testing.T) {
	h := static.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/app.css", nil))
	req := httptest.NewRequest("GET", "/static/app.css", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got, want := rec.Code, http.StatusNotModified; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}

// TestNoExternalRequests keeps the CSS from loading fonts or images from
// elsewhere: a victim's browser must not tell a third party it visited Ura.
func TestNoExternalRequests(t *testing.T) {
	for _, name := range []string{"app.css", "app.js"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "@import", "//fonts."} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}
