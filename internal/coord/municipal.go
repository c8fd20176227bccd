package coord

import (
	"strconv"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// MunicipalReport is the local action-plan monitoring report of a
// municipality's plan for quarter q (DOMAIN-2 §2.6, report 6, the one civil
// society feeds into its coalition reports): every activity with its status,
// implementation and expenditure up to the quarter; the indicators against
// the year's targets; and the late reports — activities of the quarter on
// which the lead institution had not reported by the reports' due day.
func MunicipalReport(d *ReportData, q Quarter, l i18n.Lang) *report.Document {
	p := d.Plan
	t := i18n.For(l).T
	doc := baseDocument(p, l, t("coord.report.municipal")+" "+q.String())
	latest := latestIn(d.Reports, "", q.String())
	spent := map[string]int64{}
	inQuarter := map[string]bool{}
	for _, r := range d.Reports {
		if r.Period <= q.String() {
			spent[r.ActivityID] += r.ExpenditureEUR
		}
		if r.Period == q.String() {
			inQuarter[r.ActivityID] = true
		}
	}
	actT := report.Table{Name: t("coord.sheet.activities"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.lead"), t("coord.col.deadline"), t("coord.col.status"), t("coord.col.percent"),
			t("coord.report.planned_eur"), t("coord.report.spent_eur")}}
	var totPlan, totSpent, totPct float64
	for _, a := range p.Activities {
		status, pct := t("coord.report.no_report"), 0.0
		if r := latest[a.ID]; r != nil {
			status, pct = t("coord.status."+r.Status), float64(r.Percent)
		}
		actT.Rows = append(actT.Rows, label(a))
		actT.Cells = append(actT.Cells, []report.Cell{textCell(a.Lead.Name), textCell(a.Deadline), textCell(status), num(pct),
			num(float64(a.CostEUR)), num(float64(spent[a.ID]))})
		totPlan, totSpent, totPct = totPlan+float64(a.CostEUR), totSpent+float64(spent[a.ID]), totPct+pct
	}
	if n := len(p.Activities); n > 0 {
		actT.Rows = append(actT.Rows, t("coord.report.total"))
		actT.Cells = append(actT.Cells, []report.Cell{textCell(""), textCell(""), textCell(""), {Value: totPct / float64(n), Decimals: 1},
			num(totPlan), num(totSpent)})
		actT.RowTotal = true
	}
	y := q.Year
	indT := report.Table{Name: t("coord.sheet.indicators"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.unit"), t("coord.col.baseline"), t("coord.col.target") + " " + strconv.Itoa(y),
			t("coord.report.value") + " " + strconv.Itoa(y), t("coord.report.of_target"), t("coord.report.how")}}
	var defs []report.Definition
	for _, i := range p.Indicators {
		c := indicatorCellsOf(t, i, y, &defs)
		indT.Rows = append(indT.Rows, i.Code+" "+i.Name)
		indT.Cells = append(indT.Cells, []report.Cell{textCell(i.Unit), c.base, c.target, c.value, c.share, c.how})
	}
	// Late reports: an activity running in the quarter (not yet due before
	// it began, not completed or cancelled before it) with no report for the
	// quarter once the reports were due.
	due := q.Due().Format(dateLayout)
	lateT := report.Table{Name: t("coord.report.late"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.lead"), t("coord.col.deadline"), t("coord.report.due_by")}}
	if d.Today > due {
		before := latestIn(d.Reports, "", prevQuarter(q).String())
		for _, a := range p.Activities {
			if a.Due < q.Start().Format(dateLayout) || inQuarter[a.ID] {
				continue
			}
			if r := before[a.ID]; r != nil && (r.Status == "completed" || r.Status == "cancelled") {
				continue
			}
			lateT.Rows = append(lateT.Rows, label(a))
			lateT.Cells = append(lateT.Cells, []report.Cell{textCell(a.Lead.Name), textCell(a.Deadline), textCell(due)})
		}
	}
	doc.Definitions = append(defs, report.Definition{Term: t("coord.col.percent"), Text: t("coord.report.def_percent")},
		report.Definition{Term: t("coord.report.late"), Text: t("coord.report.def_late", "days", ReportGraceDays)})
	doc.Sections = []report.Section{
		{Heading: t("coord.sheet.activities"), Table: actT},
		{Heading: t("coord.sheet.indicators"), Table: indT},
		{Heading: t("coord.report.late"), Table: lateT},
	}
	return doc
}

func prevQuarter(q Quarter) Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}
