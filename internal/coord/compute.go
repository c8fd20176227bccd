package coord

import (
	"context"
	"slices"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// An indicator whose source is Ura's own data names a statistics measure
// (internal/stats, e.g. "victims") and optionally one filter
// "dimension=code" (e.g. "status=identified"). Its yearly value is the
// measure's national total for the calendar year, asked of the statistics
// capability: never typed, never read from another capability's tables.

// Measures lists the statistics measures an indicator may name.
func (s *Service) Measures() []stats.Measure {
	if s.Stats == nil {
		return nil
	}
	return s.Stats.Sources.Measures()
}

// checkMeasure checks a measure and filter and returns the measure's
// definition key.
func (s *Service) checkMeasure(measure, filter string) (string, error) {
	if s.Stats == nil {
		return "", errs.InvalidField("measure", "coord.measure_unknown")
	}
	m, ok := s.Stats.Sources.Measure(measure)
	if !ok {
		return "", errs.InvalidField("measure", "coord.measure_unknown")
	}
	if filter != "" {
		dim, code, ok := strings.Cut(filter, "=")
		if !ok {
			return "", errs.InvalidField("filter", "coord.filter_invalid")
		}
		d, ok := m.Dim(strings.TrimSpace(dim))
		if !ok || (!d.Open && !slices.Contains(d.Values, strings.TrimSpace(code))) {
			return "", errs.InvalidField("filter", "coord.filter_invalid")
		}
	}
	return m.Definition, nil
}

// compute fills in the values of the plan's computed indicators for every
// year of the plan up to this one. The statistics are asked as the system:
// an indicator is a national yearly total, the figure the plan publishes,
// and no one reading the plan sees a division of it.
func (s *Service) compute(ctx context.Context, p *Plan) error {
	if s.Stats == nil {
		return nil
	}
	thisYear := s.Clock.Now().UTC().Year()
	type key struct {
		measure, filter string
		year            int
	}
	cache := map[key]float64{}
	for _, ind := range p.Indicators {
		if !ind.Computed() {
			continue
		}
		m, ok := s.Stats.Sources.Measure(ind.Measure)
		if !ok {
			continue // a measure no longer registered: shown without values
		}
		ind.Definition = m.Definition
		if dim, code, ok := strings.Cut(ind.Filter, "="); ok {
			if d, ok := m.Dim(strings.TrimSpace(dim)); ok {
				ind.FilterKeys = []string{d.Label, d.ValueKey + strings.TrimSpace(code)}
			}
		}
		ind.Values = map[int]float64{}
		for _, y := range p.Years() {
			if y > thisYear {
				break
			}
			k := key{ind.Measure, ind.Filter, y}
			v, ok := cache[k]
			if !ok {
				var err error
				if v, err = s.value(ctx, ind.Measure, ind.Filter, y); err != nil {
					return err
				}
				cache[k] = v
			}
			ind.Values[y] = v
		}
	}
	return nil
}

func (s *Service) value(ctx context.Context, measure, filter string, year int) (float64, error) {
	var by []string
	dim, code, _ := strings.Cut(filter, "=")
	dim, code = strings.TrimSpace(dim), strings.TrimSpace(code)
	if dim != "" {
		by = []string{dim}
	}
	rows, err := s.Stats.Answer(ctx, access.SystemActor, measure, by, stats.Year(year))
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, r := range rows {
		if dim == "" || (len(r.Keys) > 0 && r.Keys[0] == code) {
			sum += r.Value
		}
	}
	return sum, nil
}
