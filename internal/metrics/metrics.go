// Package metrics keeps the counters, gauges and histograms Ura exposes to
// Prometheus at /metrics, in the text exposition format, with the standard
// library alone. Labels are route patterns, methods, status codes, job names
// and limit kinds — fixed sets chosen by the code, never a value a user typed
// or an id, so no personal data can reach a label.
package metrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type key struct{ method, route, code string }

type hist struct {
	counts []uint64
	sum    float64
	n      uint64
}

// Registry holds the request metrics of one handler, named counters and the
// gauges read at each scrape; Write adds the process-wide counters below.
type Registry struct {
	mu         sync.Mutex
	reqs       map[key]*hist
	counters   map[string]uint64
	help       map[string]string
	collectors []Collector
	start      time.Time
}

// Sample is one gauge value read at scrape time.
type Sample struct {
	Name, Help string
	Value      float64
	// Counter marks a value that only grows (a total kept elsewhere).
	Counter bool
}

// Collector reads gauges at scrape time (database pool, outbox depth). It
// must be quick and must not fail the scrape: on error it returns what it has.
type Collector func(ctx context.Context) []Sample

// New returns an empty registry.
func New() *Registry {
	return &Registry{reqs: map[key]*hist{}, counters: map[string]uint64{}, help: map[string]string{}, start: time.Now()}
}

// Collect adds a collector read at every scrape.
func (r *Registry) Collect(c Collector) {
	r.mu.Lock()
	r.collectors = append(r.collectors, c)
	r.mu.Unlock()
}

// ObserveRequest records one HTTP request.
func (r *Registry) ObserveRequest(method, route string, code int, d time.Duration) {
	k := key{method, route, fmt.Sprint(code)}
	s := d.Seconds()
	r.mu.Lock()
	h := r.reqs[k]
	if h == nil {
		h = &hist{counts: make([]uint64, len(buckets))}
		r.reqs[k] = h
	}
	for i, b := range buckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
	r.mu.Unlock()
}

// Inc adds one to a named counter (name must be a valid metric name).
func (r *Registry) Inc(name, help string) {
	r.mu.Lock()
	r.counters[name]++
	r.help[name] = help
	r.mu.Unlock()
}

// Write renders every metric in the Prometheus text format.
func (r *Registry) Write(w io.Writer) error { return r.WriteContext(context.Background(), w) }

// WriteContext is Write with the context the collectors read under.
func (r *Registry) WriteContext(ctx context.Context, w io.Writer) error {
	r.mu.Lock()
	collectors := append([]Collector(nil), r.collectors...)
	var b strings.Builder
	b.WriteString("# HELP ura_http_request_duration_seconds Time to answer HTTP requests, by route pattern.\n")
	b.WriteString("# TYPE ura_http_request_duration_seconds histogram\n")
	keys := make([]key, 0, len(r.reqs))
	for k := range r.reqs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		return a.route+a.method+a.code < c.route+c.method+c.code
	})
	for _, k := range keys {
		h := r.reqs[k]
		lbl := fmt.Sprintf(`method=%s,route=%s,code=%s`, quote(k.method), quote(k.route), quote(k.code))
		for i, bk := range buckets {
			fmt.Fprintf(&b, "ura_http_request_duration_seconds_bucket{%s,le=%q} %d\n", lbl, trimFloat(bk), h.counts[i])
		}
		fmt.Fprintf(&b, "ura_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, h.n)
		fmt.Fprintf(&b, "ura_http_request_duration_seconds_sum{%s} %g\n", lbl, h.sum)
		fmt.Fprintf(&b, "ura_http_request_duration_seconds_count{%s} %d\n", lbl, h.n)
	}
	names := make([]string, 0, len(r.counters))
	for n := range r.counters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", n, r.help[n], n, n, r.counters[n])
	}
	fmt.Fprintf(&b, "# HELP ura_uptime_seconds Seconds since the process started.\n# TYPE ura_uptime_seconds gauge\nura_uptime_seconds %d\n",
		int64(math.Round(time.Since(r.start).Seconds())))
	r.mu.Unlock()

	writeProcessCounters(&b)
	writeSamples(&b, runtimeSamples())
	for _, c := range collectors {
		writeSamples(&b, c(ctx))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSamples(b *strings.Builder, ss []Sample) {
	for _, s := range ss {
		typ := "gauge"
		if s.Counter {
			typ = "counter"
		}
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", s.Name, s.Help, s.Name, typ, s.Name, trimFloat(s.Value))
	}
}

func trimFloat(f float64) string { return fmt.Sprintf("%g", f) }

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// quote renders a label value: backslash, double quote and newline escaped.
func quote(s string) string { return `"` + labelEscaper.Replace(s) + `"` }

// Counter is a process-wide count that only grows.
type Counter struct {
	name, help string
	v          atomic.Uint64
}

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value is the count so far.
func (c *Counter) Value() uint64 { return c.v.Load() }

// CounterVec is a family of counters told apart by one label whose values
// the code chooses from a fixed set (job names, limit kinds).
type CounterVec struct {
	name, help, label string
	mu                sync.Mutex
	m                 map[string]*atomic.Uint64
}

// Inc adds one to the counter of value.
func (v *CounterVec) Inc(value string) {
	v.mu.Lock()
	c := v.m[value]
	if c == nil {
		c = new(atomic.Uint64)
		v.m[value] = c
	}
	v.mu.Unlock()
	c.Add(1)
}

// Value is the count of value so far.
func (v *CounterVec) Value(value string) uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := v.m[value]; c != nil {
		return c.Load()
	}
	return 0
}

var (
	procMu       sync.Mutex
	procCounters []*Counter
	procVecs     []*CounterVec
)

// NewCounter registers a process-wide counter, written by every registry.
func NewCounter(name, help string) *Counter {
	c := &Counter{name: name, help: help}
	procMu.Lock()
	procCounters = append(procCounters, c)
	procMu.Unlock()
	return c
}

// NewCounterVec registers a process-wide counter family.
func NewCounterVec(name, help, label string) *CounterVec {
	v := &CounterVec{name: name, help: help, label: label, m: map[string]*atomic.Uint64{}}
	procMu.Lock()
	procVecs = append(procVecs, v)
	procMu.Unlock()
	return v
}

// The process-wide counters other packages count into.
var (
	JobRuns        = NewCounterVec("ura_job_runs_total", "Background job runs on this node, by job.", "job")
	JobFailures    = NewCounterVec("ura_job_failures_total", "Background job runs on this node that failed, by job.", "job")
	AuditAppended  = NewCounter("ura_audit_events_appended_total", "Audit events appended to the chain by this node.")
	SignInFailures = NewCounter("ura_signin_failures_total", "Failed sign-ins on this node (every reason: wrong password, unknown account, locked, throttled).")
	SignInLockouts = NewCounter("ura_signin_lockouts_total", "Lockouts begun on this node: an account, an address or a second factor blocked after too many failures.")
	APIRateLimited = NewCounterVec("ura_api_rate_limited_total", "API requests refused with 429, by the limit that refused them.", "limit")
)

func writeProcessCounters(b *strings.Builder) {
	procMu.Lock()
	cs := append([]*Counter(nil), procCounters...)
	vs := append([]*CounterVec(nil), procVecs...)
	procMu.Unlock()
	for _, c := range cs {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.Value())
	}
	for _, v := range vs {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n", v.name, v.help, v.name)
		v.mu.Lock()
		vals := make([]string, 0, len(v.m))
		for k := range v.m {
			vals = append(vals, k)
		}
		sort.Strings(vals)
		for _, k := range vals {
			fmt.Fprintf(b, "%s{%s=%s} %d\n", v.name, v.label, quote(k), v.m[k].Load())
		}
		v.mu.Unlock()
	}
}

type routeKey struct{}

// WithRoute returns a context with a slot for the route pattern of the
// request, for handlers mounted below the one that measures (the API).
func WithRoute(ctx context.Context) (context.Context, *string) {
	p := new(string)
	return context.WithValue(ctx, routeKey{}, p), p
}

// SetRoute names the route pattern that served the request of ctx.
func SetRoute(ctx context.Context, pattern string) {
	if p, ok := ctx.Value(routeKey{}).(*string); ok {
		*p = pattern
	}
}
