package auth_test

import (
	"encoding/base32"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
)

// rfcSecret is the SHA-1 key of RFC 4226 appendix D and RFC 6238 appendix B.
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// TestTOTPCodeRFC6238 checks the SHA-1 vectors of RFC 6238 appendix B. The RFC
// prints 8 digits; Ura uses 6, and the truncated value mod 10^6 is the last
// six of the value mod 10^8.
func TestTOTPCodeRFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix  int64
		eight string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		got, err := auth.TOTPCode(rfcSecret, time.Unix(tc.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if want := tc.eight[2:]; got != want {
			t.Errorf("TOTPCode(t=%d) = %s, want %s", tc.unix, got, want)
		}
	}
}

// TestTOTPCodeRFC4226 checks the HOTP truncation against RFC 4226 appendix D
// (6 digits, counters 0–9): TOTP at t = 30·c is HOTP(c).
func TestTOTPCodeRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for c, w := range want {
		got, err := auth.TOTPCode(rfcSecret, time.Unix(int64(c)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("HOTP(%d) = %s, want %s", c, got, w)
		}
	}
}

func TestValidateTOTP(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	step := now.Unix() / 30
	code := func(d time.Duration) string {
		c, err := auth.TOTPCode(rfcSecret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64
		wantOK   bool
	}{
		{"CurrentStep", code(0), 0, step, true},
		{"OneStepEarly", code(-30 * time.Second), 0, step - 1, true},
		{"OneStepLate", code(30 * time.Second), 0, step + 1, true},
		{"TwoStepsOld", code(-60 * time.Second), 0, 0, false},
		{"ReplayOfSpentStep", code(0), step, 0, false},
		{"EarlierStepAfterLaterSpent", code(-30 * time.Second), step, 0, false},
		{"SpacesTolerated", code(0)[:3] + " " + code(0)[3:], 0, step, true},
		{"WrongLength", "12345", 0, 0, false},
		{"NotDigits", "abcdef", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := auth.ValidateTOTP(rfcSecret, tc.code, now, tc.lastStep)
			if ok != tc.wantOK || got != tc.wantStep {
				t.Errorf("ValidateTOTP = (%d, %v), want (%d, %v)", got, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
}

func TestGenerateTOTPSecret(t *testing.T) {
	a, b := auth.GenerateTOTPSecret(), auth.GenerateTOTPSecret()
	if a == b {
		t.Error("two secrets are equal")
	}
	if got := len(a); got != 32 { // 20 bytes in base32
		t.Errorf("secret length = %d, want 32", got)
	}
	if _, err := auth.TOTPCode(a, time.Now()); err != nil {
		t.Errorf("TOTPCode(new secret): %v", err)
	}
}
