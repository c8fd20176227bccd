// Package identify screens a person's situation for signs of trafficking in
// human beings, before or after a case exists: the ILO/European Commission
// operational indicators (2009) with their combination rule for the four
// profiles (adult/child × labour/sexual exploitation), a Palermo Protocol
// checklist for the forms of exploitation those lists do not cover, and
// stored screenings that a case file attaches later.
//
// The indicators and their weights are data (catalogue/indicators-2009.json),
// not code: DOMAIN.md marks several weights as reconstructed, and a corrected
// weight must need a new data version, never a new rule. The result is a
// screening signal for a human reviewer; only the competent authority
// identifies a victim.
package identify

import "strconv"

// Profile is one of the four ILO/EC lists.
type Profile string

// The profiles, named as the API names them.
const (
	AdultLabour Profile = "adult_labour"
	AdultSexual Profile = "adult_sexual"
	ChildLabour Profile = "child_labour"
	ChildSexual Profile = "child_sexual"
)

// Profiles lists the profiles in the order forms show them.
var Profiles = []Profile{AdultLabour, AdultSexual, ChildLabour, ChildSexual}

// ParseProfile returns the profile named s.
func ParseProfile(s string) (Profile, bool) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, true
		}
	}
	return "", false
}

// Child tells whether the profile is for a person under 18, for whom the
// Palermo Protocol (Art. 3(c)) needs no means.
func (p Profile) Child() bool { return p == ChildLabour || p == ChildSexual }

// Dimension is one of the six elements of the ILO/EC lists, numbered 1–6.
type Dimension int

// The dimensions (DOMAIN.md §1.1).
const (
	D1 Dimension = 1 + iota // deceptive recruitment
	D2                      // coercive recruitment
	D3                      // recruitment by abuse of vulnerability
	D4                      // exploitative conditions of work
	D5                      // coercion at destination
	D6                      // abuse of vulnerability at destination
)

// NumDimensions is how many dimensions every profile has.
const NumDimensions = 6

// Dimensions lists D1–D6 in order.
var Dimensions = []Dimension{D1, D2, D3, D4, D5, D6}

// String returns "D1" … "D6", the names the API and the data file use.
func (d Dimension) String() string { return "D" + strconv.Itoa(int(d)) }

// Valid tells whether d is one of D1–D6.
func (d Dimension) Valid() bool { return d >= D1 && d <= D6 }

// ParseDimension reads "D1" … "D6".
func ParseDimension(s string) (Dimension, bool) {
	if len(s) != 2 || s[0] != 'D' || s[1] < '1' || s[1] > '6' {
		return 0, false
	}
	return Dimension(s[1] - '0'), true
}

// Weight is how strongly an indicator points to trafficking in a profile.
type Weight int8

// The weights, ordered, as in DOMAIN.md's sketch (S=3, M=2, W=1).
const (
	Weak   Weight = 1
	Medium Weight = 2
	Strong Weight = 3
)

// String returns "weak", "medium" or "strong".
func (w Weight) String() string {
	switch w {
	case Weak:
		return "weak"
	case Medium:
		return "medium"
	case Strong:
		return "strong"
	}
	return "?"
}

// ParseWeight reads "strong", "medium" or "weak".
func ParseWeight(s string) (Weight, bool) {
	switch s {
	case "strong":
		return Strong, true
	case "medium":
		return Medium, true
	case "weak":
		return Weak, true
	}
	return 0, false
}

// Confidence grades of DOMAIN.md: checked against a primary source, from a
// secondary source, or reconstructed (to be corrected as data).
const (
	ConfidenceVerified      = "V"
	ConfidenceSecondary     = "S"
	ConfidenceReconstructed = "R"
)
