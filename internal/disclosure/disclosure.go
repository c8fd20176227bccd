// Package disclosure protects aggregate tables before they leave the
// coordinator's office: primary and secondary cell suppression, rounding to
// a base, and differential-privacy noise under a yearly privacy budget.
package disclosure

import (
	"errors"

	"github.com/ura-nrm/ura/internal/report"
)

// Method is how a table is protected.
type Method string

// The methods.
const (
	None     Method = "none"     // raw: only for the coordinator's office
	Suppress Method = "suppress" // cells under K suppressed, with complementary suppression
	Round    Method = "round"    // every cell rounded to a multiple of Base
	Noise    Method = "dp"       // differential-privacy noise with budget Epsilon
)

// Policy says how to protect a table.
type Policy struct {
	Method  Method
	K       int     // threshold of primary suppression (default 10)
	Base    int     // rounding base (default 5)
	Epsilon float64 // ε spent by a Noise release
}

var errNotBuilt = errors.New("disclosure: not built yet")

// Protect applies p to t in place. t's last row and column are totals when
// t.RowTotal / t.ColumnTotal say so; suppression keeps every suppressed cell
// unrecoverable from them. It returns a note saying what was done, for the
// document's Notes.
func Protect(t *report.Table, p Policy) (note string, err error) { return "", errNotBuilt }
