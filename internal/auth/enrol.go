package auth

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// RecoveryCodeCount is how many one-time recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// recoveryAlphabet has no 0/o, 1/l: codes are read off paper.
const recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// newRecoveryCode returns a code of 10 characters (50 bits) as "xxxxx-xxxxx".
func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = recoveryAlphabet[int(b[i])%len(recoveryAlphabet)] // 256 % 32 == 0: unbiased
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// recoveryHash is how a recovery code is stored: a keyed hash (vault blind
// index) bound to the user, so a copy of the database without the key file
// cannot be searched for the 50-bit codes.
func (s *Service) recoveryHash(userID, code string) []byte {
	norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	return s.Vault.BlindIndex(domainRecover, userID+":"+norm)
}

func totpAAD(userID string) vault.AAD { return vault.AAD{Table: "users", Row: userID, Field: "totp"} }

// openTOTP decrypts the user's TOTP secret (pending or enabled).
func (s *Service) openTOTP(ctx context.Context, q store.Querier, r *userRow) (string, error) {
	secret, err := s.Vault.OpenString(ctx, q, r.keyID, totpAAD(r.ID), r.totpEnc)
	if err != nil {
		return "", errs.Internalf("open totp secret: %w", err)
	}
	return secret, nil
}

// BeginEnrolment gives a session at stage enrol a new TOTP secret, to show as
// text and as a QR code of the otpauth URI. The secret is stored sealed (not
// yet enabled) until ConfirmEnrolment proves the app has it. Calling again
// shows the same pending secret until it is confirmed or reset: a user who reloads the
// page, or mistypes the first code, keeps the entry already scanned.
func (s *Service) BeginEnrolment(ctx context.Context, token string) (string, string, error) {
	now := s.now()
	sess, r, err := s.loadSession(ctx, s.DB.Read(), token, now)
	if err != nil {
		return "", "", err
	}
	if sess.Stage != StageEnrol || r.TOTPEnabled {
		return "", "", errs.E(errs.Conflict, "signin.wrong_stage")
	}
	u, err := s.open(ctx, s.DB.Read(), r)
	if err != nil {
		return "", "", err
	}
	if len(r.totpEnc) > 0 {
		if pending, err := s.openTOTP(ctx, s.DB.Read(), r); err == nil && pending != "" {
			return pending, otpauthURI(s.Config.Issuer, u.Email, pending), nil
		}
	}
	secret := GenerateTOTPSecret()
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		enc, err := s.Vault.SealString(ctx, tx, r.keyID, totpAAD(r.ID), secret)
		if err != nil {
			return errs.Internalf("seal totp secret: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = $1, updated_at = $2 WHERE id = $3 AND totp_enabled = 0`,
			enc, store.T(now), r.ID); err != nil {
			return errs.Internalf("store totp secret: %w", err)
		}
		return record(ctx, tx, userActor(r), "auth.totp_enrol_begin", "user", r.ID, "")
	})
	if err != nil {
		return "", "", err
	}
	return secret, otpauthURI(s.Config.Issuer, u.Email, secret), nil
}

// ConfirmEnrolment enables the pending secret once the user types a code from
// it, issues RecoveryCodeCount recovery codes (returned once; only their
// keyed hashes are kept) and moves the session to full under a new token.
func (s *Service) ConfirmEnrolment(ctx context.Context, token, code string, c Client) ([]string, string, *Session, error) {
	return s.ConfirmEnrolmentActivation(ctx, token, code, "", c)
}

// ConfirmEnrolmentActivation is ConfirmEnrolment for an account approved by
// a second person (approvals.go): it also needs the activation code the
// approver handed over (NeedsActivation). A wrong or missing code fails like
// a wrong TOTP code, and counts towards the lockout.
func (s *Service) ConfirmEnrolmentActivation(ctx context.Context, token, code, activation string, c Client) ([]string, string, *Session, error) {
	var codes []string
	tok, sess, err := s.secondFactor(ctx, token, StageEnrol, c, "auth.totp_enrol",
		func(tx *store.Tx, r *userRow, now time.Time) (bool, string, error) {
			if r.totpEnc == nil {
				return false, "", nil
			}
			if ok, err := s.checkActivation(ctx, tx, r.ID, activation); !ok || err != nil {
				return false, "", err
			}
			secret, err := s.openTOTP(ctx, tx, r)
			if err != nil {
				return false, "", err
			}
			step, ok := ValidateTOTP(secret, code, now, r.totpLastStep)
			if !ok {
				return false, "", nil
			}
			if ok, err := spendStep(ctx, tx, r.ID, step, true); !ok || err != nil {
				return false, "", err
			}
			codes, err = s.replaceRecoveryCodes(ctx, tx, r.ID)
			return err == nil, "", err
		})
	if err != nil {
		return nil, "", nil, err
	}
	return codes, tok, sess, nil
}

// replaceRecoveryCodes forgets the user's recovery codes and makes new ones.
func (s *Service) replaceRecoveryCodes(ctx context.Context, tx *store.Tx, userID string) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, errs.Internalf("delete recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`,
			userID, s.recoveryHash(userID, codes[i])); err != nil {
			return nil, errs.Internalf("insert recovery code: %w", err)
		}
	}
	return codes, nil
}

// UseRecoveryCode completes sign-in with a recovery code instead of a TOTP
// code (a lost or broken phone): stage password → full. Each code works once;
// the audit event records how many are left, so the user can be told to make
// new ones before they run out.
func (s *Service) UseRecoveryCode(ctx context.Context, token, code string, c Client) (string, *Session, error) {
	return s.secondFactor(ctx, token, StagePassword, c, "auth.recovery_code",
		func(tx *store.Tx, r *userRow, now time.Time) (bool, string, error) {
			res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
				store.T(now), r.ID, s.recoveryHash(r.ID, code))
			if err != nil {
				return false, "", errs.Internalf("use recovery code: %w", err)
			}
			if n, err := res.RowsAffected(); n != 1 || err != nil {
				return false, "", err
			}
			var left int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
				r.ID).Scan(&left); err != nil {
				return false, "", errs.Internalf("count recovery codes: %w", err)
			}
			return true, "remaining=" + strconv.Itoa(left), nil
		})
}
