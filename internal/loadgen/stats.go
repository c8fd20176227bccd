package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Recorder collects one latency sample per HTTP request, by the kind of
// request (its action), with the outcome. It keeps every sample, so the
// percentiles it reports are exact; a five-minute run at a thousand requests
// a second holds 300,000 durations, a few megabytes. Safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	series  map[string]*series
	skipped map[string]int
	// phases holds the same samples divided by the phase of the run in
	// which each request was sent (PhaseRamp, PhaseSteady).
	phases map[string]*Recorder
}

// The phases of a run: the sign-in ramp lasts until every user has tried to
// sign in (each sign-in costs the server an argon2id hash, so the ramp's
// latencies are not those of the work that follows); the steady state is
// the rest. Targets apply to the steady state.
const (
	PhaseRamp   = "ramp"
	PhaseSteady = "steady"
)

type series struct {
	samples []time.Duration
	errors  int
	// codes tallies the failed requests by HTTP status, or "transport" when
	// no answer came back.
	codes map[string]int
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{series: map[string]*series{}, skipped: map[string]int{}, phases: map[string]*Recorder{}}
}

// RecordIn is Record, also counted under phase (the phase in which the
// request was sent).
func (r *Recorder) RecordIn(phase, action string, d time.Duration, failure string) {
	r.Record(action, d, failure)
	r.mu.Lock()
	p := r.phases[phase]
	if p == nil {
		p = &Recorder{series: map[string]*series{}, skipped: map[string]int{}}
		r.phases[phase] = p
	}
	r.mu.Unlock()
	p.Record(action, d, failure)
}

// Record adds one request of action that took d. failure is empty for a
// request that succeeded, else the status code (or "transport") it failed
// with.
func (r *Recorder) Record(action string, d time.Duration, failure string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.series[action]
	if s == nil {
		s = &series{codes: map[string]int{}}
		r.series[action] = s
	}
	s.samples = append(s.samples, d)
	if failure != "" {
		s.errors++
		s.codes[failure]++
	}
}

// Skip notes that a user chose action but found nothing to do (no pending
// referral, no service left to refer to): no request was sent for it.
func (r *Recorder) Skip(action string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped[action]++
}

// Percentile returns the nearest-rank percentile p (0 < p ≤ 100) of sorted,
// an ascending slice: the smallest sample such that at least p % of the
// samples are less than or equal to it. It is exact, never interpolated, so
// it is always a latency that was really observed. Empty input gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Stats summarises the requests of one action (or of all of them).
type Stats struct {
	Action string `json:"action"`
	Count  int    `json:"count"`
	Errors int    `json:"errors"`
	// Status counts the failed requests by status code ("transport": no answer).
	Status map[string]int `json:"error_status,omitempty"`
	// Skipped counts the times the action was chosen with nothing to do.
	Skipped int     `json:"skipped,omitempty"`
	RPS     float64 `json:"rps"`
	MeanMS  float64 `json:"mean_ms"`
	P50MS   float64 `json:"p50_ms"`
	P95MS   float64 `json:"p95_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
}

// summarise computes the statistics of samples over elapsed; it sorts samples.
func summarise(action string, samples []time.Duration, errors int, codes map[string]int, elapsed time.Duration) Stats {
	slices.Sort(samples)
	st := Stats{Action: action, Count: len(samples), Errors: errors}
	if len(codes) > 0 {
		st.Status = maps.Clone(codes)
	}
	if elapsed > 0 {
		st.RPS = round(float64(len(samples))/elapsed.Seconds(), 2)
	}
	if len(samples) == 0 {
		return st
	}
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	st.MeanMS = ms(sum / time.Duration(len(samples)))
	st.P50MS = ms(Percentile(samples, 50))
	st.P95MS = ms(Percentile(samples, 95))
	st.P99MS = ms(Percentile(samples, 99))
	st.MaxMS = ms(samples[len(samples)-1])
	return st
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

func round(x float64, places int) float64 {
	f := math.Pow(10, float64(places))
	return math.Round(x*f) / f
}

// Report is the outcome of a run: per action and in total.
type Report struct {
	URL      string    `json:"url"`
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"`
	Users    int       `json:"users"`
	SignedIn int       `json:"signed_in"`
	// Roles counts the virtual users by role.
	Roles   map[string]int `json:"roles"`
	Actions []Stats        `json:"actions"`
	Total   Stats          `json:"total"`
	// Phases are the same figures for the sign-in ramp and the steady
	// state, in that order (a phase without requests is left out).
	Phases []Phase `json:"phases,omitempty"`
	// Machine is what else ran on the machine meanwhile.
	Machine *Machine `json:"machine,omitempty"`
}

// Phase is the report of one phase of the run.
type Phase struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Actions []Stats `json:"actions"`
	Total   Stats   `json:"total"`
}

// phaseReport summarises the requests sent in phase over elapsed.
func (r *Recorder) phaseReport(phase string, elapsed time.Duration) (Phase, bool) {
	r.mu.Lock()
	p := r.phases[phase]
	r.mu.Unlock()
	if p == nil {
		return Phase{}, false
	}
	rep := p.Report(elapsed)
	return Phase{Name: phase, Seconds: rep.Seconds, Actions: rep.Actions, Total: rep.Total}, true
}

// Phase returns the report of one phase, or a zero one.
func (rep *Report) Phase(name string) Phase {
	for _, p := range rep.Phases {
		if p.Name == name {
			return p
		}
	}
	return Phase{Name: name}
}

// Report summarises what was recorded over elapsed; actions are in name order.
func (r *Recorder) Report(elapsed time.Duration) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Seconds: round(elapsed.Seconds(), 3)}
	names := slices.Collect(maps.Keys(r.series))
	for name := range r.skipped {
		if r.series[name] == nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var all []time.Duration
	allCodes := map[string]int{}
	errors, skipped := 0, 0
	for _, name := range names {
		s := r.series[name]
		if s == nil {
			s = &series{}
		}
		samples := slices.Clone(s.samples)
		all = append(all, samples...)
		st := summarise(name, samples, s.errors, s.codes, elapsed)
		st.Skipped = r.skipped[name]
		rep.Actions = append(rep.Actions, st)
		errors += s.errors
		skipped += st.Skipped
		for c, n := range s.codes {
			allCodes[c] += n
		}
	}
	rep.Total = summarise("total", all, errors, allCodes, elapsed)
	rep.Total.Skipped = skipped
	return rep
}

// Action returns the statistics of one action, or zero ones.
func (rep *Report) Action(name string) Stats {
	for _, s := range rep.Actions {
		if s.Action == name {
			return s
		}
	}
	return Stats{Action: name}
}

// WriteText prints the report as a plain-text table.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ura load: %s, %d users (%d signed in), %.1f s\n", rep.URL, rep.Users, rep.SignedIn, rep.Seconds)
	if len(rep.Roles) > 0 {
		var parts []string
		for _, r := range slices.Sorted(maps.Keys(rep.Roles)) {
			parts = append(parts, fmt.Sprintf("%s %d", r, rep.Roles[r]))
		}
		fmt.Fprintf(&b, "roles: %s\n", strings.Join(parts, ", "))
	}
	header := func(title string) {
		fmt.Fprintf(&b, "\n%s\n%-16s %8s %7s %8s %9s %9s %9s %9s %9s\n", title, "ACTION", "COUNT", "ERRORS", "SKIPPED", "REQ/S", "P50 ms", "P95 ms", "P99 ms", "MAX ms")
	}
	row := func(s Stats) {
		fmt.Fprintf(&b, "%-16s %8d %7d %8d %9.1f %9.1f %9.1f %9.1f %9.1f\n", s.Action, s.Count, s.Errors, s.Skipped, s.RPS, s.P50MS, s.P95MS, s.P99MS, s.MaxMS)
	}
	for _, p := range rep.Phases {
		what := "sign-in ramp"
		if p.Name == PhaseSteady {
			what = "steady state (the targets apply here)"
		}
		header(fmt.Sprintf("%s: %.1f s", what, p.Seconds))
		for _, s := range p.Actions {
			row(s)
		}
		row(p.Total)
	}
	header(fmt.Sprintf("whole run: %.1f s", rep.Seconds))
	for _, s := range rep.Actions {
		row(s)
	}
	row(rep.Total)
	if m := rep.Machine; m != nil {
		b.WriteString("\n" + m.String())
	}
	if rep.Total.Errors > 0 {
		b.WriteString("\nerrors by status:\n")
		for _, s := range rep.Actions {
			if s.Errors == 0 {
				continue
			}
			var parts []string
			for _, c := range slices.Sorted(maps.Keys(s.Status)) {
				parts = append(parts, c+" ×"+strconv.Itoa(s.Status[c]))
			}
			fmt.Fprintf(&b, "  %-16s %s\n", s.Action, strings.Join(parts, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
