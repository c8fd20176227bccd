package report

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes d as a workbook: a cover sheet (title, period,
// definitions, notes, source) and one sheet per table.
//
// The cover sheet is named after the title; each table's sheet after
// Table.Name, made valid (at most 31 characters, none of []:*?/\) and unique.
// A table sheet starts with its header row at A1 (frozen, styled), numbers are
// numbers (formatted with their decimals), a suppressed cell is the text
// Labels.Suppressed with a note giving the reason, never its value; under the
// table come the section's heading, summary and the source line. The
// workbook's properties are fixed from the document (created = Generated), so
// the same document gives the same bytes.
func WriteXLSX(w io.Writer, d *Document) error {
	if err := check(d); err != nil {
		return err
	}
	x := &xlsxWriter{d: d, f: excelize.NewFile(), numStyle: map[[2]int]int{}}
	defer x.f.Close()
	if err := x.write(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}

type xlsxWriter struct {
	d        *Document
	f        *excelize.File
	names    []string       // sheet names taken, in order
	numStyle map[[2]int]int // (decimals, bold) → style
	bold     int
	title    int
	header   int
	headerR  int // header cell over a number column: right-aligned
	wrap     int
	note     int
	suppr    [2]int // suppressed cell, plain and bold
}

// Sheet layout constants.
const (
	coverWidthA = 28  // the cover's first column (terms)
	coverWidthB = 100 // the cover's second column (texts)
	minColWidth = 8
	maxColWidth = 60
)

func (x *xlsxWriter) write() error {
	d, f := x.d, x.f
	if err := x.styles(); err != nil {
		return err
	}
	cover := x.sheetName(d.Title, "Report")
	if err := f.SetSheetName("Sheet1", cover); err != nil {
		return err
	}
	sheets := make([]string, len(d.Sections))
	for i, sec := range d.Sections {
		sheets[i] = x.sheetName(sec.Table.Name, fmt.Sprintf("Table %d", i+1))
	}
	if err := x.cover(cover, sheets); err != nil {
		return err
	}
	for i := range d.Sections {
		if _, err := f.NewSheet(sheets[i]); err != nil {
			return err
		}
		if err := x.table(sheets[i], &d.Sections[i]); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	created := d.Generated.UTC().Format(time.RFC3339)
	if d.Generated.IsZero() {
		created = "2000-01-01T00:00:00Z"
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          xmlText(d.Title),
		Subject:        xmlText(d.Subtitle),
		Creator:        "Ura",
		LastModifiedBy: "Ura",
		Created:        created,
		Modified:       created,
		Language:       xmlText(d.Language),
	}); err != nil {
		return err
	}
	return f.SetAppProps(&excelize.AppProperties{Application: "Ura"})
}

func (x *xlsxWriter) styles() error {
	f := x.f
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	border := []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}
	x.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	x.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	x.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border,
		Alignment: &excelize.Alignment{Vertical: "bottom", WrapText: true}})
	x.headerR = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border,
		Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "bottom", WrapText: true}})
	x.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	x.note = mk(&excelize.Style{Font: &excelize.Font{Color: "595959", Size: 9}})
	x.suppr[0] = mk(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right"}})
	x.suppr[1] = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "right"}})
	return err
}

// number is the style of a number with dec decimals (grouped thousands).
func (x *xlsxWriter) number(dec int, bold bool) (int, error) {
	b := 0
	if bold {
		b = 1
	}
	if id, ok := x.numStyle[[2]int{dec, b}]; ok {
		return id, nil
	}
	format := "#,##0"
	if dec > 0 {
		format += "." + strings.Repeat("0", dec)
	}
	id, err := x.f.NewStyle(&excelize.Style{CustomNumFmt: &format, Font: &excelize.Font{Bold: bold}})
	if err != nil {
		return 0, err
	}
	x.numStyle[[2]int{dec, b}] = id
	return id, nil
}

// cover writes the cover sheet: title, subtitle, period, generated line, the
// definitions, the list of tables (sheet and heading), the notes, the source.
func (x *xlsxWriter) cover(sheet string, sheets []string) error {
	d, f := x.d, x.f
	row := 0
	var err error
	put := func(col, text string, style int) {
		if err != nil {
			return
		}
		cell := fmt.Sprintf("%s%d", col, row)
		if err = f.SetCellStr(sheet, cell, xmlText(text)); err == nil && style != 0 {
			err = f.SetCellStyle(sheet, cell, cell, style)
		}
	}
	line := func(text string, style int) {
		row++
		put("A", text, style)
	}
	line(d.Title, x.title)
	if d.Subtitle != "" {
		line(d.Subtitle, 0)
	}
	if d.Period != "" {
		line(d.Period, x.bold)
	}
	line(generatedLine(d), x.note)
	if len(d.Definitions) > 0 {
		row++
		line(d.Labels.Definitions, x.bold)
		for _, def := range d.Definitions {
			line(def.Term, x.bold)
			put("B", def.Text, x.wrap)
		}
	}
	if len(d.Sections) > 0 {
		row++
		for i, sec := range d.Sections {
			line(sheets[i], x.bold)
			put("B", sec.Heading, x.wrap)
		}
	}
	if len(d.Notes) > 0 {
		row++
		line(d.Labels.Notes, x.bold)
		for _, n := range d.Notes {
			line(n, x.wrap)
		}
	}
	if d.Source != "" {
		row++
		line(d.Source, x.note)
	}
	if err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "A", "A", coverWidthA); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", "B", coverWidthB); err != nil {
		return err
	}
	return x.printSetup(sheet, false)
}

// table writes one section's table at A1 of its sheet.
func (x *xlsxWriter) table(sheet string, sec *Section) error {
	f, t := x.f, &sec.Table
	widths := make([]int, len(t.Columns)+1)
	fit := func(col int, text string) {
		for _, l := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(l) + 2; n > widths[col] {
				widths[col] = n
			}
		}
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col+1, row)
		return name
	}
	setStr := func(col, row int, text string, style int) error {
		c := cell(col, row)
		if err := f.SetCellStr(sheet, c, xmlText(text)); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, c, c, style)
	}
	if err := setStr(0, 1, t.Corner, x.header); err != nil {
		return err
	}
	fit(0, t.Corner)
	for j, name := range t.Columns {
		if err := setStr(j+1, 1, name, x.headerR); err != nil {
			return err
		}
		fit(j+1, name)
	}
	suppressed := suppressedLabel(x.d)
	for i, rowName := range t.Rows {
		r := i + 2
		rowBold := t.RowTotal && i == len(t.Rows)-1
		style := x.wrap
		if rowBold {
			style = x.bold
		}
		if err := setStr(0, r, rowName, style); err != nil {
			return err
		}
		fit(0, rowName)
		for j, c := range t.Cells[i] {
			bold := rowBold || (t.ColumnTotal && j == len(t.Columns)-1)
			name := cell(j+1, r)
			if c.Suppressed {
				if err := setStr(j+1, r, suppressed, x.suppr[b2i(bold)]); err != nil {
					return err
				}
				if reason := xmlText(c.Reason); reason != "" {
					if err := f.AddComment(sheet, excelize.Comment{Cell: name, Author: "Ura", Text: reason}); err != nil {
						return err
					}
				}
				fit(j+1, suppressed)
				continue
			}
			if c.Text != "" {
				if err := setStr(j+1, r, c.Text, x.wrap); err != nil {
					return err
				}
				fit(j+1, c.Text)
				continue
			}
			st, err := x.number(c.Decimals, bold)
			if err != nil {
				return err
			}
			if err := f.SetCellFloat(sheet, name, rounded(c), -1, 64); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, name, name, st); err != nil {
				return err
			}
			fit(j+1, local("en", c))
		}
	}
	// Under the table: the section's heading, summary and the source line.
	r := len(t.Rows) + 3
	for _, line := range []struct {
		text  string
		style int
	}{{sec.Heading, x.bold}, {sec.Text, 0}, {x.d.Source, x.note}} {
		if line.text == "" {
			continue
		}
		if err := setStr(0, r, line.text, line.style); err != nil {
			return err
		}
		r++
	}
	for col, wd := range widths {
		wd = max(minColWidth, min(maxColWidth, wd))
		name, _ := excelize.ColumnNumberToName(col + 1)
		if err := f.SetColWidth(sheet, name, name, float64(wd)); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	return x.printSetup(sheet, true)
}

// printSetup prints a sheet on A4, as wide as one page; a table sheet repeats
// its header row on every printed page.
func (x *xlsxWriter) printSetup(sheet string, headerRow bool) error {
	a4, one, tall := 9, 1, 0 // tall: as many pages down as it takes
	fit := true
	if err := x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	if !headerRow {
		return nil
	}
	return x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: "'" + strings.ReplaceAll(sheet, "'", "''") + "'!$1:$1", Scope: sheet})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = 31

// sheetName makes name a valid sheet name not yet taken: the characters Excel
// refuses ([]:*?/\ and control characters) become "_", no apostrophe at
// either end, at most 31 characters, not "History" (Excel's own), unique
// without regard to case ("Victims", "Victims (2)").
func (x *xlsxWriter) sheetName(name, fallback string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || unicode.IsControl(r) || r == utf8.RuneError {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "_"))
	for trimmed := ""; trimmed != name; {
		trimmed, name = name, strings.TrimSpace(strings.Trim(name, "'"))
	}
	if name == "" {
		name = fallback
	}
	if strings.EqualFold(name, "History") {
		name += "_"
	}
	name = truncUTF16(name, maxSheetName)
	taken := func(n string) bool {
		for _, t := range x.names {
			if strings.EqualFold(t, n) {
				return true
			}
		}
		return false
	}
	unique := name
	for i := 2; taken(unique); i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		unique = strings.TrimRight(truncUTF16(name, maxSheetName-len(suffix)), "'") + suffix
	}
	x.names = append(x.names, unique)
	return unique
}

// truncUTF16 cuts s to at most n UTF-16 code units, on a rune boundary.
func truncUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += len(utf16.Encode([]rune{r}))
		if units > n {
			return strings.TrimRight(s[:i], " '")
		}
	}
	return s
}

// xmlText drops what XML 1.0 cannot carry (control characters other than tab
// and line feed; invalid UTF-8).
func xmlText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return r
		}
		if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return -1
		}
		return r
	}, s)
}
