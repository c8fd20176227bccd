package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ura-nrm/ura/internal/i18n"
)

// The three writers (WriteCSV in csv.go, WriteXLSX in xlsx.go, WritePDF in
// pdf.go) share what is here: the check of a Document's shape, the printing
// of a cell, of the generated-at line and of the page label.

// ErrNilDocument is returned when a writer is given no document.
var ErrNilDocument = errors.New("report: no document")

// check refuses a Document whose tables are not grids the writers can print
// (a producer's bug): every table has one row of cells per row heading and one
// cell per column heading, and every printed number is finite.
func check(d *Document) error {
	if d == nil {
		return ErrNilDocument
	}
	for s, sec := range d.Sections {
		t := &sec.Table
		if len(t.Cells) != len(t.Rows) {
			return fmt.Errorf("report: section %d, table %q: %d rows of cells for %d row headings", s+1, t.Name, len(t.Cells), len(t.Rows))
		}
		for i, row := range t.Cells {
			if len(row) != len(t.Columns) {
				return fmt.Errorf("report: section %d, table %q: row %d has %d cells for %d columns", s+1, t.Name, i+1, len(row), len(t.Columns))
			}
			for j, c := range row {
				if c.Suppressed || c.Text != "" {
					continue
				}
				if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
					return fmt.Errorf("report: section %d, table %q: cell (%d, %d) is not a number", s+1, t.Name, i+1, j+1)
				}
				if c.Decimals < 0 || c.Decimals > maxDecimals {
					return fmt.Errorf("report: section %d, table %q: cell (%d, %d) asks for %d decimals (0–%d)", s+1, t.Name, i+1, j+1, c.Decimals, maxDecimals)
				}
			}
		}
	}
	return nil
}

// maxDecimals is the most digits after the point a cell may ask for.
const maxDecimals = 6

// rounded is the value a cell shows: rounded to its decimals, halves away
// from zero (1234.25 with one decimal is 1234.3), as spreadsheets and
// readers round. Every format prints and stores this value, so a workbook
// never holds more digits than the PDF shows.
func rounded(c Cell) float64 {
	p := math.Pow10(c.Decimals)
	r := math.Round(c.Value*p) / p
	if math.IsInf(r, 0) || math.IsNaN(r) { // beyond float64 when scaled
		return c.Value
	}
	return r
}

// plain prints a cell's number the way machines read it back: a full stop
// before the decimals, no digit grouping ("1234.5"). It never prints "-0".
func plain(c Cell) string {
	s := strconv.FormatFloat(rounded(c), 'f', c.Decimals, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
		s = s[1:]
	}
	return s
}

// local prints a cell's number the way readers of the document's language
// write it: digit grouping as i18n.Printer.Number does (12,345 / 12 345 /
// 12.345), and a decimal comma in Albanian and Serbian.
func local(lang i18n.Lang, c Cell) string {
	s := plain(c)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	group, point := ",", "."
	switch lang {
	case i18n.Albanian:
		group, point = "\u00a0", ","
	case i18n.SerbianLatin, i18n.SerbianCyrillic:
		group, point = ".", ","
	}
	var b strings.Builder
	b.WriteString(sign)
	first := len(intPart) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(intPart[:first])
	for i := first; i < len(intPart); i += 3 {
		b.WriteString(group)
		b.WriteString(intPart[i : i+3])
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// language is the document's language, English when the tag is unknown.
func language(d *Document) i18n.Lang {
	if l, ok := i18n.Parse(d.Language); ok {
		return l
	}
	return i18n.English
}

// generatedLine is Labels.Generated filled with the document's date and time
// in its time zone (24.11.2026, 14:05 CET). A label without a verb is
// followed by the date.
func generatedLine(d *Document) string {
	loc := d.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	when := i18n.For(language(d)).In(loc).DateTime(d.Generated)
	switch verbs(d.Labels.Generated) {
	case 0:
		return strings.TrimSpace(d.Labels.Generated + " " + when)
	case 1:
		return fmt.Sprintf(d.Labels.Generated, verbatim(when))
	}
	return d.Labels.Generated // a translator's mistake: printed as it is
}

// pageLabel is Labels.Page filled with the page number and total; the total
// is written as total (fpdf's alias, replaced when the document is closed).
// A label with one verb gets the page alone, one without any "n / m" after it.
func pageLabel(label string, page int, total string) string {
	switch verbs(label) {
	case 0:
		return strings.TrimSpace(fmt.Sprintf("%s %d / %s", label, page, total))
	case 1:
		return fmt.Sprintf(label, verbatim(strconv.Itoa(page)))
	case 2:
		return fmt.Sprintf(label, verbatim(strconv.Itoa(page)), verbatim(total))
	}
	return label
}

// verbs counts the formatting verbs of a label (%% is not one).
func verbs(label string) int {
	return strings.Count(strings.ReplaceAll(label, "%%", ""), "%")
}

// verbatim prints itself whatever the verb (%d of "Page %d of %d").
type verbatim string

func (v verbatim) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v)) }

// suppressedLabel is what a suppressed cell shows.
func suppressedLabel(d *Document) string {
	if d.Labels.Suppressed == "" {
		return "–"
	}
	return d.Labels.Suppressed
}

// clean makes a text safe to print: valid UTF-8, no control characters other
// than line breaks and tabs (tabs become spaces).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}
