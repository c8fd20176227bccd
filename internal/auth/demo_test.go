package auth_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestResetDemoAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		real := f.mustUser(t, "real@police.example", access.Police)
		t.Run("RefusesRealAccounts", func(t *testing.T) {
			err := f.svc.ResetDemoAccount(ctx, real.ID, "another good passphrase", auth.GenerateTOTPSecret())
			wantCode(t, err, errs.Forbidden, "error.forbidden")
			if _, _, err := f.svc.SignIn(ctx, "real@police.example", goodPassword, client); err != nil {
				t.Errorf("the real account's password changed: %v", err)
			}
		})
		t.Run("DemoAccountSignsInWithNewSecrets", func(t *testing.T) {
			demo, err := f.svc.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "demo@demo.example", Name: "Demo",
				Role: access.Police, OrgID: real.OrgID, Password: goodPassword, Demo: true})
			if err != nil {
				t.Fatal(err)
			}
			secret := auth.GenerateTOTPSecret()
			if err := f.svc.ResetDemoAccount(ctx, demo.ID, "a fresh demo passphrase", secret); err != nil {
				t.Fatal(err)
			}
			tok, sess, err := f.svc.SignIn(ctx, "demo@demo.example", "a fresh demo passphrase", client)
			if err != nil || sess.Stage != auth.StagePassword {
				t.Fatalf("sign-in after reset: %v, stage %v; want the TOTP step", err, sess)
			}
			code, _ := auth.TOTPCode(secret, f.clk.Now())
			if _, _, err := f.svc.VerifyTOTP(ctx, tok, code, client); err != nil {
				t.Errorf("the printed TOTP secret does not work: %v", err)
			}
			if real, err := f.svc.HasRealData(ctx); err != nil || !real {
				t.Errorf("HasRealData = %v, %v; the fixture's real account exists", real, err)
			}
		})
	})
}
