package report

import (
	_ "embed"
	"io"
	"math"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ura-nrm/ura/internal/i18n"
)

// DejaVu Sans has every glyph of the four UI languages (ë ç, č ć đ š ž,
// Cyrillic); see fonts/LICENSE. Each PDF carries the subset it uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const (
	fontFamily = "DejaVu"
	nbAlias    = "{nb}" // replaced by the page count when the PDF is closed

	// A4 portrait, in millimetres.
	marginX      = 15.0
	marginTop    = 15.0
	marginBottom = 18.0 // the footer lives in it
	footerY      = -12.0

	sizeTitle    = 18.0
	sizeSubtitle = 12.0
	sizeHeading  = 13.0
	sizeBody     = 10.0
	sizeSmall    = 8.0
	sizeFooter   = 7.5

	cellPadX      = 1.2
	cellPadY      = 0.8
	maxCellLines  = 12 // a table cell's text is cut after this many lines
	chartHeight   = 60.0
	barHeight     = 4.5
	barGap        = 1.5
	legendSwatchW = 8.0
)

// mmPerPt converts a font size in points to a line height in millimetres.
const mmPerPt = 25.4 / 72

// palette is Okabe and Ito's colour-blind-safe set (without its yellow, too
// pale on paper); dashes tell the lines apart on a black-and-white printer.
var (
	palette = [][3]int{{0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167}, {230, 159, 0}, {86, 180, 233}, {0, 0, 0}}
	dashes  = [][]float64{nil, {3, 1.5}, {1, 1}, {4, 1, 1, 1}}
)

// WritePDF writes d as a printable A4 document with an embedded font that has
// the Albanian, Serbian Latin and Cyrillic glyphs, page numbers on every page.
//
// Order: title, subtitle, period, the definitions, then each section (its
// heading, summary, table, the source line, its chart), then the notes. Every
// page ends with the generated-at line (in d.TimeZone) and "Page n of m". A
// table's header row is repeated on each page it runs over; numbers are
// right-aligned in the language's own form; a suppressed cell prints
// Labels.Suppressed and never its value; total rows and columns are bold.
// The output is deterministic: the creation date is d.Generated and fpdf
// writes no random identifiers, so the same document gives the same bytes.
func WritePDF(w io.Writer, d *Document) error {
	if err := check(d); err != nil {
		return err
	}
	p := newPDF(d)
	p.document()
	return p.f.Output(w)
}

type pdfWriter struct {
	f     *fpdf.Fpdf
	d     *Document
	lang  i18n.Lang
	width float64 // between the margins
	limit float64 // the lowest y content may reach on a page

	// The font last set, on which page.
	fontSet  bool
	fontSize float64
	fontBold bool
	fontPage int
}

func newPDF(d *Document) *pdfWriter {
	f := fpdf.New("P", "mm", "A4", "")
	// The alias comes before the fonts so that the subsets keep the digits
	// the page count is written with.
	f.AliasNbPages(nbAlias)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginX, marginTop, marginX)
	f.SetAutoPageBreak(true, marginBottom)
	created := d.Generated
	if created.IsZero() {
		created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.SetTitle(pdfText(d.Title), true)
	f.SetSubject(pdfText(d.Subtitle), true)
	f.SetCreator("Ura", true)
	pw, ph := f.GetPageSize()
	p := &pdfWriter{f: f, d: d, lang: language(d), width: pw - 2*marginX, limit: ph - marginBottom}
	f.SetLang(string(p.lang)) // one of the four tags, never the caller's raw text
	generated := pdfText(generatedLine(d))
	f.SetFooterFunc(func() {
		f.SetY(footerY)
		p.font(sizeFooter, false)
		f.SetTextColor(80, 80, 80)
		half := p.width / 2
		f.CellFormat(half, 4, fitLine(f, generated, half), "", 0, "L", false, 0, "")
		f.CellFormat(half, 4, pageLabel(pdfText(d.Labels.Page), f.PageNo(), nbAlias), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	return p
}

func (p *pdfWriter) font(size float64, bold bool) {
	// fpdf does work on every SetFont; a table sets the same font per cell.
	if p.fontSet && p.fontSize == size && p.fontBold == bold && p.fontPage == p.f.PageNo() {
		return
	}
	style := ""
	if bold {
		style = "B"
	}
	p.f.SetFont(fontFamily, style, size)
	p.fontSet, p.fontSize, p.fontBold, p.fontPage = true, size, bold, p.f.PageNo()
}

// lineH is the height of a line of text of the given size.
func lineH(size float64) float64 { return size * mmPerPt * 1.25 }

// para writes a wrapped paragraph.
func (p *pdfWriter) para(text string, size float64, bold bool) {
	text = pdfText(text)
	if text == "" {
		return
	}
	p.font(size, bold)
	p.f.MultiCell(0, lineH(size), text, "", "L", false)
}

// space moves down by h, or to the next page if h would not fit.
func (p *pdfWriter) space(h float64) {
	if p.f.GetY()+h > p.limit {
		p.f.AddPage()
		return
	}
	p.f.Ln(h)
}

// need starts a new page unless h millimetres fit on this one.
func (p *pdfWriter) need(h float64) {
	if p.f.GetY()+h > p.limit {
		p.f.AddPage()
	}
}

func (p *pdfWriter) document() {
	f, d := p.f, p.d
	f.AddPage()
	p.para(d.Title, sizeTitle, true)
	if d.Subtitle != "" {
		f.Ln(1)
		p.para(d.Subtitle, sizeSubtitle, false)
	}
	if d.Period != "" {
		f.Ln(1)
		p.para(d.Period, sizeSubtitle, true)
	}
	if len(d.Definitions) > 0 {
		p.space(6)
		p.need(lineH(sizeHeading) + 2*lineH(sizeBody))
		p.para(d.Labels.Definitions, sizeHeading, true)
		f.Ln(1)
		lh := lineH(sizeBody)
		for _, def := range d.Definitions {
			p.need(lh)
			if term := pdfText(def.Term); term != "" {
				p.font(sizeBody, true)
				f.Write(lh, term)
				if def.Text != "" {
					f.Write(lh, ": ")
				}
			}
			p.font(sizeBody, false)
			f.Write(lh, pdfText(def.Text))
			f.Ln(lh + 1)
		}
	}
	for i := range d.Sections {
		p.section(&d.Sections[i])
	}
	if len(d.Notes) > 0 {
		p.space(6)
		p.need(lineH(sizeHeading) + lineH(sizeBody))
		p.para(d.Labels.Notes, sizeHeading, true)
		f.Ln(1)
		for _, n := range d.Notes {
			p.para("• "+n, sizeBody, false)
			f.Ln(0.5)
		}
	}
}

func (p *pdfWriter) section(s *Section) {
	f := p.f
	p.space(7)
	// Keep the heading with the start of its table.
	p.need(lineH(sizeHeading) + lineH(sizeBody) + 3*lineH(sizeSmall) + 4)
	if h := pdfText(s.Heading); h != "" {
		f.Bookmark(h, 0, -1)
	}
	p.para(s.Heading, sizeHeading, true)
	if s.Text != "" {
		f.Ln(1)
		p.para(s.Text, sizeBody, false)
	}
	f.Ln(2)
	p.table(&s.Table)
	if p.d.Source != "" {
		f.Ln(1)
		f.SetTextColor(80, 80, 80)
		p.para(p.d.Source, sizeSmall, false)
		f.SetTextColor(0, 0, 0)
	}
	if s.Chart != nil && len(s.Table.Columns) > 0 && len(s.Table.Rows) > 0 {
		switch s.Chart.Kind {
		case BarChart:
			p.barChart(s.Chart, &s.Table)
		case LineChart:
			p.lineChart(s.Chart, &s.Table)
		}
	}
}

// pcell is one cell of a printed table row.
type pcell struct {
	text  string
	right bool
	bold  bool
}

// tableFont is the size a table is printed in: smaller as it widens.
func tableFont(cols int) float64 {
	switch {
	case cols <= 8:
		return 8.5
	case cols <= 12:
		return 7
	case cols <= 18:
		return 6
	}
	return 5
}

func (p *pdfWriter) table(t *Table) {
	f := p.f
	size := tableFont(len(t.Columns) + 1)
	lh := lineH(size)
	// The row headings' column: as wide as its longest word-wrapped text
	// needs, within a quarter and 40 % of the width (all of it without columns).
	p.font(size, false)
	need := 0.0
	for _, r := range append([]string{t.Corner}, t.Rows...) {
		for _, l := range strings.Split(pdfText(r), "\n") {
			need = max(need, f.GetStringWidth(l)+2*cellPadX+0.5)
		}
	}
	widths := make([]float64, len(t.Columns)+1)
	if len(t.Columns) == 0 {
		widths[0] = p.width
	} else {
		widths[0] = min(max(need, p.width/4), p.width*0.4)
		copy(widths[1:], p.columnWidths(t, size, p.width-widths[0]))
	}
	header := make([]pcell, len(t.Columns)+1)
	header[0] = pcell{text: t.Corner, bold: true}
	for j, c := range t.Columns {
		header[j+1] = pcell{text: c, bold: true, right: true}
	}
	suppressed := pdfText(suppressedLabel(p.d))
	// The table is paged by hand: the header row goes on top of each page.
	f.SetAutoPageBreak(false, marginBottom)
	defer f.SetAutoPageBreak(true, marginBottom)
	headLines, headH := p.measure(header, widths, size, lh)
	if f.GetY()+headH+lh+2*cellPadY > p.limit {
		f.AddPage()
	}
	p.row(header, headLines, widths, size, lh, headH, true)
	row := make([]pcell, len(t.Columns)+1)
	for i, name := range t.Rows {
		totalRow := t.RowTotal && i == len(t.Rows)-1
		row[0] = pcell{text: name, bold: totalRow}
		for j, c := range t.Cells[i] {
			bold := totalRow || (t.ColumnTotal && j == len(t.Columns)-1)
			text, right := suppressed, true
			switch {
			case c.Suppressed:
			case c.Text != "":
				text, right = c.Text, false
			default:
				text = local(p.lang, c)
			}
			row[j+1] = pcell{text: text, right: right, bold: bold}
		}
		lines, h := p.measure(row, widths, size, lh)
		if f.GetY()+h > p.limit {
			f.AddPage()
			p.row(header, headLines, widths, size, lh, headH, true)
		}
		p.row(row, lines, widths, size, lh, h, false)
		if totalRow {
			y := f.GetY()
			f.SetDrawColor(0, 0, 0)
			f.SetLineWidth(0.3)
			f.Line(marginX, y-h, marginX+p.width, y-h)
			f.SetLineWidth(0.2)
		}
	}
}

// measure wraps each cell to its column and returns the lines and the row's
// height.
func (p *pdfWriter) measure(cells []pcell, widths []float64, size, lh float64) ([][]string, float64) {
	lines := make([][]string, len(cells))
	n := 1
	for j, c := range cells {
		p.font(size, c.bold)
		var ls []string
		for _, para := range strings.Split(pdfText(c.text), "\n") {
			if para == "" {
				ls = append(ls, "")
				continue
			}
			ls = append(ls, p.f.SplitText(p.hyphenate(para, widths[j]-2*cellPadX), widths[j]-2*cellPadX+2*p.f.GetCellMargin())...)
		}
		if len(ls) > maxCellLines {
			ls = append(ls[:maxCellLines-1], ls[maxCellLines-1]+"…")
		}
		lines[j] = ls
		n = max(n, len(ls))
	}
	return lines, float64(n)*lh + 2*cellPadY
}

// row prints one table row at the current y and moves below it.
func (p *pdfWriter) row(cells []pcell, lines [][]string, widths []float64, size, lh, h float64, header bool) {
	f := p.f
	x, y := marginX, f.GetY()
	if header {
		f.SetFillColor(231, 230, 230)
		f.Rect(x, y, p.width, h, "F")
	}
	for j, c := range cells {
		p.font(size, c.bold)
		align := "L"
		if c.right {
			align = "R"
		}
		for k, l := range lines[j] {
			// Header texts sit at the bottom of their cell, over the numbers.
			off := 0.0
			if header {
				off = h - 2*cellPadY - float64(len(lines[j]))*lh
			}
			f.SetXY(x+cellPadX-f.GetCellMargin(), y+cellPadY+off+float64(k)*lh)
			f.CellFormat(widths[j]-2*cellPadX+2*f.GetCellMargin(), lh, l, "", 0, align, false, 0, "")
		}
		x += widths[j]
	}
	f.SetDrawColor(180, 180, 180)
	if header {
		f.SetDrawColor(0, 0, 0)
	}
	f.Line(marginX, y+h, marginX+p.width, y+h)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginX, y+h)
}

// chartSeries are the rows and columns a chart draws: not the totals.
func chartSeries(t *Table) (rows, cols int) {
	rows, cols = len(t.Rows), len(t.Columns)
	if t.RowTotal && rows > 1 {
		rows--
	}
	if t.ColumnTotal && cols > 1 {
		cols--
	}
	return rows, cols
}

func (p *pdfWriter) chartTitle(c *Chart) {
	p.space(4)
	p.need(lineH(sizeBody) + 30)
	if c.Title != "" {
		p.para(c.Title, sizeBody, true)
		p.f.Ln(1)
	}
}

// barChart draws one horizontal bar per row (its first column), the value at
// the end of the bar; a suppressed value has no bar, only the label.
func (p *pdfWriter) barChart(c *Chart, t *Table) {
	f := p.f
	rows, _ := chartSeries(t)
	p.chartTitle(c)
	size := sizeSmall
	p.font(size, false)
	vmax := 0.0
	labelW, valueW := 0.0, 0.0
	suppressed := pdfText(suppressedLabel(p.d))
	for i := range rows {
		labelW = max(labelW, f.GetStringWidth(pdfText(oneLine(t.Rows[i]))))
		cell := t.Cells[i][0]
		text := suppressed
		if !cell.Suppressed {
			vmax = max(vmax, cell.Value)
			text = local(p.lang, cell)
		}
		valueW = max(valueW, f.GetStringWidth(text))
	}
	labelW = min(labelW+2, p.width*0.35)
	valueW = min(valueW+2, p.width*0.2)
	x0 := marginX + labelW
	span := p.width - labelW - valueW
	col := palette[0]
	axisFrom, axisPage := f.GetY(), f.PageNo()
	for i := range rows {
		y := f.GetY()
		if y+barHeight > p.limit {
			f.AddPage()
			y = f.GetY()
		}
		p.font(size, false)
		f.SetXY(marginX, y)
		f.CellFormat(labelW-1, barHeight, fitLine(f, pdfText(oneLine(t.Rows[i])), labelW-1), "", 0, "R", false, 0, "")
		cell := t.Cells[i][0]
		text := suppressed
		bw := 0.0
		if !cell.Suppressed {
			text = local(p.lang, cell)
			if vmax > 0 && cell.Value > 0 {
				bw = span * cell.Value / vmax
			}
		}
		if bw > 0 {
			f.SetFillColor(col[0], col[1], col[2])
			f.Rect(x0, y+0.4, bw, barHeight-0.8, "F")
		}
		f.SetXY(x0+bw+0.5, y)
		f.CellFormat(valueW, barHeight, text, "", 0, "L", false, 0, "")
		f.SetXY(marginX, y+barHeight+barGap)
		if f.PageNo() != axisPage {
			axisFrom, axisPage = y, f.PageNo()
		}
	}
	// The axis the bars start from (on the chart's last page).
	f.SetDrawColor(0, 0, 0)
	if rows > 0 {
		f.Line(x0, axisFrom, x0, f.GetY()-barGap)
	}
}

// lineChart draws one line per column over the rows, with a value axis and a
// legend; a suppressed value breaks its line.
func (p *pdfWriter) lineChart(c *Chart, t *Table) {
	f := p.f
	rows, cols := chartSeries(t)
	p.font(sizeSmall, false)
	legendH := p.legendHeight(t, cols)
	p.chartTitle(c)
	p.need(chartHeight + 8 + legendH)
	vmin, vmax := 0.0, 0.0
	for i := range rows {
		for j := range cols {
			if cell := t.Cells[i][j]; !cell.Suppressed {
				vmin, vmax = min(vmin, cell.Value), max(vmax, cell.Value)
			}
		}
	}
	step := niceStep((vmax - vmin) / 4)
	lo, hi := math.Floor(vmin/step)*step, math.Ceil(vmax/step)*step
	if hi <= lo {
		hi = lo + step
	}
	// Value axis labels on the left, the plot to their right.
	p.font(sizeSmall, false)
	axisW := 0.0
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step)))
	}
	decimals = min(decimals, maxDecimals)
	ticks := []float64{}
	for v := lo; v <= hi+step/2; v += step {
		ticks = append(ticks, v)
		axisW = max(axisW, f.GetStringWidth(local(p.lang, Cell{Value: v, Decimals: decimals})))
		if len(ticks) > 20 {
			break
		}
	}
	axisW = min(axisW, p.width/4) // absurd values are cut, not the plot
	top := f.GetY()
	x0, x1 := marginX+axisW+2, marginX+p.width
	y0, y1 := top+chartHeight, top+2
	yOf := func(v float64) float64 { return y0 - (v-lo)/(hi-lo)*(y0-y1) }
	slot := (x1 - x0) / float64(max(rows, 1))
	xOf := func(i int) float64 { return x0 + slot*(float64(i)+0.5) }
	f.SetLineWidth(0.1)
	for _, v := range ticks {
		y := yOf(v)
		f.SetDrawColor(210, 210, 210)
		f.Line(x0, y, x1, y)
		f.SetXY(marginX, y-2)
		f.CellFormat(axisW, 4, local(p.lang, Cell{Value: v, Decimals: decimals}), "", 0, "R", false, 0, "")
	}
	f.SetDrawColor(0, 0, 0)
	f.Line(x0, y1, x0, y0)
	f.Line(x0, yOf(max(lo, 0)), x1, yOf(max(lo, 0)))
	// Row labels under the axis: every k-th, so that they do not overlap.
	labelW := 0.0
	for i := range rows {
		labelW = max(labelW, f.GetStringWidth(pdfText(oneLine(t.Rows[i]))))
	}
	every := 1
	if slot > 0 {
		every = max(1, int(math.Ceil((min(labelW, 30)+1.5)/slot)))
	}
	for i := 0; i < rows; i += every {
		w := slot * float64(every)
		x := max(xOf(i)-w/2, x0-axisW) // the first label may not run off the page
		w = min(w, x1-x)
		f.SetXY(x, y0+0.8)
		f.CellFormat(w, 4, fitLine(f, pdfText(oneLine(t.Rows[i])), w), "", 0, "C", false, 0, "")
	}
	// The lines.
	f.SetLineWidth(0.5)
	for j := range cols {
		col := palette[j%len(palette)]
		f.SetDrawColor(col[0], col[1], col[2])
		f.SetFillColor(col[0], col[1], col[2])
		f.SetDashPattern(dashes[j%len(dashes)], 0)
		prev := -1
		for i := range rows {
			cell := t.Cells[i][j]
			if cell.Suppressed {
				prev = -1
				continue
			}
			if prev >= 0 {
				f.Line(xOf(prev), yOf(t.Cells[prev][j].Value), xOf(i), yOf(cell.Value))
			}
			prev = i
		}
		f.SetDashPattern(nil, 0)
		for i := range rows {
			if cell := t.Cells[i][j]; !cell.Suppressed {
				f.Circle(xOf(i), yOf(cell.Value), 0.6, "F")
			}
		}
	}
	f.SetLineWidth(0.2)
	f.SetDashPattern(nil, 0)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginX, y0+6)
	p.legend(t, cols)
}

// legendEntries lays the legend out: each column's name after its swatch,
// entries flowing over as many lines as they need.
func (p *pdfWriter) legendEntries(t *Table, cols int, draw bool) float64 {
	f := p.f
	p.font(sizeSmall, false)
	lh := lineH(sizeSmall) + 1
	x, y := marginX, f.GetY()
	lines := 1
	for j := range cols {
		name := fitLine(f, pdfText(oneLine(t.Columns[j])), p.width/2)
		w := legendSwatchW + 1.5 + f.GetStringWidth(name) + 5
		if x > marginX && x+w > marginX+p.width {
			x, y = marginX, y+lh
			lines++
		}
		if draw {
			col := palette[j%len(palette)]
			f.SetDrawColor(col[0], col[1], col[2])
			f.SetLineWidth(0.5)
			f.SetDashPattern(dashes[j%len(dashes)], 0)
			f.Line(x, y+lh/2, x+legendSwatchW, y+lh/2)
			f.SetDashPattern(nil, 0)
			f.SetLineWidth(0.2)
			f.SetXY(x+legendSwatchW+1.5, y)
			f.CellFormat(w-legendSwatchW-1.5, lh, name, "", 0, "L", false, 0, "")
		}
		x += w
	}
	f.SetDrawColor(0, 0, 0)
	if draw {
		f.SetXY(marginX, y+lh)
	}
	return float64(lines) * lh
}

func (p *pdfWriter) legendHeight(t *Table, cols int) float64 { return p.legendEntries(t, cols, false) }
func (p *pdfWriter) legend(t *Table, cols int)               { p.legendEntries(t, cols, true) }

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*e {
			return m * e
		}
	}
	return 10 * e
}

// fitLine cuts text with "…" so that it fits width w in the current font.
func fitLine(f *fpdf.Fpdf, text string, w float64) string {
	if f.GetStringWidth(text) <= w {
		return text
	}
	r := []rune(text)
	for len(r) > 0 && f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// oneLine joins a multi-line text into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// pdfText makes a text printable by fpdf: clean, and without characters
// beyond the Basic Multilingual Plane, which its font tables do not index
// (they become U+FFFD).
func pdfText(s string) string {
	s = clean(s)
	if strings.IndexFunc(s, func(r rune) bool { return r > 0xFFFF }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// columnWidths shares avail among the data columns: equally, unless a
// column's longest word (of its heading or of a cell) would not fit its
// share; then each column gets at least its longest word and the others
// share the rest equally, so a word is broken only when the page is too
// narrow for all of them.
func (p *pdfWriter) columnWidths(t *Table, size, avail float64) []float64 {
	n := len(t.Columns)
	out := make([]float64, n)
	share := avail / float64(n)
	for j := range out {
		out[j] = share
	}
	need := make([]float64, n)
	longest := func(j int, s string, bold bool) {
		p.font(size, bold)
		for _, w := range strings.Fields(pdfText(s)) {
			need[j] = max(need[j], p.f.GetStringWidth(w)+2*cellPadX+0.5)
		}
	}
	over, sum := false, 0.0
	for j, c := range t.Columns {
		longest(j, c, true)
		for _, row := range t.Cells {
			if j < len(row) && row[j].Text != "" {
				longest(j, row[j].Text, false)
			}
		}
		over = over || need[j] > share
		sum += need[j]
	}
	if !over || sum > avail {
		return out
	}
	// Water-filling: the columns that need more than the level keep their
	// need; the others share what is left.
	level := share
	for range n {
		fixed, left, free := 0.0, avail, 0
		for j := range need {
			if need[j] > level {
				fixed += need[j]
			} else {
				free++
			}
		}
		left -= fixed
		next := left / float64(free)
		if next == level {
			break
		}
		level = next
	}
	for j := range out {
		out[j] = max(need[j], level)
	}
	return out
}

// hyphenate breaks each word of s wider than w into pieces that fit, with
// a hyphen at each break (after a hyphen or slash already in the word when
// there is one, and never leaving fewer than three letters on a line), so
// the line wrapping that follows breaks only there and at spaces.
func (p *pdfWriter) hyphenate(s string, w float64) string {
	fits := func(x string) bool { return p.f.GetStringWidth(x) <= w-0.1 }
	words := strings.Split(s, " ")
	changed := false
	for i, word := range words {
		if word == "" || fits(word) {
			continue
		}
		var pieces []string
		rest := []rune(word)
		for len(rest) > 0 && !fits(string(rest)) {
			cut := 0
			for k := 1; k < len(rest); k++ {
				if fits(string(rest[:k]) + "-") {
					cut = k
				} else {
					break
				}
			}
			if cut == 0 {
				cut = 1
			}
			// Prefer a break after a hyphen or slash already there.
			brk := -1
			for k := cut; k >= 2; k-- {
				if rest[k-1] == '-' || rest[k-1] == '/' {
					brk = k
					break
				}
			}
			if brk > 0 && fits(string(rest[:brk])) {
				pieces = append(pieces, string(rest[:brk]))
				rest = rest[brk:]
				continue
			}
			// Leave at least three letters for the next line.
			if left := len(rest) - cut; left < 3 && cut > 3 {
				cut -= 3 - left
			}
			pieces = append(pieces, string(rest[:cut])+"-")
			rest = rest[cut:]
		}
		if len(rest) > 0 {
			pieces = append(pieces, string(rest))
		}
		words[i] = strings.Join(pieces, " ")
		changed = true
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}
