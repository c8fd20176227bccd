package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/store"
)

var metricsRE = regexp.MustCompile(`Metrics are at (http://\S+)`)

// TestServeMetricsAddr: with --metrics-addr, `ura serve` answers /metrics
// on that address (requests to the main address counted there) and not on
// the main one.
func TestServeMetricsAddr(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--metrics-addr", "127.0.0.1:0")
	m := metricsRE.FindStringSubmatch(in.Out.String())
	if m == nil {
		t.Fatalf("serve does not say where metrics are:\n%s", in.Out.String())
	}
	res, err := http.Get(in.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	res, err = http.Get(in.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode != 404 {
		t.Errorf("main address /metrics = %d, want 404", res.StatusCode)
	}
	res, err = http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, `route="/healthz"`) || !strings.Contains(body, "ura_db_write_pool_open_connections") {
		t.Errorf("metrics address = %d:\n%s", res.StatusCode, body)
	}
	res, err = http.Get(strings.TrimSuffix(m[1], "/metrics") + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode != 404 {
		t.Errorf("metrics address serves /signin: %d", res.StatusCode)
	}
}

// TestServeProfiling: with --profiling, Go's profiles (block and mutex
// included) are on the metrics address, never on the main one; without it
// they are nowhere.
func TestServeProfiling(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--metrics-addr", "127.0.0.1:0", "--profiling")
	m := metricsRE.FindStringSubmatch(in.Out.String())
	if m == nil {
		t.Fatalf("serve does not say where metrics are:\n%s", in.Out.String())
	}
	base := strings.TrimSuffix(m[1], "/metrics")
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/mutex?debug=1", "/debug/pprof/block?debug=1", "/metrics"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, res); res.StatusCode != 200 || p == "/debug/pprof/" && !strings.Contains(body, "goroutine") {
			t.Errorf("%s on the metrics address = %d", p, res.StatusCode)
		}
	}
	res, err := http.Get(in.URL + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode == 200 {
		t.Error("the main address serves the profiles")
	}
}
