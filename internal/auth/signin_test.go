package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestSignInFlows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "officer@police.example", access.Police)
		f.mustUser(t, "analyst@ura.example", access.Analyst)

		var secret string
		t.Run("PasswordEnrolConfirmFull", func(t *testing.T) {
			tok, sess, err := f.svc.SignIn(ctx, "Officer@Police.example", goodPassword, client)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Stage != auth.StageEnrol {
				t.Fatalf("stage = %q, want enrol", sess.Stage)
			}
			if _, _, err := f.svc.VerifyTOTP(ctx, tok, "123456", client); !errs.Is(err, errs.Conflict) {
				t.Errorf("VerifyTOTP at enrol = %v, want conflict", err)
			}
			var uri string
			secret, uri, err = f.svc.BeginEnrolment(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if want := "otpauth://totp/Ura:officer@police.example?"; len(uri) < len(want) || uri[:len(want)] != want {
				t.Errorf("otpauth URI = %q, want prefix %q", uri, want)
			}
			// A reload of the enrolment page shows the secret already scanned.
			if again, _, err := f.svc.BeginEnrolment(ctx, tok); err != nil || again != secret {
				t.Errorf("second BeginEnrolment gave another secret (err %v)", err)
			}
			_, _, _, err = f.svc.ConfirmEnrolment(ctx, tok, "000000", client)
			wantCode(t, err, errs.Unauthenticated, "signin.code_invalid")
			code, _ := auth.TOTPCode(secret, f.clk.Now())
			codes, full, sess, err := f.svc.ConfirmEnrolment(ctx, tok, code, client)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Stage != auth.StageFull || len(codes) != auth.RecoveryCodeCount {
				t.Errorf("after confirm: stage %q, %d codes; want full, %d", sess.Stage, len(codes), auth.RecoveryCodeCount)
			}
			if _, _, err := f.svc.Authenticate(ctx, tok); err == nil {
				t.Error("enrol-stage token still valid after rotation")
			}
			if s, u, err := f.svc.Authenticate(ctx, full); err != nil || !s.Full() || !u.TOTPEnabled {
				t.Errorf("Authenticate(full) = %v, %v, %v", s, u, err)
			}
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE code_hash = $1`, []byte(codes[0])).Scan(&n)
			if n != 0 {
				t.Error("a recovery code is stored in clear")
			}
		})

		t.Run("PasswordTOTPFull", func(t *testing.T) {
			f.clk.Advance(time.Minute) // the enrolment spent the current step
			tok, sess, err := f.svc.SignIn(ctx, "officer@police.example", goodPassword, client)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Stage != auth.StagePassword {
				t.Fatalf("stage = %q, want password", sess.Stage)
			}
			if s, _, err := f.svc.Authenticate(ctx, tok); err != nil || s.Full() {
				t.Fatalf("password-stage session: Full()=%v err=%v, want not full", s.Full(), err)
			}
			code, _ := auth.TOTPCode(secret, f.clk.Now())
			full, sess, err := f.svc.VerifyTOTP(ctx, tok, code, client)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Stage != auth.StageFull || full == tok {
				t.Errorf("stage %q, token rotated %v; want full, rotated", sess.Stage, full != tok)
			}
			if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
				t.Errorf("old token after rotation: %v, want unauthenticated", err)
			}

			t.Run("SameStepReplayRefused", func(t *testing.T) {
				tok2, _, err := f.svc.SignIn(ctx, "officer@police.example", goodPassword, client)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = f.svc.VerifyTOTP(ctx, tok2, code, client)
				wantCode(t, err, errs.Unauthenticated, "signin.code_invalid")
			})
		})

		t.Run("RecoveryCodeOnce", func(t *testing.T) {
			u, _ := f.svc.FindUserByEmail(ctx, f.admin.Actor(), "officer@police.example")
			// Ura itself resets (an administrator's reset of a police account waits for approval: approvals_test.go).
			if err := f.svc.ResetTOTP(ctx, access.SystemActor, u.ID); err != nil {
				t.Fatal(err)
			}
			f.clk.Advance(time.Minute)
			tok, sess, _ := f.svc.SignIn(ctx, "officer@police.example", goodPassword, client)
			if sess.Stage != auth.StageEnrol {
				t.Fatalf("stage after ResetTOTP = %q, want enrol", sess.Stage)
			}
			sec, _, _ := f.svc.BeginEnrolment(ctx, tok)
			code, _ := auth.TOTPCode(sec, f.clk.Now())
			codes, _, _, err := f.svc.ConfirmEnrolment(ctx, tok, code, client)
			if err != nil {
				t.Fatal(err)
			}
			useCode := func() error {
				tok, _, err := f.svc.SignIn(ctx, "officer@police.example", goodPassword, client)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = f.svc.UseRecoveryCode(ctx, tok, " "+codes[3]+" ", client)
				return err
			}
			if err := useCode(); err != nil {
				t.Fatalf("first use: %v", err)
			}
			wantCode(t, useCode(), errs.Unauthenticated, "signin.code_invalid")
			if got := auditCount(t, db, "auth.recovery_code", "remaining=9"); got != 1 {
				t.Errorf("recovery audit events = %d, want 1", got)
			}
		})

		t.Run("AnalystNeedsNoSecondFactor", func(t *testing.T) {
			_, sess, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client)
			if err != nil || sess.Stage != auth.StageFull {
				t.Fatalf("analyst sign-in: %v, stage %v; want full", err, sess)
			}
		})
	})
}

// TestSignInFailuresLookAlike: every reason a sign-in fails gives the same
// error, so the answer never tells whether an account exists or is locked.
func TestSignInFailuresLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "locked@police.example", access.Police)
		for range 5 {
			f.svc.SignIn(ctx, "locked@police.example", "wrong password!", auth.Client{IP: "198.51.100.1"})
		}
		cases := []struct {
			name, email, password, reason string
		}{
			{"WrongPassword", "admin@ura.example", "not the password", "bad_password"},
			{"UnknownEmail", "nobody@ura.example", goodPassword, "unknown_account"},
			{"LockedWithRightPassword", "locked@police.example", goodPassword, "locked"},
		}
		var first error
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tok, sess, err := f.svc.SignIn(ctx, tc.email, tc.password, client)
				if tok != "" || sess != nil {
					t.Errorf("SignIn gave a session")
				}
				wantCode(t, err, errs.Unauthenticated, "signin.failed")
				if first == nil {
					first = err
				} else if err.Error() != first.Error() {
					t.Errorf("error %q differs from %q", err, first)
				}
				if got := auditCount(t, db, "auth.signin_failed", tc.reason); got == 0 {
					t.Errorf("no auth.signin_failed event with detail %q", tc.reason)
				}
			})
		}
	})
}

func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		cfg := f.svc.Config
		fail := func(email string) {
			t.Helper()
			_, _, err := f.svc.SignIn(ctx, email, "wrong password!", auth.Client{IP: fmt.Sprint("203.0.113.", f.clk.Now().Second())})
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
		}
		t.Run("FewerThanMaxFailuresDoNotLock", func(t *testing.T) {
			for range cfg.MaxFailures - 1 {
				fail("analyst@ura.example")
			}
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				t.Fatalf("SignIn after %d failures: %v", cfg.MaxFailures-1, err)
			}
		})
		t.Run("LockedAfterMaxFailures", func(t *testing.T) {
			for range cfg.MaxFailures {
				fail("ANALYST@ura.example")
			}
			_, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client)
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
		})
		t.Run("ReleasedAfterLockoutDuration", func(t *testing.T) {
			f.clk.Advance(cfg.LockoutDuration - time.Second)
			_, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client)
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
			f.clk.Advance(2 * time.Second)
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				t.Fatalf("SignIn after lockout: %v", err)
			}
		})
		t.Run("FailuresOutsideWindowForgotten", func(t *testing.T) {
			for range cfg.MaxFailures - 1 {
				fail("analyst@ura.example")
			}
			f.clk.Advance(cfg.LockoutWindow)
			fail("analyst@ura.example")
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				t.Fatalf("SignIn: %v", err)
			}
		})
		t.Run("AdminClearsLockout", func(t *testing.T) {
			for range cfg.MaxFailures {
				fail("analyst@ura.example")
			}
			if err := f.svc.ClearLockout(ctx, f.admin.Actor(), u.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				t.Fatalf("SignIn after ClearLockout: %v", err)
			}
		})
		t.Run("UnknownEmailLocksAlike", func(t *testing.T) {
			before := auditCount(t, db, "auth.signin_failed", "locked")
			for range cfg.MaxFailures {
				fail("ghost@ura.example")
			}
			fail("ghost@ura.example")
			if got := auditCount(t, db, "auth.signin_failed", "locked") - before; got != 1 {
				t.Errorf("new locked events = %d, want 1", got)
			}
		})
	})
}

func TestThrottlePerIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "analyst@ura.example", access.Analyst)
		attacker := auth.Client{IP: "198.51.100.66"}
		for i := range f.svc.Config.IPMaxFailures {
			f.svc.SignIn(ctx, fmt.Sprintf("guess%d@ura.example", i), "wrong password!", attacker)
		}
		t.Run("AddressRefusedEvenWithRightPassword", func(t *testing.T) {
			_, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, attacker)
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
			if got := auditCount(t, db, "auth.signin_failed", "throttled"); got != 1 {
				t.Errorf("throttled events = %d, want 1", got)
			}
		})
		t.Run("OtherAddressUnaffected", func(t *testing.T) {
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("AddressReleasedAfterWindow", func(t *testing.T) {
			f.clk.Advance(f.svc.Config.IPWindow)
			if _, _, err := f.svc.SignIn(ctx, "analyst@ura.example", goodPassword, attacker); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestSecondFactorLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.mustUser(t, "officer@police.example", access.Police)
		_, secret := f.signInFull(t, "officer@police.example")
		f.clk.Advance(time.Minute)
		tok, _, err := f.svc.SignIn(ctx, "officer@police.example", goodPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		for range f.svc.Config.MaxFailures {
			f.svc.VerifyTOTP(ctx, tok, "000000", client)
		}
		code, _ := auth.TOTPCode(secret, f.clk.Now())
		_, _, err = f.svc.VerifyTOTP(ctx, tok, code, client)
		wantCode(t, err, errs.Unauthenticated, "signin.code_invalid")
		if got := auditCount(t, db, "auth.totp_failed", "locked"); got != 1 {
			t.Errorf("auth.totp_failed locked events = %d, want 1", got)
		}
	})
}
