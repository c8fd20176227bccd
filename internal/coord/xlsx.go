package coord

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/store"
)

// A plan travels as a workbook of three sheets, the form ministries keep:
// Objectives, Activities and Indicators. Row 1 of each holds the column
// headings (in any of Ura's languages: the headings of Ura's own export, so
// an exported plan imports again); each following row is one item, until
// the first empty row. Code lists (pillar, funding, level, …) are given by
// their code or their label in any language; institutions by their name;
// an indicator's targets are columns headed "Target 2025", "Target 2026"….

// The sheets and their columns (catalogue "coord.col.<column>").
var sheetColumns = map[string][]string{
	"objectives": {"code", "kind", "pillar", "title"},
	"activities": {"code", "objective", "description", "output", "lead", "support", "deadline", "cost", "funding", "budget_programme"},
	"indicators": {"code", "objective", "name", "level", "unit", "baseline", "baseline_year", "disaggregation", "source", "measure", "filter"},
}

var sheetOrder = []string{"objectives", "activities", "indicators"}

// RowError is one broken row of an imported workbook.
type RowError struct {
	Sheet string // objectives, activities, indicators, or "" for the workbook
	Row   int    // 1-based, as the spreadsheet shows it
	Field string
	Key   string // catalogue key of the message
	Args  map[string]any
}

// Sheet is the rows read from one sheet: values by column code, and the
// targets by year for indicators.
type Sheet struct {
	Rows []Row
}

// Row is one data row of a sheet.
type Row struct {
	N       int
	Values  map[string]string
	Targets map[string]string
}

// Workbook is what ParseWorkbook read.
type Workbook struct {
	Sheets map[string]*Sheet
}

// MaxImportRows bounds the rows of one sheet.
const MaxImportRows = 5000

var targetHead = regexp.MustCompile(`(\d{4})\s*$`)

// headings maps a normalised heading in any language to its column code.
var headings = func() map[string]string {
	m := map[string]string{}
	for _, l := range i18n.Supported {
		p := i18n.For(l)
		for _, cols := range sheetColumns {
			for _, c := range cols {
				m[norm(p.T("coord.col."+c))] = c
			}
		}
		for _, s := range sheetOrder {
			m["sheet:"+norm(p.T("coord.sheet."+s))] = s
		}
		m["target:"+norm(p.T("coord.col.target"))] = "target"
	}
	for _, cols := range sheetColumns {
		for _, c := range cols {
			m[norm(c)] = c
		}
	}
	for _, s := range sheetOrder {
		m["sheet:"+s] = s
	}
	return m
}()

func norm(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "_", " "))), " ")
}

// labelCode reads a code list's value given as its code or its label in any language.
func labelCode(list string, codes []string, v string) (string, bool) {
	n := norm(v)
	for _, c := range codes {
		if n == norm(c) {
			return c, true
		}
		for _, l := range i18n.Supported {
			if n == norm(i18n.For(l).T("coord."+list+"."+c)) {
				return c, true
			}
		}
	}
	return "", false
}

// ParseWorkbook reads the three sheets of a plan workbook. It never
// panics on a malformed file; what it cannot read is one RowError.
func ParseWorkbook(r io.Reader) (*Workbook, []RowError) {
	f, err := excelize.OpenReader(io.LimitReader(r, 20<<20), excelize.Options{UnzipSizeLimit: 100 << 20, UnzipXMLSizeLimit: 50 << 20})
	if err != nil {
		return nil, []RowError{{Field: "file", Key: "coord.import_unreadable"}}
	}
	defer f.Close()
	wb := &Workbook{Sheets: map[string]*Sheet{}}
	var errsOut []RowError
	for _, name := range f.GetSheetList() {
		code, ok := headings["sheet:"+norm(name)]
		if !ok {
			continue
		}
		rows, err := f.GetRows(name)
		if err != nil {
			errsOut = append(errsOut, RowError{Sheet: code, Field: "file", Key: "coord.import_unreadable"})
			continue
		}
		sh, e := ParseSheet(code, rows)
		errsOut = append(errsOut, e...)
		wb.Sheets[code] = sh
	}
	if wb.Sheets["activities"] == nil && wb.Sheets["objectives"] == nil {
		errsOut = append(errsOut, RowError{Field: "file", Key: "coord.import_no_sheets"})
	}
	return wb, errsOut
}

// ParseSheet reads the header row and the data rows of one sheet.
func ParseSheet(code string, rows [][]string) (*Sheet, []RowError) {
	sh := &Sheet{}
	if len(rows) == 0 {
		return sh, nil
	}
	cols := map[int]string{}
	targets := map[int]string{}
	seen := map[string]bool{}
	for j, h := range rows[0] {
		n := norm(h)
		if n == "" {
			continue
		}
		if c, ok := headings[n]; ok && contains(sheetColumns[code], c) && !seen[c] {
			cols[j], seen[c] = c, true
			continue
		}
		if code == "indicators" {
			if m := targetHead.FindStringSubmatch(h); m != nil {
				if _, ok := headings["target:"+norm(strings.TrimSuffix(strings.TrimSpace(h), m[1]))]; ok {
					targets[j] = m[1]
					continue
				}
			}
		}
	}
	var out []RowError
	if !seen["code"] {
		out = append(out, RowError{Sheet: code, Row: 1, Field: "code", Key: "coord.import_missing_column"})
		return sh, out
	}
	for i, row := range rows[1:] {
		empty := true
		for _, v := range row {
			if strings.TrimSpace(v) != "" {
				empty = false
				break
			}
		}
		if empty {
			break
		}
		if len(sh.Rows) == MaxImportRows {
			out = append(out, RowError{Sheet: code, Row: i + 2, Key: "coord.import_too_many_rows", Args: map[string]any{"max": MaxImportRows}})
			break
		}
		r := Row{N: i + 2, Values: map[string]string{}, Targets: map[string]string{}}
		for j, v := range row {
			if strings.TrimSpace(v) == "–" {
				v = ""
			}
			if c, ok := cols[j]; ok {
				r.Values[c] = v
			} else if y, ok := targets[j]; ok {
				r.Targets[y] = v
			}
		}
		sh.Rows = append(sh.Rows, r)
	}
	return sh, out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func split(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ImportResult is what an import found and did.
type ImportResult struct {
	PlanID   string
	Errors   []RowError
	Valid    int // rows that would be (or were) imported
	Imported bool
}

// Import creates a plan from a workbook. With broken rows nothing is
// stored and every broken row is reported, unless partial is set (the user
// confirmed): then the valid rows are imported and the broken ones still
// reported. Rows that name a broken objective are broken too.
func (s *Service) Import(ctx context.Context, actor access.Actor, in PlanInput, data []byte, partial bool) (*ImportResult, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	wb, perrs := ParseWorkbook(bytes.NewReader(data))
	res := &ImportResult{Errors: perrs}
	if wb == nil {
		return res, nil
	}
	for _, e := range perrs {
		if e.Row <= 1 { // the file or a header: nothing to import
			return res, nil
		}
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		orgs, err := auth.AllOrgs(ctx, tx)
		if err != nil {
			return err
		}
		byName := map[string]string{}
		for _, o := range orgs {
			if o.Active {
				byName[norm(o.Name)] = o.ID
			}
		}
		p := &Plan{ID: id, Title: in.Title, Kind: in.Kind, Start: in.Start, End: in.End, Status: in.Status}
		var objs []*Objective
		var acts []*Activity
		var inds []*Indicator
		fail := func(sheet string, row int, err error) {
			e := errs.As(err)
			res.Errors = append(res.Errors, RowError{Sheet: sheet, Row: row, Field: e.Field, Key: e.Key, Args: e.Args})
		}
		if sh := wb.Sheets["objectives"]; sh != nil {
			for _, r := range sh.Rows {
				v := r.Values
				oi := ObjectiveInput{Code: v["code"], Title: v["title"]}
				var ok bool
				if oi.Kind, ok = labelCode("objective_kind", ObjectiveKinds, v["kind"]); !ok && strings.TrimSpace(v["kind"]) != "" {
					fail("objectives", r.N, errs.InvalidField("kind", "validation.invalid_choice"))
					continue
				}
				if oi.Pillar, ok = labelCode("pillar", Pillars, v["pillar"]); !ok {
					fail("objectives", r.N, errs.InvalidField("pillar", "validation.invalid_choice"))
					continue
				}
				if err := oi.validate(p); err != nil {
					fail("objectives", r.N, err)
					continue
				}
				o := &Objective{ID: store.NewID(), Code: oi.Code, Kind: oi.Kind, Pillar: oi.Pillar, Title: oi.Title}
				p.Objectives = append(p.Objectives, o)
				objs = append(objs, o)
			}
		}
		if sh := wb.Sheets["activities"]; sh != nil {
			for _, r := range sh.Rows {
				v := r.Values
				ai := ActivityInput{ObjectiveCode: v["objective"], Code: v["code"], Description: v["description"], Output: v["output"],
					Deadline: v["deadline"], Cost: v["cost"], BudgetProgramme: v["budget_programme"]}
				if lead := strings.TrimSpace(v["lead"]); lead != "" {
					ai.LeadOrgID = byName[norm(lead)]
					if ai.LeadOrgID == "" {
						fail("activities", r.N, errs.InvalidField("lead", "coord.institution_unknown_name").With(map[string]any{"name": lead}))
						continue
					}
				}
				bad := false
				for _, n := range split(v["support"]) {
					id := byName[norm(n)]
					if id == "" {
						fail("activities", r.N, errs.InvalidField("support", "coord.institution_unknown_name").With(map[string]any{"name": n}))
						bad = true
						break
					}
					ai.SupportOrgIDs = append(ai.SupportOrgIDs, id)
				}
				if bad {
					continue
				}
				if f := strings.TrimSpace(v["funding"]); f != "" {
					var ok bool
					if ai.Funding, ok = labelCode("funding", Fundings, f); !ok {
						fail("activities", r.N, errs.InvalidField("funding", "validation.invalid_choice"))
						continue
					}
				}
				a, err := ai.validate(p, orgs)
				if err != nil {
					fail("activities", r.N, err)
					continue
				}
				a.ID = store.NewID()
				p.Activities = append(p.Activities, a)
				acts = append(acts, a)
			}
		}
		if sh := wb.Sheets["indicators"]; sh != nil {
			for _, r := range sh.Rows {
				v := r.Values
				ii := IndicatorInput{ObjectiveCode: v["objective"], Code: v["code"], Name: v["name"], Unit: v["unit"],
					Baseline: v["baseline"], BaselineYear: v["baseline_year"], Targets: r.Targets, Source: v["source"],
					Measure: v["measure"], Filter: v["filter"]}
				if l := strings.TrimSpace(v["level"]); l != "" {
					var ok bool
					if ii.Level, ok = labelCode("level", Levels, l); !ok {
						fail("indicators", r.N, errs.InvalidField("level", "validation.invalid_choice"))
						continue
					}
				}
				bad := false
				for _, d := range strings.FieldsFunc(v["disaggregation"], func(r rune) bool { return r == ',' || r == ';' }) {
					c, ok := labelCode("disaggregation", Disaggregation, d)
					if !ok {
						fail("indicators", r.N, errs.InvalidField("disaggregation", "validation.invalid_choice"))
						bad = true
						break
					}
					ii.Disaggregation = append(ii.Disaggregation, c)
				}
				if bad {
					continue
				}
				ind, err := s.validateIndicator(&ii, p)
				if err != nil {
					fail("indicators", r.N, err)
					continue
				}
				ind.ID = store.NewID()
				p.Indicators = append(p.Indicators, ind)
				inds = append(inds, ind)
			}
		}
		res.Valid = len(objs) + len(acts) + len(inds)
		sort.SliceStable(res.Errors, func(i, j int) bool {
			a, b := res.Errors[i], res.Errors[j]
			if a.Sheet != b.Sheet {
				return sheetIndex(a.Sheet) < sheetIndex(b.Sheet)
			}
			return a.Row < b.Row
		})
		if (len(res.Errors) > 0 && !partial) || res.Valid == 0 {
			return nil
		}
		if err := insertPlan(ctx, tx, id, in); err != nil {
			return err
		}
		for i, o := range objs {
			if err := insertObjective(ctx, tx, id, i, o); err != nil {
				return err
			}
		}
		for i, a := range acts {
			a.PlanID = id
			if err := insertActivity(ctx, tx, i, a); err != nil {
				return err
			}
		}
		for i, ind := range inds {
			if err := insertIndicator(ctx, tx, id, i, ind); err != nil {
				return err
			}
		}
		res.PlanID, res.Imported = id, true
		if err := s.history(ctx, tx, actor, TopicPlan, id, "plan_import", "", nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.plan_import", "plan", id)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return res, nil
}

func sheetIndex(s string) int {
	for i, x := range sheetOrder {
		if x == s {
			return i
		}
	}
	return -1
}

// PlanDocument is the plan as a document in language l: its objectives,
// activities (with their latest progress) and indicators, one table each
// with the import's column headings, so the workbook imports again.
func PlanDocument(p *Plan, l i18n.Lang) *report.Document {
	t := i18n.For(l).T
	txt := textCell
	d := baseDocument(p, l, t("coord.plan_export"))
	heads := func(sheet string) []string {
		var out []string
		for _, c := range sheetColumns[sheet][1:] {
			out = append(out, t("coord.col."+c))
		}
		return out
	}
	obj := report.Table{Name: t("coord.sheet.objectives"), Corner: t("coord.col.code"), Columns: heads("objectives")}
	for _, o := range p.Objectives {
		obj.Rows = append(obj.Rows, o.Code)
		obj.Cells = append(obj.Cells, []report.Cell{txt(t("coord.objective_kind." + o.Kind)), txt(t("coord.pillar." + o.Pillar)), txt(o.Title)})
	}
	act := report.Table{Name: t("coord.sheet.activities"), Corner: t("coord.col.code"), Columns: heads("activities")}
	for _, a := range p.Activities {
		var sup []string
		for _, o := range a.Support {
			sup = append(sup, o.Name)
		}
		act.Rows = append(act.Rows, a.Code)
		act.Cells = append(act.Cells, []report.Cell{txt(a.ObjectiveCode), txt(a.Description), txt(a.Output), txt(a.Lead.Name),
			txt(strings.Join(sup, "; ")), txt(a.Deadline), {Value: float64(a.CostEUR)}, txt(t("coord.funding." + a.Funding)),
			txt(a.BudgetProgramme)})
	}
	ind := report.Table{Name: t("coord.sheet.indicators"), Corner: t("coord.col.code"), Columns: heads("indicators")}
	years := p.Years()
	for _, y := range years {
		ind.Columns = append(ind.Columns, t("coord.col.target")+" "+strconv.Itoa(y))
	}
	for _, i := range p.Indicators {
		base := txt("")
		if i.Baseline != nil {
			base = report.Cell{Value: *i.Baseline, Decimals: decimals(*i.Baseline)}
		}
		by := txt("")
		if i.BaselineYear > 0 {
			by = txt(strconv.Itoa(i.BaselineYear))
		}
		var dis []string
		for _, d := range i.Disaggregation {
			dis = append(dis, t("coord.disaggregation."+d))
		}
		row := []report.Cell{txt(i.ObjectiveCode), txt(i.Name), txt(t("coord.level." + i.Level)), txt(i.Unit), base, by,
			txt(strings.Join(dis, ", ")), txt(i.Source), txt(i.Measure), txt(i.Filter)}
		for _, y := range years {
			if v, ok := i.Targets[y]; ok {
				row = append(row, report.Cell{Value: v, Decimals: decimals(v)})
			} else {
				row = append(row, txt(""))
			}
		}
		ind.Rows = append(ind.Rows, i.Code)
		ind.Cells = append(ind.Cells, row)
	}
	d.Sections = []report.Section{
		{Heading: t("coord.sheet.objectives"), Table: obj},
		{Heading: t("coord.sheet.activities"), Table: act},
		{Heading: t("coord.sheet.indicators"), Table: ind},
	}
	return d
}

// textCell is a text cell; an empty one would print as the number 0, so it
// is a dash (which the import reads as empty).
func textCell(s string) report.Cell {
	if s == "" {
		s = "–"
	}
	return report.Cell{Text: s}
}

func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if _, frac, ok := strings.Cut(s, "."); ok {
		return min(len(frac), 3)
	}
	return 0
}

// ExportXLSX writes the plan as a workbook (report.WriteXLSX, the one writer).
func (s *Service) ExportXLSX(ctx context.Context, actor access.Actor, id string, l i18n.Lang, w io.Writer) error {
	p, err := s.Plan(ctx, actor, id)
	if err != nil {
		return err
	}
	d := PlanDocument(p, l)
	d.Generated = s.Clock.Now()
	if err := report.WriteXLSX(w, d); err != nil {
		return errs.Internalf("export plan: %w", err)
	}
	return nil
}

// baseDocument is a document about plan p with the writers' labels.
func baseDocument(p *Plan, l i18n.Lang, title string) *report.Document {
	pr := i18n.For(l)
	return &report.Document{
		Title:    title,
		Subtitle: p.Title,
		Period:   fmt.Sprintf("%s – %s", p.Start, p.End),
		Language: string(l),
		Source:   pr.T("coord.report_source"),
		Labels: report.Labels{Definitions: pr.T("stats.definitions"), Generated: pr.T("stats.generated"),
			Page: pr.T("stats.page"), Suppressed: "–", Notes: pr.T("stats.notes")},
	}
}
