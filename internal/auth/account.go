package auth

import (
	"context"
	"slices"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Languages are the interface languages a user may choose ("" follows the
// browser).
var Languages = []string{"en", "sq", "sr-Latn", "sr-Cyrl"}

// SetUserActive opens or closes an account. Closing it revokes its sessions
// and API tokens in the same transaction, so a dismissed employee is out at
// their next request. Administrators cannot close their own account (there
// might be no one left to open it again). Reopening an account whose role
// sees personal data waits for a second person's approval (approvals.go):
// The account stays closed until then; SetUserActiveP says whether it waits.
func (s *Service) SetUserActive(ctx context.Context, actor access.Actor, id string, active bool) error {
	_, err := s.SetUserActiveP(ctx, actor, id, active)
	return err
}

// SetUserActiveP is SetUserActive that also says whether reopening the
// account waits for approval (pending).
func (s *Service) SetUserActiveP(ctx context.Context, actor access.Actor, id string, active bool) (pending bool, err error) {
	if err := access.Check(actor, access.UserManage); err != nil {
		return false, err
	}
	if !active && id == actor.UserID {
		return false, errs.InvalidField("active", "user.cannot_deactivate_self")
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		m, err := MemberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if active && !m.Active && needsApproval(actor, m.Role) {
			pending = true
			return s.requestChange(ctx, tx, actor, &Change{Kind: ChangeActivate, UserID: id, Role: m.Role, OrgID: m.OrgID,
				OldRole: m.Role, OldOrgID: m.OrgID})
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET active = $1, updated_at = $2 WHERE id = $3`,
			store.Bool(active), store.T(tx.Now), id)
		if err != nil {
			return errs.Internalf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("user.not_found")
		}
		action := "user.activate"
		if !active {
			action = "user.deactivate"
			if err := revokeSessions(ctx, tx, id, nil); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
				store.T(tx.Now), id); err != nil {
				return errs.Internalf("revoke tokens: %w", err)
			}
		}
		return record(ctx, tx, audit.ActorFrom(actor), action, "user", id, "")
	})
	return pending, err
}

// ChangeUser gives an account another role or organisation. When the new
// role sees personal data the change waits for a second person's approval
// (pending); otherwise it takes effect at once. Either way the account's
// sessions end when it takes effect, so it signs in again under the new role.
func (s *Service) ChangeUser(ctx context.Context, actor access.Actor, id string, role access.Role, orgID string) (pending bool, err error) {
	if err := access.Check(actor, access.UserManage); err != nil {
		return false, err
	}
	if _, ok := access.ParseRole(string(role)); !ok {
		return false, errs.InvalidField("role", "validation.invalid_choice")
	}
	if orgID == "" {
		return false, errs.InvalidField("org", "validation.required")
	}
	if id == actor.UserID && !actor.System {
		return false, errs.InvalidField("role", "user.cannot_change_self")
	}
	org, err := s.findOrg(ctx, s.DB.Read(), `id = $1`, orgID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return false, errs.InvalidField("org", "org.not_found")
		}
		return false, err
	}
	if !org.Active {
		return false, errs.InvalidField("org", "org.inactive")
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		m, err := MemberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Role == role && m.OrgID == org.ID {
			return errs.InvalidField("role", "user_change.nothing")
		}
		if needsApproval(actor, role) {
			pending = true
			return s.requestChange(ctx, tx, actor, &Change{Kind: ChangeRoleOrg, UserID: id, Role: role, OrgID: org.ID,
				OldRole: m.Role, OldOrgID: m.OrgID})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, org_id = $2, updated_at = $3 WHERE id = $4`,
			string(role), org.ID, store.T(tx.Now), id); err != nil {
			return errs.Internalf("change user: %w", err)
		}
		if err := revokeSessions(ctx, tx, id, nil); err != nil {
			return err
		}
		return record(ctx, tx, audit.ActorFrom(actor), "user.change", "user", id, "role="+string(role)+",org="+org.ID)
	})
	return pending, err
}

// ResetTOTP forgets a user's second factor and recovery codes (a lost phone)
// and ends their sessions: at the next sign-in they enrol again. For an
// account that sees personal data, asked by a person, the reset waits for a
// second person's approval (whoever knows the password could otherwise enrol
// their own phone); ResetTOTPP says whether it waits.
func (s *Service) ResetTOTP(ctx context.Context, actor access.Actor, id string) error {
	_, err := s.ResetTOTPP(ctx, actor, id)
	return err
}

// ResetTOTPP is ResetTOTP that also says whether the reset waits for
// approval (pending).
func (s *Service) ResetTOTPP(ctx context.Context, actor access.Actor, id string) (pending bool, err error) {
	if err := access.Check(actor, access.UserManage); err != nil {
		return false, err
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		m, err := MemberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if needsApproval(actor, m.Role) {
			pending = true
			return s.requestChange(ctx, tx, actor, &Change{Kind: ChangeTOTPReset, UserID: id, Role: m.Role, OrgID: m.OrgID,
				OldRole: m.Role, OldOrgID: m.OrgID})
		}
		if err := resetTOTP(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, audit.ActorFrom(actor), "user.totp_reset", "user", id, "")
	})
	return pending, err
}

// resetTOTP clears the second factor and recovery codes of id and ends its sessions.
func resetTOTP(ctx context.Context, tx *store.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = NULL, totp_enabled = 0, updated_at = $1 WHERE id = $2`,
		store.T(tx.Now), id)
	if err != nil {
		return errs.Internalf("reset totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user.not_found")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, id); err != nil {
		return errs.Internalf("delete recovery codes: %w", err)
	}
	return revokeSessions(ctx, tx, id, nil)
}

// ClearLockout lifts a sign-in lockout of an account before it runs out:
// lockouts also stop the rightful user (the price of slowing a guesser), so
// an administrator who has checked who is calling can let them back in.
func (s *Service) ClearLockout(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.UserManage); err != nil {
		return err
	}
	r, err := s.loadUser(ctx, s.DB.Read(), `u.id = $1`, id)
	if err != nil {
		return err
	}
	email, err := s.Vault.OpenString(ctx, s.DB.Read(), r.keyID, vault.AAD{Table: "users", Row: r.ID, Field: "email"}, r.emailEnc)
	if err != nil {
		return errs.Internalf("open user email: %w", err)
	}
	keys := [][]byte{s.Vault.BlindIndex(domainAccount, email), s.Vault.BlindIndex(domainSecond, id), s.Vault.BlindIndex(domainChange, id)}
	return s.inTx(ctx, func(tx *store.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE key_hash = $1`, k); err != nil {
				return errs.Internalf("clear lockout: %w", err)
			}
		}
		return record(ctx, tx, audit.ActorFrom(actor), "user.lockout_clear", "user", id, "")
	})
}

// ChangePassword changes the actor's own password after checking the current
// one, and revokes the user's other sessions (someone who learnt the old
// password is signed out). The session in ctx (WithSession) survives; without
// one every session is revoked. API tokens are not touched: they are managed,
// and revoked, on their own.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, current, next string) error {
	if err := access.Check(actor, access.AccountManage); err != nil {
		return err
	}
	if actor.System || actor.UserID == "" {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	r, err := s.loadUser(ctx, s.DB.Read(), `u.id = $1`, actor.UserID)
	if err != nil {
		return err
	}
	key := s.Vault.BlindIndex(domainChange, r.ID)
	blocked, err := s.blocked(ctx, key)
	if err != nil {
		return err
	}
	ok, _ := s.verifyPassword(r.passwordHash, current)
	if !ok || blocked {
		err := s.inTx(ctx, func(tx *store.Tx) error {
			if err := s.fail(ctx, tx, key, s.Config.MaxFailures, s.Config.LockoutWindow, s.Config.LockoutDuration); err != nil {
				return err
			}
			return recordEvent(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "account.password_change",
				ObjectType: "user", ObjectID: r.ID, Outcome: audit.OutcomeDenied, Detail: "bad_password"})
		})
		if err != nil {
			return err
		}
		return errs.InvalidField("current_password", "password.current_wrong")
	}
	if err := ValidatePassword(next); err != nil {
		return err
	}
	if next == current {
		return errs.InvalidField("password", "validation.password_same")
	}
	h, err := s.hash(next)
	if err != nil {
		return errs.Internalf("hash password: %w", err)
	}
	var keep []byte
	if sess := sessionFrom(ctx); sess != nil && sess.UserID == r.ID {
		keep = sess.IDHash
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`,
			h, store.T(tx.Now), r.ID); err != nil {
			return errs.Internalf("update password: %w", err)
		}
		if err := revokeSessions(ctx, tx, r.ID, keep); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE key_hash = $1`, key); err != nil {
			return errs.Internalf("clear throttle: %w", err)
		}
		return record(ctx, tx, audit.ActorFrom(actor), "account.password_change", "user", r.ID, "")
	})
}

// SetLang sets the actor's interface language, for the account and its open
// sessions.
func (s *Service) SetLang(ctx context.Context, actor access.Actor, lang string) error {
	if err := access.Check(actor, access.AccountManage); err != nil {
		return err
	}
	if lang != "" && !slices.Contains(Languages, lang) {
		return errs.InvalidField("lang", "validation.invalid_choice")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET lang = $1, updated_at = $2 WHERE id = $3`, lang, store.T(tx.Now), actor.UserID)
		if err != nil {
			return errs.Internalf("set language: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("user.not_found")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET lang = $1 WHERE user_id = $2`, lang, actor.UserID); err != nil {
			return errs.Internalf("set session language: %w", err)
		}
		return record(ctx, tx, audit.ActorFrom(actor), "account.lang", "user", actor.UserID, "lang="+lang)
	})
}

// HasUsers reports whether any account exists (the first start offers to
// create an administrator when none does).
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	return s.exists(ctx, `SELECT 1 FROM users LIMIT 1`)
}

// HasRealData reports whether any non-demo account exists: demo mode loads
// synthetic data and well-known passwords, and is refused on such a store.
func (s *Service) HasRealData(ctx context.Context) (bool, error) {
	return s.exists(ctx, `SELECT 1 FROM users WHERE demo = 0 LIMIT 1`)
}

func (s *Service) exists(ctx context.Context, q string) (bool, error) {
	rows, err := s.DB.Read().QueryContext(ctx, q)
	if err != nil {
		return false, errs.Internalf("query users: %w", err)
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}
