package stats

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/report"
)

// The regional picture (issue 16 item 6): the country's victims identified
// in a year by citizenship, form of exploitation and country of
// exploitation, protected for a partner country before it leaves. The
// exchange sends it; this package counts and protects it.

// PictureReport is the report family of the regional picture in the
// disclosure ledger (its own yearly privacy budget).
const PictureReport = "regional_picture"

// Picture dimensions: the source must answer them for the victims measure.
const (
	pictureMeasure = "victims"
	dimStatus      = "status"
	dimCitizenship = "citizenship"
	dimForm        = "exploitation"
	dimCountry     = "exploitation_country"
)

// PictureStatuses are the statuses a victim identified in the year has:
// identified, or presumed (the USOP counts both; possible victims not).
var PictureStatuses = []string{"presumed", "identified"}

// PictureCell is one cell of the picture: a combination and its count, or
// suppressed (Count 0, never the value).
type PictureCell struct {
	Citizenship, Form, Country string
	Count                      int
	Suppressed                 bool
}

// Picture is the protected table as it leaves: the method with its
// parameters (K for suppression, Epsilon for the noisy release) and the
// cells that are not zero.
type Picture struct {
	Year    int
	Method  disclosure.Method
	K       int
	Epsilon float64
	Cells   []PictureCell
}

// RegionalPicture counts the year's identified and presumed victims by
// citizenship, form of exploitation and country of exploitation, applies
// the protection (Suppress with the service's K, or Noise with the
// service's Epsilon) and records the release for partners in the
// disclosure ledger, charging a noisy one to the regional picture's yearly
// budget. A raw table never leaves: other methods are refused.
//
// The table is protected as a two-way table: rows are the pairs
// (citizenship, country of exploitation), columns the forms of
// exploitation, with their totals. A victim with two forms is counted under
// each (so a noisy release counts up to two contributions per person).
func (s *Service) RegionalPicture(ctx context.Context, a access.Actor, year int, method disclosure.Method) (*Picture, error) {
	if err := access.Check(a, access.StatsView); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, errs.InvalidField("year", "stats.year_invalid")
	}
	pol := disclosure.Policy{Method: method, K: s.K, Epsilon: s.Epsilon, Contributions: 2}
	switch method {
	case disclosure.Suppress:
		pol.Epsilon = 0
	case disclosure.Noise:
		pol.K = 0
	default:
		return nil, errs.InvalidField("protection", "stats.protection_invalid")
	}
	pol, err := disclosure.Check(pol)
	if err != nil {
		return nil, errs.InvalidField("protection", "stats.protection_invalid").Wrap(err)
	}
	f := Year(year)
	rows, err := s.answer(ctx, pictureMeasure, []string{dimStatus, dimCitizenship, dimForm, dimCountry}, f)
	if err != nil {
		return nil, err
	}
	t := pictureTable(rows)
	pic := &Picture{Year: year, Method: method}
	if method == disclosure.Suppress {
		pic.K = pol.K
	} else {
		pic.Epsilon = pol.Epsilon
	}
	if len(t.Rows) > 1 {
		if _, err := disclosure.Protect(t, pol); err != nil {
			return nil, errs.E(errs.Unavailable, "stats.protection_unavailable").Wrap(err)
		}
		pic.Cells = pictureCells(t)
	}
	rel := disclosure.Release{By: a.UserID, Report: PictureReport, Table: PictureReport, Audience: disclosure.Partner,
		Policy: pol, Year: year, Period: f.From.Format("2006-01-02") + "/" + f.To.AddDate(0, 1, -1).Format("2006-01-02")}
	if rel.By == "" {
		rel.By = "system"
	}
	if err := s.record(ctx, []disclosure.Release{rel}); err != nil {
		return nil, err
	}
	if err := CheckPicture(pic); err != nil {
		return nil, errs.Internalf("regional picture: %w", err)
	}
	return pic, nil
}

// pictureSep joins a row's citizenship and country of exploitation.
const pictureSep = "\x00"

// pictureTable lays the answer out as a two-way table with totals: rows
// (citizenship, country of exploitation), columns forms of exploitation.
func pictureTable(rows []Row) *report.Table {
	counts := map[[2]string]float64{}
	rowSet, colSet := map[string]bool{}, map[string]bool{}
	keep := map[string]bool{}
	for _, st := range PictureStatuses {
		keep[st] = true
	}
	for _, r := range rows {
		if len(r.Keys) != 4 || !keep[r.Keys[0]] || r.Value == 0 {
			continue
		}
		rk := r.Keys[1] + pictureSep + r.Keys[3]
		counts[[2]string{rk, r.Keys[2]}] += r.Value
		rowSet[rk], colSet[r.Keys[2]] = true, true
	}
	rs, cs := sortedKeys(rowSet), sortedKeys(colSet)
	t := &report.Table{Name: PictureReport, Rows: append(rs, "total"), Columns: append(cs, "total"), RowTotal: true, ColumnTotal: true}
	t.Cells = make([][]report.Cell, len(rs)+1)
	for i := range t.Cells {
		t.Cells[i] = make([]report.Cell, len(cs)+1)
	}
	for i, r := range rs {
		for j, c := range cs {
			v := counts[[2]string{r, c}]
			t.Cells[i][j].Value = v
			t.Cells[i][len(cs)].Value += v
			t.Cells[len(rs)][j].Value += v
			t.Cells[len(rs)][len(cs)].Value += v
		}
	}
	return t
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pictureCells reads the protected inner cells back: the non-zero and the
// suppressed ones.
func pictureCells(t *report.Table) []PictureCell {
	var out []PictureCell
	for i := 0; i < len(t.Rows)-1; i++ {
		cit, country, _ := strings.Cut(t.Rows[i], pictureSep)
		for j := 0; j < len(t.Columns)-1; j++ {
			c := t.Cells[i][j]
			if !c.Suppressed && c.Value == 0 {
				continue
			}
			pc := PictureCell{Citizenship: cit, Form: t.Columns[j], Country: country, Suppressed: c.Suppressed}
			if !c.Suppressed {
				pc.Count = int(c.Value + 0.5)
			}
			out = append(out, pc)
		}
	}
	return out
}

// PictureError says why a picture may not leave (or be taken).
type PictureError struct{ Rule string }

func (e *PictureError) Error() string { return "regional picture: " + e.Rule }

// CheckPicture is the rule both sides apply: a suppressed picture shows
// no count between 1 and K-1 (nothing below the threshold leaves), a
// suppressed cell carries no count, a noisy picture states its ε, and no
// picture is raw.
func CheckPicture(p *Picture) error {
	switch p.Method {
	case disclosure.Suppress:
		if p.K < 2 {
			return &PictureError{Rule: "k_missing"}
		}
		for _, c := range p.Cells {
			if c.Suppressed && c.Count != 0 {
				return &PictureError{Rule: "suppressed_with_count"}
			}
			if !c.Suppressed && c.Count > 0 && c.Count < p.K {
				return &PictureError{Rule: "below_threshold:" + strconv.Itoa(c.Count)}
			}
		}
	case disclosure.Noise:
		if !(p.Epsilon > 0) {
			return &PictureError{Rule: "epsilon_missing"}
		}
		for _, c := range p.Cells {
			if c.Suppressed {
				return &PictureError{Rule: "suppressed_in_noisy"}
			}
		}
	default:
		return &PictureError{Rule: "not_protected"}
	}
	return nil
}
