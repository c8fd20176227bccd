package grants

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/report"
)

// EvaluationReport is the call's evaluation report (PRAG): the grid, and
// the ranking with each criterion's average, the weighted total, the
// evaluators counted, and the outcome, as a Document for the one writer.
func (s *Service) EvaluationReport(ctx context.Context, actor access.Actor, callID, lang string, t Translate) (*report.Document, error) {
	c, ranked, err := s.Ranking(ctx, actor, callID)
	if err != nil {
		return nil, err
	}
	doc := &report.Document{
		Title:     t("grants.report.title", "reference", c.Reference),
		Subtitle:  c.Title,
		Language:  lang,
		Generated: s.Clock.Now(),
		TimeZone:  s.loc(),
		Source:    t("grants.report.source"),
		Labels: report.Labels{Definitions: t("stats.definitions"), Generated: t("stats.generated"), Page: t("stats.page"),
			Suppressed: t("stats.suppressed"), Notes: t("stats.notes")},
	}
	for _, k := range c.Criteria {
		doc.Definitions = append(doc.Definitions, report.Definition{Term: k.Label,
			Text: t("grants.report.criterion", "max", k.Max, "weight", k.Weight, "min", k.EliminatoryMin)})
	}
	grid := report.Table{Name: "ranking", Corner: t("grants.application")}
	for _, k := range c.Criteria {
		grid.Columns = append(grid.Columns, k.Label)
	}
	grid.Columns = append(grid.Columns, t("grants.total_score"), t("grants.rank"), t("grants.evaluators"))
	for _, r := range ranked {
		name := r.App.OrgName + " — " + r.App.Title + " (" + t("grants.app_state."+outcome(c, r)) + ")"
		grid.Rows = append(grid.Rows, name)
		row := make([]report.Cell, 0, len(grid.Columns))
		for _, k := range c.Criteria {
			row = append(row, report.Cell{Value: r.Averages[k.Code], Decimals: 2})
		}
		row = append(row, report.Cell{Value: r.Total, Decimals: 2}, report.Cell{Value: float64(r.Rank)},
			report.Cell{Value: float64(r.Evaluators)})
		grid.Cells = append(grid.Cells, row)
	}
	doc.Sections = append(doc.Sections, report.Section{Heading: t("grants.ranking"), Text: t("grants.report.summary",
		"count", len(ranked)), Table: grid})
	return doc, nil
}

// outcome is the state shown for a ranked application: its stored state
// after the award, the ranking's verdict before it.
func outcome(c *Call, r *Ranked) string {
	if c.Status == CallAwarded {
		return r.App.Status
	}
	switch {
	case r.Evaluators == 0:
		return "not_scored"
	case r.Eliminated:
		return AppEliminated
	}
	return "ranked"
}

// Outcome is outcome for pages.
func Outcome(c *Call, r *Ranked) string { return outcome(c, r) }
