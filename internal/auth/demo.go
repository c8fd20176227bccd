package auth

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// ResetDemoAccount gives a demo account a new password and, when secret is not
// empty, an enrolled TOTP secret, so `serve --demo` can print working sign-in
// details at every start. It refuses any account not created as a demo one:
// it is never a way around the password or second-factor rules of real users.
func (s *Service) ResetDemoAccount(ctx context.Context, userID, password, secret string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	h, err := s.hash(password)
	if err != nil {
		return errs.Internalf("hash: %w", err)
	}
	now := s.now()
	return s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		r, err := s.loadUser(ctx, tx, `u.id = $1`, userID)
		if err != nil {
			return err
		}
		if !r.Demo {
			return errs.E(errs.Forbidden, "error.forbidden")
		}
		var enc []byte
		enabled := 0
		if secret != "" {
			if enc, err = s.Vault.SealString(ctx, tx, r.keyID, totpAAD(r.ID), secret); err != nil {
				return errs.Internalf("seal totp secret: %w", err)
			}
			enabled = 1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, totp_secret_enc = $2, totp_enabled = $3,
			totp_last_step = 0, failed_signins = 0, locked_until = NULL, password_changed_at = $4, updated_at = $4 WHERE id = $5`,
			h, enc, enabled, store.T(now), r.ID); err != nil {
			return errs.Internalf("reset demo account: %w", err)
		}
		if err := revokeSessions(ctx, tx, r.ID, nil); err != nil {
			return err
		}
		return record(ctx, tx, audit.ActorFrom(access.SystemActor), "auth.demo_reset", "user", r.ID, "")
	})
}
