package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/loadgen"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestLoadCommand runs `ura load` against `ura serve --demo` on each engine:
// 8 users, 200 requests, no think time. Every request must succeed, the
// table goes to standard output and the same report to --json.
func TestLoadCommand(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			_, _, sargs := storeArgs(t, e)
			in := serve(t, sargs, "--demo")
			jsonFile := filepath.Join(t.TempDir(), "load.json")
			// The server runs in this process: --server-pid is ours; --nice 0
			// keeps the test binary at its priority.
			args := append([]string{"load", "--url", in.URL, "--users", "8", "--requests", "200", "--think", "0",
				"--seed", "3", "--json", jsonFile, "--nice", "0", "--server-pid", strconv.Itoa(os.Getpid())}, sargs...)
			out, errOut, err := ura(t, "", args...)
			if err != nil {
				t.Fatalf("ura load: %v\nstdout:\n%s\nstderr:\n%s\nserver log:\n%s", err, out, errOut, in.Err.String())
			}
			t.Logf("\n%s", out)
			for _, want := range []string{"ACTION", "P95 ms", "P99 ms", "signin", "case_open", "total"} {
				if !strings.Contains(out, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			if !strings.Contains(errOut, "8 accounts ready (8 created, 0 reset)") {
				t.Errorf("stderr: %s", errOut)
			}
			b, err := os.ReadFile(jsonFile)
			if err != nil {
				t.Fatal(err)
			}
			var rep loadgen.Report
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			// Sign-in counts towards the 200 requests: without think time the
			// first users may use them up before the last has signed in.
			if rep.Total.Count != 200 || rep.Total.Errors != 0 || rep.SignedIn < 3 || rep.Users != 8 || rep.Total.P50MS <= 0 {
				t.Errorf("JSON report: %d requests, %d errors, %d/%d signed in, p50 %v ms",
					rep.Total.Count, rep.Total.Errors, rep.SignedIn, rep.Users, rep.Total.P50MS)
			}
			if rep.Machine == nil || rep.Machine.CPUs < 1 {
				t.Errorf("no machine record: %+v", rep.Machine)
			} else if _, ok := rep.Machine.CPU["server"]; !ok && rep.Phase(loadgen.PhaseSteady).Total.Count > 0 {
				t.Errorf("no server CPU time: %+v", rep.Machine)
			}
			if n := rep.Phase(loadgen.PhaseRamp).Total.Count + rep.Phase(loadgen.PhaseSteady).Total.Count; n != rep.Total.Count {
				t.Errorf("phases count %d requests of %d", n, rep.Total.Count)
			}
			for _, want := range []string{"sign-in ramp", "whole run", "machine: "} {
				if !strings.Contains(out, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			// No load account's address reaches the output.
			if strings.Contains(out+errOut, "load-0001") || strings.Contains(string(b), "@load.ura.invalid") {
				t.Error("an account name reached the report")
			}
		})
	}
}

func TestLoadCommandRefuses(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"NoURL", nil, true, "--url is required"},
		{"RemoteHost", []string{"--url", "http://192.0.2.10:8080"}, true, "loopback"},
		{"HostName", []string{"--url", "http://ura.example.org"}, true, "loopback"},
		{"Unspecified", []string{"--url", "http://0.0.0.0:8080"}, true, "loopback"},
		{"BadThink", []string{"--url", "http://127.0.0.1:1", "--think", "2s-1s"}, true, "--think"},
		{"NoUsers", []string{"--url", "http://127.0.0.1:1", "--users", "0"}, true, "--users"},
		{"BadNice", []string{"--url", "http://127.0.0.1:1", "--nice", "25"}, true, "--nice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ura(t, "", append(append([]string{"load"}, tc.args...), sargs...)...)
			if err == nil || errors.Is(err, errUsage) != tc.usage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a usage=%v error with %q", err, tc.usage, tc.want)
			}
		})
	}
	t.Run("RealAccounts", func(t *testing.T) {
		mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "officer@example.invalid", "--name", "Test Officer",
			"--role", "police", "--org", "Test Police Unit"}, sargs...)...)
		_, _, err := ura(t, "", append([]string{"load", "--url", "http://127.0.0.1:1", "--users", "2"}, sargs...)...)
		if !errors.Is(err, loadgen.ErrRealData) {
			t.Errorf("err = %v, want the refusal of a store with real accounts", err)
		}
	})
	t.Run("Help", func(t *testing.T) {
		out, _, _ := ura(t, "", "help")
		if !strings.Contains(out, "load ") {
			t.Errorf("help does not list load:\n%s", out)
		}
	})
}
