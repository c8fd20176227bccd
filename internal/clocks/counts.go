package clocks

import (
	"context"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// MaxTaskCases bounds the cases OpenTaskCases returns.
const MaxTaskCases = 5000

// OpenTaskCases returns the cases that have an open task of kind, whoever
// it is assigned to: the children whose guardian is not appointed yet are
// the child cases with an open guardian-appointment task. Only the cases'
// ids leave this package; the case list keeps those the actor may see.
func (s *Service) OpenTaskCases(ctx context.Context, actor access.Actor, kind Kind) ([]string, error) {
	if err := access.Check(actor, access.TaskView); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT DISTINCT case_id FROM tasks
		WHERE kind = $1 AND done_at IS NULL ORDER BY case_id LIMIT `+strconv.Itoa(MaxTaskCases), string(kind))
	if err != nil {
		return nil, errs.Internalf("open task cases: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("open task cases: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("open task cases: %w", err)
	}
	return out, nil
}
