package stats

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
)

// Template is a standard report: a versioned list of tables with the
// definitions of what each counts, written out in the document. A change
// to what a report counts is a new version, so two years' figures are
// compared knowingly.
type Template struct {
	Name        string // greta, eurostat, us-tip, nap
	Version     string
	Title       string   // catalogue key
	Definitions []string // catalogue keys "stats.def.*": term = "<key>.term", text = key
	Tables      []TableSpec
}

var (
	statusRegistered   = map[string][]string{"status": {"presumed", "identified"}}
	statusIdentified   = map[string][]string{"status": {"identified"}}
	presumedIdentified = []string{"presumed", "identified"}
)

// Templates are the standard reports, in the order the reports page lists
// them.
var Templates = []Template{
	{Name: "greta", Version: "1", Title: "stats.report.greta",
		Definitions: []string{"stats.def.victims", "stats.def.presumed", "stats.def.identified", "stats.def.child", "stats.def.legal_clocks", "stats.def.admissions"},
		Tables: []TableSpec{
			{Name: "greta_sex", Heading: "stats.table.by_sex_status", Measure: "victims", Rows: "sex", Cols: "status", ColValues: presumedIdentified, Chart: report.BarChart},
			{Name: "greta_age", Heading: "stats.table.by_child_status", Measure: "victims", Rows: "child", Cols: "status", ColValues: presumedIdentified},
			{Name: "greta_citizenship", Heading: "stats.table.by_citizenship_status", Measure: "victims", Rows: "citizenship", Cols: "status", ColValues: presumedIdentified},
			{Name: "greta_exploitation", Heading: "stats.table.by_exploitation_status", Text: "stats.def.exploitation_multi", Measure: "victims", Rows: "exploitation", Cols: "status", ColValues: presumedIdentified, Chart: report.BarChart},
			{Name: "greta_clocks", Heading: "stats.table.legal_clocks", Measure: "legal_clocks", Rows: "clock_kind"},
			{Name: "greta_shelter", Heading: "stats.table.admissions", Measure: "admissions", Rows: "service_type"},
			{Name: "greta_return", Heading: "stats.table.by_stage_registered", Measure: "victims", Rows: "stage", Where: statusRegistered},
		}},
	{Name: "eurostat", Version: "1", Title: "stats.report.eurostat",
		Definitions: []string{"stats.def.registered", "stats.def.eurostat_age", "stats.def.eurostat_citizenship", "stats.def.eurostat_exploitation", "stats.def.exploitation_multi"},
		Tables: []TableSpec{
			{Name: "eurostat_sex_age", Heading: "stats.table.eurostat_sex_age", Measure: "victims", Rows: "age_band", RowGroup: eurostatAge, Cols: "sex", ColGroup: eurostatSex, Where: statusRegistered},
			{Name: "eurostat_citizenship", Heading: "stats.table.eurostat_citizenship", Measure: "victims", Rows: "citizenship", RowGroup: eurostatCitizen, Cols: "sex", ColGroup: eurostatSex, Where: statusRegistered},
			{Name: "eurostat_exploitation", Heading: "stats.table.eurostat_exploitation", Measure: "victims", Rows: "exploitation", RowGroup: eurostatExploit, Cols: "sex", ColGroup: eurostatSex, Where: statusRegistered, Chart: report.BarChart},
		}},
	{Name: "us-tip", Version: "1", Title: "stats.report.us_tip",
		Definitions: []string{"stats.def.identified", "stats.def.presumed", "stats.def.child", "stats.def.referrals", "stats.def.admissions"},
		Tables: []TableSpec{
			{Name: "tip_status", Heading: "stats.table.by_status", Measure: "victims", Rows: "status", Chart: report.BarChart},
			{Name: "tip_identified", Heading: "stats.table.identified_sex_child", Measure: "victims", Rows: "sex", Cols: "child", Where: statusIdentified},
			{Name: "tip_exploitation", Heading: "stats.table.identified_exploitation", Measure: "victims", Rows: "exploitation", Where: statusIdentified},
			{Name: "tip_citizenship", Heading: "stats.table.identified_citizenship", Measure: "victims", Rows: "citizenship", RowGroup: nationalForeign, Where: statusIdentified},
			{Name: "tip_referrals", Heading: "stats.table.referrals", Measure: "referrals", Rows: "service_type"},
			{Name: "tip_shelter", Heading: "stats.table.admissions", Measure: "admissions", Rows: "service_type"},
		}},
	{Name: "nap", Version: "1", Title: "stats.report.nap",
		Definitions: []string{"stats.def.victims", "stats.def.identified", "stats.def.answer_hours", "stats.def.overdue_tasks", "stats.def.occupancy"},
		Tables: []TableSpec{
			{Name: "nap_month", Heading: "stats.table.by_month", Measure: "victims", Rows: "month", Cols: "status", ColValues: presumedIdentified, Chart: report.LineChart},
			{Name: "nap_institution", Heading: "stats.table.by_institution", Measure: "victims", Rows: "institution", Where: statusIdentified},
			{Name: "nap_answer", Heading: "stats.table.answer_hours", Measure: "answer_hours", Rows: "service_type"},
			{Name: "nap_overdue", Heading: "stats.table.overdue_tasks", Measure: "overdue_tasks", Rows: "task_kind"},
			{Name: "nap_occupancy", Heading: "stats.table.occupancy", Measure: "occupancy", Rows: "month", Cols: "beds", Chart: report.LineChart},
		}},
	// The GBVIMS monthly statistics: incidents by the GBVIMS type each
	// month, their context, and the survivors by age group and sex (the
	// GBV capability's source; docs/gbv.md).
	{Name: "gbvims", Version: "1", Title: "stats.report.gbvims",
		Definitions: []string{"stats.def.gbv_incidents", "stats.def.gbv_survivors", "stats.def.gbvims_type"},
		Tables: []TableSpec{
			{Name: "gbvims_month", Heading: "stats.table.gbv_type_month", Measure: "gbv_incidents", Rows: "month", Cols: "gbv_type", Chart: report.LineChart},
			{Name: "gbvims_type", Heading: "stats.table.gbv_types", Measure: "gbv_incidents", Rows: "gbv_type", Chart: report.BarChart},
			{Name: "gbvims_context", Heading: "stats.table.gbv_context", Measure: "gbv_incidents", Rows: "gbv_context", Cols: "gbv_type"},
			{Name: "gbvims_survivors", Heading: "stats.table.gbv_survivors", Measure: "gbv_survivors", Rows: "age_band", Cols: "sex"},
		}},
}

// victimCube is the division of the cases asked once per page or report:
// every table of the cases but those by form of exploitation and by
// identifying institution is summed from it.
var victimCube = map[string][]string{"victims": {"status", "sex", "age_band", "child", "citizenship", "stage", DimMonth}}

// TemplateByName returns the standard report named name.
func TemplateByName(name string) (Template, bool) {
	for _, t := range Templates {
		if t.Name == name {
			return t, true
		}
	}
	return Template{}, false
}

// Protection is how a document's tables are protected.
type Protection = disclosure.Method

// ParseProtection checks a requested protection against the actor: raw
// tables ("none") only for the coordinator's office, and "" means none for
// it and suppression for everyone else.
func ParseProtection(a access.Actor, s string) (Protection, error) {
	raw := CanSeeRaw(a)
	switch disclosure.Method(s) {
	case "":
		if raw {
			return disclosure.None, nil
		}
		return disclosure.Suppress, nil
	case disclosure.None:
		if !raw {
			return "", errs.InvalidField("protection", "stats.protection_raw_forbidden")
		}
		return disclosure.None, nil
	case disclosure.Suppress, disclosure.Round, disclosure.Noise:
		return disclosure.Method(s), nil
	}
	return "", errs.InvalidField("protection", "stats.protection_invalid")
}

// Report is a built standard report: the document and its grids (codes,
// for the JSON answer).
type Report struct {
	Template   Template
	Filter     Filter
	Protection Protection
	Doc        *report.Document
	Grids      []*Grid
}

// BuildReport builds the standard report name over f in language p, with
// protection applied (the actor must be allowed the protection: see
// ParseProtection).
func (s *Service) BuildReport(ctx context.Context, a access.Actor, name string, f Filter, prot Protection, p *i18n.Printer, loc *time.Location) (*Report, error) {
	if err := access.Check(a, access.StatsView); err != nil {
		return nil, err
	}
	if prot == disclosure.None && !CanSeeRaw(a) {
		return nil, errs.InvalidField("protection", "stats.protection_raw_forbidden")
	}
	tpl, ok := TemplateByName(name)
	if !ok {
		return nil, errs.InvalidField("name", "stats.report_unknown")
	}
	doc := &report.Document{
		Title:     p.T(tpl.Title),
		Subtitle:  p.T("stats.report.version", "name", tpl.Name, "version", tpl.Version),
		Period:    PeriodText(p, f),
		Language:  string(p.Lang()),
		Generated: s.Clock.Now(),
		TimeZone:  loc,
		Source:    p.T("stats.source_line"),
		Labels: report.Labels{Definitions: p.T("stats.definitions"), Generated: p.T("stats.generated"),
			Page: p.T("stats.page"), Suppressed: p.T("stats.suppressed"), Notes: p.T("stats.notes")},
	}
	if f.Places() != nil {
		doc.Notes = append(doc.Notes, PlaceText(p, f))
	}
	for _, d := range tpl.Definitions {
		doc.Definitions = append(doc.Definitions, report.Definition{Term: p.T(d + "_term"), Text: p.T(d)})
	}
	r := &Report{Template: tpl, Filter: f, Protection: prot, Doc: doc}
	var releases []disclosure.Release
	b := s.newSession(f, victimCube)
	for _, spec := range tpl.Tables {
		g, err := b.build(ctx, spec, p)
		if err != nil {
			return nil, err
		}
		rel, err := s.protect(ctx, a, tpl.Name, g, prot, tableEpsilon(s.Epsilon, len(tpl.Tables)), doc)
		if err != nil {
			return nil, err
		}
		if rel != nil {
			// The summary was written from the raw table: say only what
			// the protected table shows.
			g.Summary = summary(p, g)
			rel.Period = f.From.Format("2006-01-02") + "/" + f.To.AddDate(0, 1, -1).Format("2006-01-02")
			rel.Year = f.To.Year()
			releases = append(releases, *rel)
		}
		sec := report.Section{Heading: p.T(spec.Heading), Text: g.Summary, Table: g.Table}
		if spec.Text != "" {
			sec.Text = p.T(spec.Text) + " " + g.Summary
		}
		if spec.Chart != "" {
			sec.Chart = &report.Chart{Kind: spec.Chart, Title: sec.Heading}
		}
		doc.Sections = append(doc.Sections, sec)
		r.Grids = append(r.Grids, g)
	}
	if err := s.record(ctx, releases); err != nil {
		return nil, err
	}
	return r, nil
}

// record writes a document's protected tables in the disclosure ledger
// before the document leaves: a release the ledger refuses (the year's
// privacy budget spent, a table already released in another version)
// refuses the whole document.
func (s *Service) record(ctx context.Context, rs []disclosure.Release) error {
	if len(rs) == 0 {
		return nil
	}
	if s.Releases == nil {
		return errs.E(errs.Unavailable, "stats.protection_unavailable")
	}
	if err := s.Releases.Record(ctx, rs); err != nil {
		var de *disclosure.Error
		if errors.As(err, &de) {
			args := map[string]any{}
			for i := 0; i+1 < len(de.Args); i += 2 {
				if k, ok := de.Args[i].(string); ok {
					args[k] = de.Args[i+1]
				}
			}
			return errs.InvalidField("protection", de.Key()).With(args).Wrap(err)
		}
		return err
	}
	return nil
}

// protect applies the protection to a grid's table and returns the release
// to record (nil for a raw table). A table that cannot be protected is never
// shown raw: the error refuses the whole document.
//
// A noisy table is a public release: its ε is the document's ε (the
// service's Epsilon) shared among the document's tables, so one release of
// a report spends Epsilon of its family's yearly budget.
func (s *Service) protect(ctx context.Context, a access.Actor, report string, g *Grid, prot Protection, eps float64, doc *docNotes) (*disclosure.Release, error) {
	if prot == disclosure.None {
		return nil, nil
	}
	pol := disclosure.Policy{Method: prot, K: s.K, Base: 5, Epsilon: eps}
	note, err := disclosure.Protect(&g.Table, pol)
	if err != nil {
		if e := errs.As(err); e.Code != errs.Internal {
			return nil, e
		}
		return nil, errs.E(errs.Unavailable, "stats.protection_unavailable").Wrap(err)
	}
	if note != "" && !slices.Contains(doc.Notes, note) {
		doc.Notes = append(doc.Notes, note)
	}
	audience := disclosure.Analyst
	switch {
	case prot == disclosure.Noise:
		audience = disclosure.Public
	case CanSeeRaw(a):
		audience = disclosure.Office
	}
	return &disclosure.Release{By: a.UserID, Report: report, Table: g.Spec.Name, Audience: audience, Policy: pol}, nil
}

type docNotes = report.Document

// tableEpsilon is one table's share of a document's ε, rounded down to the
// ledger's unit (10⁻⁶), so that the document's tables together never spend
// more than the document's ε.
func tableEpsilon(eps float64, tables int) float64 {
	return math.Floor(eps/float64(tables)*1e6) / 1e6
}

// PeriodText is the period as a reader sees it: "January 2026 – December 2026".
func PeriodText(p *i18n.Printer, f Filter) string {
	return p.T("stats.period_text", "from", monthLabel(p, f.FromMonth()), "to", monthLabel(p, f.ToMonth()))
}

// PlaceText names the region or municipality a document is limited to.
func PlaceText(p *i18n.Printer, f Filter) string {
	if f.Municipality != "" {
		return p.T("stats.place_municipality", "name", f.Municipality)
	}
	return p.T("stats.place_region", "name", p.T("stats.region."+f.Region))
}
