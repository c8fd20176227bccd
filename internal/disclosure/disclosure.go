// Package disclosure protects aggregate tables before they leave the
// coordinator's office: primary and secondary cell suppression, rounding to
// a base, and differential-privacy noise under a yearly privacy budget.
//
// The methods (docs/statistics.md, "Disclosure control"):
//
//   - Suppress: every cell, totals included, holding 1 to K-1 persons is
//     suppressed (primary suppression). Zero cells are not sensitive (they say
//     that nobody has the combination, which names nobody) and are shown as
//     they are. Then complementary suppression makes sure no suppressed cell
//     can be worked out from its row, its column or the grand total: every
//     row and column that has a suppressed cell gets at least two, choosing
//     the smallest non-zero cells, and every suppressed cell must lie on a
//     cycle of suppressed cells (rows and columns alternating): a cell on no
//     such cycle is fixed by the sums, one on a cycle of non-zero cells can
//     move up and down with them. This repeats until nothing changes. Rows
//     and columns are treated as if their totals were public even when the
//     table does not print them. One case cannot be helped without the
//     totals: a row or column whose only non-zero cell is under k equals its
//     total, so print such tables with their totals (the total is then
//     suppressed too) and publish no total elsewhere.
//   - Round: every cell, totals included, is rounded to the nearest multiple
//     of Base on its own, so a total may differ from the sum of its rounded
//     cells (rounding totals from rounded cells would let a reader undo the
//     rounding).
//   - Noise: Laplace noise of scale Contributions/ε from Google's
//     differential-privacy library is added to every inner cell; negative
//     results are shown as 0 and totals are re-derived as sums of the noisy
//     cells (post-processing costs no budget). Each release spends ε of the
//     report's yearly budget (Ledger).
package disclosure

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/google/differential-privacy/go/v3/noise"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// Method is how a table is protected.
type Method string

// The methods.
const (
	None     Method = "none"     // raw: only for the coordinator's office
	Suppress Method = "suppress" // cells under K suppressed, with complementary suppression
	Round    Method = "round"    // every cell rounded to a multiple of Base
	Noise    Method = "dp"       // differential-privacy noise with budget Epsilon
)

// Defaults of a Policy's zero fields.
const (
	DefaultK    = 10 // the CTDC / Synthetic Data Showcase resolution (DOMAIN §5.2)
	DefaultBase = 5
)

// Policy says how to protect a table.
type Policy struct {
	Method  Method
	K       int     // threshold of primary suppression (0: DefaultK; else at least 2)
	Base    int     // rounding base (0: DefaultBase; else at least 2)
	Epsilon float64 // ε spent by a Noise release (must be > 0)
	// Contributions is the most inner cells one person can be counted in
	// (the L0 sensitivity of a Noise release): 1 when the table's rows and
	// columns partition persons, more when a person has several forms of
	// exploitation. 0 means 1.
	Contributions int
}

// ParseMethod reads a method name (none, suppress, round, dp).
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case None, Suppress, Round, Noise:
		return m, nil
	}
	return "", &Error{Code: CodeUnknownMethod, Args: []any{"method", s}}
}

// Error is a refusal with a stable code; the catalogue key of its message is
// "disclosure.error." + Code (Args are the message's placeholders).
type Error struct {
	Code string
	Args []any
}

// The refusal codes.
const (
	CodeKTooSmall        = "k_too_small"
	CodeBaseTooSmall     = "base_too_small"
	CodeEpsilon          = "epsilon_not_positive"
	CodeUnknownMethod    = "unknown_method"
	CodeOverBudget       = "over_budget"
	CodeRawAndProtected  = "raw_and_protected"
	CodeRawOutsideOffice = "raw_outside_office"
	CodeBadTable         = "bad_table"
	CodeBadRelease       = "bad_release"
)

// Key is the catalogue key of the error's message.
func (e *Error) Key() string { return "disclosure.error." + e.Code }

func (e *Error) Error() string { return i18n.For(i18n.English).T(e.Key(), e.Args...) }

// IsCode reports whether err is a disclosure Error with the code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Note is what Protect did, as a catalogue key and its placeholders, so the
// caller writes it in the reader's language: printer.T(n.Key, n.Args...).
// A raw table (None) has an empty Key.
type Note struct {
	Key  string
	Args []any
	// Suppressed counts the cells suppressed (primary, complementary).
	Primary, Complementary int
}

// Text writes the note with a translate function such as (*i18n.Printer).T.
func (n Note) Text(tr func(key string, args ...any) string) string {
	if n.Key == "" {
		return ""
	}
	return tr(n.Key, n.Args...)
}

// Protect applies p to t in place. t's last row and column are totals when
// t.RowTotal / t.ColumnTotal say so; suppression keeps every suppressed cell
// unrecoverable from them, and their Value is set to 0 (the Reason says
// primary or complementary). It returns a note saying what was done, for the
// document's Notes, in English; ProtectNote gives the same note as a
// catalogue key for the reader's language.
func Protect(t *report.Table, p Policy) (note string, err error) {
	n, err := ProtectNote(t, p)
	if err != nil {
		return "", err
	}
	return n.Text(i18n.For(i18n.English).T), nil
}

// Check validates a policy and fills its defaults.
func Check(p Policy) (Policy, error) {
	switch p.Method {
	case None, Suppress, Round, Noise:
	default:
		return p, &Error{Code: CodeUnknownMethod, Args: []any{"method", string(p.Method)}}
	}
	if p.K == 0 {
		p.K = DefaultK
	}
	if p.Base == 0 {
		p.Base = DefaultBase
	}
	if p.Contributions <= 0 {
		p.Contributions = 1
	}
	switch {
	case p.Method == Suppress && p.K < 2:
		return p, &Error{Code: CodeKTooSmall, Args: []any{"k", p.K}}
	case p.Method == Round && p.Base < 2:
		return p, &Error{Code: CodeBaseTooSmall, Args: []any{"base", p.Base}}
	case p.Method == Noise && (!(p.Epsilon > 0) || math.IsInf(p.Epsilon, 0)):
		return p, &Error{Code: CodeEpsilon, Args: []any{"epsilon", formatEpsilon(p.Epsilon)}}
	}
	return p, nil
}

// ProtectNote is Protect with the note as a catalogue key.
func ProtectNote(t *report.Table, p Policy) (Note, error) {
	p, err := Check(p)
	if err != nil {
		return Note{}, err
	}
	if err := checkShape(t); err != nil {
		return Note{}, err
	}
	switch p.Method {
	case None:
		return Note{}, nil
	case Suppress:
		prim, comp := suppress(t, p.K)
		// A hidden cell keeps no value: a JSON answer or a writer that
		// forgets the flag must not leak it.
		for i := range t.Cells {
			for j := range t.Cells[i] {
				if t.Cells[i][j].Suppressed {
					t.Cells[i][j].Value = 0
				}
			}
		}
		return Note{Key: "disclosure.note.suppress", Args: []any{"k", p.K, "max", p.K - 1},
			Primary: prim, Complementary: comp}, nil
	case Round:
		round(t, p.Base)
		return Note{Key: "disclosure.note.round", Args: []any{"base", p.Base}}, nil
	default:
		if err := addNoise(t, p); err != nil {
			return Note{}, err
		}
		return Note{Key: "disclosure.note.noise", Args: []any{"epsilon", formatEpsilon(p.Epsilon)}}, nil
	}
}

func formatEpsilon(e float64) string { return strconv.FormatFloat(e, 'g', 4, 64) }

func checkShape(t *report.Table) error {
	for _, row := range t.Cells {
		if len(row) != len(t.Cells[0]) {
			return &Error{Code: CodeBadTable, Args: []any{"table", t.Name}}
		}
		for _, c := range row {
			if c.Value < 0 || math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
				return &Error{Code: CodeBadTable, Args: []any{"table", t.Name}}
			}
		}
	}
	return nil
}

// Reasons written into suppressed cells.
const (
	ReasonPrimary       = "primary"       // 1..K-1 persons
	ReasonComplementary = "complementary" // would let a primary cell be worked out
)

// suppress does primary then complementary suppression; it returns how many
// cells each suppressed.
func suppress(t *report.Table, k int) (primary, complementary int) {
	m := len(t.Cells)
	if m == 0 {
		return 0, 0
	}
	n := len(t.Cells[0])
	val := func(i, j int) float64 { return t.Cells[i][j].Value }
	isTotal := func(i, j int) bool {
		return (t.RowTotal && i == m-1) || (t.ColumnTotal && j == n-1)
	}
	for i := range m {
		for j := range n {
			c := &t.Cells[i][j]
			if v := c.Value; v > 0 && v < float64(k) {
				c.Suppressed, c.Reason = true, ReasonPrimary
				primary++
			}
		}
	}
	if primary == 0 {
		return 0, 0
	}
	hide := func(i, j int) {
		t.Cells[i][j].Suppressed, t.Cells[i][j].Reason = true, ReasonComplementary
		complementary++
	}
	// better reports whether cell a is a better complementary choice than
	// b: smaller first, inner cells before totals. Zero cells are never
	// chosen: a hidden zero is not sensitive, and beside a published zero
	// total it would be recovered at once.
	type cell struct{ i, j int }
	better := func(a, b cell) bool {
		va, vb := val(a.i, a.j), val(b.i, b.j)
		if va != vb {
			return va < vb
		}
		ta, tb := isTotal(a.i, a.j), isTotal(b.i, b.j)
		if ta != tb {
			return !ta
		}
		if a.i != b.i {
			return a.i < b.i
		}
		return a.j < b.j
	}
	for changed := true; changed; {
		changed = false
		// Rule 1: two suppressed cells in every row and column that has one.
		for i := range m {
			count, best := 0, cell{-1, -1}
			for j := range n {
				if t.Cells[i][j].Suppressed {
					count++
				} else if val(i, j) > 0 && (best.i < 0 || better(cell{i, j}, best)) {
					best = cell{i, j}
				}
			}
			if count == 1 && best.i >= 0 {
				hide(best.i, best.j)
				changed = true
			}
		}
		for j := range n {
			count, best := 0, cell{-1, -1}
			for i := range m {
				if t.Cells[i][j].Suppressed {
					count++
				} else if val(i, j) > 0 && (best.i < 0 || better(cell{i, j}, best)) {
					best = cell{i, j}
				}
			}
			if count == 1 && best.i >= 0 {
				hide(best.i, best.j)
				changed = true
			}
		}
		if changed {
			continue
		}
		// Rule 2: no non-zero suppressed cell may be a bridge of the graph
		// whose vertices are the rows and columns and whose edges are the
		// non-zero suppressed cells: a bridge lies on no cycle, and only a
		// cycle lets a reader move the hidden values without changing a
		// published sum. Join the two sides of the first bridge with the
		// best cell between them.
		g := newLineGraph(t)
		for _, br := range g.bridges() {
			side := g.sideWithout(br)
			best := cell{-1, -1}
			for i := range m {
				for j := range n {
					if t.Cells[i][j].Suppressed || val(i, j) <= 0 || side[i]+side[m+j] != 3 {
						continue
					}
					if best.i < 0 || better(cell{i, j}, best) {
						best = cell{i, j}
					}
				}
			}
			if best.i >= 0 {
				hide(best.i, best.j)
				changed = true
				break
			}
		}
	}
	return primary, complementary
}

// lineGraph: vertices 0..m-1 are rows, m..m+n-1 columns; edges are the
// non-zero suppressed cells.
type lineGraph struct {
	m, n  int
	adj   [][]edge
	edges [][2]int // (row vertex, column vertex)
}

type edge struct{ to, id int }

func newLineGraph(t *report.Table) *lineGraph {
	m, n := len(t.Cells), len(t.Cells[0])
	g := &lineGraph{m: m, n: n, adj: make([][]edge, m+n)}
	for i := range m {
		for j := range n {
			if c := t.Cells[i][j]; c.Suppressed && c.Value > 0 {
				id := len(g.edges)
				g.edges = append(g.edges, [2]int{i, m + j})
				g.adj[i] = append(g.adj[i], edge{m + j, id})
				g.adj[m+j] = append(g.adj[m+j], edge{i, id})
			}
		}
	}
	return g
}

// bridges lists the bridges (Tarjan's low-link) by edge id, so the result
// does not depend on stack order.
func (g *lineGraph) bridges() []int {
	v := g.m + g.n
	disc, low := make([]int, v), make([]int, v)
	for i := range disc {
		disc[i] = -1
	}
	timer := 0
	bridges := []int{}
	type frame struct{ u, parentEdge, next int }
	for s := range v {
		if disc[s] >= 0 {
			continue
		}
		disc[s], low[s] = timer, timer
		timer++
		stack := []frame{{s, -1, 0}}
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < len(g.adj[f.u]) {
				e := g.adj[f.u][f.next]
				f.next++
				if e.id == f.parentEdge {
					continue
				}
				if disc[e.to] < 0 {
					disc[e.to], low[e.to] = timer, timer
					timer++
					stack = append(stack, frame{e.to, e.id, 0})
				} else if disc[e.to] < low[f.u] {
					low[f.u] = disc[e.to]
				}
				continue
			}
			u, pe := f.u, f.parentEdge
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := stack[len(stack)-1].u
				if low[u] < low[p] {
					low[p] = low[u]
				}
				if low[u] > disc[p] {
					bridges = append(bridges, pe)
				}
			}
		}
	}
	sort.Ints(bridges)
	return bridges
}

// sideWithout labels each vertex by its component once the bridge id is
// removed: 1 on the side of the bridge's row, 2 on the side of its column,
// and a label above 2 elsewhere; only a cell joining sides 1 and 2 (labels
// adding up to 3) puts the bridge on a cycle.
func (g *lineGraph) sideWithout(id int) []int {
	side := make([]int, g.m+g.n)
	for label, start := range []int{g.edges[id][0], g.edges[id][1]} {
		queue := []int{start}
		side[start] = label + 1
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, e := range g.adj[u] {
				if e.id != id && side[e.to] == 0 {
					side[e.to] = label + 1
					queue = append(queue, e.to)
				}
			}
		}
	}
	for i, s := range side {
		if s == 0 {
			side[i] = 4
		}
	}
	return side
}

// round rounds every cell to the nearest multiple of base, halves upwards.
func round(t *report.Table, base int) {
	b := float64(base)
	for i := range t.Cells {
		for j := range t.Cells[i] {
			c := &t.Cells[i][j]
			c.Value = math.Floor(c.Value/b+0.5) * b
			c.Decimals = 0
		}
	}
}

// noiseSource is the mechanism; tests may replace it.
var noiseSource = noise.Laplace()

// addNoise adds Laplace noise to the inner cells, clamps them at 0 and
// re-derives the totals.
func addNoise(t *report.Table, p Policy) error {
	m := len(t.Cells)
	if m == 0 {
		return nil
	}
	n := len(t.Cells[0])
	im, in := m, n
	if t.RowTotal {
		im--
	}
	if t.ColumnTotal {
		in--
	}
	for i := range im {
		for j := range in {
			c := &t.Cells[i][j]
			v, err := noiseSource.AddNoiseInt64(int64(math.Round(c.Value)), int64(p.Contributions), 1, p.Epsilon, 0)
			if err != nil {
				return fmt.Errorf("disclosure: noise: %w", err)
			}
			c.Value, c.Decimals = float64(max(v, 0)), 0
		}
	}
	if t.ColumnTotal {
		for i := range im {
			s := 0.0
			for j := range in {
				s += t.Cells[i][j].Value
			}
			t.Cells[i][n-1] = report.Cell{Value: s}
		}
	}
	if t.RowTotal {
		for j := range n {
			s := 0.0
			for i := range im {
				s += t.Cells[i][j].Value
			}
			t.Cells[m-1][j] = report.Cell{Value: s}
		}
	}
	return nil
}
