package auth_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// eachEngine runs a benchmark per engine, with the shipped argon2 cost.
func eachEngine(b *testing.B, f func(b *testing.B, fx *fixture)) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			f(b, newFixtureConfig(b, storetest.New(b, e), auth.DefaultConfig()))
		})
	}
}

// BenchmarkSignIn is dominated by one argon2id run at the default cost.
func BenchmarkSignIn(b *testing.B) {
	eachEngine(b, func(b *testing.B, fx *fixture) {
		fx.mustUser(b, "analyst@ura.example", access.Analyst)
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			if _, _, err := fx.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/signin")
	})
}

// BenchmarkAuthenticate is the per-request session check (one read joining
// sessions, users and organisations, and opening email and name).
func BenchmarkAuthenticate(b *testing.B) {
	eachEngine(b, func(b *testing.B, fx *fixture) {
		fx.mustUser(b, "analyst@ura.example", access.Analyst)
		tok, _ := fx.signInFull(b, "analyst@ura.example")
		ctx := context.Background()
		for b.Loop() {
			if _, _, err := fx.svc.Authenticate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/check")
	})
}

// BenchmarkAuthenticateToken is the per-request API token check.
func BenchmarkAuthenticateToken(b *testing.B) {
	eachEngine(b, func(b *testing.B, fx *fixture) {
		u := fx.mustUser(b, "analyst@ura.example", access.Analyst)
		ctx := context.Background()
		plain, _, err := fx.svc.CreateToken(ctx, u.Actor(), u.ID, "bench", 0)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := fx.svc.AuthenticateToken(ctx, plain); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/check")
	})
}
