package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// Counts for the home pages: how many cases stand in each stage and how
// many were opened in each year, without any record. The coordinator and
// the analyst see them for every case (case.stats); the counts come from
// the indexes on (stage, updated_at) and opened_month alone.

// CountByStage returns how many cases stand in each stage.
func (s *Service) CountByStage(ctx context.Context, actor access.Actor) (map[Stage]int, error) {
	if err := access.Check(actor, access.CaseStats); err != nil {
		return nil, err
	}
	out := map[Stage]int{}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT stage, COUNT(*) FROM cases GROUP BY stage`)
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
	// By month, in the order of the index on opened_month (no sort of
	// every case), summed into years here.
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT opened_month, COUNT(*) FROM cases GROUP BY opened_month ORDER BY opened_month DESC`)
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
