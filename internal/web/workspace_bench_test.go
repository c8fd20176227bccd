package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/store"
)

// BenchmarkCasePage times the case page, the whole handler (session,
// access, audit of the reads, every section, rendering), for a case with
// 200 history entries on a store of URA_BENCH_CASES generated cases
// (default 10,000), and reports its size:
//
//	go test ./internal/web -run '^$' -bench CasePage -benchtime 50x
func BenchmarkCasePage(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	en := newDemoEnv(b)
	start := time.Now()
	res, err := scale.Load(ctx, en.app, scale.Options{Cases: n, Seed: 5})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cases, %d audit events in %v", res.Cases, res.AuditEvents, time.Since(start))
	police, csrf := en.session(b, access.Police)
	caseID := registerWithHistory(b, en.env, police, csrf, 199)
	page := func() (int, int) {
		req := httptest.NewRequest("GET", "/cases/"+caseID, nil)
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: police})
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Len()
	}
	code, size := page()
	if code != http.StatusOK {
		b.Fatalf("case page: %d", code)
	}
	b.Logf("case page with 200 history entries: %d bytes", size)
	for b.Loop() {
		if code, _ := page(); code != http.StatusOK {
			b.Fatalf("case page: %d", code)
		}
	}
	b.ReportMetric(float64(size), "bytes/page")
}

// registerWithHistory registers a case through the form as the session's
// user and gives it extra history entries of several kinds; it returns the
// case's id.
func registerWithHistory(tb testing.TB, en *env, cookie, csrf string, extra int) string {
	tb.Helper()
	ctx := context.Background()
	form := url.Values{"csrf": {csrf}, "given_name": {"Fjolla"}, "family_name": {"Gashi"},
		"birth_date": {"1999-02-03"}, "sex": {"female"}, "citizenship": {"XK"}, "exploitation": {"SexualExploitation"},
		"confirm_duplicate": {"1"}}
	req := httptest.NewRequest("POST", "/cases", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		tb.Fatalf("register: %d %s", rec.Code, rec.Body.String())
	}
	caseID := strings.TrimPrefix(rec.Header().Get("Location"), "/cases/")
	pu := en.users[access.Police]
	kinds := []cases.TimelineEntry{
		{Kind: "stage", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "moved;v=2;from=screening;to=presumed_victim"},
		{Kind: "consent", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "consent.grant:data_processing"},
		{Kind: "note", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "note.added:medical"},
		{Kind: "task", ActorID: "system", Summary: "task.created:reflection_end"},
	}
	at := en.clk.Now()
	err := en.app.DB.InTx(ctx, at, func(tx *store.Tx) error {
		for i := range extra {
			e := kinds[i%len(kinds)]
			e.CaseID, e.At = caseID, at.Add(time.Duration(i+1)*time.Minute)
			if err := cases.AppendTimeline(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return caseID
}
