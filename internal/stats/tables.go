package stats

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// Grouping maps a dimension's codes onto another code list (Eurostat's age
// groups, citizenship groups, forms of exploitation): Of returns the group
// of a code, "" to leave the code out.
type Grouping struct {
	Values   []string
	ValueKey string
	Label    string
	Of       func(code string) string
}

// TableSpec is one table of a page or report: a measure divided by a row
// dimension and, optionally, a column dimension; Where keeps only some codes
// of other dimensions (e.g. status presumed or identified).
type TableSpec struct {
	Name    string // stable machine name (sheet, file stem, JSON)
	Heading string // catalogue key
	Text    string // catalogue key of the definition shown under the heading ("" none)
	Measure string
	Rows    string
	Cols    string // "" : one column, the measure itself
	// RowGroup / ColGroup regroup the codes of Rows / Cols.
	RowGroup, ColGroup *Grouping
	// ColValues keeps only these column codes (before grouping).
	ColValues []string
	Where     map[string][]string
	Chart     report.ChartKind // "" : no chart
}

// Grid is a built table with its codes, before it is written.
type Grid struct {
	Spec     TableSpec
	RowCodes []string
	ColCodes []string
	Values   [][]float64
	Kind     Kind
	Table    report.Table
	Summary  string
}

// month labels: "stats.month.01" … "stats.month.12" and the year.
func monthLabel(p *i18n.Printer, ym string) string {
	if len(ym) != 7 {
		return ym
	}
	return p.T("stats.month."+ym[5:7]) + " " + ym[:4]
}

// Build answers spec over f and lays it out with labels in p's language,
// with a total row and column for counts.
func (s *Service) Build(ctx context.Context, spec TableSpec, f Filter, p *i18n.Printer) (*Grid, error) {
	return s.newSession(f, nil).build(ctx, spec, p)
}

// session answers several tables over one filter. A cube names, for a
// measure, the dimensions asked once together: a table whose dimensions
// are among them is summed from that one answer instead of a query of its
// own (the dashboard's nine divisions of the cases are two queries).
type session struct {
	mu    sync.Mutex // guards memo: a dashboard builds its tables at once
	s     *Service
	f     Filter
	cubes map[string][]string
	memo  map[string][]Row
}

func (s *Service) newSession(f Filter, cubes map[string][]string) *session {
	return &session{s: s, f: f, cubes: cubes, memo: map[string][]Row{}}
}

func (b *session) answer(ctx context.Context, measure string, by []string) ([]Row, error) {
	cube, ok := b.cubes[measure]
	var idx []int
	for _, d := range by {
		i := slices.Index(cube, d)
		if i < 0 {
			ok = false
			break
		}
		idx = append(idx, i)
	}
	if !ok {
		return b.s.answer(ctx, measure, by, b.f)
	}
	b.mu.Lock()
	rows, done := b.memo[measure]
	if !done {
		var err error
		if rows, err = b.s.answer(ctx, measure, cube, b.f); err != nil {
			b.mu.Unlock()
			return nil, err
		}
		b.memo[measure] = rows
	}
	b.mu.Unlock()
	final := map[string]float64{}
	order := []string{}
	kk := map[string][]string{}
	for _, r := range rows {
		keys := make([]string, len(idx))
		for j, i := range idx {
			keys[j] = r.Keys[i]
		}
		k := strings.Join(keys, "\x00")
		if _, seen := final[k]; !seen {
			order = append(order, k)
			kk[k] = keys
		}
		final[k] += r.Value
	}
	out := make([]Row, 0, len(order))
	for _, k := range order {
		out = append(out, Row{Keys: kk[k], Value: final[k]})
	}
	return out, nil
}

func (b *session) build(ctx context.Context, spec TableSpec, p *i18n.Printer) (*Grid, error) {
	s, f := b.s, b.f
	m, ok := s.Sources.Measure(spec.Measure)
	if !ok {
		return nil, fmt.Errorf("stats: no source for measure %q", spec.Measure)
	}
	by := []string{spec.Rows}
	if spec.Cols != "" {
		by = append(by, spec.Cols)
	}
	var whereDims []string
	for d := range spec.Where {
		whereDims = append(whereDims, d)
	}
	slices.Sort(whereDims)
	by = append(by, whereDims...)
	rows, err := b.answer(ctx, spec.Measure, by)
	if err != nil {
		return nil, err
	}
	axis := func(name string, g *Grouping, keep []string) (codes []string, key func(string) string, label func(string) string, title string) {
		if name == DimMonth {
			codes = f.Months()
			return codes, func(c string) string { return c }, func(c string) string { return monthLabel(p, c) }, p.T("stats.dim.month")
		}
		d, _ := m.Dim(name)
		if g != nil {
			return g.Values, g.Of, func(c string) string { return p.T(g.ValueKey + c) }, p.T(g.Label)
		}
		codes = d.Values
		if keep != nil {
			codes = keep
		}
		key = func(c string) string {
			if slices.Contains(codes, c) {
				return c
			}
			if keep != nil {
				return ""
			}
			return "other"
		}
		if d.Open {
			codes = append(append([]string(nil), codes...), "other")
		}
		return codes, key, func(c string) string { return p.T(d.ValueKey + c) }, p.T(d.Label)
	}
	rc, rkey, rlabel, rtitle := axis(spec.Rows, spec.RowGroup, nil)
	cc := []string{""}
	ckey := func(string) string { return "" }
	clabel := func(string) string { return p.T(m.Label) }
	if spec.Cols != "" {
		cc, ckey, clabel, _ = axis(spec.Cols, spec.ColGroup, spec.ColValues)
	}
	ri := map[string]int{}
	for i, c := range rc {
		ri[c] = i
	}
	ci := map[string]int{}
	for i, c := range cc {
		ci[c] = i
	}
	vals := make([][]float64, len(rc))
	for i := range vals {
		vals[i] = make([]float64, len(cc))
	}
	nb := 1
	if spec.Cols != "" {
		nb = 2
	}
rowLoop:
	for _, r := range rows {
		for j, d := range whereDims {
			if !slices.Contains(spec.Where[d], r.Keys[nb+j]) {
				continue rowLoop
			}
		}
		rk := rkey(r.Keys[0])
		ck := ""
		if spec.Cols != "" {
			ck = ckey(r.Keys[1])
		}
		i, ok1 := ri[rk]
		j, ok2 := ci[ck]
		if !ok1 || !ok2 {
			continue
		}
		vals[i][j] += r.Value
	}
	// Drop an "other" row or column that stayed empty.
	g := &Grid{Spec: spec, RowCodes: rc, ColCodes: cc, Values: vals, Kind: m.Kind}
	g.dropEmptyOther()
	t := report.Table{Name: spec.Name, Corner: rtitle}
	for _, c := range g.ColCodes {
		t.Columns = append(t.Columns, clabel(c))
	}
	for _, c := range g.RowCodes {
		t.Rows = append(t.Rows, rlabel(c))
	}
	dec := 0
	if m.Kind != Count {
		dec = 1
	}
	for _, row := range g.Values {
		cells := make([]report.Cell, len(row))
		for j, v := range row {
			cells[j] = report.Cell{Value: round1(v, dec), Decimals: dec}
		}
		t.Cells = append(t.Cells, cells)
	}
	if m.Kind == Count {
		total := p.T("stats.total")
		if len(g.ColCodes) > 1 {
			t.Columns = append(t.Columns, total)
			t.ColumnTotal = true
			for i, row := range t.Cells {
				sum := 0.0
				for _, c := range row {
					sum += c.Value
				}
				t.Cells[i] = append(row, report.Cell{Value: sum})
			}
		}
		t.Rows = append(t.Rows, total)
		t.RowTotal = true
		sums := make([]report.Cell, len(t.Columns))
		for _, row := range t.Cells {
			for j, c := range row {
				sums[j].Value += c.Value
			}
		}
		t.Cells = append(t.Cells, sums)
	}
	g.Table = t
	g.Summary = summary(p, g)
	return g, nil
}

func round1(v float64, dec int) float64 {
	if dec == 0 {
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}

func (g *Grid) dropEmptyOther() {
	if i := slices.Index(g.RowCodes, "other"); i >= 0 {
		empty := true
		for _, v := range g.Values[i] {
			empty = empty && v == 0
		}
		if empty {
			g.RowCodes = slices.Delete(slices.Clone(g.RowCodes), i, i+1)
			g.Values = slices.Delete(g.Values, i, i+1)
		}
	}
	if j := slices.Index(g.ColCodes, "other"); j >= 0 {
		empty := true
		for _, r := range g.Values {
			empty = empty && r[j] == 0
		}
		if empty {
			g.ColCodes = slices.Delete(slices.Clone(g.ColCodes), j, j+1)
			for i := range g.Values {
				g.Values[i] = slices.Delete(g.Values[i], j, j+1)
			}
		}
	}
}

// summary is the text read by screen readers and printed under a chart:
// the total and the largest row.
func summary(p *i18n.Printer, g *Grid) string {
	t := g.Table
	if len(t.Rows) == 0 {
		return p.T("stats.summary.empty")
	}
	if g.Spec.Name == "year" && len(t.Columns) == 2 && t.RowTotal {
		// This year against last: each column's total, as the table
		// shows it (protected or not).
		tot := t.Cells[len(t.Cells)-1]
		return p.T("stats.summary.year", "this", t.Columns[0], "n", cellText(tot[0]),
			"last", t.Columns[1], "m", cellText(tot[1]))
	}
	n := len(t.Rows)
	if t.RowTotal {
		n--
	}
	col := 0
	if t.ColumnTotal {
		col = len(t.Columns) - 1
	}
	best, bestV := -1, 0.0
	for i := 0; i < n; i++ {
		if v := t.Cells[i][col].Value; v > bestV {
			best, bestV = i, v
		}
	}
	if best < 0 {
		return p.T("stats.summary.empty")
	}
	if g.Kind != Count {
		return p.T("stats.summary.largest", "label", t.Rows[best], "value", formatValue(bestV, 1))
	}
	total := t.Cells[len(t.Cells)-1][len(t.Columns)-1].Value
	return p.T("stats.summary.count", "total", formatValue(total, 0), "label", t.Rows[best], "value", formatValue(bestV, 0))
}

// cellText is a count as a summary says it: the suppression mark for a
// suppressed cell.
func cellText(c report.Cell) string {
	if c.Suppressed {
		return "–"
	}
	return formatValue(c.Value, 0)
}

func formatValue(v float64, dec int) string {
	return strconv.FormatFloat(v, 'f', dec, 64)
}
