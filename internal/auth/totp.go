package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as every authenticator app speaks it (RFC 6238): HMAC-SHA-1, 6 digits,
// 30-second steps. A code is accepted one step early or late, for clocks that
// drift and people who type slowly, and each step only once per user.
const (
	totpDigits = 6
	totpPeriod = 30
	totpSkew   = 1
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// GenerateTOTPSecret returns a new 160-bit secret (RFC 4226's recommended
// length) in unpadded base32, as authenticator apps expect it.
func GenerateTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return totpEncoding.EncodeToString(b)
}

// decodeSecret accepts a base32 secret as people copy it: any case, with
// spaces or padding.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	key, err := totpEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) == 0 {
		return nil, errors.New("auth: invalid TOTP secret")
	}
	return key, nil
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// hotp is RFC 4226: HMAC-SHA-1 of the counter, dynamically truncated to 31
// bits, reduced to digits decimal digits.
func hotp(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPCode returns the 6-digit code of secret at time t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(totpStep(t)), totpDigits), nil
}

// ValidateTOTP checks code against secret at t, one step either side, and
// returns the step that matched. Steps at or before lastStep (the last one the
// user spent) are refused, so an observed code cannot be replayed.
func ValidateTOTP(secret, code string, t time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return 0, false
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, false
	}
	now := totpStep(t)
	for s := now - totpSkew; s <= now+totpSkew; s++ {
		if s <= lastStep || s < 0 {
			continue
		}
		want := hotp(key, uint64(s), totpDigits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// otpauthURI is the key URI authenticator apps read from a QR code
// (the de-facto Google Authenticator format).
func otpauthURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + label + "?" + q.Encode()
}
