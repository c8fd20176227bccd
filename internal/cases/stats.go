package cases

import (
	"context"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// The case file's contribution to the statistics (internal/stats): counts of
// cases by their statistical columns, read from the case file's own tables
// only. The statistics package checks the actor; this source answers counts,
// never a record.

// StatsSource returns the case file's statistics source.
func (s *Service) StatsSource() stats.Source { return statsSource{s} }

type statsSource struct{ s *Service }

// Dimensions of the case file's measures.
var (
	dimStatus = stats.Dimension{Name: "status", Label: "case.status", ValueKey: "case.status.",
		Values: []string{string(StatusPossible), string(StatusPresumed), string(StatusIdentified), string(StatusNotVictim)}}
	dimSex         = stats.Dimension{Name: "sex", Label: "case.person.sex", ValueKey: "case.sex.", Values: Sexes}
	dimAge         = stats.Dimension{Name: "age_band", Label: "case.age_band", ValueKey: "stats.age_band.", Values: append(append([]string(nil), AgeBands...), "unknown")}
	dimChild       = stats.Dimension{Name: "child", Label: "stats.dim.child", ValueKey: "stats.child.", Values: []string{"child", "adult"}}
	dimCitizenship = stats.Dimension{Name: "citizenship", Label: "stats.dim.citizenship", ValueKey: "stats.country.", Open: true,
		Values: []string{"XK", "AL", "RS", "ME", "MK", "BA", "MD", "RO", "TR", "UA", "RU", "unknown"}}
	dimExploitation = stats.Dimension{Name: "exploitation", Label: "stats.dim.exploitation", ValueKey: "stats.exploitation.",
		Values: append(append([]string(nil), Picklists[FieldExploitation]...), "none")}
	dimInstitution = stats.Dimension{Name: "institution", Label: "stats.dim.institution", ValueKey: "stats.institution.",
		Values: append(append([]string(nil), DecisionOrgTypes...), "none")}
	dimStage = stats.Dimension{Name: "stage", Label: "case.stage", ValueKey: "case.stage.", Values: stageCodes()}
	// DimExploitationCountry is where the victim was exploited (an open
	// ISO 3166 code list like citizenship), counted from the cases only.
	dimExploitationCountry = stats.Dimension{Name: DimExploitationCountry, Label: "stats.dim.exploitation_country", ValueKey: "stats.country.", Open: true,
		Values: []string{"XK", "AL", "RS", "ME", "MK", "BA", "MD", "RO", "TR", "UA", "RU", "unknown"}}
)

// DimExploitationCountry names the country-of-exploitation dimension.
const DimExploitationCountry = "exploitation_country"

func stageCodes() []string {
	out := make([]string, len(Stages))
	for i, s := range Stages {
		out[i] = string(s)
	}
	return out
}

// The case file's measures.
const (
	MeasureVictims   = "victims"    // cases opened in the period
	MeasureOpenCases = "open_cases" // cases not closed, now
)

func (statsSource) Measures() []stats.Measure {
	return []stats.Measure{
		{Name: MeasureVictims, Label: "stats.measure.victims", Kind: stats.Count, Period: true, Place: true,
			Definition: "stats.def.victims",
			Dims:       []stats.Dimension{dimStatus, dimSex, dimAge, dimChild, dimCitizenship, dimExploitation, dimInstitution, dimStage, dimExploitationCountry}},
		{Name: MeasureOpenCases, Label: "stats.measure.open_cases", Kind: stats.Count, Place: true,
			Definition: "stats.def.open_cases", Dims: []stats.Dimension{dimStage}},
	}
}

// statsExpr is the SQL of each dimension over cases c. The exploitation
// dimension joins case_codes (a case with two forms counts once under each);
// the identifying institution is the decision that identified the victim.
var statsExpr = map[string]string{
	"status":       "c.victim_status",
	"sex":          "c.sex",
	"age_band":     "CASE WHEN c.age_band = '' THEN 'unknown' ELSE c.age_band END",
	"child":        "CASE WHEN c.is_child = 1 THEN 'child' ELSE 'adult' END",
	"citizenship":  "CASE WHEN c.citizenship = '' THEN 'unknown' ELSE c.citizenship END",
	"exploitation": "COALESCE(x.code, 'none')",
	"institution": `COALESCE((SELECT MIN(d.decision_org_type) FROM identification_decisions d
		WHERE d.case_id = c.id AND d.status = 'identified'), 'none')`,
	"stage":                "c.stage",
	stats.DimMonth:         "c.opened_month",
	DimExploitationCountry: "CASE WHEN COALESCE(c.exploitation_country, '') = '' THEN 'unknown' ELSE c.exploitation_country END",
}

// aggExpr is the SQL of each dimension over the monthly aggregates
// (stats_counts.go): case_month_counts a, or case_month_forms a for the
// form of exploitation.
var aggExpr = map[string]string{
	"status":       "a.victim_status",
	"sex":          "a.sex",
	"age_band":     "CASE WHEN a.age_band = '' THEN 'unknown' ELSE a.age_band END",
	"child":        "CASE WHEN a.is_child = 1 THEN 'child' ELSE 'adult' END",
	"citizenship":  "CASE WHEN a.citizenship = '' THEN 'unknown' ELSE a.citizenship END",
	"institution":  "CASE WHEN a.institution = '' THEN 'none' ELSE a.institution END",
	"stage":        "a.stage",
	stats.DimMonth: "a.opened_month",
	"exploitation": "CASE WHEN a.code = '' THEN 'none' ELSE a.code END",
}

// formDims are the dimensions the aggregates by form of exploitation keep.
var formDims = map[string]bool{"exploitation": true, "status": true, "sex": true, "child": true, stats.DimMonth: true}

// Answer counts from the monthly aggregates; a division they do not keep
// (the form of exploitation with age or citizenship) is counted from the
// cases themselves.
func (src statsSource) Answer(ctx context.Context, q stats.Query) ([]stats.Row, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	places := func(col string) {
		if len(q.Municipalities) > 0 {
			ph := make([]string, len(q.Municipalities))
			for i, m := range q.Municipalities {
				ph[i] = arg(m)
			}
			where = append(where, col+" IN ("+strings.Join(ph, ", ")+")")
		}
	}
	// The dashboard's divisions: the coarse aggregates (stats_coarse.go).
	if rows, ok, err := src.coarse(ctx, q); ok {
		return rows, err
	}
	db := src.s.DB.Read()
	switch q.Measure {
	case MeasureVictims:
	case MeasureOpenCases:
		for _, d := range q.By {
			if d != "stage" {
				return nil, errs.InvalidField("by", "stats.dimension_unknown")
			}
		}
		if len(q.Municipalities) == 0 {
			// The whole country: the stage index alone.
			rows, err := stats.GroupCount(ctx, db, "cases", []string{"stage"}, nil, nil)
			if err != nil {
				return nil, err
			}
			var out []stats.Row
			n := 0.0
			for _, r := range rows {
				if r.Keys[0] != string(StageClosed) {
					out = append(out, r)
					n += r.Value
				}
			}
			if len(q.By) == 0 {
				return []stats.Row{{Value: n}}, nil
			}
			return out, nil
		}
		where = append(where, "a.stage <> "+arg(string(StageClosed)))
		places("a.municipality")
		cols, _ := dimCols(q.By, aggExpr)
		return stats.GroupAgg(ctx, db, "COALESCE(SUM(a.n), 0)", "case_month_counts a", cols, where, args)
	default:
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	forms, inForms, inAgg := false, true, true
	for _, d := range q.By {
		if _, ok := statsExpr[d]; !ok {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
		forms = forms || d == "exploitation"
		inForms = inForms && formDims[d]
		_, ok := aggColumn[d]
		inAgg = inAgg && ok
	}
	switch {
	case !inAgg: // a division the aggregates do not keep (the country of exploitation)
	case !forms:
		where = append(where, "a.opened_month >= "+arg(q.From), "a.opened_month <= "+arg(q.To))
		places("a.municipality")
		return sumAggregates(ctx, db, "case_month_counts a", q.By, where, args)
	case inForms:
		where = append(where, "a.opened_month >= "+arg(q.From), "a.opened_month <= "+arg(q.To))
		places("a.municipality")
		return sumAggregates(ctx, db, "case_month_forms a", q.By, where, args)
	}
	where = append(where, "c.opened_month >= "+arg(q.From), "c.opened_month <= "+arg(q.To))
	places("c.municipality")
	cols, _ := dimCols(q.By, statsExpr)
	from := "cases c"
	if forms {
		from += " LEFT JOIN case_codes x ON x.case_id = c.id AND x.field = 'exploitation'"
	}
	return stats.GroupCount(ctx, db, from, cols, where, args)
}

// aggColumn is the aggregate column of each dimension and how its stored
// value reads as the dimension's code.
var aggColumn = map[string]struct {
	col  string
	code func(string) string
}{
	"status":       {"a.victim_status", nil},
	"sex":          {"a.sex", nil},
	"age_band":     {"a.age_band", orUnknown("unknown")},
	"child":        {"a.is_child", func(v string) string { return map[bool]string{true: "child", false: "adult"}[v == "1"] }},
	"citizenship":  {"a.citizenship", orUnknown("unknown")},
	"institution":  {"a.institution", orUnknown("none")},
	"stage":        {"a.stage", nil},
	stats.DimMonth: {"a.opened_month", nil},
	"exploitation": {"a.code", orUnknown("none")},
}

func orUnknown(code string) func(string) string {
	return func(v string) string {
		if v == "" {
			return code
		}
		return v
	}
}

// sumAggregates reads the period's aggregate rows as they are and sums
// them by the query's dimensions here: a year is some thousands of small
// rows, read in a fifth of the time SQLite takes to group them.
func sumAggregates(ctx context.Context, db store.Querier, from string, by []string, where []string, args []any) ([]stats.Row, error) {
	cols := []string{"a.n"}
	for _, d := range by {
		c, ok := aggColumn[d]
		if !ok {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
		cols = append(cols, c.col)
	}
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+from+" WHERE "+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, errs.Internalf("case statistics: %w", err)
	}
	defer rows.Close()
	sum := map[string]int64{}
	keysOf := map[string][]string{}
	var order []string
	vals := make([]string, len(by))
	dst := make([]any, len(by)+1)
	var n int64
	dst[0] = &n
	for i := range vals {
		dst[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, errs.Internalf("case statistics: %w", err)
		}
		keys := make([]string, len(by))
		for i, d := range by {
			keys[i] = vals[i]
			if f := aggColumn[d].code; f != nil {
				keys[i] = f(vals[i])
			}
		}
		k := strings.Join(keys, "\x00")
		if _, seen := sum[k]; !seen {
			order = append(order, k)
			keysOf[k] = keys
		}
		sum[k] += n
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("case statistics: %w", err)
	}
	if len(by) == 0 {
		return []stats.Row{{Value: float64(sum[""])}}, nil
	}
	out := make([]stats.Row, 0, len(order))
	for _, k := range order {
		out = append(out, stats.Row{Keys: keysOf[k], Value: float64(sum[k])})
	}
	return out, nil
}

func dimCols(by []string, exprs map[string]string) ([]string, bool) {
	var cols []string
	for _, d := range by {
		e, ok := exprs[d]
		if !ok {
			return nil, false
		}
		cols = append(cols, e)
	}
	return cols, true
}

// Data quality checks of the case file (stats.QualitySource).
const (
	QualityNoExploitation = "no_exploitation"        // presumed or identified, no form of exploitation recorded
	QualityNoDecision     = "identified_no_decision" // status identified without an identification decision
	QualityNoGuardian     = "child_no_guardian"      // an open child case without a current guardian
	QualityDateOrder      = "case_dates"             // closed before opened, or a decision before the case
)

// QualitySource returns the case file's data quality checks.
func (s *Service) QualitySource() stats.QualitySource { return statsSource{s} }

func (statsSource) Checks() []string {
	return []string{QualityNoExploitation, QualityNoDecision, QualityNoGuardian, QualityDateOrder}
}

func (src statsSource) Issues(ctx context.Context, limit int) ([]stats.Issue, error) {
	lim := " LIMIT " + strconv.Itoa(limit)
	checks := []struct{ code, sql string }{
		{QualityNoExploitation, `SELECT c.id, c.reference FROM cases c WHERE c.victim_status IN ('presumed', 'identified')
			AND NOT EXISTS (SELECT 1 FROM case_codes x WHERE x.case_id = c.id AND x.field = 'exploitation')
			ORDER BY c.reference` + lim},
		{QualityNoDecision, `SELECT c.id, c.reference FROM cases c WHERE c.victim_status = 'identified'
			AND NOT EXISTS (SELECT 1 FROM identification_decisions d WHERE d.case_id = c.id AND d.status = 'identified')
			ORDER BY c.reference` + lim},
		{QualityNoGuardian, `SELECT c.id, c.reference FROM cases c WHERE c.is_child = 1 AND c.stage <> 'closed'
			AND NOT EXISTS (SELECT 1 FROM case_guardians g WHERE g.case_id = c.id AND g.ended_at IS NULL)
			ORDER BY c.reference` + lim},
		{QualityDateOrder, `SELECT c.id, c.reference FROM cases c WHERE (c.closed_at IS NOT NULL AND c.closed_at < c.created_at)
			OR EXISTS (SELECT 1 FROM identification_decisions d WHERE d.case_id = c.id AND d.decided_at < c.created_at)
			ORDER BY c.reference` + lim},
	}
	var out []stats.Issue
	for _, ch := range checks {
		is, err := issueRows(ctx, src.s.DB.Read(), ch.code, ch.sql)
		if err != nil {
			return nil, err
		}
		out = append(out, is...)
	}
	return out, nil
}

func issueRows(ctx context.Context, db store.Querier, code, q string) ([]stats.Issue, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, errs.Internalf("quality %s: %w", code, err)
	}
	defer rows.Close()
	var out []stats.Issue
	for rows.Next() {
		i := stats.Issue{Check: code}
		if err := rows.Scan(&i.CaseID, &i.CaseRef); err != nil {
			return nil, errs.Internalf("quality %s: %w", code, err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}
