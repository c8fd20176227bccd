package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/stats"
)

// The national picture (/stats): the coordinator's dashboard, the standard
// reports and the data quality report. The pages only read the filter,
// call internal/stats with the actor and render; the charts are drawn here
// as SVG from the same tables they stand beside.

type statsOption struct {
	Value, Label string
	Selected     bool
}

type statsPanel struct {
	stats.Panel
	Chart   template.HTML
	Headers []string
	Rows    []statsRow
}

type statsRow struct {
	Label string
	Total bool
	Cells []statsCell
}

type statsCell struct {
	Label      string // the column header (data-label)
	Text       string
	Suppressed bool
	Reason     string
}

type statsData struct {
	Regions        []statsOption
	Municipalities []statsOption
	Panels         []statsPanel
	Protected      bool
	Query          string // the filter as a query string, for the report links
	Reports        []statsReportRow
	CanQuality     bool
	Protections    []statsOption
}

type statsReportRow struct {
	Name, Title, Version string
	Links                []statsLink
}

type statsLink struct{ Href, Format, Label string }

// statsForm reads the filter of a statistics page into p.Form and checks it.
func (s *server) statsFilter(r *http.Request, p *page) (stats.Filter, error) {
	q := r.URL.Query()
	for _, k := range []string{"from", "to", "region", "municipality", "protection"} {
		if v := q.Get(k); v != "" {
			p.Form.Set(k, v)
		}
	}
	f, err := stats.ParseFilter(s.now(), q.Get("from"), q.Get("to"), q.Get("region"), q.Get("municipality"))
	if err == nil {
		// The period in effect is shown in the form, also when it is the
		// default: the reader sees which months the figures count.
		if q.Get("from") == "" {
			p.Form.Set("from", f.From.Format("2006-01-02"))
		}
		if q.Get("to") == "" {
			p.Form.Set("to", f.To.AddDate(0, 1, -1).Format("2006-01-02"))
		}
	}
	return f, err
}

func (s *server) statsData(r *http.Request, p *page) *statsData {
	st := reqState(r)
	d := &statsData{Protected: !stats.CanSeeRaw(st.user.Actor()), CanQuality: access.Can(st.user.Actor(), access.StatsQuality)}
	d.Regions = append(d.Regions, statsOption{Value: "", Label: st.p.T("stats.region_all")})
	for _, rg := range stats.Regions {
		d.Regions = append(d.Regions, statsOption{Value: rg.Code, Label: st.p.T("stats.region." + rg.Code), Selected: p.Form.Get("region") == rg.Code})
	}
	d.Municipalities = append(d.Municipalities, statsOption{Value: "", Label: st.p.T("stats.municipality_all")})
	for _, m := range stats.Municipalities() {
		d.Municipalities = append(d.Municipalities, statsOption{Value: m, Label: municipalityName(st.p, m), Selected: p.Form.Get("municipality") == m})
	}
	c := url.Values{}
	for _, k := range []string{"from", "to", "region", "municipality"} {
		if v := p.Form.Get(k); v != "" {
			c.Set(k, v)
		}
	}
	d.Query = c.Encode()
	for _, m := range protectionOptions(st.user.Actor()) {
		d.Protections = append(d.Protections, statsOption{Value: string(m), Label: st.p.T("stats.protection." + string(m)),
			Selected: p.Form.Get("protection") == string(m)})
	}
	if v := p.Form.Get("protection"); v != "" {
		c.Set("protection", v)
	}
	files := c.Encode()
	for _, t := range stats.Templates {
		row := statsReportRow{Name: t.Name, Title: st.p.T(t.Title), Version: t.Version}
		for _, f := range []string{"csv", "xlsx", "pdf"} {
			href := "/stats/reports/" + t.Name + "/" + f
			if files != "" {
				href += "?" + files
			}
			row.Links = append(row.Links, statsLink{Href: href, Format: strings.ToUpper(f),
				Label: st.p.T("stats.download_as", "report", row.Title, "format", strings.ToUpper(f))})
		}
		d.Reports = append(d.Reports, row)
	}
	return d
}

func (s *server) handleStats(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	p := s.newPage(r, "stats.title", nil)
	f, ferr := s.statsFilter(r, p)
	d := s.statsData(r, p)
	p.Data = d
	if ferr != nil {
		if !isFormErr(ferr) {
			s.renderError(w, r, ferr)
			return
		}
		setFormError(p, st, ferr)
		p.ErrorForm = "stats-filter"
		s.render(w, r, errs.HTTPStatus(ferr), "stats", p)
		return
	}
	panels, err := s.app.Stats.Dashboard(r.Context(), a, f, st.p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, pn := range panels {
		d.Panels = append(d.Panels, newStatsPanel(pn, st.p.T("stats.suppressed")))
	}
	s.render(w, r, http.StatusOK, "stats", p)
}

func newStatsPanel(pn stats.Panel, suppressed string) statsPanel {
	out := statsPanel{Panel: pn}
	if pn.Unavailable {
		return out
	}
	t := pn.Table
	out.Headers = t.Columns
	for i, label := range t.Rows {
		row := statsRow{Label: label, Total: t.RowTotal && i == len(t.Rows)-1}
		for j, c := range t.Cells[i] {
			cell := statsCell{Label: t.Columns[j], Suppressed: c.Suppressed, Reason: c.Reason}
			if c.Suppressed {
				cell.Text = suppressed
			} else {
				cell.Text = strconv.FormatFloat(c.Value, 'f', c.Decimals, 64)
			}
			row.Cells = append(row.Cells, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	out.Chart = svgChart(pn)
	return out
}

// svgChart draws a panel's table: a horizontal bar per row (first column,
// or the total column) or a line per column over the rows. Suppressed
// cells are drawn as gaps. The chart is an image with a title and the
// panel's summary as its description; the table beside it has the figures.
func svgChart(pn stats.Panel) template.HTML {
	t := pn.Table
	n := len(t.Rows)
	if t.RowTotal {
		n--
	}
	if n <= 0 || len(t.Columns) == 0 {
		return ""
	}
	var b bytes.Buffer
	esc := template.HTMLEscapeString
	id := "chart-" + pn.ID
	switch pn.Chart {
	case report.BarChart:
		col := 0
		if t.ColumnTotal {
			col = len(t.Columns) - 1
		}
		max := 0.0
		for i := 0; i < n; i++ {
			if c := t.Cells[i][col]; !c.Suppressed && c.Value > max {
				max = c.Value
			}
		}
		// Labels of up to 30 runes fit the label column at the chart's
		// font (13px, about 7.2px a rune in DejaVu Sans); the table beside
		// the chart has them whole.
		const rowH, labelW, width = 26, 260, 640
		h := n*rowH + 8
		fmt.Fprintf(&b, `<svg class="chart chart-bar" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMinYMin meet">`, id, width, h, id, id)
		fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(pn.Heading), id, esc(pn.Summary))
		for i := 0; i < n; i++ {
			y := 4 + i*rowH
			c := t.Cells[i][col]
			fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+17, esc(shorten(t.Rows[i], 30)))
			if c.Suppressed {
				fmt.Fprintf(&b, `<text class="chart-value" x="%d" y="%d">–</text>`, labelW+4, y+17)
				continue
			}
			w := 0.0
			if max > 0 {
				w = c.Value / max * float64(width-labelW-60)
			}
			fmt.Fprintf(&b, `<rect class="chart-bar-fill" x="%d" y="%d" width="%.1f" height="%d"></rect>`, labelW, y+4, w, rowH-8)
			fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%d">%s</text>`, float64(labelW)+w+6, y+17, strconv.FormatFloat(c.Value, 'f', c.Decimals, 64))
		}
		b.WriteString(`</svg>`)
	case report.LineChart:
		cols := len(t.Columns)
		if t.ColumnTotal {
			cols--
		}
		max := 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < cols; j++ {
				if c := t.Cells[i][j]; !c.Suppressed && c.Value > max {
					max = c.Value
				}
			}
		}
		if max == 0 {
			max = 1
		}
		if integral(t, cols) {
			// Counts: an even top, so that the three grid lines are whole
			// numbers (0, 14, 28 rather than 0, 13.5, 27).
			max = math.Ceil(max)
			if int(max)%2 == 1 {
				max++
			}
		}
		const width, height, left, top, bottom = 640, 260, 48, 12, 40
		plotW, plotH := float64(width-left-16), float64(height-top-bottom)
		x := func(i int) float64 {
			if n == 1 {
				return float64(left) + plotW/2
			}
			return float64(left) + plotW*float64(i)/float64(n-1)
		}
		y := func(v float64) float64 { return float64(top) + plotH*(1-v/max) }
		legendH := 22 * cols
		fmt.Fprintf(&b, `<svg class="chart chart-line" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMinYMin meet">`, id, width, height+legendH, id, id)
		fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(pn.Heading), id, esc(pn.Summary))
		// Axis and three grid lines with their values.
		for k := 0; k <= 2; k++ {
			v := max * float64(k) / 2
			fmt.Fprintf(&b, `<line class="chart-grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, left, width-16, y(v), y(v))
			fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64))
		}
		step := 1
		if n > 12 {
			step = (n + 11) / 12
		}
		for i := 0; i < n; i += step {
			fmt.Fprintf(&b, `<text class="chart-label" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), height-bottom+18, esc(abbrev(t.Rows[i], 3)))
		}
		for j := 0; j < cols; j++ {
			var pts []string
			flush := func() {
				if len(pts) > 0 {
					fmt.Fprintf(&b, `<polyline class="chart-line-%d" points="%s"></polyline>`, j%4, strings.Join(pts, " "))
				}
				pts = nil
			}
			for i := 0; i < n; i++ {
				c := t.Cells[i][j]
				if c.Suppressed {
					flush()
					continue
				}
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(c.Value)))
				fmt.Fprintf(&b, `<circle class="chart-dot-%d" cx="%.1f" cy="%.1f" r="3"></circle>`, j%4, x(i), y(c.Value))
			}
			flush()
			ly := height + 22*j + 6
			fmt.Fprintf(&b, `<line class="chart-line-%d" x1="%d" x2="%d" y1="%d" y2="%d"></line>`, j%4, left, left+28, ly+6, ly+6)
			fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%d">%s</text>`, left+36, ly+11, esc(t.Columns[j]))
		}
		b.WriteString(`</svg>`)
	default:
		return ""
	}
	return template.HTML(b.String())
}

// integral tells whether every shown value of the first cols columns is
// written without decimals (counts).
func integral(t report.Table, cols int) bool {
	for _, row := range t.Cells {
		for j := 0; j < cols && j < len(row); j++ {
			if row[j].Decimals != 0 {
				return false
			}
		}
	}
	return true
}

// abbrev is the first n letters of a label (month names on a time axis:
// "Jan", "Shk", "feb"); the table beside the chart has them whole.
func abbrev(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

// shorten cuts a label to n runes with an ellipsis (the table has it whole).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (s *server) handleStatsReports(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	p := s.newPage(r, "stats.reports", nil)
	_, ferr := s.statsFilter(r, p)
	d := s.statsData(r, p)
	p.Data = d
	status := http.StatusOK
	if ferr != nil {
		if !isFormErr(ferr) {
			s.renderError(w, r, ferr)
			return
		}
		setFormError(p, st, ferr)
		p.ErrorForm = "stats-filter"
		status = errs.HTTPStatus(ferr)
		d.Reports = nil
	}
	s.render(w, r, status, "stats_reports", p)
}

// handleStatsReportFile writes a standard report as CSV, XLSX or PDF, for
// the period and place of the query, protected as the role must have it.
func (s *server) handleStatsReportFile(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	name, format := r.PathValue("name"), r.PathValue("format")
	if _, ok := stats.TemplateByName(name); !ok {
		s.renderError(w, r, errs.E(errs.NotFound, "error.not_found"))
		return
	}
	write := map[string]func(*bytes.Buffer, *report.Document) error{
		"csv":  func(b *bytes.Buffer, d *report.Document) error { return report.WriteCSV(b, d) },
		"xlsx": func(b *bytes.Buffer, d *report.Document) error { return report.WriteXLSX(b, d) },
		"pdf":  func(b *bytes.Buffer, d *report.Document) error { return report.WritePDF(b, d) },
	}[format]
	types := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
	if write == nil {
		s.renderError(w, r, errs.E(errs.NotFound, "error.not_found"))
		return
	}
	q := r.URL.Query()
	f, err := stats.ParseFilter(s.now(), q.Get("from"), q.Get("to"), q.Get("region"), q.Get("municipality"))
	if err == nil {
		var prot stats.Protection
		if prot, err = stats.ParseProtection(a, q.Get("protection")); err == nil {
			var rep *stats.Report
			if rep, err = s.app.Stats.BuildReport(r.Context(), a, name, f, prot, st.p, s.loc); err == nil {
				var buf bytes.Buffer
				if werr := write(&buf, rep.Doc); werr != nil {
					s.log.Warn("report writer", "format", format, "err", werr)
					err = errs.E(errs.Unavailable, "stats.format_unavailable")
				} else {
					w.Header().Set("Content-Type", types[format])
					w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s.%s"`, name, f.FromMonth(), f.ToMonth(), format))
					w.Header().Set("Cache-Control", "no-store")
					w.Write(buf.Bytes())
					return
				}
			}
		}
	}
	if isFormErr(err) {
		// A refused filter goes back to the reports page, beside the form.
		p := s.newPage(r, "stats.reports", nil)
		s.statsFilter(r, p)
		p.Data = s.statsData(r, p)
		setFormError(p, st, err)
		p.ErrorForm = "stats-filter"
		s.render(w, r, errs.HTTPStatus(err), "stats_reports", p)
		return
	}
	s.renderError(w, r, err)
}

type qualityGroup struct {
	Check, Label string
	Cases        []qualityCase
	More         bool
}

type qualityCase struct {
	ID, Ref string
	Link    bool
}

// qualityLimit is how many cases each check lists.
const qualityLimit = 200

func (s *server) handleStatsQuality(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	checks, issues, err := s.app.Stats.Quality(r.Context(), a, qualityLimit)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var groups []*qualityGroup
	by := map[string]*qualityGroup{}
	for _, c := range checks {
		g := &qualityGroup{Check: c, Label: st.p.T("stats.quality.check." + c)}
		groups = append(groups, g)
		by[c] = g
	}
	link := access.Can(a, access.CaseView)
	for _, is := range issues {
		if g := by[is.Check]; g != nil {
			g.Cases = append(g.Cases, qualityCase{ID: is.CaseID, Ref: is.CaseRef, Link: link})
		}
	}
	for _, g := range groups {
		g.More = len(g.Cases) >= qualityLimit
	}
	p := s.newPage(r, "stats.quality", groups)
	s.render(w, r, http.StatusOK, "stats_quality", p)
}

// protectionOptions are the protections a role may choose for downloads.
func protectionOptions(a access.Actor) []disclosure.Method {
	if stats.CanSeeRaw(a) {
		return []disclosure.Method{disclosure.None, disclosure.Suppress, disclosure.Round, disclosure.Noise}
	}
	return []disclosure.Method{disclosure.Suppress, disclosure.Round, disclosure.Noise}
}
