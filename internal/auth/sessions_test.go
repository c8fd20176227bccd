package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "analyst@ura.example", access.Analyst)
		signIn := func(t *testing.T) string {
			tok, _ := f.signInFull(t, "analyst@ura.example")
			return tok
		}
		authenticate := func(tok string) error { _, _, err := f.svc.Authenticate(ctx, tok); return err }

		t.Run("ActiveJustUnderIdleTimeout", func(t *testing.T) {
			tok := signIn(t)
			f.clk.Advance(15*time.Minute - time.Second)
			if err := authenticate(tok); err != nil {
				t.Fatalf("after 14m59s idle: %v", err)
			}
		})
		t.Run("ExpiredAtIdleTimeout", func(t *testing.T) {
			tok := signIn(t)
			f.clk.Advance(15 * time.Minute)
			wantCode(t, authenticate(tok), errs.Unauthenticated, "session.expired")
		})
		t.Run("ActivityExtendsIdle", func(t *testing.T) {
			tok := signIn(t)
			for range 4 {
				f.clk.Advance(10 * time.Minute)
				if err := authenticate(tok); err != nil {
					t.Fatalf("at %v: %v", f.clk.Now(), err)
				}
			}
		})
		t.Run("ExpiredAtAbsoluteTimeoutDespiteActivity", func(t *testing.T) {
			tok := signIn(t)
			for elapsed := time.Duration(0); elapsed < 8*time.Hour-10*time.Minute; elapsed += 10 * time.Minute {
				f.clk.Advance(10 * time.Minute)
				if err := authenticate(tok); err != nil {
					t.Fatalf("after %v: %v", elapsed+10*time.Minute, err)
				}
			}
			f.clk.Advance(10 * time.Minute) // 8 h after sign-in
			wantCode(t, authenticate(tok), errs.Unauthenticated, "session.expired")
		})
		t.Run("TouchWrittenAtMostOncePerMinute", func(t *testing.T) {
			tok := signIn(t)
			s0, _, _ := f.svc.Authenticate(ctx, tok)
			f.clk.Advance(30 * time.Second)
			s1, _, _ := f.svc.Authenticate(ctx, tok)
			f.clk.Advance(31 * time.Second)
			s2, _, _ := f.svc.Authenticate(ctx, tok)
			if !s1.LastSeenAt.Equal(s0.LastSeenAt) || !s2.LastSeenAt.Equal(f.clk.Now()) {
				t.Errorf("last seen %v, %v, %v; want unchanged after 30 s, now after 61 s", s0.LastSeenAt, s1.LastSeenAt, s2.LastSeenAt)
			}
		})
		t.Run("SignOut", func(t *testing.T) {
			tok := signIn(t)
			if err := f.svc.SignOut(ctx, tok); err != nil {
				t.Fatal(err)
			}
			wantCode(t, authenticate(tok), errs.Unauthenticated, "session.expired")
			if err := f.svc.SignOut(ctx, tok); err != nil {
				t.Errorf("second SignOut: %v", err)
			}
		})
		t.Run("UnknownAndEmptyTokens", func(t *testing.T) {
			wantCode(t, authenticate(""), errs.Unauthenticated, "session.expired")
			wantCode(t, authenticate("not-a-token"), errs.Unauthenticated, "session.expired")
		})
	})
}

func TestSessionStoredAsHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "analyst@ura.example", access.Analyst)
		tok, _ := f.signInFull(t, "analyst@ura.example")
		var n int
		db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id_hash = $1 OR csrf = $2`, []byte(tok), tok).Scan(&n)
		if n != 0 {
			t.Error("the session token is stored in clear")
		}
	})
}

func TestRevokeSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		other := f.mustUser(t, "analyst2@ura.example", access.Analyst)
		a, _ := f.signInFull(t, "analyst@ura.example")
		b, _ := f.signInFull(t, "analyst@ura.example")
		keep, _ := f.signInFull(t, "analyst2@ura.example")

		t.Run("AdminListsSessions", func(t *testing.T) {
			ss, err := f.svc.FindSessions(ctx, f.admin.Actor(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ss) != 2 {
				t.Errorf("FindSessions = %d, want 2", len(ss))
			}
		})
		t.Run("UserCannotRevokeOthers", func(t *testing.T) {
			wantCode(t, f.svc.RevokeSessions(ctx, other.Actor(), u.ID), errs.NotFound, "")
		})
		t.Run("AdminRevokes", func(t *testing.T) {
			if err := f.svc.RevokeSessions(ctx, f.admin.Actor(), u.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{a, b} {
				wantCode(t, func() error { _, _, err := f.svc.Authenticate(ctx, tok); return err }(), errs.Unauthenticated, "session.expired")
			}
			if _, _, err := f.svc.Authenticate(ctx, keep); err != nil {
				t.Errorf("another user's session: %v", err)
			}
			if got := auditCount(t, db, "session.revoke", ""); got != 1 {
				t.Errorf("session.revoke events = %d, want 1", got)
			}
		})
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		other, _ := f.signInFull(t, "analyst@ura.example")
		cur, _ := f.signInFull(t, "analyst@ura.example")
		sess, _, err := f.svc.Authenticate(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		const next = "a new long passphrase here"

		t.Run("WrongCurrentRefused", func(t *testing.T) {
			err := f.svc.ChangePassword(ctx, u.Actor(), "wrong password!", next)
			wantCode(t, err, errs.Invalid, "password.current_wrong")
		})
		t.Run("WeakNextRefused", func(t *testing.T) {
			err := f.svc.ChangePassword(ctx, u.Actor(), goodPassword, "short")
			wantCode(t, err, errs.Invalid, "validation.password_short")
		})
		t.Run("ChangedAndOtherSessionsRevoked", func(t *testing.T) {
			if err := f.svc.ChangePassword(auth.WithSession(ctx, sess), u.Actor(), goodPassword, next); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.Authenticate(ctx, other); !errs.Is(err, errs.Unauthenticated) {
				t.Errorf("other session: %v, want revoked", err)
			}
			if _, _, err := f.svc.Authenticate(ctx, cur); err != nil {
				t.Errorf("current session: %v, want kept", err)
			}
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", next, client); err != nil {
				t.Errorf("SignIn with new password: %v", err)
			}
		})
	})
}

func TestDeactivatedUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		tok, _ := f.signInFull(t, "analyst@ura.example")
		apiTok, _, err := f.svc.CreateToken(ctx, u.Actor(), u.ID, "script", 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetUserActive(ctx, f.admin.Actor(), u.ID, false); err != nil {
			t.Fatal(err)
		}
		t.Run("SessionStops", func(t *testing.T) {
			_, _, err := f.svc.Authenticate(ctx, tok)
			wantCode(t, err, errs.Unauthenticated, "session.expired")
		})
		t.Run("TokenStops", func(t *testing.T) {
			_, err := f.svc.AuthenticateToken(ctx, apiTok)
			wantCode(t, err, errs.Unauthenticated, "token.invalid")
		})
		t.Run("SignInRefused", func(t *testing.T) {
			_, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client)
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
		})
		t.Run("ReactivatedNeedsNewSessionAndToken", func(t *testing.T) {
			if err := f.svc.SetUserActive(ctx, f.admin.Actor(), u.ID, true); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.Authenticate(ctx, tok); err == nil {
				t.Error("old session works again after reactivation")
			}
			if _, err := f.svc.AuthenticateToken(ctx, apiTok); err == nil {
				t.Error("old token works again after reactivation")
			}
		})
		t.Run("AdminCannotDeactivateSelf", func(t *testing.T) {
			wantCode(t, f.svc.SetUserActive(ctx, f.admin.Actor(), f.admin.ID, false), errs.Invalid, "user.cannot_deactivate_self")
		})
		t.Run("OrgClosedStopsSessions", func(t *testing.T) {
			tok, _ := f.signInFull(t, "analyst@ura.example")
			if err := f.svc.SetOrgActive(ctx, f.admin.Actor(), f.police.ID, false); err != nil {
				t.Fatal(err)
			}
			_, _, err := f.svc.Authenticate(ctx, tok)
			wantCode(t, err, errs.Unauthenticated, "session.expired")
		})
	})
}
