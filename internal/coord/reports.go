package coord

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// The coordinator's reports (DOMAIN-2 §2.6), as report.Documents written by
// the one writer (report.WritePDF, WriteXLSX, WriteCSV).
const (
	ReportAnnual    = "annual"    // the annual implementation report of a plan
	ReportQuarterly = "quarterly" // the quarterly coordination report
	ReportTracker   = "tracker"   // the recommendation tracker
	ReportTraining  = "training"  // the training summary of the plan's activities
	ReportMunicipal = "municipal" // the local action-plan monitoring report of a municipality's plan
)

// ReportNames lists the reports in display order.
var ReportNames = []string{ReportAnnual, ReportQuarterly, ReportTracker, ReportTraining, ReportMunicipal}

// Formats are the files a report is written as.
var Formats = []string{"pdf", "xlsx", "csv"}

// ReportData is what a plan's reports are made of.
type ReportData struct {
	Plan    *Plan
	Reports []*Progress
	Tracker *Tracker
	Today   string
}

// Document builds report name for the plan, for period (a year "2026" for
// the annual report, a quarter "2026-Q2" for the quarterly one; ignored by
// the tracker), in language l.
func (s *Service) Document(ctx context.Context, actor access.Actor, planID, name, period string, l i18n.Lang) (*report.Document, error) {
	p, err := s.Plan(ctx, actor, planID)
	if err != nil {
		return nil, err
	}
	q := s.DB.Read()
	rs, err := reports(ctx, q, planID)
	if err != nil {
		return nil, err
	}
	d := &ReportData{Plan: p, Reports: rs, Today: s.today()}
	var doc *report.Document
	switch name {
	case ReportAnnual:
		y, err := strconv.Atoi(strings.TrimSpace(period))
		if err != nil || !contains(yearsOf(p), strconv.Itoa(y)) {
			return nil, errs.InvalidField("period", "coord.year_outside")
		}
		doc = AnnualReport(d, y, l)
	case ReportQuarterly, ReportMunicipal:
		qq, ok := ParseQuarter(period)
		inPlan := false
		for _, pq := range p.Quarters() {
			inPlan = inPlan || pq == qq
		}
		if !ok || !inPlan {
			return nil, errs.InvalidField("period", "coord.period_outside").With(map[string]any{"start": p.Start, "end": p.End})
		}
		if name == ReportMunicipal {
			doc = MunicipalReport(d, qq, l)
		} else {
			doc = QuarterlyReport(d, qq, l)
		}
	case ReportTracker:
		if d.Tracker, err = tracker(ctx, q); err != nil {
			return nil, err
		}
		doc = TrackerReport(d, l)
	case ReportTraining:
		ts, _, err := s.trainings(ctx, q, false, planID)
		if err != nil {
			return nil, err
		}
		doc = TrainingSummary(p, ts, l)
	default:
		return nil, errs.E(errs.NotFound, "coord.not_found")
	}
	doc.Generated = s.now()
	return doc, nil
}

// Write writes a document in a format (pdf, xlsx, csv).
func Write(w io.Writer, d *report.Document, format string) error {
	switch format {
	case "pdf":
		return report.WritePDF(w, d)
	case "xlsx":
		return report.WriteXLSX(w, d)
	case "csv":
		return report.WriteCSV(w, d)
	}
	return errs.E(errs.NotFound, "coord.not_found")
}

func yearsOf(p *Plan) []string {
	var out []string
	for _, y := range p.Years() {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

func num(v float64) report.Cell { return report.Cell{Value: v} }

// latestIn returns each activity's latest report with a period up to last
// (a quarter string; "" for every report).
func latestIn(rs []*Progress, from, last string) map[string]*Progress {
	out := map[string]*Progress{}
	for _, r := range rs {
		if (last != "" && r.Period > last) || r.Period < from {
			continue
		}
		if l := out[r.ActivityID]; l == nil || r.Period > l.Period {
			out[r.ActivityID] = r
		}
	}
	return out
}

func label(a *Activity) string { return a.Code + " " + a.Description }

// AnnualReport is the annual implementation report of the plan for year y:
// implementation by objective, the status of every activity, the
// indicators against their targets, the budget executed against the plan,
// and the institutions that did not report.
func AnnualReport(d *ReportData, y int, l i18n.Lang) *report.Document {
	p := d.Plan
	t := i18n.For(l).T
	doc := baseDocument(p, l, t("coord.report.annual")+" "+strconv.Itoa(y))
	from, to := strconv.Itoa(y)+"-Q1", strconv.Itoa(y)+"-Q4"
	latest := latestIn(d.Reports, "", to)
	spent := map[string]int64{}
	reportedIn := map[string]bool{}
	for _, r := range d.Reports {
		if r.Period >= from && r.Period <= to {
			spent[r.ActivityID] += r.ExpenditureEUR
			reportedIn[r.ActivityID] = true
		}
	}
	// By objective.
	objT := report.Table{Name: t("coord.report.by_objective"), Corner: t("coord.col.objective"),
		Columns: []string{t("coord.report.activities"), t("coord.status.completed"), t("coord.report.mean_percent"),
			t("coord.report.planned_eur"), t("coord.report.spent_eur")}}
	var totAct, totDone, totPct, totPlan, totSpent float64
	for _, o := range p.Objectives {
		var n, done, pct, plan, sp float64
		for _, a := range p.Activities {
			if a.ObjectiveID != o.ID {
				continue
			}
			n++
			plan += float64(a.CostEUR)
			sp += float64(spent[a.ID])
			if r := latest[a.ID]; r != nil {
				pct += float64(r.Percent)
				if r.Status == "completed" {
					done++
				}
			}
		}
		mean := 0.0
		if n > 0 {
			mean = pct / n
		}
		objT.Rows = append(objT.Rows, o.Code+" "+o.Title)
		objT.Cells = append(objT.Cells, []report.Cell{num(n), num(done), {Value: mean, Decimals: 1}, num(plan), num(sp)})
		totAct, totDone, totPct, totPlan, totSpent = totAct+n, totDone+done, totPct+pct, totPlan+plan, totSpent+sp
	}
	mean := 0.0
	if totAct > 0 {
		mean = totPct / totAct
	}
	objT.Rows = append(objT.Rows, t("coord.report.total"))
	objT.Cells = append(objT.Cells, []report.Cell{num(totAct), num(totDone), {Value: mean, Decimals: 1}, num(totPlan), num(totSpent)})
	objT.RowTotal = true
	// Activities.
	actT := report.Table{Name: t("coord.sheet.activities"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.lead"), t("coord.col.deadline"), t("coord.col.status"), t("coord.col.percent"),
			t("coord.report.planned_eur"), t("coord.report.spent_eur")}}
	for _, a := range p.Activities {
		status, pct := t("coord.report.no_report"), 0.0
		if r := latest[a.ID]; r != nil {
			status, pct = t("coord.status."+r.Status), float64(r.Percent)
		}
		actT.Rows = append(actT.Rows, label(a))
		actT.Cells = append(actT.Cells, []report.Cell{textCell(a.Lead.Name), textCell(a.Deadline), textCell(status), num(pct),
			num(float64(a.CostEUR)), num(float64(spent[a.ID]))})
	}
	// Indicators.
	indT := report.Table{Name: t("coord.sheet.indicators"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.baseline"), t("coord.col.target") + " " + strconv.Itoa(y), t("coord.report.value") + " " + strconv.Itoa(y),
			t("coord.report.how")}}
	var defs []report.Definition
	for _, i := range p.Indicators {
		c := indicatorCellsOf(t, i, y, &defs)
		indT.Rows = append(indT.Rows, i.Code+" "+i.Name)
		indT.Cells = append(indT.Cells, []report.Cell{c.base, c.target, c.value, c.how})
	}
	// Institutions not reporting in the year (on activities due in or after it).
	missing := map[string]int{}
	names := map[string]string{}
	for _, a := range p.Activities {
		if a.Due < strconv.Itoa(y)+"-01-01" || reportedIn[a.ID] {
			continue
		}
		if r := latest[a.ID]; r != nil && (r.Status == "completed" || r.Status == "cancelled") {
			continue
		}
		missing[a.Lead.ID]++
		names[a.Lead.ID] = a.Lead.Name
	}
	var ids []string
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return names[ids[i]] < names[ids[j]] })
	notT := report.Table{Name: t("coord.report.not_reporting"), Corner: t("coord.col.lead"), Columns: []string{t("coord.report.activities")}}
	for _, id := range ids {
		notT.Rows = append(notT.Rows, names[id])
		notT.Cells = append(notT.Cells, []report.Cell{num(float64(missing[id]))})
	}
	doc.Definitions = append(defs, report.Definition{Term: t("coord.col.percent"), Text: t("coord.report.def_percent")})
	doc.Sections = []report.Section{
		{Heading: t("coord.report.by_objective"), Table: objT},
		{Heading: t("coord.sheet.activities"), Table: actT},
		{Heading: t("coord.sheet.indicators"), Table: indT},
		{Heading: t("coord.report.not_reporting"), Text: t("coord.report.not_reporting_text"), Table: notT},
	}
	return doc
}

// QuarterlyReport is the quarterly coordination report: status changes
// since the quarter before, deadlines of the next quarter, overdue activities.
func QuarterlyReport(d *ReportData, q Quarter, l i18n.Lang) *report.Document {
	p := d.Plan
	t := i18n.For(l).T
	doc := baseDocument(p, l, t("coord.report.quarterly")+" "+q.String())
	prev := Quarter{q.Year, q.Q - 1}
	if q.Q == 1 {
		prev = Quarter{q.Year - 1, 4}
	}
	now := latestIn(d.Reports, "", q.String())
	before := latestIn(d.Reports, "", prev.String())
	status := func(r *Progress) string {
		if r == nil {
			return t("coord.report.no_report")
		}
		return t("coord.status." + r.Status)
	}
	chg := report.Table{Name: t("coord.report.changes"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.lead"), t("coord.report.before"), t("coord.report.now"), t("coord.col.percent")}}
	for _, a := range p.Activities {
		r := now[a.ID]
		if r == nil || r.Period != q.String() {
			continue
		}
		chg.Rows = append(chg.Rows, label(a))
		chg.Cells = append(chg.Cells, []report.Cell{textCell(a.Lead.Name), textCell(status(before[a.ID])), textCell(status(r)), num(float64(r.Percent))})
	}
	next := Quarter{q.Year, q.Q + 1}
	if q.Q == 4 {
		next = Quarter{q.Year + 1, 1}
	}
	up := report.Table{Name: t("coord.report.upcoming"), Corner: t("coord.col.code"), Columns: []string{t("coord.col.lead"), t("coord.col.deadline")}}
	over := report.Table{Name: t("coord.report.overdue"), Corner: t("coord.col.code"),
		Columns: []string{t("coord.col.lead"), t("coord.col.deadline"), t("coord.col.status")}}
	end := q.End().Format(dateLayout)
	for _, a := range p.Activities {
		if a.Due >= next.Start().Format(dateLayout) && a.Due <= next.End().Format(dateLayout) {
			up.Rows = append(up.Rows, label(a))
			up.Cells = append(up.Cells, []report.Cell{textCell(a.Lead.Name), textCell(a.Deadline)})
		}
		a2 := *a
		a2.Latest = now[a.ID]
		if a2.Overdue(end) && a.Due <= end {
			over.Rows = append(over.Rows, label(a))
			over.Cells = append(over.Cells, []report.Cell{textCell(a.Lead.Name), textCell(a.Deadline), textCell(status(now[a.ID]))})
		}
	}
	doc.Sections = []report.Section{
		{Heading: t("coord.report.changes"), Table: chg},
		{Heading: t("coord.report.upcoming"), Table: up},
		{Heading: t("coord.report.overdue"), Table: over},
	}
	return doc
}

// TrackerReport is the recommendation tracker: every recommendation with
// its follow-up status and the activities answering it.
func TrackerReport(d *ReportData, l i18n.Lang) *report.Document {
	t := i18n.For(l).T
	doc := baseDocument(d.Plan, l, t("coord.report.tracker"))
	tab := report.Table{Name: t("coord.report.tracker"), Corner: t("coord.col.recommendation"),
		Columns: []string{t("coord.col.assessment"), t("coord.col.follow_up"), t("coord.sheet.activities"), t("coord.report.activities")}}
	for _, a := range d.Tracker.Assessments {
		for _, r := range a.Recommendations {
			var codes []string
			for _, la := range r.Activities {
				codes = append(codes, la.Code)
			}
			name := r.Body
			if r.Code != "" {
				name = r.Code + " " + r.Body
			}
			tab.Rows = append(tab.Rows, name)
			tab.Cells = append(tab.Cells, []report.Cell{textCell(t("coord.issuer."+a.Issuer) + " " + strconv.Itoa(a.Year)),
				textCell(t("coord.follow_up." + r.FollowUp)), textCell(strings.Join(codes, ", ")), num(float64(len(codes)))})
		}
	}
	doc.Sections = []report.Section{{Heading: t("coord.report.tracker"), Text: t("coord.report.tracker_text",
		"unanswered", len(d.Tracker.Unanswered), "several", len(d.Tracker.Several)), Table: tab}}
	return doc
}

// indicatorCells are one indicator's cells in a report of year y.
type indicatorCells struct {
	base, target, value, share, how report.Cell
}

// indicatorCellsOf gives an indicator's baseline, the year's target and
// value, the share of the target reached (when both are known), and how the
// value is obtained; a computed indicator's definition is added to defs.
func indicatorCellsOf(t func(string, ...any) string, i *Indicator, y int, defs *[]report.Definition) indicatorCells {
	cell := func(v float64, ok bool) report.Cell {
		if !ok {
			return textCell("")
		}
		return report.Cell{Value: v, Decimals: decimals(v)}
	}
	c := indicatorCells{base: textCell(""), share: textCell("")}
	if i.Baseline != nil {
		c.base = cell(*i.Baseline, true)
	}
	tv, tok := i.Targets[y]
	vv, vok := i.Values[y]
	c.target, c.value = cell(tv, tok), cell(vv, vok)
	if tok && vok && tv != 0 {
		c.share = report.Cell{Value: 100 * vv / tv, Decimals: 1}
	}
	how := t("coord.report.typed")
	if i.Computed() {
		how = t("coord.report.computed")
		if i.Definition != "" {
			*defs = append(*defs, report.Definition{Term: i.Code + " " + i.Name, Text: t(i.Definition)})
		}
	}
	c.how = textCell(how)
	return c
}
