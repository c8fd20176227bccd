package auth

//go:generate go run gen_common.go

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// commonList is the embedded list of common passwords (lower case, sorted,
// one per line), written by gen_common.go from words and patterns people in
// Kosovo and the region are known to use: keyboard walks, digit runs, English,
// Albanian and Serbian words, places, football clubs and names, each with the
// suffixes people add.
//
//go:embed common-passwords.txt
var commonList string

var commonSet = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(commonList, "\n") {
		if line == "" {
			continue
		}
		set[line] = true
		if stem := passwordStem(line); len(stem) >= 3 {
			set[stem] = true
		}
	}
	return set
})

// CommonPasswords returns the embedded list, in its order (for tests and for
// showing the policy).
func CommonPasswords() []string {
	return strings.Fields(commonList)
}

// IsCommonPassword reports whether pw, lower-cased, or its stem (trailing
// digits and punctuation removed), is an entry of the common list or the stem
// of one. So "Password123456", "password!!!!!!!" and "PRISHTINA19999" are all
// common, while a passphrase of ordinary words is not.
func IsCommonPassword(pw string) bool {
	set := commonSet()
	lower := strings.ToLower(strings.TrimSpace(pw))
	if set[lower] {
		return true
	}
	stem := passwordStem(lower)
	return len(stem) >= 3 && set[stem]
}

// passwordStem strips trailing digits, punctuation, symbols and spaces: what
// people append to a word to satisfy a policy.
func passwordStem(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
}
