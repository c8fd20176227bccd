// Package report is the one writer of documents in Ura: a Document (title,
// period, definitions, tables, charts, source line) is written as CSV, XLSX
// or PDF by this package alone, whatever capability produced it (statistics,
// plans, grants). Capabilities build Documents; they never import a PDF or
// spreadsheet library themselves.
package report

import "time"

// Document is a report as a ministry reads it. Every text in it is already
// translated: the writers print what they are given and add only the page
// numbers and the generated-at line (from Labels).
type Document struct {
	Title       string
	Subtitle    string // e.g. the report's template name and version
	Period      string // already formatted, e.g. "1 January – 31 December 2026"
	Language    string // BCP 47 tag of the texts: en, sq, sr-Latn, sr-Cyrl
	Generated   time.Time
	TimeZone    *time.Location // the instance's zone: Generated is shown in it
	Source      string         // the source line printed under every table
	Definitions []Definition   // written out before the tables
	Sections    []Section
	Notes       []string // e.g. the disclosure control applied, ε of a release
	Labels      Labels
}

// Labels are the writers' own words, translated by the caller.
type Labels struct {
	Definitions string // heading of the definitions block
	Generated   string // "Generated on %s"
	Page        string // "Page %d of %d"
	Suppressed  string // what a suppressed cell shows, e.g. "–"
	Notes       string // heading of the notes block
}

// Definition is one term and what it counts.
type Definition struct {
	Term, Text string
}

// Section is a heading with a table and, optionally, a chart of it.
type Section struct {
	Heading string
	Text    string // a short summary, also read by screen readers
	Table   Table
	Chart   *Chart // nil: no chart
}

// Table is a grid of cells with row and column headings. Cells[i][j] is the
// cell of Rows[i] and Columns[j]. Totals, if any, are ordinary rows/columns
// the producer adds (and marks in RowTotal/ColumnTotal for styling).
type Table struct {
	Name        string // a stable machine name: sheet name in XLSX, file stem in CSV
	Corner      string // text of the top-left cell, e.g. "Citizenship"
	Columns     []string
	Rows        []string
	Cells       [][]Cell
	RowTotal    bool // the last row is a total
	ColumnTotal bool // the last column is a total
}

// Cell is a number, or a suppressed value with its reason.
type Cell struct {
	// Text, when not empty, makes a text cell (a code, a status, a name),
	// printed as it is; Value and Decimals are then ignored.
	Text       string
	Value      float64
	Decimals   int  // digits after the point when printed
	Suppressed bool // printed as Labels.Suppressed, never its value
	Reason     string
}

// ChartKind is how a table is drawn.
type ChartKind string

const (
	BarChart  ChartKind = "bar"  // one bar per row (first column), horizontal
	LineChart ChartKind = "line" // one line per column over the rows (e.g. months)
)

// Chart draws a Section's table.
type Chart struct {
	Kind  ChartKind
	Title string
}
