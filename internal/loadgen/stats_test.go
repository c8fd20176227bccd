package loadgen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
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

// TestRecorderPhases: each request counts in the whole run and in the phase
// it was sent in, and a phase's rate is over its own length.
func TestRecorderPhases(t *testing.T) {
	r := NewRecorder()
	for i := range 10 {
		r.RecordIn(PhaseRamp, "sign-in", time.Duration(100+i)*time.Millisecond, "")
	}
	for i := range 90 {
		r.RecordIn(PhaseSteady, "case", time.Duration(i+1)*time.Millisecond, "")
	}
	r.RecordIn(PhaseSteady, "case", time.Second, "500")
	rep := r.Report(10 * time.Second)
	for _, p := range []struct {
		name string
		d    time.Duration
	}{{PhaseRamp, 2 * time.Second}, {PhaseSteady, 8 * time.Second}} {
		if ph, ok := r.phaseReport(p.name, p.d); ok {
			rep.Phases = append(rep.Phases, ph)
		}
	}
	if rep.Total.Count != 101 || rep.Total.P99MS < 100 {
		t.Errorf("whole run %+v", rep.Total)
	}
	ramp, steady := rep.Phase(PhaseRamp), rep.Phase(PhaseSteady)
	if ramp.Total.Count != 10 || ramp.Seconds != 2 || ramp.Total.RPS != 5 {
		t.Errorf("ramp %+v", ramp)
	}
	// The slow sign-ins do not spoil the steady state's percentiles.
	if steady.Total.Count != 91 || steady.Total.Errors != 1 || steady.Total.P50MS != 46 || steady.Seconds != 8 {
		t.Errorf("steady %+v", steady.Total)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sign-in ramp: 2.0 s", "steady state (the targets apply here): 8.0 s", "whole run: 10.0 s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestProcReaders reads this process's own /proc entries: a command name
// with spaces and parentheses does not shift the fields, and CPU time grows
// with work done.
func TestProcReaders(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	f := statFields(os.Getpid())
	if len(f) < 17 || f[1] != strconv.Itoa(os.Getppid()) {
		t.Fatalf("stat fields %v: want the parent's id at 1", f)
	}
	before := cpuSeconds(os.Getpid(), false)
	x := 0
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		x++
	}
	if after := cpuSeconds(os.Getpid(), false); after <= before || x == 0 {
		t.Errorf("CPU time %.2f s then %.2f s", before, after)
	}
	// A command named like "a) b (c" is read by its last parenthesis.
	if f := parseStat("42 (a) b (c) S 7 42 42 0 -1 0 0 0 0 0 150 30 5 1 20 10 1"); len(f) != 18 || f[1] != "7" || f[11] != "150" || f[16] != "10" {
		t.Errorf("parsed %q", f)
	}
	m := &Machine{CPUs: 2, Nice: 10, SteadySeconds: 10, CPU: map[string]float64{"server": 5, "generator": 1}}
	if s := m.String(); !strings.Contains(s, "server 5.0 s (50 % of one CPU)") || !strings.Contains(s, "nice 10") {
		t.Errorf("machine text %q", s)
	}
}
