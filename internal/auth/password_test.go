package auth_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pw      string
		wantKey string // "" = accepted
	}{
		{"Empty", "", "validation.password_short"},
		{"Short", "Xk9#mQ2!vL", "validation.password_short"},
		{"ElevenChars", "abcdefghijk", "validation.password_short"},
		{"TwelveGoodChars", "tg7#Vb2qLw9z", ""},
		{"Passphrase", goodPassword, ""},
		{"Common", "password123456", "validation.password_common"},
		{"CommonUpperCase", "PASSWORD123456", "validation.password_common"},
		{"CommonPlusDigits", "qwertyuiop123987", "validation.password_common"},
		{"CommonStemPlusPunctuation", "Prishtina2024!!", "validation.password_common"},
		{"LocalWord", "fjalekalimi2025", "validation.password_common"},
		{"FootballClub", "crvenazvezda1945", "validation.password_common"},
		{"AllDigitsRun", "123456789012", "validation.password_common"},
		{"AllSameCharacter", "aaaaaaaaaaaaaaaaa", "validation.password_common"},
		{"AllSameUnicode", "ëëëëëëëëëëëë", "validation.password_common"},
		{"UnicodeCountedAsRunesTooShort", "čćžšđčćžšđ", "validation.password_short"}, // 10 runes, 20 bytes
		{"UnicodeCountedAsRunesLongEnough", "čćžšđčćžšđëç", ""},                      // 12 runes
		{"CyrillicPassphrase", "шифра за помоћ", ""},
		{"TooLong", strings.Repeat("ab", 129), "validation.password_long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.ValidatePassword(tc.pw)
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("ValidatePassword = %v, want nil", err)
				}
				return
			}
			if got := errs.As(err); got == nil || got.Code != errs.Invalid || got.Key != tc.wantKey {
				t.Fatalf("ValidatePassword = %v, want invalid %s", err, tc.wantKey)
			}
		})
	}
	t.Run("ShortCarriesMinimum", func(t *testing.T) {
		e := errs.As(auth.ValidatePassword("short"))
		if got := e.Args["min"]; got != auth.MinPasswordLen {
			t.Errorf("Args[min] = %v, want %d", got, auth.MinPasswordLen)
		}
	})
}

func TestCommonPasswordList(t *testing.T) {
	list := auth.CommonPasswords()
	if got := len(list); got < 2000 {
		t.Fatalf("list has %d entries, want a few thousand", got)
	}
	if !slices.IsSorted(list) {
		t.Error("list is not sorted")
	}
	if got := len(slices.Compact(slices.Clone(list))); got != len(list) {
		t.Errorf("list has %d duplicates", len(list)-got)
	}
	for _, w := range list {
		if w != strings.ToLower(w) || len([]rune(w)) < 12 || strings.TrimSpace(w) != w {
			t.Errorf("entry %q: want lower case, at least 12 characters, no spaces", w)
		}
	}
	for _, w := range []string{"password123456", "qwertyuiop123", "iloveyou1234", "123456789012", "admin1234567",
		"welcome12345", "fjalekalimi123", "prishtina123", "kosova123456"} {
		if !slices.Contains(list, w) {
			t.Errorf("list lacks %q", w)
		}
	}
}
