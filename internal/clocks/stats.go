package clocks

import (
	"context"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// The clocks' contribution to the statistics (internal/stats): overdue
// tasks by kind, and the legal clocks started in a period (reflection
// periods granted, residence permits issued), from the clocks' own tables.

// The clocks' measures.
const (
	MeasureOverdue     = "overdue_tasks" // open tasks past their due time, now
	MeasureLegalClocks = "legal_clocks"  // reflection periods and residence permits started in the period
)

var (
	dimTaskKind  = stats.Dimension{Name: "task_kind", Label: "task.kind_label", ValueKey: "task.kind.", Values: kindCodes()}
	dimClockKind = stats.Dimension{Name: "clock_kind", Label: "stats.dim.clock_kind", ValueKey: "stats.clock.",
		Values: []string{"reflection", "residence_permit"}}
)

func kindCodes() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
}

// StatsSource returns the clocks' statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

func (statsSource) Measures() []stats.Measure {
	return []stats.Measure{
		{Name: MeasureOverdue, Label: "stats.measure.overdue_tasks", Kind: stats.Count,
			Definition: "stats.def.overdue_tasks", Dims: []stats.Dimension{dimTaskKind}},
		{Name: MeasureLegalClocks, Label: "stats.measure.legal_clocks", Kind: stats.Count, Period: true,
			Definition: "stats.def.legal_clocks", Dims: []stats.Dimension{dimClockKind}},
	}
}

func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	db := src.s.DB.Read()
	switch q.Measure {
	case MeasureOverdue:
		cols, err := stats.Columns(q.By, map[string]string{"task_kind": "kind"})
		if err != nil {
			return nil, err
		}
		now := src.s.Clock.Now().UTC().Format(store.TimeFormat)
		return stats.GroupCount(ctx, db, "tasks", cols, []string{"done_at IS NULL", "due_at < $1"}, []any{now})
	case MeasureLegalClocks:
		cols, err := stats.Columns(q.By, map[string]string{"clock_kind": "kind", stats.DimMonth: "SUBSTR(starts_on, 1, 7)"})
		if err != nil {
			return nil, err
		}
		if _, err := time.Parse("2006-01", q.From); err != nil {
			return nil, errs.InvalidField("from", "stats.period_invalid")
		}
		return stats.GroupCount(ctx, db, "case_clocks", cols, []string{"starts_on >= $1", "starts_on < $2"},
			[]any{q.From + "-01", q.To + "-32"})
	}
	return nil, errs.InvalidField("measure", "stats.measure_unknown")
}

// QualityGuardianOverdue: a child whose guardian-appointment task is open
// past its due time.
const QualityGuardianOverdue = "guardian_task_overdue"

func (statsSource) Checks() []string { return []string{QualityGuardianOverdue} }

func (src statsSource) Issues(ctx context.Context, limit int) ([]stats.Issue, error) {
	now := src.s.Clock.Now().UTC().Format(store.TimeFormat)
	rows, err := src.s.DB.Read().QueryContext(ctx, `SELECT DISTINCT case_id, case_ref FROM tasks
		WHERE kind = $1 AND done_at IS NULL AND due_at < $2 ORDER BY case_ref LIMIT `+strconv.Itoa(limit), string(GuardianAppointment), now)
	if err != nil {
		return nil, errs.Internalf("quality %s: %w", QualityGuardianOverdue, err)
	}
	defer rows.Close()
	var out []stats.Issue
	for rows.Next() {
		i := stats.Issue{Check: QualityGuardianOverdue}
		if err := rows.Scan(&i.CaseID, &i.CaseRef); err != nil {
			return nil, errs.Internalf("quality %s: %w", QualityGuardianOverdue, err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}
