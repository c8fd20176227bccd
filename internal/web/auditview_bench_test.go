package web

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/store"
)

// BenchmarkAuditFilters times the audit view's queries on a store filled by
// the bulk generator (URA_BENCH_CASES cases, default 10,000):
//
//	go test ./internal/web -run '^$' -bench AuditFilters -benchtime 20x
func BenchmarkAuditFilters(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	a, _ := apptest.Open(b, store.SQLite)
	if _, err := demo.Load(ctx, a); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := scale.Load(ctx, a, scale.Options{Cases: n, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cases, %d audit events in %v", res.Cases, res.AuditEvents, time.Since(start))
	for _, c := range []struct{ name, query string }{
		{"none", ""},
		{"group_case", "group=case"},
		{"group_auth", "group=auth"},
		{"breakglass", "outcome=breakglass"},
		{"denied", "outcome=denied"},
		{"case_ref", "case=XK-2026-0042"},
		{"action_read", "action=case.read_personal"},
	} {
		b.Run(c.name, func(b *testing.B) {
			q, _ := url.ParseQuery(c.query)
			f, bad := auditFilter(q, nil)
			if len(bad) > 0 {
				b.Fatal(bad)
			}
			f.Limit = auditPage
			for b.Loop() {
				if _, _, err := audit.Find(ctx, a.DB.Read(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
