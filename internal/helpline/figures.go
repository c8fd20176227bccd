package helpline

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The figures: contacts counted by channel, topic, caller type, language,
// month and municipality over a period. Counts only — no contact, note or
// person — so the coordinator and analysts see every line's, an operator
// their own organisation's. The statistics capability reads them through
// Figures as one of its sources.

// Dimensions are the breakdowns Figures returns, in display order.
var Dimensions = []string{"channel", "category", "topic", "caller_type", "language", "month", "municipality"}

// dimensionColumn maps a dimension to its column (a fixed list: never
// built from input).
var dimensionColumn = map[string]string{
	"channel": "channel", "category": "category", "topic": "topic", "caller_type": "caller_type",
	"language": "language", "month": "month", "municipality": "municipality",
}

// Count is one value of a breakdown and its number of contacts. Value is a
// code (a channel, a topic), a month "YYYY-MM", a municipality's name, or
// "" for contacts that gave none.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Figures are the counts of the contacts that started in [From, To).
type Figures struct {
	From, To time.Time
	Total    int
	// Urgent counts the contacts with immediate danger; ToCase those
	// carried into a case.
	Urgent, ToCase int
	By             map[string][]Count
}

// Figures counts the contacts that started in [from, to): every
// organisation's for Stats scope, the actor's own for Org scope.
func (s *Service) Figures(ctx context.Context, actor access.Actor, from, to time.Time) (*Figures, error) {
	scope := access.ScopeOf(actor, access.HelplineStats)
	if scope == access.None {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	if !to.After(from) {
		return nil, errs.InvalidField("to", "helpline.error.period")
	}
	where := `started_at >= $1 AND started_at < $2`
	args := []any{store.T(from), store.T(to)}
	if scope == access.Org {
		where += ` AND org_id = $3`
		args = append(args, actor.OrgID)
	}
	q := s.DB.Read()
	f := &Figures{From: from, To: to, By: map[string][]Count{}}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(immediate_danger), 0),
		COALESCE(SUM(CASE WHEN case_id IS NULL THEN 0 ELSE 1 END), 0) FROM helpline_contacts WHERE `+where, args...).
		Scan(&f.Total, &f.Urgent, &f.ToCase); err != nil {
		return nil, errs.Internalf("figures: %w", err)
	}
	for _, d := range Dimensions {
		col := dimensionColumn[d]
		rows, err := q.QueryContext(ctx, `SELECT `+col+`, COUNT(*) FROM helpline_contacts WHERE `+where+
			` GROUP BY `+col, args...)
		if err != nil {
			return nil, errs.Internalf("figures %s: %w", d, err)
		}
		var list []Count
		for rows.Next() {
			var c Count
			if err := rows.Scan(&c.Value, &c.Count); err != nil {
				rows.Close()
				return nil, errs.Internalf("figures %s: %w", d, err)
			}
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Internalf("figures %s: %w", d, err)
		}
		sortCounts(d, list)
		f.By[d] = list
	}
	return f, nil
}

// sortCounts orders a breakdown: months in time order, the others by
// count, largest first, then by value.
func sortCounts(dim string, list []Count) {
	sort.Slice(list, func(i, j int) bool {
		if dim == "month" {
			return list[i].Value < list[j].Value
		}
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Value < list[j].Value
	})
}

// CSVCell makes a value safe for a spreadsheet cell: a value that a
// spreadsheet would read as a formula (=, +, -, @, a tab or a carriage
// return first) is prefixed with an apostrophe, so an export never runs
// anything typed into Ura.
func CSVCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
