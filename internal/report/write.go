package report

import (
	"errors"
	"io"
)

// errNotBuilt is returned until the writers land (issue 15, item 2).
var errNotBuilt = errors.New("report: writer not built yet")

// WriteCSV writes every table of d, one after another, each headed by its
// name; cells that a spreadsheet would run as a formula are made inert.
func WriteCSV(w io.Writer, d *Document) error { return errNotBuilt }

// WriteXLSX writes d as a workbook: a cover sheet (title, period,
// definitions, notes, source) and one sheet per table.
func WriteXLSX(w io.Writer, d *Document) error { return errNotBuilt }

// WritePDF writes d as a printable A4 document with an embedded font that has
// the Albanian, Serbian Latin and Cyrillic glyphs, page numbers on every page.
func WritePDF(w io.Writer, d *Document) error { return errNotBuilt }
