package linkage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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

// ReadRecords reads persons from a CSV file with a header row. The id
// column is required and must be unique and non-empty; given_name,
// family_name, birth_date, sex and citizenship are optional, and any other
// column becomes an extra field. Values are trimmed.
func ReadRecords(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Msg: "empty file: a header row is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols := make([]string, len(head))
	idCol := -1
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("column %d has no name", i+1)}
		}
		if seen[h] {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("column %q appears twice", h)}
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
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		rec := Record{}
		for i, v := range row {
			v = strings.TrimSpace(v)
			switch cols[i] {
			case ColID:
				rec.ID = v
			case ColGivenName:
				rec.GivenName = v
			case ColFamilyName:
				rec.FamilyName = v
			case ColBirthDate:
				if _, err := ParseDate(v); err != nil {
					return nil, &InputError{Line: line, Msg: "birth_date is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"}
				}
				rec.BirthDate = v
			case ColSex:
				rec.Sex = v
			case ColCitizenship:
				rec.Citizenship = v
			default:
				if v == "" {
					continue
				}
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
