package tips

import (
	"context"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// The tips' contribution to the statistics (internal/stats): tips received
// by state and month, from the tips table alone. Counts only: no tip's
// text is opened.

// MeasureTips is the tips received in the period.
const MeasureTips = "tips"

// StatsSource returns the tips' statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

func (statsSource) Measures() []stats.Measure {
	states := make([]string, len(States))
	for i, st := range States {
		states[i] = string(st)
	}
	return []stats.Measure{{
		Name: MeasureTips, Label: "stats.measure.tips", Kind: stats.Count, Period: true, Place: true,
		Definition: "stats.def.tips",
		Dims:       []stats.Dimension{{Name: "state", Label: "stats.dim.tip_state", ValueKey: "tips.state.", Values: states}},
	}}
}

func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	if q.Measure != MeasureTips {
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	cols, err := stats.Columns(q.By, map[string]string{"state": "state", stats.DimMonth: "SUBSTR(created_at, 1, 7)"})
	if err != nil {
		return nil, err
	}
	lo, hi, err := stats.MonthBounds(q.From, q.To)
	if err != nil {
		return nil, err
	}
	where := []string{"created_at >= $1", "created_at < $2"}
	args := []any{lo, hi}
	if cond, a := stats.PlaceCondition("municipality", q, args); cond != "" {
		where, args = append(where, cond), a
	}
	return stats.GroupCount(ctx, src.s.DB.Read(), "tips", cols, where, args)
}
