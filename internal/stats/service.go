package stats

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
)

// Service answers the statistics pages, reports and API from the registered
// sources. Every method takes the actor and checks the policy first.
type Service struct {
	Sources *Registry
	Clock   clock.Clock
	// K is the threshold of primary suppression for protected tables
	// (default 10).
	K int
	// Epsilon is the ε one differential-privacy release of a whole report
	// spends, shared among its tables (default 0.5: with the ledger's
	// yearly budget of 1 per report family, two noisy releases a year).
	Epsilon float64
	// Releases records each protected document's tables in the disclosure
	// ledger (who, which table, which period, which protection) and
	// charges a noisy release to its report's yearly privacy budget. Nil:
	// nothing protected is released (the reports refuse).
	Releases ReleaseRecorder
}

// ReleaseRecorder records a document's releases, all or none.
type ReleaseRecorder interface {
	Record(ctx context.Context, rs []disclosure.Release) error
}

// New returns a service over an empty registry.
func New(c clock.Clock) *Service {
	return &Service{Sources: NewRegistry(), Clock: c, K: 10, Epsilon: 0.5}
}

// Filter is what a page or API request asks for: a period of months and,
// optionally, a region or one municipality. Make one with ParseFilter.
type Filter struct {
	From, To     time.Time // first days of the first and last months (UTC)
	Region       string    // region code or ""
	Municipality string    // one municipality or ""
}

// FromMonth and ToMonth are the period as YYYY-MM.
func (f Filter) FromMonth() string { return f.From.Format("2006-01") }
func (f Filter) ToMonth() string   { return f.To.Format("2006-01") }

// Places is the municipalities the filter keeps (nil: the whole country).
func (f Filter) Places() []string {
	if f.Municipality != "" {
		return []string{f.Municipality}
	}
	if r, ok := region(f.Region); ok {
		return r.Municipalities
	}
	return nil
}

// Months lists the filter's months, YYYY-MM, oldest first.
func (f Filter) Months() []string {
	var out []string
	for m := f.From; !m.After(f.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// MaxMonths bounds a period: ten years.
const MaxMonths = 120

// ParseFilter checks a request's period and place. from and to are dates
// YYYY-MM-DD (the browser's date picker) or months YYYY-MM; the months they
// fall in are counted, since the case file keeps the month a case was opened,
// not the day. An empty from/to is the current year so far. Errors name the
// field: from, to, region, municipality.
func ParseFilter(now time.Time, from, to, regionCode, municipality string) (Filter, error) {
	var f Filter
	y := now.UTC().Year()
	var err error
	if f.From, err = parseMonth(from, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return f, errs.InvalidField("from", "stats.period_invalid")
	}
	if f.To, err = parseMonth(to, time.Date(y, now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return f, errs.InvalidField("to", "stats.period_invalid")
	}
	if f.To.Before(f.From) {
		return f, errs.InvalidField("to", "stats.period_order")
	}
	if months(f.From, f.To) > MaxMonths {
		return f, errs.InvalidField("from", "stats.period_too_long")
	}
	regionCode = strings.TrimSpace(regionCode)
	municipality = strings.TrimSpace(municipality)
	if regionCode != "" {
		if _, ok := region(regionCode); !ok {
			return f, errs.InvalidField("region", "stats.region_invalid")
		}
		f.Region = regionCode
	}
	if municipality != "" {
		r := RegionOf(municipality)
		switch {
		case r == "":
			return f, errs.InvalidField("municipality", "stats.municipality_invalid")
		case f.Region != "" && r != f.Region:
			return f, errs.InvalidField("municipality", "stats.municipality_not_in_region")
		}
		f.Municipality = municipality
	}
	return f, nil
}

func parseMonth(s string, def time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	layout := "2006-01-02"
	if len(s) == 7 {
		layout = "2006-01"
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, errs.E(errs.Invalid, "stats.period_invalid")
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC), nil
}

func months(from, to time.Time) int {
	return (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
}

// Year returns the filter of one calendar year.
func Year(y int) Filter {
	return Filter{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC)}
}

// CanSeeRaw reports whether the actor may see unprotected tables (the
// coordinator's office); others see protected tables only.
func CanSeeRaw(a access.Actor) bool { return access.ScopeOf(a, access.StatsView) == access.All }

// Answer asks the measure's source, after checking the actor may read
// statistics and that every dimension belongs to the measure (unknown ones
// are refused naming the parameter "by").
func (s *Service) Answer(ctx context.Context, a access.Actor, measure string, by []string, f Filter) ([]Row, error) {
	if err := access.Check(a, access.StatsView); err != nil {
		return nil, err
	}
	return s.answer(ctx, measure, by, f)
}

func (s *Service) answer(ctx context.Context, measure string, by []string, f Filter) ([]Row, error) {
	m, ok := s.Sources.Measure(measure)
	if !ok {
		return nil, errs.InvalidField("measure", "stats.measure_unknown")
	}
	for _, d := range by {
		if _, ok := m.Dim(d); !ok && !(d == DimMonth && m.Period) {
			return nil, errs.InvalidField("by", "stats.dimension_unknown")
		}
	}
	src, _ := s.Sources.source(measure)
	q := Query{Measure: measure, By: by, From: f.FromMonth(), To: f.ToMonth()}
	if m.Place {
		q.Municipalities = f.Places()
	}
	rows, err := src.Answer(ctx, q)
	if err != nil {
		return nil, errs.As(err)
	}
	return rows, nil
}

// Quality runs every registered quality check (the coordinator's office
// only) and returns at most limit issues per source.
func (s *Service) Quality(ctx context.Context, a access.Actor, limit int) ([]string, []Issue, error) {
	if err := access.Check(a, access.StatsQuality); err != nil {
		return nil, nil, err
	}
	var checks []string
	var out []Issue
	for _, q := range s.Sources.qualitySources() {
		checks = append(checks, q.Checks()...)
		is, err := q.Issues(ctx, limit)
		if err != nil {
			return nil, nil, errs.As(err)
		}
		out = append(out, is...)
	}
	return checks, out, nil
}
