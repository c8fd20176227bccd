package linkage

import (
	"errors"
	"fmt"
)

// Date is a possibly partial date of birth. Month or Day is 0 when the
// source knew only the year (or only year and month), which is common for
// people without documents.
type Date struct {
	Year, Month, Day int
}

// ErrNotADate is returned for a birth date that is not YYYY, YYYY-MM or
// YYYY-MM-DD. It never carries the value, which is personal data.
var ErrNotADate = errors.New("not a date")

// ParseDate reads YYYY-MM-DD, YYYY-MM or YYYY; the empty string is the
// zero Date (unknown). Day 31 is accepted in any month: a typo in a date
// is evidence to weigh, not a reason to reject the record.
func ParseDate(s string) (Date, error) {
	var d Date
	switch len(s) {
	case 0:
		return d, nil
	case 4, 7, 10:
	default:
		return d, ErrNotADate
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	y, ok := num(s[:4])
	if !ok || y == 0 {
		return d, ErrNotADate
	}
	d.Year = y
	if len(s) >= 7 {
		m, ok := num(s[5:7])
		if !ok || s[4] != '-' || m < 1 || m > 12 {
			return Date{}, ErrNotADate
		}
		d.Month = m
	}
	if len(s) == 10 {
		dd, ok := num(s[8:10])
		if !ok || s[7] != '-' || dd < 1 || dd > 31 {
			return Date{}, ErrNotADate
		}
		d.Day = dd
	}
	return d, nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// String formats the date back to its ISO form at the precision known.
func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Date agreement levels, from no evidence to exact agreement.
const (
	DateMissing  = -1 // one side unknown: no evidence either way
	DateDisagree = 0
	DatePartial  = 1 // same year and month or day, or a partial date consistent with a full one
	DateNear     = 2 // day and month swapped, one digit mistyped, or two adjacent digits swapped
	DateExact    = 3
)

// CompareDates returns the agreement level of two birth dates. It is
// built for the errors registrations actually contain: day and month
// swapped between European and ISO habits, one key pressed wrong, and
// dates known only in part.
func CompareDates(a, b Date) int {
	if a.IsZero() || b.IsZero() {
		return DateMissing
	}
	if a == b {
		if a.Day == 0 {
			// The same year (and month) is what thousands share; only a
			// full date agreeing is an exact agreement.
			return DatePartial
		}
		return DateExact
	}
	full := a.Day != 0 && b.Day != 0
	if !full {
		// At least one side is partial: agree on what both know.
		if a.Year != b.Year {
			if a.Month == 0 && b.Month == 0 && yearNear(a.Year, b.Year) {
				return DatePartial
			}
			if (a.Month == 0 || b.Month == 0) && absInt(a.Year-b.Year) == 1 {
				// A year alone is often worked out from an age, and an
				// age is a year off half the time.
				return DatePartial
			}
			return DateDisagree
		}
		if a.Month != 0 && b.Month != 0 && a.Month != b.Month {
			return DateDisagree
		}
		return DatePartial
	}
	if a.Year == b.Year && a.Month == b.Day && a.Day == b.Month {
		return DateNear
	}
	if da, db := dateDigits(a), dateDigits(b); digitEdits(da[:], db[:]) {
		return DateNear
	}
	if a.Year == b.Year && (a.Month == b.Month || a.Day == b.Day) {
		return DatePartial
	}
	if a.Month == b.Month && a.Day == b.Day && absInt(a.Year-b.Year) <= 10 {
		// Same birthday, year off by a decade or two digits: common when
		// the age was guessed or the year mistyped twice.
		return DatePartial
	}
	return DateDisagree
}

// dateDigits is YYYYMMDD (and yearNear's years YYYY), written by hand: they are
// compared for every candidate pair, and fmt allocated twice per pair.
func dateDigits(d Date) [8]byte {
	var b [8]byte
	putDigits(b[0:4], d.Year)
	putDigits(b[4:6], d.Month)
	putDigits(b[6:8], d.Day)
	return b
}

// yearNear: two years one mistyped digit or one swap apart (1987, 1978).
func yearNear(a, b int) bool {
	var x, y [4]byte
	putDigits(x[:], a)
	putDigits(y[:], b)
	return digitEdits(x[:], y[:])
}

// putDigits writes v's last len(b) decimal digits into b, zero-padded.
func putDigits(b []byte, v int) {
	if v < 0 {
		v = -v
	}
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// digitEdits reports whether two equal-length digit strings differ by one
// substituted digit or by one swap of adjacent digits.
func digitEdits[T string | []byte](a, b T) bool {
	if len(a) != len(b) {
		return false
	}
	first, diffs := -1, 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if first < 0 {
				first = i
			}
			diffs++
		}
	}
	switch diffs {
	case 1:
		return true
	case 2:
		i := first
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i]
	}
	return false
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
