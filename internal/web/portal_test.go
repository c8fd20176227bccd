package web_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/portal"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/tips"
	"github.com/ura-nrm/ura/internal/web"
)

// portalPaths are the portal's pages as a visitor opens them.
var portalPaths = []string{"/help/", "/help/recognise", "/help/rights", "/help/services", "/help/check",
	"/help/check?answered=1&contract=no&passport=yes&pay=unsure", "/help/tip", "/help/tip/add", "/help/safety"}

func get(h http.Handler, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestPortalPages opens every portal page in every language: 200, no
// cookie, under 100 KB, the language and direction on <html>, a quick
// exit, a strict CSP, an ETag that answers 304, and the unreviewed notice
// where the page's text has not been checked by a translator.
func TestPortalPages(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range portal.Langs {
		for _, p := range portalPaths {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			path := p + sep + "lang=" + string(l)
			t.Run(string(l)+" "+p, func(t *testing.T) {
				rec := get(h, path, nil)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d", rec.Code)
				}
				if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
					t.Errorf("sets a cookie: %v", c)
				}
				body := rec.Body.String()
				if n := len(body); n > 100_000 {
					t.Errorf("page of %d bytes, over 100 KB", n)
				}
				if want := fmt.Sprintf(`<html lang="%s" dir="%s">`, l, portal.Dir(l)); !strings.Contains(body, want) {
					t.Errorf("no %s", want)
				}
				if !strings.Contains(body, `id="quick-exit"`) {
					t.Error("no quick exit")
				}
				csp := rec.Header().Get("Content-Security-Policy")
				if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
					t.Errorf("CSP %q", csp)
				}
				if regexp.MustCompile(`(?i)(src|href)="https?://`).MatchString(strings.ReplaceAll(body, `href="https://www.google.com/search?q=weather"`, "")) {
					t.Error("a third-party resource or link besides quick exit")
				}
				unreviewed := strings.Contains(body, `id="unreviewed"`)
				if l == portal.English && unreviewed || l != portal.English && !unreviewed {
					t.Errorf("unreviewed notice shown: %v", unreviewed)
				}
				if et := rec.Header().Get("ETag"); et != "" {
					if again := get(h, path, map[string]string{"If-None-Match": et}); again.Code != http.StatusNotModified {
						t.Errorf("If-None-Match: %d, want 304", again.Code)
					}
				} else if !strings.Contains(p, "answered") {
					t.Error("no ETag on a cached page")
				}
			})
		}
	}
	t.Run("unknown language", func(t *testing.T) {
		rec := get(h, "/help/?lang=xx-Klingon", map[string]string{"Accept-Language": "de"})
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `id="unknown-lang"`) || !strings.Contains(body, `hreflang="ar"`) {
			t.Errorf("status %d; want 200 with the notice and the language list", rec.Code)
		}
		if !strings.Contains(body, `<html lang="en"`) {
			t.Error("not the fallback language")
		}
	})
	t.Run("self-check advice", func(t *testing.T) {
		body := get(h, "/help/check?lang=en&answered=1&passport=yes&contact=yes", nil).Body.String()
		if !strings.Contains(body, "No employer or agent may keep your passport") || strings.Contains(body, "Being cut off from family") {
			t.Error("advice not given for the risky answer only")
		}
		if strings.Contains(get(h, "/help/check?lang=en&answered=1&passport=<script>", nil).Body.String(), "<script>") {
			t.Error("a script in the query is echoed")
		}
	})
	t.Run("helpline hours", func(t *testing.T) {
		// apptest's clock: Monday 4 May 2026, 08:00 UTC = 10:00 in Belgrade: open.
		if body := get(h, "/help/?lang=en", nil).Body.String(); !strings.Contains(body, `id="line-open"`) {
			t.Error("the line is open on Monday at 10:00")
		}
	})
}

// TestPortalClosedHours: outside the hours, the home page shows the police
// number and when the line reopens, in the instance's time zone.
func TestPortalClosedHours(t *testing.T) {
	a, clk := apptest.Open(t, store.SQLite)
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 5, 8, 21, 30, 0, 0, time.UTC)) // Friday 23:30 in Belgrade
	body := get(h, "/help/?lang=en", nil).Body.String()
	if !strings.Contains(body, `id="line-closed"`) || !strings.Contains(body, "It opens again on Monday at 08:00.") ||
		!strings.Contains(body, `tel:192`) {
		t.Errorf("closed state missing:\n%s", body)
	}
}

// tipForm posts a tip from a given client address and user agent.
func tipForm(h http.Handler, path string, form url.Values, remote, ua string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.RemoteAddr = remote
	req.Header.Set("User-Agent", ua)
	req.Header.Set("X-Forwarded-For", "192.0.2.44")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestTipLeavesNoAddress submits a tip and adds to it, then searches every
// column of every table and the whole request log for the tipster's
// address, forwarded address and user agent. It also checks that the tip
// reaches the police queue, durable before the answer.
func TestTipLeavesNoAddress(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, _ := apptest.Open(t, e)
			var logs bytes.Buffer
			a.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			h, err := web.New(a)
			if err != nil {
				t.Fatal(err)
			}
			const ip, fwd, ua = "198.51.100.23", "192.0.2.44", "UA-marker-7731"
			// A page first, as a visitor would, and the staff sign-in page
			// as a control: the log records addresses elsewhere.
			get(h, "/help/tip?lang=en", map[string]string{"User-Agent": ua})
			rec := tipForm(h, "/help/tip?lang=en", url.Values{"what": {"Workers locked in a farm near the river"},
				"where": {"Road to the mill"}, "municipality": {"prizren"}, "when": {"every night"}, "lang": {"en"}}, ip+":40000", ua)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("tip: %d %s", rec.Code, rec.Body)
			}
			thanks := get(h, rec.Header().Get("Location"), nil)
			m := regexp.MustCompile(`id="tip-code" dir="ltr">([A-Z0-9-]+)<`).FindStringSubmatch(thanks.Body.String())
			if m == nil {
				t.Fatalf("no tip code on the thank-you page")
			}
			if again := get(h, rec.Header().Get("Location"), nil); strings.Contains(again.Body.String(), m[1]) {
				t.Error("the tip code is shown twice")
			}
			if rec := tipForm(h, "/help/tip/add?lang=en", url.Values{"code": {m[1]}, "body": {"The van is white"}}, ip+":40001", ua); rec.Code != http.StatusOK {
				t.Fatalf("add: %d", rec.Code)
			}
			// The police see it in the queue, with what was added.
			police := createUser(t, a, access.Police)
			list, _, err := a.Tips.Queue(ctx, police, tips.Filter{})
			if err != nil || len(list) != 1 || list[0].Municipality != "prizren" {
				t.Fatalf("queue: %v, %v", list, err)
			}
			tip, err := a.Tips.Tip(ctx, police, list[0].ID)
			if err != nil || len(tip.Additions) != 1 || tip.Additions[0].Body != "The van is white" {
				t.Fatalf("tip: %+v, %v", tip, err)
			}
			for _, needle := range []string{ip, fwd, ua} {
				if strings.Contains(logs.String(), needle) {
					t.Errorf("the log holds %q", needle)
				}
				if where := searchDB(t, a.DB, needle); where != "" {
					t.Errorf("the database holds %q in %s", needle, where)
				}
			}
			// Control: a staff page's log line names the client, so the search would find it.
			req := httptest.NewRequest("GET", "/signin", nil)
			req.RemoteAddr = ip + ":1"
			h.ServeHTTP(httptest.NewRecorder(), req)
			if !strings.Contains(logs.String(), ip) {
				t.Error("control: the staff request's address is not in the log, so the search proves nothing")
			}
		})
	}
}

// searchDB returns "table.column" of the first value containing needle.
func searchDB(t *testing.T, db *store.DB, needle string) string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.Read().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables", len(tables))
	}
	for _, tb := range tables {
		rows, err := db.Read().QueryContext(ctx, `SELECT * FROM `+tb)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case []byte:
					s = string(x)
				default:
					s = fmt.Sprint(x)
				}
				if strings.Contains(s, needle) {
					rows.Close()
					return tb + "." + cols[i]
				}
			}
		}
		rows.Close()
	}
	return ""
}

// createUser makes an account of role r in an organisation of its own and
// returns its actor.
func createUser(t testing.TB, a *app.App, r access.Role) access.Actor {
	t.Helper()
	ctx := context.Background()
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r) + store.NewID()[:6], Type: "police"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: store.NewID() + "@portal.invalid",
		Name: "User " + string(r), Role: r, OrgID: org.ID, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

// TestPortalRoutes walks every public /help/ route (the access matrix
// skips public routes): no sign-in needed, never a 5xx, never a cookie —
// not even for a browser that carries a stale session or language cookie.
func TestPortalRoutes(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range web.Routes() {
		if rt.Pattern != "/help" && !strings.HasPrefix(rt.Pattern, "/help/") {
			continue // the portal only: /helpline is the console, signed in
		}
		if !rt.Public || rt.Action != "" {
			t.Errorf("%s %s is not a public route", rt.Method, rt.Pattern)
		}
		n++
		path := strings.NewReplacer("{$}", "", "{token}", "nosuchtoken", "{file}", "portal.css").Replace(rt.Pattern)
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			req := httptest.NewRequest(rt.Method, path+"?lang=ar", strings.NewReader("what=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "ura_session", Value: "stale"})
			req.AddCookie(&http.Cookie{Name: "ura_lang", Value: "sq"})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 || rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden {
				t.Errorf("status %d", rec.Code)
			}
			if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("sets a cookie: %v", c)
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d portal routes", n)
	}
}

// TestTipBadInput: oversized and malformed submissions, scripts in every
// field (inert in the queue page and the CSV export), the honeypot, the
// rate limit (typed values kept) and random tip codes (one answer).
func TestTipBadInput(t *testing.T) {
	ctx := context.Background()
	en := newEnv(t, store.SQLite)
	a, h := en.app, en.h
	police := en.users[access.Police].Actor()
	count := func() int {
		l, _, err := a.Tips.Queue(ctx, police, tips.Filter{All: true})
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}
	addr := 0
	post := func(path string, f url.Values) *httptest.ResponseRecorder {
		addr++ // a new client each time, below the rate limit
		return tipForm(h, path, f, fmt.Sprintf("203.0.113.%d:1", addr), "test")
	}
	// Oversized: the whole body, and one field.
	if rec := post("/help/tip?lang=en", url.Values{"what": {strings.Repeat("x", 70_000)}}); rec.Code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(rec.Body.String(), "too long") {
		t.Errorf("oversized body: %d", rec.Code)
	}
	rec := post("/help/tip?lang=en", url.Values{"what": {strings.Repeat("y", tips.MaxWhat+1)}, "where": {"kept place"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "at most 5000 characters") ||
		!strings.Contains(rec.Body.String(), `value="kept place"`) || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
		t.Errorf("oversized field: %d", rec.Code)
	}
	// Malformed: bad encoding, a NUL, an empty tip, an unknown municipality.
	req := httptest.NewRequest("POST", "/help/tip?lang=en", strings.NewReader("what=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != http.StatusBadRequest {
		t.Errorf("malformed body: %d", rr.Code)
	}
	for _, f := range []url.Values{{"what": {"a\x00b"}}, {"what": {"   "}}, {"what": {"x"}, "municipality": {"atlantis"}}, {"what": {"\xff\xfe"}}} {
		if rec := post("/help/tip?lang=sq", f); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="error-summary"`) {
			t.Errorf("%v: %d", f, rec.Code)
		}
	}
	if count() != 0 {
		t.Fatal("a refused tip was stored")
	}
	// The honeypot: the answer of a stored tip, nothing stored.
	if rec := post("/help/tip?lang=en", url.Values{"what": {"buy pills"}, "website": {"http://spam.invalid"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("honeypot: %d", rec.Code)
	}
	if count() != 0 {
		t.Fatal("the honeypot's tip was stored")
	}
	// Scripts in every field are text: escaped on the pages, inert in the CSV.
	evil := `<script>alert(1)</script>=cmd|' /C calc'!A0`
	if rec := post("/help/tip?lang=en", url.Values{"what": {evil}, "where": {evil}, "when": {evil}, "contact": {"@" + evil}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("tip with scripts: %d", rec.Code)
	}
	list, _, _ := a.Tips.Queue(ctx, police, tips.Filter{})
	tok, _ := en.session(t, access.Police)
	for _, p := range []string{"/tips", "/tips/" + list[0].ID} {
		body := staffGet(h, p, tok).Body.String()
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)") {
			t.Errorf("%s: the script is not escaped", p)
		}
	}
	csvBody := staffGet(h, "/tips/export.csv", tok).Body.String()
	if strings.Contains(csvBody, ",=cmd") || strings.Contains(csvBody, ",@") || !strings.Contains(csvBody, "'@<script>") {
		t.Errorf("CSV not guarded:\n%s", csvBody)
	}
	// The rate limit: the fourth tip from one client in a minute waits; what was typed is kept.
	for i := range 4 {
		rec := tipForm(h, "/help/tip?lang=en", url.Values{"what": {fmt.Sprintf("flood %d", i)}}, "198.51.100.99:1", "test")
		if i < 3 && rec.Code != http.StatusSeeOther || i == 3 && (rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "flood 3")) {
			t.Errorf("tip %d: %d", i, rec.Code)
		}
	}
	// Random codes: the same answer as a right one, and then rate limited.
	var answers []string
	for i := range 3 {
		rec := tipForm(h, "/help/tip/add?lang=en", url.Values{"code": {tips.NewCode()}, "body": {"guess"}}, "198.51.100.7:1", "test")
		if rec.Code != http.StatusOK {
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
		answers = append(answers, rec.Body.String())
	}
	if answers[0] != answers[1] || !strings.Contains(answers[0], `id="add-done"`) {
		t.Error("guesses answered differently")
	}
	for range 5 {
		rec = tipForm(h, "/help/tip/add?lang=en", url.Values{"code": {tips.NewCode()}, "body": {"guess"}}, "198.51.100.7:1", "test")
	}
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("guessing is not rate limited: %d", rec.Code)
	}
	if rec := tipForm(h, "/help/tip/add?lang=en", url.Values{"code": {"not a code"}, "body": {"x"}}, "198.51.100.8:1", "test"); rec.Code != http.StatusBadRequest {
		t.Errorf("malformed code: %d", rec.Code)
	}
}

func staffGet(h http.Handler, path, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
