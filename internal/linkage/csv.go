package linkage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ura-nrm/ura/internal/codes"
)

// InputError reports a problem with one line of an input file. Its text
// names the line and the column, never the value: the value is personal
// data and error messages end up in logs.
type InputError struct {
	Line int
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Person columns of the Ura CSV format; every other column is an extra
// field.
const (
	ColID          = "id"
	ColGivenName   = "given_name"
	ColFamilyName  = "family_name"
	ColBirthDate   = "birth_date"
	ColSex         = "sex"
	ColCitizenship = "citizenship"
)

// ReadOptions tunes ReadRecordsWith.
type ReadOptions struct {
	// Strict refuses the whole file on the first value that is not valid
	// for its column, instead of treating it as missing.
	Strict bool
	// Warn receives one warning per invalid value treated as missing: its
	// line, its column and what is wrong, never the value. nil drops them.
	Warn func(*InputError)
}

// MaxLineBytes bounds one line of an input file. A longer line is not a
// person (a binary file, a missing newline in a dump): it is refused with
// its line number before it is held in memory.
const MaxLineBytes = 1 << 20

// ReadRecords reads persons as ReadRecordsWith does, dropping the
// warnings.
func ReadRecords(r io.Reader) ([]Record, error) {
	return ReadRecordsWith(r, ReadOptions{})
}

// ReadRecordsWith reads persons from a CSV file with a header row. The id
// column is required and must be unique and non-empty; given_name,
// family_name, birth_date, sex and citizenship are optional, and any other
// column becomes an extra field. Values are trimmed and brought to Unicode
// NFC. A value that is not valid for its column (a date that is not
// YYYY-MM-DD, YYYY-MM or YYYY or cannot exist, a sex or citizenship code
// not in the list, a name of punctuation only) is treated as missing for
// that record and reported through opts.Warn, or with opts.Strict refuses
// the file. Malformed CSV (wrong number of fields, bad quoting, invalid
// UTF-8, a line over MaxLineBytes) always refuses the file, naming the
// line.
func ReadRecordsWith(r io.Reader, opts ReadOptions) ([]Record, error) {
	lr := &lineLimitReader{r: r, max: MaxLineBytes, line: 1}
	cr := csv.NewReader(lr)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Msg: "empty file: a header row is required"}
	}
	if err != nil {
		return nil, readError(err, lr)
	}
	cols := make([]string, len(head))
	idCol := -1
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("column %d has no name", i+1)}
		}
		if !utf8.ValidString(h) {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("column %d: invalid UTF-8", i+1)}
		}
		if seen[h] {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("column %d has the name of an earlier column", i+1)}
		}
		seen[h] = true
		cols[i] = h
		if h == ColID {
			idCol = i
		}
	}
	if idCol < 0 {
		return nil, &InputError{Line: 1, Msg: "no id column"}
	}
	var out []Record
	ids := map[string]int{}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readError(err, lr)
		}
		line, _ := cr.FieldPos(0)
		rec := Record{}
		for i, v := range row {
			if !utf8.ValidString(v) {
				return nil, &InputError{Line: line, Msg: fmt.Sprintf("column %s: invalid UTF-8", safeColumn(cols[i]))}
			}
			v = strings.TrimSpace(norm.NFC.String(v))
			if v == "" {
				continue
			}
			if why := invalidValue(cols[i], v); why != "" {
				ie := &InputError{Line: line, Msg: fmt.Sprintf("column %s: %s", safeColumn(cols[i]), why)}
				if opts.Strict {
					return nil, ie
				}
				if opts.Warn != nil {
					opts.Warn(ie)
				}
				continue
			}
			switch cols[i] {
			case ColID:
				rec.ID = v
			case ColGivenName:
				rec.GivenName = v
			case ColFamilyName:
				rec.FamilyName = v
			case ColBirthDate:
				rec.BirthDate = v
			case ColSex:
				rec.Sex = v
			case ColCitizenship:
				rec.Citizenship = v
			default:
				if rec.Extra == nil {
					rec.Extra = map[string]string{}
				}
				rec.Extra[cols[i]] = v
			}
		}
		if rec.ID == "" {
			return nil, &InputError{Line: line, Msg: "id is empty"}
		}
		if first, dup := ids[rec.ID]; dup {
			return nil, &InputError{Line: line, Msg: fmt.Sprintf("duplicate id (first seen on line %d)", first)}
		}
		ids[rec.ID] = line
		out = append(out, rec)
	}
	return out, nil
}

// safeColumn quotes a column name for a message. Column names come from
// the header, not from a person, but are cut so that a header made of
// someone's data cannot carry much of it.
func safeColumn(c string) string {
	if utf8.RuneCountInString(c) > 40 {
		c = string([]rune(c)[:40]) + "…"
	}
	return strconv.Quote(c)
}

// invalidValue says why v is not valid for column col, or "". Extra
// columns are free text and always valid.
func invalidValue(col, v string) string {
	switch col {
	case ColBirthDate:
		d, err := ParseDate(v)
		if err != nil {
			return "not a date (YYYY-MM-DD, YYYY-MM or YYYY); treated as missing"
		}
		if d.Day != 0 && d.Day > daysIn(d.Year, d.Month) {
			return "a day this month does not have; treated as missing"
		}
	case ColSex:
		if !validSex(v) {
			return "not a sex code (m, f, x or a spelling of them); treated as missing"
		}
	case ColCitizenship:
		if !validCountry(v) {
			return "not a country code (ISO 3166-1 alpha-2, or XK); treated as missing"
		}
	case ColGivenName, ColFamilyName:
		if Normalize(v) == "" {
			return "no letters; treated as missing"
		}
	}
	return ""
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func validSex(v string) bool {
	switch normalizeSex(v) {
	case "m", "f", "x", "u", "unknown", "other", "o":
		return true
	}
	return false
}

func validCountry(v string) bool {
	c := strings.ToUpper(strings.TrimSpace(v))
	return codes.IsCountry(c) || codes.Suggest(c) != ""
}

// lineLimitReader refuses a line longer than max bytes, counting lines so
// that the refusal can name the line.
type lineLimitReader struct {
	r        io.Reader
	max, cur int
	line     int
	tooLong  bool
}

var errLineTooLong = errors.New("line too long")

func (l *lineLimitReader) Read(p []byte) (int, error) {
	if l.tooLong {
		return 0, errLineTooLong
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line++
			l.cur = 0
			continue
		}
		l.cur++
		if l.cur > l.max {
			l.tooLong = true
			return i, errLineTooLong
		}
	}
	return n, err
}

// readError turns a read or parse error into an InputError without the
// offending text.
func readError(err error, lr *lineLimitReader) error {
	if errors.Is(err, errLineTooLong) {
		return &InputError{Line: lr.line, Msg: fmt.Sprintf("line longer than %d bytes: not a CSV file of persons?", lr.max)}
	}
	return csvError(err)
}

// csvError turns a parse error into an InputError without the offending
// text.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := "malformed CSV"
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			msg = "wrong number of fields"
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			msg = "malformed CSV: bad quoting"
		}
		line := pe.StartLine // the record that is broken, not where parsing gave up
		if line == 0 {
			line = pe.Line
		}
		return &InputError{Line: line, Msg: msg}
	}
	return &InputError{Msg: "cannot read CSV"}
}

// WritePairs writes pairs as CSV with the header id_a,id_b,score; scores
// are rounded to four decimals.
func WritePairs(w io.Writer, pairs []Pair) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id_a", "id_b", "score"}); err != nil {
		return err
	}
	for _, p := range pairs {
		if err := cw.Write([]string{p.A, p.B, strconv.FormatFloat(p.Score, 'f', 4, 64)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
