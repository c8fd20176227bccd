package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// getIn fetches a page as the session's user in lang and returns status and body.
func (en *env) getIn(t *testing.T, path, cookie string, lang i18n.Lang) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Language", string(lang))
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

var titleRe = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)

// TestErrorPages: a page one may not open and a page that does not exist each
// say so in their own title, in every language, with a way back to the start
// page; every page names the time zone its times are shown in.
func TestErrorPages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, _ := en.session(t, access.Helpline)
	for _, lang := range i18n.Supported {
		p := i18n.For(lang)
		tests := []struct {
			name, path string
			status     int
			titleKey   string
		}{
			{"NotFound", "/no/such/page", 404, "error.title_not_found"},
			{"UnknownCase", "/cases/" + store.NewID(), 0, ""}, // 403 or 404 by the policy; either has its own title
			{"Forbidden", "/admin/users", 403, "error.title_forbidden"},
		}
		for _, tt := range tests {
			t.Run(string(lang)+"/"+tt.name, func(t *testing.T) {
				status, body := en.getIn(t, tt.path, tok, lang)
				key := tt.titleKey
				switch {
				case tt.status != 0 && status != tt.status:
					t.Fatalf("status %d, want %d", status, tt.status)
				case status == 403:
					key = "error.title_forbidden"
				case status == 404:
					key = "error.title_not_found"
				case tt.status == 0:
					t.Fatalf("status %d, want 403 or 404", status)
				}
				m := titleRe.FindStringSubmatch(body)
				if m == nil || strings.TrimSpace(m[1]) != htmlEscape(p.T(key)) {
					t.Errorf("h1 = %q, want %q", m, p.T(key))
				}
				if !strings.Contains(body, "<title>"+htmlEscape(p.T(key))+" — ") {
					t.Errorf("<title> is not %q", p.T(key))
				}
				if !strings.Contains(body, `id="error-home"`) || !strings.Contains(body, `href="/"`) {
					t.Error("no way back to the start page")
				}
				if strings.Contains(body, htmlEscape(p.T("error.title"))) {
					t.Errorf("the page still says %q", p.T("error.title"))
				}
				if !strings.Contains(body, `id="timezone"`) || !strings.Contains(body, "Europe/Belgrade") {
					t.Error("the header does not name the time zone")
				}
			})
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestNotificationsPaged: /notifications shows the newest 50 and links to
// older ones page by page until all have been seen once.
func TestNotificationsPaged(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			u := en.users[access.Shelter]
			const total = 120
			ctx := context.Background()
			for i := range total {
				if i%2 == 0 {
					en.clk.Advance(time.Second)
				}
				err := en.app.DB.InTx(ctx, en.clk.Now(), func(tx *store.Tx) error {
					return en.app.Notify.Notify(ctx, tx, notify.Notification{OrgID: u.OrgID, Kind: "referral.received",
						ObjectType: "referral", ObjectID: fmt.Sprintf("ref%03d", i), CaseRef: "XK-2026-0001"})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			tok, _ := en.session(t, access.Shelter)
			itemRe := regexp.MustCompile(`id="notification-([A-Za-z0-9_-]+)"`)
			olderRe := regexp.MustCompile(`id="notifications-older" rel="next"|href="(/notifications\?before=[^"]+)" id="notifications-older"`)
			seen := map[string]bool{}
			var sizes []int
			path := "/notifications"
			for page := 0; path != "" && page < 10; page++ {
				status, body := en.getIn(t, path, tok, i18n.English)
				if status != 200 {
					t.Fatalf("%s: status %d", path, status)
				}
				items := itemRe.FindAllStringSubmatch(body, -1)
				sizes = append(sizes, len(items))
				for _, m := range items {
					if seen[m[1]] {
						t.Errorf("notification %s shown twice", m[1])
					}
					seen[m[1]] = true
				}
				if !strings.Contains(body, `data-unread="`+fmt.Sprint(total)+`"`) {
					t.Errorf("page %d does not count all %d unread", page, total)
				}
				if page > 0 && !strings.Contains(body, `id="notifications-newest"`) {
					t.Errorf("page %d has no link back to the newest", page)
				}
				path = ""
				if m := olderRe.FindStringSubmatch(body); m != nil {
					path = strings.ReplaceAll(m[1], "&amp;", "&")
				}
			}
			if fmt.Sprint(sizes) != "[50 50 20]" || len(seen) != total {
				t.Errorf("pages of %v showing %d, want [50 50 20] showing %d", sizes, len(seen), total)
			}
			// A tampered cursor is the first page, not an error.
			if status, _ := en.getIn(t, "/notifications?before=%27%3B--", tok, i18n.English); status != 200 {
				t.Errorf("tampered cursor: status %d, want 200", status)
			}
		})
	}
}
