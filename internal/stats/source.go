// Package stats is the national picture: the coordinator's dashboard, the
// standard reports (GRETA, Eurostat, US TIP, the national action plan) and
// the data quality report. It owns no table and reads none: every capability
// counts its own records through a Source it registers here (the case file,
// referral, the clocks; the helpline later), and this package only adds,
// arranges, protects and writes what the sources answer.
package stats

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// Kind is what a measure's value is.
type Kind string

// The kinds of measure.
const (
	Count  Kind = "count"  // how many (cases, referrals, tasks)
	Median Kind = "median" // a median (e.g. hours to an answer)
	Mean   Kind = "mean"   // an average (e.g. beds occupied on a day of the month)
)

// Dimension is one way a measure can be divided: a name, the catalogue key
// of that name, the codes it takes in display order, and the catalogue
// prefix of the codes' labels (label = ValueKey + code). A code a source
// answers outside Values is counted under Other ("" when the source never
// answers one).
type Dimension struct {
	Name     string
	Label    string
	Values   []string
	ValueKey string
	// Open dimensions (months, citizenship) take any value the data holds;
	// Values then lists the ones shown by name, the rest go to "other".
	Open bool
}

// The dimension every measure counted in a period may be divided by.
const DimMonth = "month"

// Measure is one figure a source answers.
type Measure struct {
	Name  string // stable machine name: "victims", "referrals"
	Label string // catalogue key
	Kind  Kind
	Dims  []Dimension
	// Period: the measure is counted over a period of months (cases opened,
	// referrals made); otherwise it is a count of now (open cases, overdue
	// tasks) and the period is ignored.
	Period bool
	// Place: the source can keep only the records of some municipalities.
	// Measures without it are national only; pages say so.
	Place bool
	// Definition is the catalogue key of what exactly is counted.
	Definition string
}

// Dim returns the measure's dimension named name.
func (m Measure) Dim(name string) (Dimension, bool) {
	for _, d := range m.Dims {
		if d.Name == name {
			return d, true
		}
	}
	return Dimension{}, false
}

// Query asks a source for one measure divided by some of its dimensions.
type Query struct {
	Measure string
	By      []string // dimension names, in the order of Row.Keys
	// From and To are months YYYY-MM, both included.
	From, To string
	// Municipalities keeps only the records of these municipalities (a
	// region is its municipalities); empty: the whole country.
	Municipalities []string
}

// Row is one cell of an answer: the codes of the query's dimensions, in
// order, and the value.
type Row struct {
	Keys  []string
	Value float64
}

// Source is a capability's contribution to the statistics: the measures it
// answers and the answer to one query, read by the capability from its own
// tables. A source trusts its caller (this package checks the actor first)
// and answers counts only, never a record.
type Source interface {
	Measures() []Measure
	Answer(ctx context.Context, q Query) ([]Row, error)
}

// Issue is one line of the data quality report: a check that failed on one
// case, named by its reference.
type Issue struct {
	Check   string // the check's code; its label is "stats.quality.check.<code>"
	CaseID  string
	CaseRef string
}

// QualitySource is a capability's checks of its own records for the data
// quality report. Checks lists the check codes it runs, in display order.
type QualitySource interface {
	Checks() []string
	Issues(ctx context.Context, limit int) ([]Issue, error)
}

// Registry holds the sources. A capability registers its source when the
// application is assembled (internal/app); a measure has one source.
type Registry struct {
	mu       sync.RWMutex
	sources  map[string]Source
	measures map[string]Measure
	quality  []QualitySource
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{sources: map[string]Source{}, measures: map[string]Measure{}}
}

// Register adds a source; a measure answered twice is a programming error.
func (r *Registry) Register(s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range s.Measures() {
		if _, dup := r.sources[m.Name]; dup {
			panic(fmt.Sprintf("stats: measure %q registered twice", m.Name))
		}
		r.sources[m.Name] = s
		r.measures[m.Name] = m
	}
	if q, ok := s.(QualitySource); ok {
		r.quality = append(r.quality, q)
	}
}

// RegisterQuality adds a quality source that answers no measure.
func (r *Registry) RegisterQuality(q QualitySource) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quality = append(r.quality, q)
}

// Measure returns the registered measure named name.
func (r *Registry) Measure(name string) (Measure, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.measures[name]
	return m, ok
}

// Measures lists the registered measures by name.
func (r *Registry) Measures() []Measure {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Measure, 0, len(r.measures))
	for _, m := range r.measures {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) source(name string) (Source, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.sources[name]
	return s, ok
}

func (r *Registry) qualitySources() []QualitySource {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]QualitySource(nil), r.quality...)
}
