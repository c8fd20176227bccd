package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// bom opens the file so that Excel reads it as UTF-8 (ë, č, Cyrillic).
const bom = "\uFEFF"

// WriteCSV writes every table of d, one after another, each headed by its
// name; cells that a spreadsheet would run as a formula are made inert.
//
// The file is UTF-8 with a byte-order mark, lines end in CRLF (RFC 4180), a
// blank line separates the tables. Each table is its name on a line of its
// own, then the header (Corner, Columns…), then one line per row (its
// heading, then its cells). Numbers are written as machines read them (a
// full stop before the decimals, no grouping); a suppressed cell is
// Labels.Suppressed, never its value.
func WriteCSV(w io.Writer, d *Document) error {
	if err := check(d); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	suppressed := inert(suppressedLabel(d))
	for s, sec := range d.Sections {
		t := &sec.Table
		if s > 0 {
			cw.Flush()
			if _, err := bw.WriteString("\r\n"); err != nil {
				return err
			}
		}
		if err := cw.Write([]string{inert(t.Name)}); err != nil {
			return err
		}
		head := make([]string, 0, len(t.Columns)+1)
		head = append(head, inert(t.Corner))
		for _, c := range t.Columns {
			head = append(head, inert(c))
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for i, r := range t.Rows {
			rec := make([]string, 0, len(t.Columns)+1)
			rec = append(rec, inert(r))
			for _, c := range t.Cells[i] {
				if c.Suppressed {
					rec = append(rec, suppressed)
				} else if c.Text != "" {
					rec = append(rec, inert(c.Text))
				} else {
					rec = append(rec, plain(c))
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// inert guards a text against formula injection (OWASP's "CSV injection"): a
// text that a spreadsheet would run as a formula, one starting with = + - @,
// a tab or a carriage return, gets a leading apostrophe. Numbers the writer
// prints itself are not texts and are never changed (-3 stays a number).
func inert(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
