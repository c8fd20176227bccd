package stats

import (
	"context"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// Panel is one table of the dashboard with its chart kind. A panel whose
// table could not be protected has Unavailable set and no table: it is
// never shown raw to a role that may see protected tables only.
type Panel struct {
	ID           string
	Heading      string
	Definition   string
	Summary      string
	Table        report.Table
	Chart        report.ChartKind
	NationalOnly bool
	Unavailable  bool
}

// dashboardSpecs are the dashboard's tables after the year against last.
var dashboardSpecs = []TableSpec{
	{Name: "status", Heading: "stats.table.by_status", Measure: "victims", Rows: "status", Chart: report.BarChart},
	{Name: "sex", Heading: "stats.table.by_sex", Measure: "victims", Rows: "sex", Cols: "status", ColValues: presumedIdentified, Chart: report.BarChart},
	{Name: "age", Heading: "stats.table.by_age", Measure: "victims", Rows: "age_band", Cols: "status", ColValues: presumedIdentified, Chart: report.BarChart},
	{Name: "citizenship", Heading: "stats.table.by_citizenship", Measure: "victims", Rows: "citizenship", Chart: report.BarChart},
	{Name: "exploitation", Heading: "stats.table.by_exploitation", Text: "stats.def.exploitation_multi", Measure: "victims", Rows: "exploitation", Chart: report.BarChart},
	{Name: "institution", Heading: "stats.table.by_institution", Measure: "victims", Rows: "institution", Where: statusIdentified, Chart: report.BarChart},
	{Name: "stages", Heading: "stats.table.open_by_stage", Measure: "open_cases", Rows: "stage", Chart: report.BarChart},
	{Name: "overdue", Heading: "stats.table.overdue_tasks", Measure: "overdue_tasks", Rows: "task_kind", Chart: report.BarChart},
	{Name: "referrals", Heading: "stats.table.referrals", Measure: "referrals", Rows: "service_type", Chart: report.BarChart},
	{Name: "answers", Heading: "stats.table.answer_hours", Measure: "answer_hours", Rows: "service_type", Chart: report.BarChart},
	{Name: "occupancy", Heading: "stats.table.occupancy", Measure: "occupancy", Rows: "month", Cols: "beds", Chart: report.LineChart},
	// Shown when their capability has registered its source.
	{Name: "helpline", Heading: "stats.table.helpline_topics", Measure: "helpline_contacts", Rows: "category", Chart: report.BarChart},
	{Name: "tips", Heading: "stats.table.tips", Measure: "tips", Rows: "state", Chart: report.BarChart},
	{Name: "gbv", Heading: "stats.table.gbv_types", Measure: "gbv_incidents", Rows: "gbv_type", Chart: report.BarChart},
}

// Dashboard builds the coordinator's dashboard over f: the cases
// registered this year against last by month, then every division. The
// actor's role decides the protection: raw for the coordinator's office,
// suppressed for everyone else.
func (s *Service) Dashboard(ctx context.Context, a access.Actor, f Filter, p *i18n.Printer) ([]Panel, error) {
	if err := access.Check(a, access.StatsView); err != nil {
		return nil, err
	}
	prot := disclosure.None
	if !CanSeeRaw(a) {
		prot = disclosure.Suppress
	}
	// The tables are asked one after another: at once on the pool of readers measured
	// slower on two cores (docs/benchmarks.md, "Statistics").
	yoy, err := s.yearOverYear(ctx, f, p)
	if err != nil {
		return nil, err
	}
	out := []Panel{s.panel(yoy, prot, p)}
	// Each panel asks its own division: the sources keep coarse aggregates
	// for them (the case file's by one or two columns, migration 0025),
	// smaller than the whole victim cube the reports sum from.
	b := s.newSession(f, nil)
	for _, spec := range dashboardSpecs {
		if _, ok := s.Sources.Measure(spec.Measure); !ok {
			continue
		}
		g, err := b.build(ctx, spec, p)
		if err != nil {
			return nil, err
		}
		out = append(out, s.panel(g, prot, p))
	}
	return out, nil
}

func (s *Service) panel(g *Grid, prot Protection, p *i18n.Printer) Panel {
	m, _ := s.Sources.Measure(g.Spec.Measure)
	pn := Panel{ID: g.Spec.Name, Heading: p.T(g.Spec.Heading), Summary: g.Summary, Table: g.Table, Chart: g.Spec.Chart,
		NationalOnly: !m.Place, Definition: p.T(m.Definition)}
	if g.Spec.Text != "" {
		pn.Definition += " " + p.T(g.Spec.Text)
	}
	if prot != disclosure.None {
		pol := disclosure.Policy{Method: prot, K: s.K, Base: 5}
		if _, err := disclosure.Protect(&pn.Table, pol); err != nil {
			return Panel{ID: pn.ID, Heading: pn.Heading, Definition: pn.Definition, Unavailable: true, NationalOnly: pn.NationalOnly}
		}
		// The summary was written from the raw table: say only what the
		// protected table shows.
		pn.Summary = summary(p, &Grid{Spec: g.Spec, Kind: g.Kind, Table: pn.Table})
	}
	return pn
}

// yearOverYear is the cases registered in each month of the filter's last
// year and of the year before.
func (s *Service) yearOverYear(ctx context.Context, f Filter, p *i18n.Printer) (*Grid, error) {
	y := f.To.Year()
	span := Filter{From: time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC),
		Region: f.Region, Municipality: f.Municipality}
	rows, err := s.answer(ctx, "victims", []string{DimMonth}, span)
	if err != nil {
		return nil, errs.As(err)
	}
	spec := TableSpec{Name: "year", Heading: "stats.table.year_vs_last", Measure: "victims", Chart: report.LineChart}
	g := &Grid{Spec: spec, Kind: Count, ColCodes: []string{strconv.Itoa(y), strconv.Itoa(y - 1)}}
	g.Values = make([][]float64, 12)
	for i := range g.Values {
		g.Values[i] = make([]float64, 2)
		g.RowCodes = append(g.RowCodes, strconv.Itoa(i+1))
	}
	for _, r := range rows {
		t, err := time.Parse("2006-01", r.Keys[0])
		if err != nil {
			continue
		}
		col := 0
		if t.Year() == y-1 {
			col = 1
		}
		g.Values[t.Month()-1][col] += r.Value
	}
	t := report.Table{Name: spec.Name, Corner: p.T("stats.dim.month"), Columns: []string{g.ColCodes[0], g.ColCodes[1]}}
	for i, row := range g.Values {
		t.Rows = append(t.Rows, p.T("stats.month."+twoDigits(i+1)))
		t.Cells = append(t.Cells, []report.Cell{{Value: row[0]}, {Value: row[1]}})
	}
	t.Rows = append(t.Rows, p.T("stats.total"))
	t.RowTotal = true
	sums := []report.Cell{{}, {}}
	for _, row := range t.Cells {
		sums[0].Value += row[0].Value
		sums[1].Value += row[1].Value
	}
	t.Cells = append(t.Cells, sums)
	g.Table = t
	g.Summary = summary(p, g)
	return g, nil
}

func twoDigits(i int) string {
	if i < 10 {
		return "0" + strconv.Itoa(i)
	}
	return strconv.Itoa(i)
}

// Headline is the coordinator's home figures: cases registered this year
// so far and last year by the same month.
func (s *Service) Headline(ctx context.Context, a access.Actor) (this, last int, err error) {
	if err := access.Check(a, access.StatsView); err != nil {
		return 0, 0, err
	}
	now := s.Clock.Now().UTC()
	m := now.Month()
	for i, y := range []int{now.Year(), now.Year() - 1} {
		f := Filter{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)}
		rows, err := s.answer(ctx, "victims", nil, f)
		if err != nil {
			return 0, 0, err
		}
		n := 0
		for _, r := range rows {
			n += int(r.Value)
		}
		if i == 0 {
			this = n
		} else {
			last = n
		}
	}
	return this, last, nil
}
