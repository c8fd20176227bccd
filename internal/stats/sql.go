package stats

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// GroupCount runs SELECT cols, COUNT(*) FROM from WHERE where GROUP BY cols
// for a source: the owner writes every table name and condition; this
// helper only assembles and scans.
func GroupCount(ctx context.Context, db store.Querier, from string, cols, where []string, args []any) ([]Row, error) {
	return GroupAgg(ctx, db, "COUNT(*)", from, cols, where, args)
}

// GroupAgg is GroupCount with another integer aggregate (e.g. SUM(n) over
// kept counts).
func GroupAgg(ctx context.Context, db store.Querier, agg, from string, cols, where []string, args []any) ([]Row, error) {
	sel := agg
	group := ""
	if len(cols) > 0 {
		sel = strings.Join(cols, ", ") + ", " + agg
		// By the expressions, not their positions: SQLite answers GROUP BY 1
		// from a covering index less often than GROUP BY stage.
		group = " GROUP BY " + strings.Join(cols, ", ")
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.QueryContext(ctx, "SELECT "+sel+" FROM "+from+w+group, args...)
	if err != nil {
		return nil, errs.Internalf("statistics: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		keys := make([]string, len(cols))
		var n int64
		dst := make([]any, 0, len(cols)+1)
		for i := range keys {
			dst = append(dst, &keys[i])
		}
		dst = append(dst, &n)
		if err := rows.Scan(dst...); err != nil {
			return nil, errs.Internalf("statistics: %w", err)
		}
		out = append(out, Row{Keys: keys, Value: float64(n)})
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("statistics: %w", err)
	}
	return out, nil
}

// PlaceCondition is the condition keeping only the query's municipalities
// in col, numbered after the args already given ("" and args unchanged for
// the whole country).
func PlaceCondition(col string, q Query, args []any) (string, []any) {
	if len(q.Municipalities) == 0 {
		return "", args
	}
	ph := make([]string, len(q.Municipalities))
	for i, m := range q.Municipalities {
		args = append(args, m)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")", args
}

// MonthBounds are the first instant of the month from and of the month
// after to (both YYYY-MM), in store.TimeFormat, to compare stored times.
func MonthBounds(from, to string) (string, string, error) {
	f, err := time.Parse("2006-01", from)
	if err != nil {
		return "", "", errs.InvalidField("from", "stats.period_invalid")
	}
	t, err := time.Parse("2006-01", to)
	if err != nil {
		return "", "", errs.InvalidField("to", "stats.period_invalid")
	}
	return f.Format(store.TimeFormat), t.AddDate(0, 1, 0).Format(store.TimeFormat), nil
}

// Columns maps a query's dimensions to the source's column expressions,
// in order; a dimension the source does not have is refused naming "by".
func Columns(by []string, exprs map[string]string) ([]string, error) {
	cols := make([]string, 0, len(by))
	for _, d := range by {
		e, ok := exprs[d]
		if !ok {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
		cols = append(cols, e)
	}
	return cols, nil
}
