package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// Counts for the home pages: how many cases stand in each stage and how
// many were opened in each year, without any record. The coordinator and
// the analyst see them for every case (case.stats); the counts come from
// the case file's kept counts (case_stage_counts and the 'total' division
// of case_month_divisions, migration 0025, moved in the transaction of
// every change), a few hundred rows instead of an index of every case: at a
// million cases counting the index took most of a second on each home page
// of a coordinator (docs/benchmarks.md, "Scale").

// CountByStage returns how many cases stand in each stage.
func (s *Service) CountByStage(ctx context.Context, actor access.Actor) (map[Stage]int, error) {
	if err := access.Check(actor, access.CaseStats); err != nil {
		return nil, err
	}
	out := map[Stage]int{}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT stage, SUM(n) FROM case_stage_counts GROUP BY stage HAVING SUM(n) > 0`)
	if err != nil {
		return nil, errs.Internalf("count by stage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, errs.Internalf("count by stage: %w", err)
		}
		out[Stage(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("count by stage: %w", err)
	}
	return out, nil
}

// YearCount is how many cases were opened in one year.
type YearCount struct {
	Year  string
	Cases int
}

// CountByYear returns how many cases were opened in each year, the newest
// year first.
func (s *Service) CountByYear(ctx context.Context, actor access.Actor) ([]YearCount, error) {
	if err := access.Check(actor, access.CaseStats); err != nil {
		return nil, err
	}
	// By month (the kept totals of each month and municipality), summed
	// into years here.
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT opened_month, SUM(n) FROM case_month_divisions WHERE division = 'total'
		GROUP BY opened_month HAVING SUM(n) > 0 ORDER BY opened_month DESC`)
	if err != nil {
		return nil, errs.Internalf("count by year: %w", err)
	}
	defer rows.Close()
	var out []YearCount
	for rows.Next() {
		var month string
		var n int
		if err := rows.Scan(&month, &n); err != nil {
			return nil, errs.Internalf("count by year: %w", err)
		}
		y := month
		if len(y) > 4 {
			y = y[:4]
		}
		if len(out) == 0 || out[len(out)-1].Year != y {
			out = append(out, YearCount{Year: y})
		}
		out[len(out)-1].Cases += n
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("count by year: %w", err)
	}
	return out, nil
}

// CountOpenedSince returns how many cases opened from the month from
// (YYYY-MM) on now have the victim status st, every case counted, from the
// kept counts (the 'status' division of case_month_divisions).
func (s *Service) CountOpenedSince(ctx context.Context, actor access.Actor, st Status, from string) (int, error) {
	if err := access.Check(actor, access.CaseStats); err != nil {
		return 0, err
	}
	if !monthRE.MatchString(from) {
		return 0, errs.InvalidField("opened", "case.month_invalid")
	}
	var n int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(n), 0) FROM case_month_divisions
		WHERE division = 'status' AND v1 = $1 AND opened_month >= $2`, string(st), from).Scan(&n); err != nil {
		return 0, errs.Internalf("count opened since: %w", err)
	}
	return n, nil
}
