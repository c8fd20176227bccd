package referral

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// The time to an answer, kept (migration 0025): referral_answer_hours
// counts the answered referrals of each month by service type and by the
// hours to the answer in tenths, the resolution the median is shown at.
// A referral is counted in the transaction of its answer (countAnswer),
// with the very expression the count from the referrals uses, so the
// median read from the histogram is the median read from the referrals
// (TestAnswerHoursKeptEqualRaw); the dashboard reads some thousand small
// rows a year instead of the year's referrals.

// answerTenths is the SQL of a referral's hours to its answer in tenths.
func answerTenths(e store.Engine) string {
	return "CAST(ROUND(" + store.HoursBetween(e, "created_at", "answered_at") + " * 10) AS INTEGER)"
}

// countAnswer counts referral id, just answered in tx, in the histogram.
func countAnswer(ctx context.Context, tx *store.Tx, e store.Engine, id string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO referral_answer_hours (created_month, service_type, tenths, n)
		SELECT SUBSTR(created_at, 1, 7), service_type, `+answerTenths(e)+`, 1 FROM referrals
		WHERE id = $1 AND answered_at IS NOT NULL
		ON CONFLICT (created_month, service_type, tenths) DO UPDATE SET n = referral_answer_hours.n + 1`, id); err != nil {
		return errs.Internalf("answer hours: %w", err)
	}
	return nil
}

// RecountAnswerHours rebuilds the histogram from the referrals: the bulk
// generator, which writes referrals directly, calls it when it is done.
func RecountAnswerHours(ctx context.Context, tx *store.Tx, e store.Engine) error {
	t := answerTenths(e)
	for _, q := range []string{`DELETE FROM referral_answer_hours`,
		`INSERT INTO referral_answer_hours (created_month, service_type, tenths, n)
		SELECT SUBSTR(created_at, 1, 7), service_type, ` + t + `, COUNT(*) FROM referrals WHERE answered_at IS NOT NULL
		GROUP BY SUBSTR(created_at, 1, 7), service_type, ` + t} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Internalf("recount answer hours: %w", err)
		}
	}
	return nil
}

// answerHours is answerHoursRaw read from the histogram.
func (src statsSource) answerHours(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	for _, d := range q.By {
		if d != "service_type" && d != stats.DimMonth {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
	}
	rows, err := src.s.DB.Read().QueryContext(ctx, `SELECT created_month, service_type, tenths, n FROM referral_answer_hours
		WHERE created_month >= $1 AND created_month <= $2`, q.From, q.To)
	if err != nil {
		return nil, errs.Internalf("answer hours: %w", err)
	}
	defer rows.Close()
	var h medians
	var month, typ string
	var tenths, n int64
	for rows.Next() {
		if err := rows.Scan(&month, &typ, &tenths, &n); err != nil {
			return nil, errs.Internalf("answer hours: %w", err)
		}
		keys := make([]string, len(q.By))
		for i, d := range q.By {
			if d == stats.DimMonth {
				keys[i] = month
			} else {
				keys[i] = typ
			}
		}
		h.add(keys, tenths, n)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("answer hours: %w", err)
	}
	return h.rows(), nil
}

// medians gathers counts of answers by tenth of an hour per group of
// dimension values, in the order the groups first appear, and gives each
// group's median in hours.
type medians struct {
	groups map[string]*medianGroup
	order  []string
}

type medianGroup struct {
	keys   []string
	counts map[int64]int64
}

func (m *medians) add(keys []string, tenths, n int64) {
	if m.groups == nil {
		m.groups = map[string]*medianGroup{}
	}
	k := strings.Join(keys, "\x00")
	g := m.groups[k]
	if g == nil {
		g = &medianGroup{keys: keys, counts: map[int64]int64{}}
		m.groups[k] = g
		m.order = append(m.order, k)
	}
	g.counts[tenths] += n
}

func (m *medians) rows() []stats.Row {
	var out []stats.Row
	for _, k := range m.order {
		out = append(out, stats.Row{Keys: m.groups[k].keys, Value: medianOf(m.groups[k].counts) / 10})
	}
	return out
}

// RawStatsSource is referral's statistics with the time to an answer read
// from the referrals themselves: for the tests that prove the histogram
// answers exactly the same.
func (s *Service) RawStatsSource() stats.Source { return rawStatsSource{statsSource{s}} }

type rawStatsSource struct{ statsSource }

func (src rawStatsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	if q.Measure != MeasureAnswerHours {
		return src.statsSource.Answer(ctx, q)
	}
	lo, hi, err := stats.MonthBounds(q.From, q.To)
	if err != nil {
		return nil, err
	}
	return src.answerHoursRaw(ctx, q, lo, hi)
}
