package disclosure

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/report"
)

// table builds a report.Table from inner counts, adding a total row and/or
// column when asked.
func table(inner [][]int, rowTotal, colTotal bool) *report.Table {
	m, n := len(inner), len(inner[0])
	t := &report.Table{Name: "t", RowTotal: rowTotal, ColumnTotal: colTotal}
	rows, cols := m, n
	if rowTotal {
		rows++
	}
	if colTotal {
		cols++
	}
	t.Cells = make([][]report.Cell, rows)
	for i := range t.Cells {
		t.Cells[i] = make([]report.Cell, cols)
	}
	for i := range m {
		for j := range n {
			v := float64(inner[i][j])
			t.Cells[i][j].Value = v
			if colTotal {
				t.Cells[i][cols-1].Value += v
			}
			if rowTotal {
				t.Cells[rows-1][j].Value += v
			}
			if rowTotal && colTotal {
				t.Cells[rows-1][cols-1].Value += v
			}
		}
	}
	for i := range rows {
		t.Rows = append(t.Rows, fmt.Sprint("r", i))
	}
	for j := range cols {
		t.Columns = append(t.Columns, fmt.Sprint("c", j))
	}
	return t
}

func clone(t *report.Table) *report.Table {
	c := *t
	c.Cells = make([][]report.Cell, len(t.Cells))
	for i := range t.Cells {
		c.Cells[i] = append([]report.Cell(nil), t.Cells[i]...)
	}
	return &c
}

// An attacker's view of a suppressed table: the suppressed cells are
// unknowns in [0, bound]; every published total gives one equation
// Σ coef·x = c over them.
type attack struct {
	vars   []int // index into cells: i*cols+j
	cons   []constraint
	bound  int
	values []int // the raw values of the unknowns, for the test only
}

type constraint struct {
	coef []int // per unknown: 0, +1 or -1
	c    int
}

func newAttack(pub *report.Table, raw *report.Table) *attack {
	m, n := len(pub.Cells), len(pub.Cells[0])
	a := &attack{}
	idx := map[int]int{}
	grand := 0
	for i := range m {
		for j := range n {
			if pub.Cells[i][j].Suppressed {
				idx[i*n+j] = len(a.vars)
				a.vars = append(a.vars, i*n+j)
				a.values = append(a.values, int(raw.Cells[i][j].Value))
			}
			grand += int(raw.Cells[i][j].Value)
		}
	}
	a.bound = grand // generous: no cell exceeds the sum of all cells
	line := func(cells [][2]int, total [2]int) {
		c := constraint{coef: make([]int, len(a.vars))}
		add := func(cell [2]int, sign int) {
			k := cell[0]*n + cell[1]
			if v, ok := idx[k]; ok {
				c.coef[v] += sign
			} else {
				c.c -= sign * int(pub.Cells[cell[0]][cell[1]].Value)
			}
		}
		for _, cell := range cells {
			add(cell, 1)
		}
		add(total, -1)
		a.cons = append(a.cons, c)
	}
	if pub.ColumnTotal {
		for i := range m {
			var cells [][2]int
			for j := range n - 1 {
				cells = append(cells, [2]int{i, j})
			}
			line(cells, [2]int{i, n - 1})
		}
	}
	if pub.RowTotal {
		for j := range n {
			var cells [][2]int
			for i := range m - 1 {
				cells = append(cells, [2]int{i, j})
			}
			line(cells, [2]int{m - 1, j})
		}
	}
	return a
}

// feasible reports whether the equations have an integer solution within
// lo..hi, by bounds propagation and splitting domains in two.
func (a *attack) feasible(lo, hi []int, budget *int) bool {
	lo, hi = append([]int(nil), lo...), append([]int(nil), hi...)
	for changed := true; changed; {
		changed = false
		*budget--
		if *budget < 0 {
			return false
		}
		for _, c := range a.cons {
			minS, maxS := 0, 0
			for v, k := range c.coef {
				switch {
				case k > 0:
					minS += k * lo[v]
					maxS += k * hi[v]
				case k < 0:
					minS += k * hi[v]
					maxS += k * lo[v]
				}
			}
			if c.c < minS || c.c > maxS {
				return false
			}
			for v, k := range c.coef {
				if k == 0 {
					continue
				}
				// Σ others = c - k·x; others' range is [minS, maxS] less x's part.
				var oMin, oMax int
				if k > 0 {
					oMin, oMax = minS-k*lo[v], maxS-k*hi[v]
				} else {
					oMin, oMax = minS-k*hi[v], maxS-k*lo[v]
				}
				// k·x ∈ [c - oMax, c - oMin]
				l, h := c.c-oMax, c.c-oMin
				if k < 0 {
					l, h = -h, -l
				}
				if l > lo[v] {
					lo[v], changed = l, true
				}
				if h < hi[v] {
					hi[v], changed = h, true
				}
				if lo[v] > hi[v] {
					return false
				}
			}
		}
	}
	split := -1
	for v := range lo {
		if lo[v] < hi[v] && (split < 0 || hi[v]-lo[v] < hi[split]-lo[split]) {
			split = v
		}
	}
	if split < 0 {
		return true // every unknown fixed and every equation checked above
	}
	mid := (lo[split] + hi[split]) / 2
	h2 := append([]int(nil), hi...)
	h2[split] = mid
	if a.feasible(lo, h2, budget) {
		return true
	}
	l2 := append([]int(nil), lo...)
	l2[split] = mid + 1
	return a.feasible(l2, hi, budget)
}

// recoverable returns the unknowns whose feasible interval has width 0: no
// other integer value is consistent with the published table. ok is false
// when the search ran out of budget.
func (a *attack) recoverable() (exact []int, ok bool) {
	n := len(a.vars)
	lo, hi := make([]int, n), make([]int, n)
	for v := range n {
		hi[v] = a.bound
	}
	for v := range n {
		other := false
		for _, r := range [][2]int{{a.values[v] + 1, a.bound}, {0, a.values[v] - 1}} {
			if r[0] > r[1] {
				continue
			}
			l, h := append([]int(nil), lo...), append([]int(nil), hi...)
			l[v], h[v] = r[0], r[1]
			budget := 200000
			if a.feasible(l, h, &budget) {
				other = true
				break
			}
			if budget < 0 {
				return nil, false
			}
		}
		if !other {
			exact = append(exact, a.vars[v])
		}
	}
	return exact, true
}

func randomInner(r *rand.Rand, m, n int) [][]int {
	inner := make([][]int, m)
	for i := range inner {
		inner[i] = make([]int, n)
		for j := range inner[i] {
			switch x := r.IntN(10); {
			case x < 3:
				inner[i][j] = 0
			case x < 7:
				inner[i][j] = 1 + r.IntN(9)
			default:
				inner[i][j] = 10 + r.IntN(30)
			}
		}
	}
	return inner
}

// TestSuppressNoCellRecoverable protects many random tables and then solves
// for every suppressed cell from the published totals: each must keep an
// interval of possible values wider than one value, and every cell of 1–9
// must be hidden.
func TestSuppressNoCellRecoverable(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 3))
	tables, skipped, suppressed := 0, 0, 0
	for range 3000 {
		m, n := 2+r.IntN(5), 2+r.IntN(5)
		inner := randomInner(r, m, n)
		raw := table(inner, r.IntN(4) != 0, r.IntN(4) != 0)
		pub := clone(raw)
		note, err := Protect(pub, Policy{Method: Suppress, K: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(note, "k = 10") {
			t.Fatalf("note %q does not state k", note)
		}
		for i := range raw.Cells {
			for j, c := range raw.Cells[i] {
				p := pub.Cells[i][j]
				if c.Value >= 1 && c.Value <= 9 && !p.Suppressed {
					t.Fatalf("cell %d,%d = %v published\n%s", i, j, c.Value, show(hiddenIn(raw, pub)))
				}
				if c.Value == 0 && p.Reason == ReasonPrimary {
					t.Fatalf("zero cell %d,%d primary-suppressed", i, j)
				}
				if p.Suppressed {
					suppressed++
					if p.Value != 0 {
						t.Fatalf("hidden cell %d,%d keeps its value %v", i, j, p.Value)
					}
				}
			}
		}
		exact, ok := newAttack(pub, raw).recoverable()
		if !ok {
			skipped++
			continue
		}
		tables++
		if len(exact) > 0 {
			t.Fatalf("suppressed cells %v can be worked out from the totals:\n%s", exact, show(hiddenIn(raw, pub)))
		}
	}
	if skipped > tables/20 {
		t.Fatalf("the solver gave up on %d tables of %d", skipped, tables+skipped)
	}
	t.Logf("%d tables solved (%d suppressed cells), %d too large for the solver", tables, suppressed, skipped)
}

// TestSolverFindsExposure checks the attacker: primary suppression alone
// leaves a cell that the totals give away.
func TestSolverFindsExposure(t *testing.T) {
	raw := table([][]int{{3, 20}, {15, 30}}, true, true)
	pub := clone(raw)
	pub.Cells[0][0].Suppressed = true
	exact, ok := newAttack(pub, raw).recoverable()
	if !ok || len(exact) != 1 {
		t.Fatalf("the solver should recover the lone suppressed cell: %v %v", exact, ok)
	}
}

// TestSuppressClosesBridges: here two hidden cells in every row and column
// are not enough — without rule 2 the 9 of row 3, column 2 lies on no cycle
// of hidden cells and the totals give it away (found by the random test).
func TestSuppressClosesBridges(t *testing.T) {
	raw := table([][]int{{0, 0, 0, 16}, {0, 8, 17, 7}, {4, 9, 15, 19}, {8, 37, 9, 0}, {32, 9, 0, 5}}, true, true)
	pub := clone(raw)
	if _, err := Protect(pub, Policy{Method: Suppress}); err != nil {
		t.Fatal(err)
	}
	if exact, ok := newAttack(pub, raw).recoverable(); !ok || len(exact) > 0 {
		t.Fatalf("recoverable %v (solved %v):\n%s", exact, ok, show(hiddenIn(raw, pub)))
	}
}

// hiddenIn is raw with pub's hidden cells marked, for messages.
func hiddenIn(raw, pub *report.Table) *report.Table {
	c := clone(raw)
	for i := range c.Cells {
		for j := range c.Cells[i] {
			c.Cells[i][j].Suppressed = pub.Cells[i][j].Suppressed
		}
	}
	return c
}

func show(t *report.Table) string {
	var b strings.Builder
	for _, row := range t.Cells {
		for _, c := range row {
			if c.Suppressed {
				fmt.Fprintf(&b, "%4s", fmt.Sprintf("(%v)", c.Value))
			} else {
				fmt.Fprintf(&b, "%4v", c.Value)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestSuppressChoosesSmallest(t *testing.T) {
	pub := table([][]int{{3, 12, 40}, {20, 11, 50}, {30, 60, 70}}, true, true)
	if _, err := Protect(pub, Policy{Method: Suppress}); err != nil {
		t.Fatal(err)
	}
	// 3 is primary; its row's smallest other cell is 12, its column's 20,
	// and 11 closes the cycle 3–12–11–20.
	want := map[[2]int]string{{0, 0}: ReasonPrimary, {0, 1}: ReasonComplementary, {1, 0}: ReasonComplementary, {1, 1}: ReasonComplementary}
	for i, row := range pub.Cells {
		for j, c := range row {
			if c.Suppressed != (want[[2]int{i, j}] != "") || c.Reason != want[[2]int{i, j}] {
				t.Fatalf("cell %d,%d: suppressed=%v reason=%q\n%s", i, j, c.Suppressed, c.Reason, show(pub))
			}
		}
	}
}

func TestSuppressNothingSmall(t *testing.T) {
	pub := table([][]int{{0, 12}, {20, 0}}, true, true)
	n, err := ProtectNote(pub, Policy{Method: Suppress})
	if err != nil || n.Primary != 0 || n.Complementary != 0 {
		t.Fatalf("%+v %v", n, err)
	}
}

func TestRound(t *testing.T) {
	pub := table([][]int{{1, 2}, {3, 12}}, true, true)
	note, err := Protect(pub, Policy{Method: Round, Base: 5})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(pub.Cells)
	// 1→0 2→0 3→5 12→10; totals rounded on their own: 3→5 15→15 4→5 14→15 18→20.
	vals := [][]float64{{0, 0, 5}, {5, 10, 15}, {5, 15, 20}}
	for i := range vals {
		for j := range vals[i] {
			if pub.Cells[i][j].Value != vals[i][j] {
				t.Fatalf("rounded table %s, want %v", got, vals)
			}
		}
	}
	if !strings.Contains(note, "multiple of 5") {
		t.Fatalf("note %q", note)
	}
}

func TestNoiseClampsAndRederivesTotals(t *testing.T) {
	pub := table([][]int{{0, 1, 30}, {2, 0, 40}}, true, true)
	note, err := Protect(pub, Policy{Method: Noise, Epsilon: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(note, "ε = 0.5") {
		t.Fatalf("note %q", note)
	}
	m, n := len(pub.Cells), len(pub.Cells[0])
	for i := range m - 1 {
		s := 0.0
		for j := range n - 1 {
			if pub.Cells[i][j].Value < 0 {
				t.Fatalf("negative cell %v", pub.Cells[i][j])
			}
			s += pub.Cells[i][j].Value
		}
		if pub.Cells[i][n-1].Value != s {
			t.Fatalf("row %d total %v, sum %v", i, pub.Cells[i][n-1].Value, s)
		}
	}
	s := 0.0
	for j := range n - 1 {
		s += pub.Cells[m-1][j].Value
	}
	if pub.Cells[m-1][n-1].Value != s {
		t.Fatalf("grand total %v, sum %v", pub.Cells[m-1][n-1].Value, s)
	}
}

// TestNoiseIsCalibrated: over many draws of a cell of 50 with ε = 1 the
// mean stays near 50 and the noise spreads as Laplace(1/ε) (mean absolute
// deviation 1/ε).
func TestNoiseIsCalibrated(t *testing.T) {
	const draws = 4000
	sum, dev := 0.0, 0.0
	for range draws {
		pub := table([][]int{{50}}, false, false)
		if _, err := Protect(pub, Policy{Method: Noise, Epsilon: 1}); err != nil {
			t.Fatal(err)
		}
		v := pub.Cells[0][0].Value
		sum += v
		if v > 50 {
			dev += v - 50
		} else {
			dev += 50 - v
		}
	}
	if mean := sum / draws; mean < 49.8 || mean > 50.2 {
		t.Fatalf("mean %v", mean)
	}
	if mad := dev / draws; mad < 0.8 || mad > 1.2 {
		t.Fatalf("mean absolute deviation %v, want about 1", mad)
	}
}

func TestBadPolicies(t *testing.T) {
	for _, c := range []struct {
		p    Policy
		code string
	}{
		{Policy{Method: Suppress, K: 1}, CodeKTooSmall},
		{Policy{Method: Suppress, K: -3}, CodeKTooSmall},
		{Policy{Method: Round, Base: 1}, CodeBaseTooSmall},
		{Policy{Method: Noise}, CodeEpsilon},
		{Policy{Method: Noise, Epsilon: -1}, CodeEpsilon},
		{Policy{Method: "blur"}, CodeUnknownMethod},
		{Policy{}, CodeUnknownMethod},
	} {
		pub := table([][]int{{1, 2}}, false, false)
		_, err := Protect(pub, c.p)
		if !IsCode(err, c.code) {
			t.Errorf("%+v: error %v, want %s", c.p, err, c.code)
		}
		if err != nil && strings.Contains(err.Error(), "disclosure.error") {
			t.Errorf("%+v: untranslated error %q", c.p, err)
		}
		if pub.Cells[0][0].Value != 1 || pub.Cells[0][0].Suppressed {
			t.Errorf("%+v: table changed on a refusal", c.p)
		}
	}
	if _, err := ParseMethod("suppress"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMethod("x"); !IsCode(err, CodeUnknownMethod) {
		t.Fatal(err)
	}
	bad := &report.Table{Cells: [][]report.Cell{{{Value: -1}}}}
	if _, err := Protect(bad, Policy{Method: Suppress}); !IsCode(err, CodeBadTable) {
		t.Fatal(err)
	}
}

func TestNoneLeavesTable(t *testing.T) {
	pub := table([][]int{{1, 2}}, false, false)
	note, err := Protect(pub, Policy{Method: None})
	if err != nil || note != "" || pub.Cells[0][0].Suppressed {
		t.Fatalf("%q %v", note, err)
	}
}

// BenchmarkProtect50x20 protects a 50×20 table with totals (about a third
// of its cells under k).
func BenchmarkProtect50x20(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	raw := table(randomInner(r, 50, 20), true, true)
	for _, m := range []Method{Suppress, Round, Noise} {
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				pub := clone(raw)
				if _, err := Protect(pub, Policy{Method: m, Epsilon: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
