package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/web"
)

var (
	homeNumberRE = regexp.MustCompile(`<a id="((?:home|stage)-[a-z_-]+)" href="([^"]+)" data-count="(\d+)"`)
	statsTotalRE = regexp.MustCompile(`<tr class="total"><th scope="row"[^>]*>[^<]*</th><td data-label="[^"]*">(\d+)</td>`)
	homeSpanRE   = regexp.MustCompile(`<span id="((?:home|stage|year)-[a-z0-9_-]+)" data-count="(\d+)"`)
	auditTotalRE = regexp.MustCompile(`id="events-h">[^(]*\((\d+)\)`)
	freeRE       = regexp.MustCompile(`data-free="(-?\d+)"`)
)

// between returns the part of body from the first start to the next end.
func between(body, start, end string) string {
	i := strings.Index(body, start)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestDemoHomePages signs in as every demo role on the demo data of
// `serve --demo` and checks that the home page shows numbers, none of them
// zero, and that each number's link lists exactly that many rows.
func TestDemoHomePages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			creds, err := demo.Load(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.LoadCases(ctx, a); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.LoadStory(ctx, a); err != nil {
				t.Fatal(err)
			}
			h, err := web.New(a)
			if err != nil {
				t.Fatal(err)
			}
			get := func(cookie, path string) (int, string) {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code, rec.Body.String()
			}
			for _, c := range creds {
				// The demo's working day has no grants: the grant roles'
				// numbers are zero here (TestGrantsPages counts them). The
				// civil-society monitor sees no case data, only the plans it
				// monitors (TestDemoMonitor).
				if c.Role == access.Admin || c.Role == access.Evaluator || c.Role == access.Provider || c.Role == access.Funder ||
					c.Role == access.Monitor {
					continue
				}
				t.Run(string(c.Role), func(t *testing.T) {
					clk.Advance(31 * time.Second)
					cl := auth.Client{IP: "127.0.0.1"}
					tok, sess, err := a.Auth.SignIn(ctx, c.Email, c.Password, cl)
					if err != nil {
						t.Fatal(err)
					}
					if sess.Stage == auth.StagePassword {
						code, _ := auth.TOTPCode(c.TOTPSecret, clk.Now())
						if tok, sess, err = a.Auth.VerifyTOTP(ctx, tok, code, cl); err != nil {
							t.Fatal(err)
						}
					}
					if sess.Stage != auth.StageFull {
						t.Fatalf("stage %q", sess.Stage)
					}
					code, home := get(tok, "/")
					if code != http.StatusOK {
						t.Fatalf("home: %d", code)
					}
					links := homeNumberRE.FindAllStringSubmatch(home, -1)
					spans := homeSpanRE.FindAllStringSubmatch(home, -1)
					switch c.Role {
					case access.Analyst:
						if len(spans) == 0 || len(links) != 0 {
							t.Fatalf("analyst: %d counts, %d links; want counts without links", len(spans), len(links))
						}
						total := 0
						for _, s := range spans {
							n, _ := strconv.Atoi(s[2])
							if strings.HasPrefix(s[1], "stage-") {
								total += n
							}
						}
						if total == 0 {
							t.Error("the analyst sees no case counted")
						}
						return
					}
					if len(links) < 2 {
						t.Fatalf("%d numbers on the home page, want at least 2", len(links))
					}
					for _, l := range links {
						id, href := l[1], strings.ReplaceAll(l[2], "&amp;", "&")
						want, _ := strconv.Atoi(l[3])
						// The demo's cases are all of this year: last year's figure is zero.
						if want == 0 && strings.HasPrefix(id, "home-") && id != "home-stats-last" {
							t.Errorf("%s is zero", id)
						}
						got := -1
						switch {
						case href == "#tasks":
							got = strings.Count(between(home, `id="dashboard-tasks"`, `</table>`), `<tr data-kind=`)
						case href == "/helpline#callbacks":
							code, body := get(tok, "/helpline") // the fragment stays in the browser
							if code != http.StatusOK {
								t.Errorf("%s → %s: %d %s", id, href, code, between(body, "<main", "</main>"))
							}
							got = strings.Count(between(body, `id="callback-list"`, `</table>`), `<tr data-overdue=`)
						case href == "#overdue":
							got = strings.Count(between(home, `id="overdue-tasks"`, `</table>`), `<tr data-kind=`)
						default:
							code, body := get(tok, href)
							if code != http.StatusOK {
								t.Errorf("%s → %s: %d", id, href, code)
								continue
							}
							switch {
							case strings.HasPrefix(href, "/cases"):
								got = strings.Count(between(body, `id="case-list"`, `</table>`), `<td><a href="/cases/`)
								if want > 0 && !strings.Contains(body, "Cases found: "+strconv.Itoa(want)+"<") {
									t.Errorf("%s → %s does not say it found %d", id, href, want)
								}
							case strings.HasPrefix(href, "/referrals"):
								got = strings.Count(between(body, `<table class="table" id="inbox">`, `</table>`), `<tr id="referral-`)
								if !strings.Contains(body, `data-count="`+strconv.Itoa(want)+`"`) {
									t.Errorf("%s → %s does not say it found %d", id, href, want)
								}
							case strings.HasPrefix(href, "/shelters"):
								got = 0
								for _, m := range freeRE.FindAllStringSubmatch(body, -1) {
									n, _ := strconv.Atoi(m[1])
									got += max(0, n)
								}
							case strings.HasPrefix(href, "/stats"):
								// The cases registered in the period: the total row of the table by status.
								m := statsTotalRE.FindStringSubmatch(between(body, `id="table-status"`, `</table>`))
								if m == nil {
									t.Errorf("%s → %s: no total", id, href)
									continue
								}
								got, _ = strconv.Atoi(m[1])
							case strings.HasPrefix(href, "/audit"):
								m := auditTotalRE.FindStringSubmatch(body)
								if m == nil {
									t.Errorf("%s → %s: no total", id, href)
									continue
								}
								got, _ = strconv.Atoi(m[1])
								if rows := strings.Count(body, `<tr class="audit-row`); rows != min(got, 50) {
									t.Errorf("%s → %s: %d rows for a total of %d", id, href, rows, got)
								}
							}
						}
						if got != want {
							t.Errorf("%s says %d, %s lists %d", id, want, href, got)
						}
					}
				})
			}
		})
	}
}

// TestHomeListFiltersRefuseBadValues: every filter the home pages link to
// checks its value against its list and answers a wrong one beside the
// field, with the value kept and no 500.
func TestHomeListFiltersRefuseBadValues(t *testing.T) {
	en := newEnv(t, "sqlite")
	police, _ := en.session(t, access.Police)
	coord, _ := en.session(t, access.Coordinator)
	for _, c := range []struct {
		cookie, path, field string
	}{
		{police, "/cases?open=maybe", `id="f-open"`},
		{police, "/cases?guardian=someone", `id="f-guardian"`},
		{police, "/cases?status=lost", `id="f-status"`},
		{police, "/cases?proceedings=appeal", `id="f-proceedings"`},
		{police, "/cases?shelter=now", `class="field-error"`}, // police keep no shelter
		{coord, "/referrals?state=lost", `id="rf-state"`},
		{police, "/referrals?box=all", `id="rf-state"`},
		{police, "/referrals?before=nosuchid", `id="rf-state"`},
	} {
		code, body := en.get(t, c.cookie, c.path)
		if code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.path, code)
		}
		i := strings.Index(body, c.field)
		if i < 0 || !strings.Contains(body[i:], `class="field-error"`) {
			t.Errorf("%s: no message beside the field", c.path)
		}
	}
}
