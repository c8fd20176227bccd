package metrics_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/metrics"
)

func TestWrite(t *testing.T) {
	r := metrics.New()
	r.ObserveRequest("GET", `/cases/{id}`, 200, 3*time.Millisecond)
	r.ObserveRequest("GET", "odd\"route\\\n", 404, time.Millisecond)
	r.Collect(func(context.Context) []metrics.Sample {
		return []metrics.Sample{{Name: "ura_test_gauge", Help: "A gauge.", Value: 2.5}}
	})
	metrics.JobRuns.Inc("test.write")
	var b strings.Builder
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`ura_http_request_duration_seconds_bucket{method="GET",route="/cases/{id}",code="200",le="0.005"} 1`,
		`ura_http_request_duration_seconds_bucket{method="GET",route="/cases/{id}",code="200",le="0.0025"} 0`,
		`route="odd\"route\\\n"`,
		"# TYPE ura_test_gauge gauge\nura_test_gauge 2.5\n",
		`ura_job_runs_total{job="test.write"} `,
		"# TYPE go_goroutines gauge\n",
		"# TYPE ura_audit_events_appended_total counter\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// BenchmarkScrape: one scrape with 120 route × status series.
func BenchmarkScrape(b *testing.B) {
	r := metrics.New()
	for i := range 60 {
		for _, code := range []int{200, 404} {
			r.ObserveRequest("GET", "/route/"+string(rune('a'+i%26))+string(rune('a'+i/26)), code, time.Millisecond)
		}
	}
	for b.Loop() {
		r.Write(io.Discard)
	}
}
