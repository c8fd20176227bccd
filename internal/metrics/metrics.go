// Package metrics keeps the few counters and histograms Ura exposes to
// Prometheus at /metrics, in the text exposition format, with the standard
// library alone. Labels are route patterns and status codes: never a value a
// user typed, so no personal data can reach a label.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type key struct{ method, route, code string }

type hist struct {
	counts []uint64
	sum    float64
	n      uint64
}

// Registry holds the request metrics and named counters.
type Registry struct {
	mu       sync.Mutex
	reqs     map[key]*hist
	counters map[string]uint64
	help     map[string]string
	start    time.Time
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{reqs: map[key]*hist{}, counters: map[string]uint64{}, help: map[string]string{}, start: time.Now()}
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
func (r *Registry) Write(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
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
		lbl := fmt.Sprintf(`method=%q,route=%q,code=%q`, k.method, k.route, k.code)
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
	_, err := io.WriteString(w, b.String())
	return err
}

func trimFloat(f float64) string { return fmt.Sprintf("%g", f) }
