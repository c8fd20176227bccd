package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/web"
)

// BenchmarkHomePages times each role's home page (GET /, the whole
// handler: counts, tasks, template) on a store filled by the bulk
// generator, URA_BENCH_CASES cases (default 10,000), on SQLite or, with
// URA_BENCH_PG=1 and URA_TEST_PG, on PostgreSQL:
//
//	URA_BENCH_CASES=100000 go test ./internal/web -run '^$' -bench HomePages -benchtime 50x
func BenchmarkHomePages(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	e := store.SQLite
	if os.Getenv("URA_BENCH_PG") == "1" {
		e = store.Postgres
	}
	ctx := context.Background()
	a, clk := apptest.Open(b, e)
	creds, err := demo.Load(ctx, a)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := scale.Load(ctx, a, scale.Options{Cases: n, Seed: 5})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d cases, %d referrals, %d stays, %d audit events in %v", e, res.Cases, res.Referrals, res.Stays, res.AuditEvents, time.Since(start))
	h, err := web.New(a)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range creds {
		if c.Role == access.Admin {
			continue
		}
		clk.Advance(31 * time.Second)
		cl := auth.Client{IP: "127.0.0.1"}
		tok, sess, err := a.Auth.SignIn(ctx, c.Email, c.Password, cl)
		if err != nil {
			b.Fatal(err)
		}
		if sess.Stage == auth.StagePassword {
			code, _ := auth.TOTPCode(c.TOTPSecret, clk.Now())
			if tok, _, err = a.Auth.VerifyTOTP(ctx, tok, code, cl); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(string(c.Role), func(b *testing.B) {
			var size int
			for b.Loop() {
				req := httptest.NewRequest("GET", "/", nil)
				req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s home: %d", c.Role, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
