package loadgen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func msList(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample, median", msList(7), 50, 7 * time.Millisecond},
		{"one sample, p99", msList(7), 99, 7 * time.Millisecond},
		{"two samples, median is the lower", msList(1, 9), 50, 1 * time.Millisecond},
		{"two samples, p51 is the upper", msList(1, 9), 51, 9 * time.Millisecond},
		{"ten, p50", msList(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5 * time.Millisecond},
		{"ten, p95 rounds up to the last", msList(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 95, 10 * time.Millisecond},
		{"ten, p90", msList(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{"hundred, p50", hundred, 50, 50 * time.Millisecond},
		{"hundred, p95", hundred, 95, 95 * time.Millisecond},
		{"hundred, p99", hundred, 99, 99 * time.Millisecond},
		{"hundred, p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, 1 * time.Millisecond},
		{"p above 100 is the max", hundred, 150, 100 * time.Millisecond},
		{"ties", msList(3, 3, 3, 3, 8), 80, 3 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.samples, tc.p); got != tc.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

// TestPercentileIsObserved checks on random data that every percentile is a
// sample and that at least p % of the samples are at or below it, and fewer
// than p % strictly below.
func TestPercentileIsObserved(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 300; n += 7 {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = time.Duration(rng.IntN(1000)) * time.Microsecond
		}
		sorted := append([]time.Duration(nil), s...)
		summarise("x", sorted, 0, nil, time.Second) // sorts
		for _, p := range []float64{1, 50, 90, 95, 99, 99.9} {
			v := Percentile(sorted, p)
			atOrBelow, below := 0, 0
			for _, d := range s {
				if d <= v {
					atOrBelow++
				}
				if d < v {
					below++
				}
			}
			if float64(atOrBelow) < p/100*float64(n) || float64(below) >= p/100*float64(n) {
				t.Fatalf("n=%d p%v = %v: %d at or below, %d below", n, p, v, atOrBelow, below)
			}
		}
	}
}

func TestRecorderReport(t *testing.T) {
	rec := NewRecorder()
	for i := 1; i <= 10; i++ {
		rec.Record(ActCaseOpen, time.Duration(i)*time.Millisecond, "")
	}
	rec.Record(ActNote, 4*time.Millisecond, "")
	rec.Record(ActNote, 40*time.Millisecond, "500")
	rec.Record(ActNote, 30*time.Second, "transport")
	rec.Record(ActNote, 5*time.Millisecond, "500")
	rec.Skip(ActAnswer)
	rec.Skip(ActAnswer)
	rep := rec.Report(2 * time.Second)

	for _, tc := range []struct {
		action               string
		count, errors, skips int
		rps, p50, p95, maxMS float64
		status               map[string]int
	}{
		{ActCaseOpen, 10, 0, 0, 5, 5, 10, 10, nil},
		{ActNote, 4, 3, 0, 2, 5, 30000, 30000, map[string]int{"500": 2, "transport": 1}},
		{ActAnswer, 0, 0, 2, 0, 0, 0, 0, nil},
		{"total", 14, 3, 2, 7, 5, 30000, 30000, map[string]int{"500": 2, "transport": 1}},
	} {
		s := rep.Action(tc.action)
		if tc.action == "total" {
			s = rep.Total
		}
		if s.Count != tc.count || s.Errors != tc.errors || s.Skipped != tc.skips || s.RPS != tc.rps ||
			s.P50MS != tc.p50 || s.P95MS != tc.p95 || s.MaxMS != tc.maxMS {
			t.Errorf("%s: %+v", tc.action, s)
		}
		if len(s.Status) != len(tc.status) {
			t.Errorf("%s: status %v, want %v", tc.action, s.Status, tc.status)
		}
		for k, v := range tc.status {
			if s.Status[k] != v {
				t.Errorf("%s: status %v, want %v", tc.action, s.Status, tc.status)
			}
		}
	}
	if names := []string{rep.Actions[0].Action, rep.Actions[1].Action, rep.Actions[2].Action}; names[0] != ActCaseOpen ||
		names[1] != ActNote || names[2] != ActAnswer {
		t.Errorf("actions not in name order: %v", names)
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ACTION", "P99 ms", "note_add", "total", "errors by status:", "500 ×2", "transport ×1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Total.Count != 14 || back.Action(ActNote).Status["500"] != 2 || back.Total.P99MS != 30000 {
		t.Errorf("JSON round trip: %+v", back.Total)
	}
}
