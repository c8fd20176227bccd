package referral

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// Referral's contribution to the statistics (internal/stats): referrals by
// service type, the median time to an answer, admissions to shelters and
// shelter occupancy, from referral's own tables only. The statistics
// package checks the actor; this source answers counts, never a record.

// The referral measures.
const (
	MeasureReferrals   = "referrals"    // referrals made in the period
	MeasureAnswerHours = "answer_hours" // median hours from a referral to its answer
	MeasureAdmissions  = "admissions"   // admissions to shelters in the period
	MeasureOccupancy   = "occupancy"    // average beds occupied and available on a day of the month
)

var (
	dimServiceType = stats.Dimension{Name: "service_type", Label: "stats.dim.service_type", ValueKey: "service.type.", Values: Types}
	dimState       = stats.Dimension{Name: "state", Label: "referrals.state", ValueKey: "referrals.state.",
		Values: []string{StatePending, StateAccepted, StateDeclined, StateWithdrawn, StateCompleted}}
	dimBeds = stats.Dimension{Name: "beds", Label: "stats.dim.beds", ValueKey: "stats.beds.", Values: []string{"occupied", "available"}}
)

// StatsSource returns referral's statistics source (and its quality checks).
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

func (statsSource) Measures() []stats.Measure {
	return []stats.Measure{
		{Name: MeasureReferrals, Label: "stats.measure.referrals", Kind: stats.Count, Period: true,
			Definition: "stats.def.referrals", Dims: []stats.Dimension{dimServiceType, dimState}},
		{Name: MeasureAnswerHours, Label: "stats.measure.answer_hours", Kind: stats.Median, Period: true,
			Definition: "stats.def.answer_hours", Dims: []stats.Dimension{dimServiceType}},
		{Name: MeasureAdmissions, Label: "stats.measure.admissions", Kind: stats.Count, Period: true,
			Definition: "stats.def.admissions", Dims: []stats.Dimension{dimServiceType}},
		{Name: MeasureOccupancy, Label: "stats.measure.occupancy", Kind: stats.Mean, Period: true,
			Definition: "stats.def.occupancy", Dims: []stats.Dimension{dimBeds}},
	}
}

func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	lo, hi, err := stats.MonthBounds(q.From, q.To)
	if err != nil {
		return nil, err
	}
	db := src.s.DB.Read()
	month := func(col string) string { return "SUBSTR(" + col + ", 1, 7)" }
	switch q.Measure {
	case MeasureReferrals:
		exprs := map[string]string{"service_type": "service_type", "state": "state", stats.DimMonth: month("created_at")}
		cols, err := stats.Columns(q.By, exprs)
		if err != nil {
			return nil, err
		}
		return stats.GroupCount(ctx, db, "referrals", cols, []string{"created_at >= $1", "created_at < $2"}, []any{lo, hi})
	case MeasureAdmissions:
		exprs := map[string]string{"service_type": "v.type", stats.DimMonth: month("s.admitted_at")}
		cols, err := stats.Columns(q.By, exprs)
		if err != nil {
			return nil, err
		}
		return stats.GroupCount(ctx, db, "stays s JOIN services v ON v.id = s.service_id", cols,
			[]string{"s.admitted_at >= $1", "s.admitted_at < $2"}, []any{lo, hi})
	case MeasureAnswerHours:
		return src.answerHours(ctx, q)
	case MeasureOccupancy:
		return src.occupancy(ctx, q)
	}
	return nil, errs.InvalidField("measure", "stats.measure_unknown")
}

// answerHoursRaw is the median of the hours between a referral and its
// answer (accepted, declined or withdrawn), over the referrals made in the
// period that were answered, by service type and/or month, read from the
// referrals (answerHours reads the same from the kept histogram). The
// database counts the answers by tenth of an hour; the median is taken from
// those counts here.
func (src statsSource) answerHoursRaw(ctx context.Context, q stats.Query, lo, hi string) ([]stats.Row, error) {
	cols := []string{}
	for _, d := range q.By {
		switch d {
		case "service_type":
			cols = append(cols, "service_type")
		case stats.DimMonth:
			cols = append(cols, "SUBSTR(created_at, 1, 7)")
		default:
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
	}
	tenth := answerTenths(src.s.DB.Engine)
	sel := append(append([]string{}, cols...), tenth, "COUNT(*)")
	group := append(append([]string{}, cols...), tenth)
	rows, err := src.s.DB.Read().QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM referrals
		WHERE created_at >= $1 AND created_at < $2 AND answered_at IS NOT NULL GROUP BY `+strings.Join(group, ", "), lo, hi)
	if err != nil {
		return nil, errs.Internalf("answer hours: %w", err)
	}
	defer rows.Close()
	var h medians
	for rows.Next() {
		keys := make([]string, len(cols))
		var bucket, n int64
		dst := []any{}
		for i := range keys {
			dst = append(dst, &keys[i])
		}
		dst = append(dst, &bucket, &n)
		if err := rows.Scan(dst...); err != nil {
			return nil, errs.Internalf("answer hours: %w", err)
		}
		h.add(keys, bucket, n)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("answer hours: %w", err)
	}
	return h.rows(), nil
}

// medianOf is the median of values given as counts per value.
func medianOf(counts map[int64]int64) float64 {
	var vals []int64
	var total int64
	for v, n := range counts {
		vals = append(vals, v)
		total += n
	}
	slices.Sort(vals)
	at := func(i int64) float64 { // the i-th value, 0-based
		for _, v := range vals {
			if i < counts[v] {
				return float64(v)
			}
			i -= counts[v]
		}
		return 0
	}
	if total == 0 {
		return 0
	}
	if total%2 == 1 {
		return at(total / 2)
	}
	return (at(total/2-1) + at(total/2)) / 2
}

// occupancy is, for each month of the period, the average over the days
// with a snapshot of the beds occupied and the beds available (total less
// out of service) in all shelters together, from the daily snapshots the
// sweep job writes.
func (src statsSource) occupancy(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	for _, d := range q.By {
		if d != "beds" && d != stats.DimMonth {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
	}
	rows, err := src.s.DB.Read().QueryContext(ctx, `SELECT SUBSTR(day, 1, 7), COUNT(DISTINCT day),
		SUM(beds_occupied), SUM(beds_total - beds_out_of_service) FROM occupancy_snapshots
		WHERE day >= $1 AND day < $2 GROUP BY 1`, q.From+"-01", q.To+"-32")
	if err != nil {
		return nil, errs.Internalf("occupancy: %w", err)
	}
	defer rows.Close()
	type acc struct{ days, occ, avail float64 }
	byMonth := map[string]*acc{}
	total := &acc{}
	for rows.Next() {
		var m string
		var days, occ, avail int64
		if err := rows.Scan(&m, &days, &occ, &avail); err != nil {
			return nil, errs.Internalf("occupancy: %w", err)
		}
		byMonth[m] = &acc{float64(days), float64(occ), float64(avail)}
		total.days += float64(days)
		total.occ += float64(occ)
		total.avail += float64(avail)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("occupancy: %w", err)
	}
	var out []stats.Row
	emit := func(month string, a *acc) {
		if a.days == 0 {
			return
		}
		for _, b := range []struct {
			k string
			v float64
		}{{"occupied", a.occ / a.days}, {"available", a.avail / a.days}} {
			var keys []string
			hasBeds := false
			for _, d := range q.By {
				if d == "beds" {
					keys = append(keys, b.k)
					hasBeds = true
				} else {
					keys = append(keys, month)
				}
			}
			if !hasBeds && b.k != "occupied" {
				continue
			}
			out = append(out, stats.Row{Keys: keys, Value: b.v})
		}
	}
	if slices.Contains(q.By, stats.DimMonth) {
		for m, a := range byMonth {
			emit(m, a)
		}
	} else {
		emit("", total)
	}
	return out, nil
}

// Data quality checks of referral.
const (
	QualityStayOpen  = "stay_no_discharge" // a stay open for more than a year
	QualityStayDates = "stay_dates"        // discharged before admitted
)

// QualitySource returns referral's data quality checks.
func (s *Service) QualitySource() stats.QualitySource { return statsSource{s} }

// StayOpenLimit is how long a stay may stay open before the quality report
// asks whether a discharge was missed.
const StayOpenLimit = 365 * 24 * time.Hour

func (statsSource) Checks() []string { return []string{QualityStayOpen, QualityStayDates} }

func (src statsSource) Issues(ctx context.Context, limit int) ([]stats.Issue, error) {
	old := src.s.Clock.Now().UTC().Add(-StayOpenLimit).Format(store.TimeFormat)
	lim := " LIMIT " + strconv.Itoa(limit)
	var out []stats.Issue
	for _, ch := range []struct {
		code, sql string
		args      []any
	}{
		{QualityStayOpen, `SELECT case_id, case_ref FROM stays WHERE discharged_at IS NULL AND admitted_at < $1 ORDER BY case_ref` + lim, []any{old}},
		{QualityStayDates, `SELECT case_id, case_ref FROM stays WHERE discharged_at IS NOT NULL AND discharged_at < admitted_at ORDER BY case_ref` + lim, nil},
	} {
		rows, err := src.s.DB.Read().QueryContext(ctx, ch.sql, ch.args...)
		if err != nil {
			return nil, errs.Internalf("quality %s: %w", ch.code, err)
		}
		for rows.Next() {
			i := stats.Issue{Check: ch.code}
			if err := rows.Scan(&i.CaseID, &i.CaseRef); err != nil {
				rows.Close()
				return nil, errs.Internalf("quality %s: %w", ch.code, err)
			}
			out = append(out, i)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, errs.Internalf("quality %s: %w", ch.code, err)
		}
	}
	return out, nil
}
