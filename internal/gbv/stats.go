package gbv

import (
	"context"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// GBV's contribution to the statistics (internal/stats): incidents and the
// survivors they happened to, by GBVIMS type, context, age band and sex of
// the survivor, month and municipality — counted from gbv_incidents alone,
// which records the survivor's statistical fields with each incident. The
// statistics package checks the actor and applies disclosure control.

// StatsSource returns GBV's statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

// The GBV measures.
const (
	MeasureIncidents = "gbv_incidents" // incidents that happened in the period
	MeasureSurvivors = "gbv_survivors" // survivors with an incident in the period
)

func typeCodes() []string {
	out := make([]string, len(Types))
	for i, t := range Types {
		out[i] = string(t)
	}
	return out
}

var (
	dimType    = stats.Dimension{Name: "gbv_type", Label: "gbv.type_label", ValueKey: "gbv.type.", Values: typeCodes()}
	dimContext = stats.Dimension{Name: "gbv_context", Label: "gbv.context", ValueKey: "gbv.context.", Values: Contexts}
	dimAge     = stats.Dimension{Name: "age_band", Label: "case.age_band", ValueKey: "stats.age_band.",
		Values: append(append([]string(nil), cases.AgeBands...), "unknown")}
	dimSex = stats.Dimension{Name: "sex", Label: "case.person.sex", ValueKey: "case.sex.", Values: cases.Sexes}
)

var statsExpr = map[string]string{
	"gbv_type":     "i.gbv_type",
	"gbv_context":  "i.context",
	"age_band":     "CASE WHEN i.age_band = '' THEN 'unknown' ELSE i.age_band END",
	"sex":          "i.sex",
	stats.DimMonth: "i.month",
}

func (statsSource) Measures() []stats.Measure {
	dims := []stats.Dimension{dimType, dimContext, dimAge, dimSex}
	return []stats.Measure{
		{Name: MeasureIncidents, Label: "stats.measure.gbv_incidents", Kind: stats.Count, Period: true, Place: true,
			Definition: "stats.def.gbv_incidents", Dims: dims},
		{Name: MeasureSurvivors, Label: "stats.measure.gbv_survivors", Kind: stats.Count, Period: true, Place: true,
			Definition: "stats.def.gbv_survivors", Dims: dims},
	}
}

// Answer counts incidents (or distinct survivors) by the asked dimensions
// over the months From..To and, if asked, some municipalities.
func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	agg := "COUNT(*)"
	switch q.Measure {
	case MeasureIncidents:
	case MeasureSurvivors:
		agg = "COUNT(DISTINCT i.case_id)"
	default:
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	var cols, where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, d := range q.By {
		e, ok := statsExpr[d]
		if !ok {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
		cols = append(cols, e)
	}
	if q.From != "" {
		where = append(where, "i.month >= "+arg(q.From))
	}
	if q.To != "" {
		where = append(where, "i.month <= "+arg(q.To))
	}
	if len(q.Municipalities) > 0 {
		ph := make([]string, len(q.Municipalities))
		for i, m := range q.Municipalities {
			ph[i] = arg(m)
		}
		where = append(where, "i.municipality IN ("+strings.Join(ph, ", ")+")")
	}
	return stats.GroupAgg(ctx, src.s.DB.Read(), agg, "gbv_incidents i", cols, where, args)
}
