package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/web"
)

const scrapeToken = "scrape-token-0123456789"

// scrape reads /metrics from h with the token (empty: none).
func scrape(t *testing.T, h http.Handler, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
var labelRE = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// samples parses the text format: every sample's name, labels and value.
func samples(t *testing.T, body string) []struct {
	name   string
	labels map[string]string
	value  float64
} {
	t.Helper()
	var out []struct {
		name   string
		labels map[string]string
		value  float64
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		m := sampleRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line of the text format: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("value of %q: %v", line, err)
		}
		lbl := map[string]string{}
		for _, l := range labelRE.FindAllStringSubmatch(m[2], -1) {
			lbl[l[1]] = l[2]
		}
		out = append(out, struct {
			name   string
			labels map[string]string
			value  float64
		}{m[1], lbl, v})
	}
	return out
}

func value(t *testing.T, body, name string) float64 {
	t.Helper()
	for _, s := range samples(t, body) {
		if s.name == name && len(s.labels) == 0 {
			return s.value
		}
	}
	t.Fatalf("no sample %s in:\n%s", name, body)
	return 0
}

// TestMetricsNeedATokenOrTheirOwnAddress: /metrics on the main address is
// not there without a configured scrape token, and with one it answers only
// to that token; the separate listener's handler serves /metrics alone.
func TestMetricsNeedATokenOrTheirOwnAddress(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	h, mh, err := web.NewWithMetrics(a)
	if err != nil {
		t.Fatal(err)
	}
	if rec := scrape(t, h, ""); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "ura_http") {
		t.Errorf("no token configured: /metrics = %d, want 404", rec.Code)
	}
	if rec := scrape(t, mh, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("separate listener: /metrics = %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/signin", nil)
	rec := httptest.NewRecorder()
	mh.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("separate listener serves /signin: %d", rec.Code)
	}

	a.Cfg.MetricsToken = scrapeToken
	h, mh, err = web.NewWithMetrics(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "wrong-token-0123456789", scrapeToken + "x"} {
		if rec := scrape(t, h, tok); rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "ura_http") {
			t.Errorf("token %q: /metrics = %d, want 401", tok, rec.Code)
		}
		if rec := scrape(t, mh, tok); rec.Code != http.StatusUnauthorized {
			t.Errorf("separate listener with a token configured, token %q: %d, want 401", tok, rec.Code)
		}
	}
	if rec := scrape(t, h, scrapeToken); rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("right token: /metrics = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// TestMetricsContent: after sign-ins that fail and lock, API calls, pages
// with ids in their paths and a queued e-mail, one scrape shows what an
// administrator on call needs, and no label holds anything but a route
// pattern, method, status, bucket, job name or limit kind: no e-mail, name,
// case reference or id typed into a URL.
func TestMetricsContent(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, store.SQLite)
	a.Cfg.MetricsToken = scrapeToken
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org Metrics", Type: "shelter"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "drita.krasniqi@metrics.invalid", Name: "Drita Krasniqi",
		Role: access.Analyst, OrgID: org.ID, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	before := scrape(t, h, scrapeToken).Body.String()
	failures0, lockouts0, audit0 := value(t, before, "ura_signin_failures_total"), value(t, before, "ura_signin_lockouts_total"),
		value(t, before, "ura_audit_events_appended_total")

	do := func(method, target, form, remote string) {
		var req *http.Request
		if form != "" {
			req = httptest.NewRequest(method, target, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(method, target, nil)
		}
		req.RemoteAddr = remote
		req.Header.Set("Authorization", "Bearer ura_not_a_token_"+u.ID)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Failed sign-ins until the account locks (MaxFailures).
	for range auth.DefaultConfig().MaxFailures {
		do("POST", "/signin", url.Values{"email": {u.Email}, "password": {"wrong password!"}}.Encode(), "192.0.2.10:5000")
	}
	secret := []string{u.Email, "Drita", "Krasniqi", u.ID, org.ID, "XK-2026-0042", "Lirije", "1999-01-02", "192.0.2.10"}
	for _, p := range []string{"/cases/" + u.ID, "/cases/XK-2026-0042/history?name=Lirije", "/referrals/" + org.ID,
		"/no/such/page/Lirije", "/static/../" + u.Email, "/api/v1/cases/" + u.ID, "/api/v1/cases?name=Lirije&birth_date=1999-01-02",
		"/api/v1/nothing/" + u.Email, "/?q=" + url.QueryEscape(u.Email)} {
		do("GET", p, "", "192.0.2.11:5000")
	}
	// One e-mail waiting an hour in the outbox.
	if err := a.DB.InTx(ctx, clk.Now(), func(tx *store.Tx) error {
		return a.Notify.Notify(ctx, tx, notify.Notification{OrgID: org.ID, UserID: u.ID, Kind: "referral.received",
			ObjectType: "referral", ObjectID: "ref-" + u.ID, CaseRef: "XK-2026-0042"})
	}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3600e9)

	rec := scrape(t, h, scrapeToken)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("scrape: %d", rec.Code)
	}
	if got := value(t, body, "ura_signin_failures_total") - failures0; got < float64(auth.DefaultConfig().MaxFailures) {
		t.Errorf("sign-in failures grew by %g, want %d", got, auth.DefaultConfig().MaxFailures)
	}
	if got := value(t, body, "ura_signin_lockouts_total") - lockouts0; got < 1 {
		t.Errorf("lockouts grew by %g, want at least 1", got)
	}
	if got := value(t, body, "ura_audit_events_appended_total") - audit0; got < float64(auth.DefaultConfig().MaxFailures) {
		t.Errorf("audit events appended grew by %g, want at least %d", got, auth.DefaultConfig().MaxFailures)
	}
	if got := value(t, body, "ura_notify_outbox_queued"); got < 1 {
		t.Errorf("outbox queued = %g, want 1", got)
	}
	if got := value(t, body, "ura_notify_outbox_oldest_age_seconds"); got < 3600 {
		t.Errorf("outbox oldest age = %g s, want an hour or more", got)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "go_gc_cycles_total",
		"ura_db_write_pool_open_connections", "ura_db_read_pool_in_use_connections", "ura_db_write_pool_wait_seconds_total"} {
		value(t, body, name)
	}
	for _, family := range []string{"# TYPE ura_job_runs_total counter", "# TYPE ura_job_failures_total counter",
		"# TYPE ura_api_rate_limited_total counter", `ura_http_request_duration_seconds_bucket{method="POST",route="/signin",code="401",le="0.005"}`,
		`ura_http_request_duration_seconds_count{method="GET",route="/api/v1/cases/{id}",code="401"}`} {
		if !strings.Contains(body, family) {
			t.Errorf("the scrape lacks %s", family)
		}
	}

	// Every label value is one the code chose.
	allowed := map[string]bool{"other": true, "notfound": true, "/static/": true, "/api/": true}
	for _, rt := range web.Routes() {
		allowed[rt.Pattern] = true
	}
	for _, rt := range api.Routes() {
		allowed[rt.Pattern] = true
	}
	codeRE := regexp.MustCompile(`^[1-5][0-9][0-9]$`)
	for _, s := range samples(t, body) {
		for k, v := range s.labels {
			ok := false
			switch k {
			case "route":
				ok = allowed[v]
			case "method":
				ok = v == "GET" || v == "POST" || v == "PATCH" || v == "PUT" || v == "DELETE" || v == "HEAD"
			case "code":
				ok = codeRE.MatchString(v)
			case "le":
				_, err := strconv.ParseFloat(v, 64)
				ok = err == nil || v == "+Inf"
			case "job":
				ok = regexp.MustCompile(`^[a-z]+(\.[a-z]+)+$`).MatchString(v)
			case "limit":
				ok = v == "token" || v == "address"
			}
			if !ok {
				t.Errorf("%s has label %s=%q, not one of the values the code chooses", s.name, k, v)
			}
		}
	}
	for _, s := range secret {
		if strings.Contains(body, s) {
			t.Errorf("the scrape shows %q", s)
		}
	}
}
