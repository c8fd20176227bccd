package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/ura-nrm/ura/internal/errs"
)

// Argon2Params is the cost of an argon2id hash: Time passes over Memory KiB
// with Threads lanes.
type Argon2Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2Params is RFC 9106's second recommended option (t=3, 64 MiB,
// p=4): about 74 ms on the 2-core reference machine (docs/auth.md), slow for
// a guesser, unnoticed by a person signing in.
func DefaultArgon2Params() Argon2Params { return Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4} }

const (
	saltLen = 16
	hashLen = 32
	// MinPasswordLen and MaxPasswordLen bound a password, in runes: long
	// enough to resist guessing, short enough that hashing stays cheap.
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(p Argon2Params, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, hashLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func mustHash(p Argon2Params, pw string) string {
	h, err := hashPassword(p, pw)
	if err != nil {
		panic(err)
	}
	return h
}

var errBadHash = errors.New("auth: malformed password hash")

// parseHash reads a PHC argon2id string.
func parseHash(phc string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.Time == 0 || p.Memory == 0 || p.Threads == 0 || p.Memory > 4<<20 || p.Time > 100 {
		return p, nil, nil, errBadHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

// verifyPassword reports whether pw matches the PHC hash, and whether the
// hash was made with parameters other than want (so it should be re-hashed).
// It takes one of the service's hash slots for the duration.
func (s *Service) verifyPassword(phc, pw string) (ok, stale bool) {
	p, salt, key, err := parseHash(phc)
	if err != nil {
		// A broken stored hash never matches, but costs what a good one does.
		p, salt, key, _ = parseHash(s.dummyHash)
		s.argon(pw, p, salt, len(key))
		return false, true
	}
	got := s.argon(pw, p, salt, len(key))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, p != s.Config.Argon || len(salt) != saltLen
}

// argon runs argon2id in a hash slot.
func (s *Service) argon(pw string, p Argon2Params, salt []byte, n int) []byte {
	s.hashSlots <- struct{}{}
	defer func() { <-s.hashSlots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(n))
}

// hash hashes pw with the configured parameters, in a hash slot.
func (s *Service) hash(pw string) (string, error) {
	s.hashSlots <- struct{}{}
	defer func() { <-s.hashSlots }()
	return hashPassword(s.Config.Argon, pw)
}

// ValidatePassword applies the password policy: at least MinPasswordLen and
// at most MaxPasswordLen characters (runes, so "čšžđ" counts 4, not 8), not one
// character repeated, and not a common password. Common means: the lower-cased
// password, or the lower-cased password with its trailing digits and
// punctuation stripped ("Prishtina2024!" → "prishtina"), is in the embedded
// list or is the stem of one of its entries. Length is what makes a password
// strong; the list only stops the guesses an attacker tries first.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return errs.InvalidField("password", "validation.password_short").With(map[string]any{"min": MinPasswordLen})
	}
	if n > MaxPasswordLen {
		return errs.InvalidField("password", "validation.password_long").With(map[string]any{"max": MaxPasswordLen})
	}
	first, _ := utf8.DecodeRuneInString(pw)
	if strings.Trim(pw, string(first)) == "" {
		return errs.InvalidField("password", "validation.password_common")
	}
	if IsCommonPassword(pw) {
		return errs.InvalidField("password", "validation.password_common")
	}
	return nil
}
