package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		other := f.mustUser(t, "other@ura.example", access.Analyst)

		plain, tok, err := f.svc.CreateToken(ctx, u.Actor(), u.ID, "stats export", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("Format", func(t *testing.T) {
			if !strings.HasPrefix(plain, "ura_") || len(plain) != 4+43 {
				t.Errorf("token %q: want ura_ + 43 base64url characters", plain[:8])
			}
		})
		t.Run("HashOnlyStorage", func(t *testing.T) {
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR label = $2 OR id = $2`,
				[]byte(plain), plain).Scan(&n)
			if n != 0 {
				t.Error("the token is stored in clear")
			}
		})
		t.Run("Authenticates", func(t *testing.T) {
			got, err := f.svc.AuthenticateToken(ctx, plain)
			if err != nil || got.ID != u.ID {
				t.Fatalf("AuthenticateToken = %v, %v", got, err)
			}
			ts, _ := f.svc.FindTokens(ctx, u.Actor(), u.ID)
			if len(ts) != 1 || ts[0].LastUsedAt == nil {
				t.Errorf("FindTokens = %+v, want one token with a last use", ts)
			}
		})
		t.Run("WrongTokens", func(t *testing.T) {
			for _, bad := range []string{"", "ura_", plain + "x", strings.TrimPrefix(plain, "ura_"), "ura_" + strings.Repeat("A", 43)} {
				_, err := f.svc.AuthenticateToken(ctx, bad)
				wantCode(t, err, errs.Unauthenticated, "token.invalid")
			}
		})
		t.Run("OthersCannotSeeOrRevoke", func(t *testing.T) {
			_, err := f.svc.FindTokens(ctx, other.Actor(), u.ID)
			wantCode(t, err, errs.NotFound, "")
			wantCode(t, f.svc.RevokeToken(ctx, other.Actor(), tok.ID), errs.NotFound, "")
			_, _, err = f.svc.CreateToken(ctx, other.Actor(), u.ID, "", 0)
			wantCode(t, err, errs.NotFound, "")
		})
		t.Run("AdminCreatesForAnyone", func(t *testing.T) {
			if _, _, err := f.svc.CreateToken(ctx, f.admin.Actor(), other.ID, "ops", 0); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("Expires", func(t *testing.T) {
			f.clk.Advance(24 * time.Hour)
			_, err := f.svc.AuthenticateToken(ctx, plain)
			wantCode(t, err, errs.Unauthenticated, "token.invalid")
		})
		t.Run("Revoked", func(t *testing.T) {
			p2, t2, err := f.svc.CreateToken(ctx, u.Actor(), u.ID, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.RevokeToken(ctx, u.Actor(), t2.ID); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.AuthenticateToken(ctx, p2)
			wantCode(t, err, errs.Unauthenticated, "token.invalid")
			if got := auditCount(t, db, "token.revoke", ""); got != 1 {
				t.Errorf("token.revoke events = %d, want 1", got)
			}
		})
		t.Run("ErrTTLTooLong", func(t *testing.T) {
			_, _, err := f.svc.CreateToken(ctx, u.Actor(), u.ID, "", 5*365*24*time.Hour)
			wantCode(t, err, errs.Invalid, "token.ttl_too_long")
		})
	})
}
