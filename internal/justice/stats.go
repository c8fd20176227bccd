package justice

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
)

// The criminal-justice track's contribution to the statistics (R1.3.2,
// DOMAIN-2 §1.9): investigations, prosecutions, judgments (first instance
// and final, by outcome), defendants prosecuted, sentences per count (band,
// below the minimum), charges that ended under another offence than they
// began, victims who testified (with protective measures) and compensation
// claimed and awarded. Counts only, from this package's own tables.

// The measures.
const (
	MeasureInvestigations = "justice_investigations" // criminal cases with a ruling to initiate an investigation in the period
	MeasureProsecutions   = "justice_prosecutions"   // indictments filed in the period
	MeasureJudgments      = "justice_judgments"      // judgments in the period, first instance and final, by outcome
	MeasureDefendants     = "justice_defendants"     // defendants of the criminal cases indicted in the period
	MeasureSentences      = "justice_sentences"      // decisions per count in the period
	MeasureRequalified    = "justice_requalified"    // charges requalified in the period to another offence
	MeasureTestified      = "justice_victims_testified"
	MeasureCompensation   = "justice_compensation"     // compensation claims filed in the period
	MeasureCompClaimed    = "justice_compensation_eur" // euro claimed in the period
	MeasureCompAwarded    = "justice_compensation_awarded_eur"
)

// SentenceBands are the bands of the sentence distribution, in months.
var SentenceBands = []string{"fine_only", "under_12", "12_35", "36_59", "60_119", "120_plus"}

const bandSQL = `CASE WHEN s.imprisonment_months = 0 THEN 'fine_only' WHEN s.imprisonment_months < 12 THEN 'under_12'
	WHEN s.imprisonment_months < 36 THEN '12_35' WHEN s.imprisonment_months < 60 THEN '36_59'
	WHEN s.imprisonment_months < 120 THEN '60_119' ELSE '120_plus' END`

func yesNo(col string) string { return `CASE WHEN ` + col + ` = 1 THEN 'yes' ELSE 'no' END` }

var (
	dimOffence     = stats.Dimension{Name: "offence", Label: "justice.offence", ValueKey: "justice.offence.", Values: DefaultConfig.OffenceCodes("XK")}
	dimOutcome     = stats.Dimension{Name: "outcome", Label: "justice.outcome", ValueKey: "justice.outcome.", Values: Outcomes}
	dimInstance    = stats.Dimension{Name: "instance", Label: "stats.dim.justice_instance", ValueKey: "justice.event.", Values: []string{JudgmentFirst, FinalJudgment}}
	dimDefSex      = stats.Dimension{Name: "sex", Label: "justice.sex", ValueKey: "justice.sex.", Values: Sexes}
	dimNationality = stats.Dimension{Name: "nationality", Label: "justice.nationality", ValueKey: "stats.country.", Open: true,
		Values: []string{"XK", "AL", "RS", "ME", "MK", "BA", "MD", "RO", "TR", "UA", "RU"}}
	dimBand    = stats.Dimension{Name: "sentence_band", Label: "stats.dim.sentence_band", ValueKey: "stats.sentence_band.", Values: SentenceBands}
	dimBelow   = stats.Dimension{Name: "below_minimum", Label: "justice.below_minimum", ValueKey: "stats.yes_no.", Values: []string{"yes", "no"}}
	dimFinal   = stats.Dimension{Name: "final", Label: "justice.final", ValueKey: "stats.yes_no.", Values: []string{"yes", "no"}}
	dimFrom    = stats.Dimension{Name: "initial_offence", Label: "stats.dim.initial_offence", ValueKey: "justice.offence.", Values: DefaultConfig.OffenceCodes("XK")}
	dimMeasure = stats.Dimension{Name: "protective_measure", Label: "stats.dim.protective_measure", ValueKey: "stats.yes_no.", Values: []string{"yes", "no"}}
	dimRoute   = stats.Dimension{Name: "route", Label: "justice.kind.compensation", ValueKey: "justice.route.", Values: CompensationRoutes}
	dimComp    = stats.Dimension{Name: "comp_outcome", Label: "justice.victim_status", ValueKey: "justice.comp.", Values: CompensationOutcome}
	dimMonth   = stats.Dimension{Name: stats.DimMonth, Label: "stats.dim.month", Open: true}
)

// StatsSource returns the criminal-justice statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

func measure(name string, dims ...stats.Dimension) stats.Measure {
	return stats.Measure{Name: name, Label: "stats.measure." + name, Kind: stats.Count, Period: true,
		Definition: "stats.def." + name, Dims: append(dims, dimMonth)}
}

func (statsSource) Measures() []stats.Measure {
	return []stats.Measure{
		measure(MeasureInvestigations, dimOffence),
		measure(MeasureProsecutions, dimOffence),
		measure(MeasureJudgments, dimInstance, dimOutcome, dimOffence),
		measure(MeasureDefendants, dimDefSex, dimNationality, dimOffence),
		measure(MeasureSentences, dimBand, dimBelow, dimFinal, dimOffence, dimDefSex),
		measure(MeasureRequalified, dimFrom, dimOffence),
		measure(MeasureTestified, dimMeasure),
		measure(MeasureCompensation, dimRoute, dimComp),
		measure(MeasureCompClaimed, dimRoute),
		measure(MeasureCompAwarded, dimRoute),
	}
}

// Answer counts one measure. Every measure is dated by a day column; the
// period is [From-01, To-32) as text.
func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	if _, err := time.Parse("2006-01", q.From); err != nil {
		return nil, errs.InvalidField("from", "stats.period_invalid")
	}
	if _, err := time.Parse("2006-01", q.To); err != nil {
		return nil, errs.InvalidField("to", "stats.period_invalid")
	}
	var from, day string
	cols := map[string]string{}
	var where []string
	agg := "COUNT(*)"
	switch q.Measure {
	case MeasureInvestigations, MeasureProsecutions:
		t := RulingInvestigation
		if q.Measure == MeasureProsecutions {
			t = IndictmentFiled
		}
		from, day = `criminal_events e JOIN criminal_cases c ON c.id = e.criminal_case_id`, "e.event_date"
		where = []string{"e.type = '" + t + "'"}
		cols["offence"] = "c.offence_code"
	case MeasureJudgments:
		from, day = `criminal_events e JOIN criminal_cases c ON c.id = e.criminal_case_id`, "e.event_date"
		where = []string{"e.type IN ('" + JudgmentFirst + "', '" + FinalJudgment + "')"}
		cols["offence"], cols["instance"], cols["outcome"] = "c.offence_code", "e.type", "e.outcome"
	case MeasureDefendants:
		from = `criminal_defendants d JOIN criminal_cases c ON c.id = d.criminal_case_id
			JOIN criminal_events e ON e.criminal_case_id = c.id AND e.type = '` + IndictmentFiled + `'`
		day = "e.event_date"
		cols["offence"], cols["sex"], cols["nationality"] = "c.offence_code", "d.sex", "d.nationality"
	case MeasureSentences:
		from = `criminal_events e JOIN criminal_sentences s ON s.event_id = e.id JOIN criminal_charges g ON g.id = s.charge_id
			JOIN criminal_defendants d ON d.id = g.defendant_id`
		day = "e.event_date"
		where = []string{"e.type IN ('" + JudgmentFirst + "', '" + FinalJudgment + "')", "s.outcome = 'CONVICTION'"}
		cols["sentence_band"], cols["below_minimum"], cols["final"] = bandSQL, yesNo("s.below_minimum"), yesNo("s.final")
		cols["offence"], cols["sex"] = "g.offence_code", "d.sex"
	case MeasureRequalified:
		from = `criminal_charges g JOIN criminal_charges o ON o.id = g.replaces_id`
		day = "g.created_at"
		where = []string{"g.replaces_id <> ''", "g.offence_code <> o.offence_code"}
		cols["initial_offence"], cols["offence"] = "o.offence_code", "g.offence_code"
	case MeasureTestified:
		// Each victim (case) once per criminal case: the first hearing in
		// the period where they testified, and whether a protective measure
		// was ever granted to them in that criminal case.
		from = `(SELECT v.criminal_case_id, v.case_id, MIN(v.record_date) AS record_date,
			MAX(CASE WHEN EXISTS (SELECT 1 FROM criminal_victim_records m WHERE m.criminal_case_id = v.criminal_case_id
				AND m.kind = 'measure' AND m.case_id = v.case_id AND m.status = 'GRANTED') THEN 1 ELSE 0 END) AS measured
			FROM criminal_victim_records v WHERE v.kind = 'hearing' AND v.code = 'TESTIFIED' AND v.record_date >= $1 AND v.record_date < $2
			GROUP BY v.criminal_case_id, v.case_id) t`
		day = "t.record_date"
		cols["protective_measure"] = yesNo("t.measured")
	case MeasureCompensation, MeasureCompClaimed, MeasureCompAwarded:
		from, day = `criminal_victim_records v`, "v.record_date"
		where = []string{"v.kind = 'compensation'"}
		cols["route"], cols["comp_outcome"] = "v.code", "v.status"
		switch q.Measure {
		case MeasureCompClaimed:
			agg = "SUM(v.claimed_eur)"
			delete(cols, "comp_outcome")
		case MeasureCompAwarded:
			agg = "SUM(v.awarded_eur)"
			delete(cols, "comp_outcome")
		}
	default:
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	cols[stats.DimMonth] = "SUBSTR(" + day + ", 1, 7)"
	var sel []string
	for _, d := range q.By {
		c, ok := cols[d]
		if !ok {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
		sel = append(sel, c)
	}
	lo, hi := q.From+"-01", q.To+"-32"
	if day == "g.created_at" {
		lo, hi = q.From+"-01T00:00:00", q.To+"-32" // times sort as text (store.TimeFormat)
	}
	where = append(where, day+" >= $1", day+" < $2")
	return stats.GroupAgg(ctx, src.s.DB.Read(), "COALESCE("+agg+", 0)", from, sel, where, []any{lo, hi})
}
