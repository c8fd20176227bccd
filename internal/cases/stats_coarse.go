package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// The coarse aggregates of the dashboard (migration 0025): the cases opened
// in each month and municipality by one division (case_month_divisions),
// and the cases now in each stage by municipality (case_stage_counts). The
// monthly aggregates of stats_counts.go keep every combination of the
// statistical columns, nearly a row for every few cases at a million; a
// panel of the dashboard divides by one or two columns, which these keep in
// a few thousand rows a year. They move with the monthly aggregates in the
// transaction of every change (moveStat, countNew), RecountStats rebuilds
// them, and tests prove them equal to a recount and every dashboard panel
// equal to the one counted from the cases (RawStatsSource).

// division is one coarse division of the cases: the query dimensions it
// answers (the month always), in the order of its columns v1, v2.
type division struct {
	name string
	dims []string
}

// divisions, smallest first: a query is answered from the first whose
// dimensions hold all of its own. The forms of exploitation count a case
// once per form, so that division answers only queries by the form.
var divisions = []division{
	{"total", nil},
	{"status", []string{"status"}},
	{"citizenship", []string{"citizenship"}},
	{"sex_status", []string{"sex", "status"}},
	{"age_status", []string{"age_band", "status"}},
	{"institution_status", []string{"institution", "status"}},
	{"exploitation", []string{"exploitation"}},
}

// column is the stored value of dimension d for the case at k.
func (k *statKey) column(d string) string {
	switch d {
	case "status":
		return k.status
	case "sex":
		return k.sex
	case "age_band":
		return k.band
	case "citizenship":
		return k.citizenship
	case "institution":
		return k.institution
	}
	return ""
}

// cells are the (v1, v2) rows of division dv the case at k counts in.
func (k *statKey) cells(dv division) [][2]string {
	if dv.name == "exploitation" {
		out := make([][2]string, len(k.forms))
		for i, f := range k.forms {
			out[i] = [2]string{f, ""}
		}
		return out
	}
	var c [2]string
	for i, d := range dv.dims {
		c[i] = k.column(d)
	}
	return [][2]string{c}
}

// coarseOp adds d to one row of case_month_divisions (dv != "") or of
// case_stage_counts (dv == "": v1 is the stage).
type coarseOp struct {
	dv, month, municipality, v1, v2 string
	d                               int
}

// coarseOps are the rows the case at k counts in, each with d: every
// division and the stage count, or, when other is not nil, those where
// the case at other does not count the same.
func coarseOps(k, other *statKey, d int) []coarseOp {
	var ops []coarseOp
	samePlace := other != nil && other.month == k.month && other.municipality == k.municipality
	for _, dv := range divisions {
		cells := k.cells(dv)
		if samePlace && slices.Equal(cells, other.cells(dv)) {
			continue
		}
		for _, c := range cells {
			ops = append(ops, coarseOp{dv.name, k.month, k.municipality, c[0], c[1], d})
		}
	}
	if other == nil || other.municipality != k.municipality || other.stage != k.stage {
		ops = append(ops, coarseOp{"", "", k.municipality, k.stage, "", d})
	}
	return ops
}

// applyCoarse nets the ops by row and applies them in the order of their
// keys, so that two transactions moving cases in opposite directions lock
// the rows in the same order (no deadlock on PostgreSQL); a row that falls
// to zero is removed.
func applyCoarse(ctx context.Context, tx *store.Tx, ops []coarseOp) error {
	net := map[coarseOp]int{}
	for _, o := range ops {
		d := o.d
		o.d = 0
		net[o] += d
	}
	keys := make([]coarseOp, 0, len(net))
	for o, d := range net {
		if d != 0 {
			keys = append(keys, o)
		}
	}
	slices.SortFunc(keys, func(a, b coarseOp) int {
		return strings.Compare(a.dv+"\x00"+a.month+"\x00"+a.municipality+"\x00"+a.v1+"\x00"+a.v2,
			b.dv+"\x00"+b.month+"\x00"+b.municipality+"\x00"+b.v1+"\x00"+b.v2)
	})
	for _, o := range keys {
		d := net[o]
		if o.dv == "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_stage_counts (municipality, stage, n) VALUES ($1, $2, $3)
				ON CONFLICT (municipality, stage) DO UPDATE SET n = case_stage_counts.n + excluded.n`,
				o.municipality, o.v1, d); err != nil {
				return errs.Internalf("case stage counts: %w", err)
			}
			if d < 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM case_stage_counts WHERE n = 0 AND municipality = $1 AND stage = $2`,
					o.municipality, o.v1); err != nil {
					return errs.Internalf("case stage counts: %w", err)
				}
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (division, opened_month, municipality, v1, v2)
			DO UPDATE SET n = case_month_divisions.n + excluded.n`,
			o.dv, o.month, o.municipality, o.v1, o.v2, d); err != nil {
			return errs.Internalf("case divisions: %w", err)
		}
		if d < 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM case_month_divisions WHERE n = 0 AND division = $1
				AND opened_month = $2 AND municipality = $3 AND v1 = $4 AND v2 = $5`,
				o.dv, o.month, o.municipality, o.v1, o.v2); err != nil {
				return errs.Internalf("case divisions: %w", err)
			}
		}
	}
	return nil
}

// addCoarse counts the case at k in every coarse row (d = 1: registered).
func addCoarse(ctx context.Context, tx *store.Tx, k *statKey, d int) error {
	return applyCoarse(ctx, tx, coarseOps(k, nil, d))
}

// moveCoarse moves a case's coarse counts from before to after, touching
// only the rows that changed.
func moveCoarse(ctx context.Context, tx *store.Tx, before, after *statKey) error {
	return applyCoarse(ctx, tx, append(coarseOps(before, after, -1), coarseOps(after, before, 1)...))
}

// recountCoarse rebuilds the coarse aggregates from the monthly aggregates
// (just recounted by RecountStats), as migration 0025 first counted them.
func recountCoarse(ctx context.Context, tx *store.Tx) error {
	qs := []string{`DELETE FROM case_month_divisions`, `DELETE FROM case_stage_counts`}
	for _, dv := range divisions {
		if dv.name == "exploitation" {
			continue
		}
		v := [2]string{"''", "''"}
		group := []string{"opened_month", "municipality"}
		for i, d := range dv.dims {
			v[i] = strings.TrimPrefix(aggColumn[d].col, "a.")
			group = append(group, v[i])
		}
		qs = append(qs, `INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
			SELECT '`+dv.name+`', opened_month, municipality, `+v[0]+`, `+v[1]+`, SUM(n) FROM case_month_counts
			GROUP BY `+strings.Join(group, ", "))
	}
	qs = append(qs, `INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
		SELECT 'exploitation', opened_month, municipality, code, '', SUM(n) FROM case_month_forms GROUP BY opened_month, municipality, code`,
		`INSERT INTO case_stage_counts (municipality, stage, n)
		SELECT municipality, stage, SUM(n) FROM case_month_counts GROUP BY municipality, stage`)
	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Internalf("recount case divisions: %w", err)
		}
	}
	return nil
}

// divisionFor is the coarse division that answers a query by these
// dimensions, if one does.
func divisionFor(by []string) (division, bool) {
	var dims []string
	for _, d := range by {
		if d != stats.DimMonth {
			dims = append(dims, d)
		}
	}
	forms := slices.Contains(dims, "exploitation")
	for _, dv := range divisions {
		if forms != (dv.name == "exploitation") {
			continue
		}
		ok := true
		for _, d := range dims {
			ok = ok && slices.Contains(dv.dims, d)
		}
		if ok {
			return dv, true
		}
	}
	return division{}, false
}

// coarse answers a query from the coarse aggregates when they hold it
// (ok false: they do not, ask the monthly aggregates or the cases).
func (src statsSource) coarse(ctx context.Context, q stats.Query) (rows []stats.Row, ok bool, err error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	places := func() {
		if len(q.Municipalities) > 0 {
			ph := make([]string, len(q.Municipalities))
			for i, m := range q.Municipalities {
				ph[i] = arg(m)
			}
			where = append(where, "municipality IN ("+strings.Join(ph, ", ")+")")
		}
	}
	// pos[i] is where dimension q.By[i] is read in a row: 0 the month (or
	// the stage), 1 v1, 2 v2.
	pos := make([]int, len(q.By))
	var sql string
	switch q.Measure {
	case MeasureVictims:
		dv, found := divisionFor(q.By)
		if !found {
			return nil, false, nil
		}
		for i, d := range q.By {
			if d != stats.DimMonth {
				pos[i] = slices.Index(dv.dims, d) + 1
			}
		}
		where = append(where, "division = "+arg(dv.name), "opened_month >= "+arg(q.From), "opened_month <= "+arg(q.To))
		places()
		sql = "SELECT n, opened_month, v1, v2 FROM case_month_divisions WHERE " + strings.Join(where, " AND ")
	case MeasureOpenCases:
		for _, d := range q.By {
			if d != "stage" {
				return nil, false, nil
			}
		}
		where = append(where, "stage <> "+arg(string(StageClosed)))
		places()
		sql = "SELECT n, stage, '', '' FROM case_stage_counts WHERE " + strings.Join(where, " AND ")
	default:
		return nil, false, nil
	}
	rs, err := src.s.DB.Read().QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, true, errs.Internalf("case statistics: %w", err)
	}
	defer rs.Close()
	sum := map[string]int64{}
	keysOf := map[string][]string{}
	var order []string
	var n int64
	var cols [3]string
	for rs.Next() {
		if err := rs.Scan(&n, &cols[0], &cols[1], &cols[2]); err != nil {
			return nil, true, errs.Internalf("case statistics: %w", err)
		}
		keys := make([]string, len(q.By))
		for i, d := range q.By {
			keys[i] = cols[pos[i]]
			if f := aggColumn[d].code; f != nil && pos[i] > 0 {
				keys[i] = f(keys[i])
			}
		}
		k := strings.Join(keys, "\x00")
		if _, seen := sum[k]; !seen {
			order = append(order, k)
			keysOf[k] = keys
		}
		sum[k] += n
	}
	if err := rs.Err(); err != nil {
		return nil, true, errs.Internalf("case statistics: %w", err)
	}
	if len(q.By) == 0 {
		return []stats.Row{{Value: float64(sum[""])}}, true, nil
	}
	out := make([]stats.Row, 0, len(order))
	for _, k := range order {
		out = append(out, stats.Row{Keys: keysOf[k], Value: float64(sum[k])})
	}
	return out, true, nil
}

// RawStatsSource is the case file's statistics counted from the cases
// themselves, every time: slow at scale, kept for the tests that prove the
// aggregates answer exactly the same (and for checking a store by hand).
func (s *Service) RawStatsSource() stats.Source { return rawStatsSource{s} }

type rawStatsSource struct{ s *Service }

func (rawStatsSource) Measures() []stats.Measure { return statsSource{}.Measures() }

func (src rawStatsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Municipalities) > 0 {
		ph := make([]string, len(q.Municipalities))
		for i, m := range q.Municipalities {
			ph[i] = arg(m)
		}
		where = append(where, "c.municipality IN ("+strings.Join(ph, ", ")+")")
	}
	from := "cases c"
	switch q.Measure {
	case MeasureVictims:
		where = append(where, "c.opened_month >= "+arg(q.From), "c.opened_month <= "+arg(q.To))
		if slices.Contains(q.By, "exploitation") {
			from = "cases c LEFT JOIN case_codes x ON x.case_id = c.id AND x.field = 'exploitation'"
		}
	case MeasureOpenCases:
		for _, d := range q.By {
			if d != "stage" {
				return nil, errs.InvalidField("by", "stats.dimension_unknown")
			}
		}
		where = append(where, "c.stage <> "+arg(string(StageClosed)))
	default:
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	cols, ok := dimCols(q.By, statsExpr)
	if !ok {
		return nil, errs.InvalidField("by", "stats.dimension_unknown")
	}
	return stats.GroupCount(ctx, src.s.DB.Read(), from, cols, where, args)
}
