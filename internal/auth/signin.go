package auth

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// errSignIn is the one answer to every failed sign-in: wrong password,
// unknown email, locked account, closed account, throttled address. Telling
// them apart would tell a stranger which emails have accounts.
var errSignIn = errs.E(errs.Unauthenticated, "signin.failed")

// errCode is the one answer to a refused second-factor or recovery code.
var errCode = errs.E(errs.Unauthenticated, "signin.code_invalid")

// userActor is the audit actor of a user acting for themselves.
func userActor(r *userRow) audit.Actor {
	return audit.Actor{UserID: r.ID, OrgID: r.OrgID, Role: string(r.Role)}
}

// firstStage is where a correct password leads: roles that see personal data
// need a second factor, and enrol one first if they have none.
func firstStage(r *userRow) Stage {
	switch {
	case !access.SeesPersonalData(r.Role):
		return StageFull
	case r.TOTPEnabled:
		return StagePassword
	}
	return StageEnrol
}

// SignIn checks an email and password and starts a session at the stage the
// account needs next. Every failure is errs.Unauthenticated "signin.failed";
// the audit trail alone records why (bad_password, unknown_account, locked,
// inactive, throttled). Unknown emails are checked against a dummy hash, and
// locked accounts against their real one, so all answers take one argon2 run;
// only a throttled address is answered at once (its state is the client's
// own, not an account's).
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (string, *Session, error) {
	if len(password) > 4*MaxPasswordLen {
		password = "\x00" // longer than any password the policy allows: fails, at the usual cost
	}
	norm := NormalizeEmail(email)
	acctKey := s.Vault.BlindIndex(domainAccount, norm)
	var ipKey []byte
	if c.IP != "" {
		ipKey = s.Vault.BlindIndex(domainIP, c.IP)
	}
	reason := ""
	if ipKey != nil {
		blocked, err := s.blocked(ctx, ipKey)
		if err != nil {
			return "", nil, err
		}
		if blocked {
			reason = "throttled"
		}
	}
	var r *userRow
	var stale bool
	if reason == "" {
		locked, err := s.blocked(ctx, acctKey)
		if err != nil {
			return "", nil, err
		}
		r, err = s.loadUser(ctx, s.DB.Read(), `u.email_index = $1`, s.Vault.BlindIndex(domainEmail, norm))
		if err != nil && !errs.Is(err, errs.NotFound) {
			return "", nil, err
		}
		phc := s.dummyHash
		if r != nil {
			phc = r.passwordHash
		}
		var ok bool
		ok, stale = s.verifyPassword(phc, password)
		switch {
		case locked:
			reason = "locked"
		case r == nil:
			reason = "unknown_account"
		case !ok:
			reason = "bad_password"
		case !r.Active, !r.orgActive:
			reason = "inactive"
		}
	}
	if reason != "" {
		err := s.inTx(ctx, func(tx *store.Tx) error {
			if ipKey != nil && reason != "throttled" {
				if err := s.fail(ctx, tx, ipKey, s.Config.IPMaxFailures, s.Config.IPWindow, s.Config.IPWindow); err != nil {
					return err
				}
			}
			if reason != "throttled" {
				if err := s.fail(ctx, tx, acctKey, s.Config.MaxFailures, s.Config.LockoutWindow, s.Config.LockoutDuration); err != nil {
					return err
				}
			}
			tx.AfterCommit(metrics.SignInFailures.Inc)
			e := audit.Event{Action: "auth.signin_failed", Outcome: audit.OutcomeDenied, Detail: reason, RequestID: c.RequestID}
			if r != nil {
				e.ObjectType, e.ObjectID = "user", r.ID
			}
			return recordEvent(ctx, tx, e)
		})
		if err != nil {
			return "", nil, err
		}
		return "", nil, errSignIn
	}
	var rehash string
	if stale {
		rehash, _ = s.hash(password) // a failure here only postpones the upgrade
	}
	var tok string
	var sess *Session
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if err := clearThrottle(ctx, tx, acctKey); err != nil {
			return err
		}
		if rehash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, rehash, r.ID); err != nil {
				return errs.Internalf("rehash password: %w", err)
			}
		}
		var err error
		stage := firstStage(r)
		tok, sess, err = newSession(ctx, tx, r.ID, stage, r.Lang, tx.Now, tx.Now.Add(s.Config.AbsoluteTimeout))
		if err != nil {
			return err
		}
		return recordEvent(ctx, tx, audit.Event{Actor: userActor(r), Action: "auth.signin", ObjectType: "user",
			ObjectID: r.ID, Detail: "stage=" + string(stage), RequestID: c.RequestID})
	})
	if err != nil {
		return "", nil, err
	}
	return tok, sess, nil
}

// secondFactor runs one attempt at a second-factor step of the session of
// token, which must be at stage want. check returns whether the code is good
// and, if so, does its writes in tx; on success the session is rotated to
// full. Failures count against the user's second-factor throttle (MaxFailures
// per LockoutWindow), which, once tripped, refuses even good codes for
// LockoutDuration: six digits must not be guessable by persistence.
func (s *Service) secondFactor(ctx context.Context, token string, want Stage, c Client, action string,
	check func(tx *store.Tx, r *userRow, now time.Time) (ok bool, detail string, err error)) (string, *Session, error) {
	now := s.now()
	sess, r, err := s.loadSession(ctx, s.DB.Read(), token, now)
	if err != nil {
		return "", nil, err
	}
	if sess.Stage != want {
		return "", nil, errs.E(errs.Conflict, "signin.wrong_stage")
	}
	key := s.Vault.BlindIndex(domainSecond, r.ID)
	blocked, err := s.blocked(ctx, key)
	if err != nil {
		return "", nil, err
	}
	var tok string
	var next *Session
	failed := blocked
	if !blocked {
		err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			ok, detail, err := check(tx, r, now)
			if err != nil {
				return err
			}
			if !ok {
				failed = true
				return errCode // roll back whatever check began
			}
			if err := clearThrottle(ctx, tx, key); err != nil {
				return err
			}
			if tok, next, err = rotate(ctx, tx, sess, StageFull); err != nil {
				return err
			}
			return recordEvent(ctx, tx, audit.Event{Actor: userActor(r), Action: action, ObjectType: "user",
				ObjectID: r.ID, Detail: detail, RequestID: c.RequestID})
		})
		if err != nil && !failed {
			return "", nil, err
		}
	}
	if failed {
		reason := "bad_code"
		if blocked {
			reason = "locked"
		}
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			if err := s.fail(ctx, tx, key, s.Config.MaxFailures, s.Config.LockoutWindow, s.Config.LockoutDuration); err != nil {
				return err
			}
			tx.AfterCommit(metrics.SignInFailures.Inc)
			return recordEvent(ctx, tx, audit.Event{Actor: userActor(r), Action: action + "_failed", ObjectType: "user",
				ObjectID: r.ID, Outcome: audit.OutcomeDenied, Detail: reason, RequestID: c.RequestID})
		})
		if err != nil {
			return "", nil, err
		}
		return "", nil, errCode
	}
	return tok, next, nil
}

// VerifyTOTP completes sign-in with an authenticator code: stage password →
// full, under a new session token. Each 30-second step is accepted once per
// user (users.totp_last_step, advanced atomically), so a code read over a
// shoulder is spent.
func (s *Service) VerifyTOTP(ctx context.Context, token, code string, c Client) (string, *Session, error) {
	return s.secondFactor(ctx, token, StagePassword, c, "auth.totp",
		func(tx *store.Tx, r *userRow, now time.Time) (bool, string, error) {
			if !r.TOTPEnabled || r.totpEnc == nil {
				return false, "", nil
			}
			secret, err := s.openTOTP(ctx, tx, r)
			if err != nil {
				return false, "", err
			}
			step, ok := ValidateTOTP(secret, code, now, r.totpLastStep)
			if !ok {
				return false, "", nil
			}
			ok, err = spendStep(ctx, tx, r.ID, step, false)
			return ok, "", err
		})
}

// spendStep records step as the user's last used TOTP step, unless a step at
// or after it was already used (a replay, or a race with another request).
func spendStep(ctx context.Context, tx *store.Tx, userID string, step int64, enable bool) (bool, error) {
	q := `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`
	if enable {
		q = `UPDATE users SET totp_last_step = $1, totp_enabled = 1 WHERE id = $2 AND totp_last_step < $1 AND totp_enabled = 0`
	}
	res, err := tx.ExecContext(ctx, q, step, userID)
	if err != nil {
		return false, errs.Internalf("spend totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
