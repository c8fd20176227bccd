package helpline

import (
	"context"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// The helpline's contribution to the statistics (internal/stats): contacts
// by topic category, channel, caller type, language and month, from the
// helpline's own table. The statistics package checks the actor; this
// source answers counts, never a contact.

// MeasureContacts is the contacts that started in the period.
const MeasureContacts = "helpline_contacts"

// StatsSource returns the helpline's statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

func categoryCodes() []string {
	var out []string
	for _, c := range Topics.Categories {
		out = append(out, c.Code)
	}
	return out
}

// statsColumns maps each dimension to its column.
var statsColumns = map[string]string{
	"category":     "category",
	"channel":      "channel",
	"caller_type":  "caller_type",
	"language":     "language",
	stats.DimMonth: "month",
}

func (statsSource) Measures() []stats.Measure {
	return []stats.Measure{{
		Name: MeasureContacts, Label: "stats.measure.helpline_contacts", Kind: stats.Count, Period: true, Place: true,
		Definition: "stats.def.helpline_contacts",
		Dims: []stats.Dimension{
			{Name: "category", Label: "stats.dim.helpline_topic", ValueKey: "helpline.topic.", Values: categoryCodes()},
			{Name: "channel", Label: "stats.dim.channel", ValueKey: "helpline.channel.", Values: Channels},
			{Name: "caller_type", Label: "stats.dim.caller_type", ValueKey: "helpline.caller.", Values: CallerTypes},
			{Name: "language", Label: "stats.dim.language", ValueKey: "helpline.lang.", Values: Languages},
		},
	}}
}

func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	if q.Measure != MeasureContacts {
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	cols, err := stats.Columns(q.By, statsColumns)
	if err != nil {
		return nil, err
	}
	// month is the contact's start month in UTC, kept on the row: the
	// period's range is a range of that column's values.
	where := []string{"month >= $1", "month <= $2"}
	args := []any{q.From, q.To}
	if cond, a := stats.PlaceCondition("municipality", q, args); cond != "" {
		where, args = append(where, cond), a
	}
	return stats.GroupCount(ctx, src.s.DB.Read(), "helpline_contacts", cols, where, args)
}
