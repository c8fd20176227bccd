package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/loadgen"
)

// cmdLoad creates or resets the load accounts in the store, then drives the
// instance at --url (loopback only) with them and prints the report.
func cmdLoad(ctx context.Context, e env, args []string) error {
	fs := newFlags("load")
	target := fs.String("url", "", "base address of the running instance; loopback only (http://127.0.0.1:PORT)")
	users := fs.Int("users", 50, "virtual users (load accounts load-0001 … created or reset)")
	duration := fs.Duration("duration", 0, "stop after this long (default 1m when --requests is not given)")
	requests := fs.Int64("requests", 0, "stop after this many requests in total, sign-in included")
	seed := fs.Uint64("seed", 1, "seed of the users' choices")
	think := fs.String("think", "500ms-2s", "pause before each action: MIN-MAX, one duration, or 0")
	timeout := fs.Duration("timeout", 0, "limit of each request (default 30s)")
	signins := fs.Int("signins", 3, "users signing in at once (each sign-in costs the server 64 MiB of argon2id)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	niceness := fs.Int("nice", 10, "scheduling priority of the generator, 0 to 19: higher yields the CPU to the server and the database it measures")
	serverPID := fs.Int("server-pid", 0, "process id of the server: its CPU time in the steady state is reported")
	dbPID := fs.Int("db-pid", 0, "process id of the database (PostgreSQL's postmaster): its CPU time and its backends' in the steady state is reported")
	cfg, err := loadConfig(e, fs, args, nil)
	if err != nil {
		return err
	}
	if *target == "" {
		return usagef("--url is required")
	}
	if _, err := loadgen.CheckLoopback(*target); err != nil {
		return usagef("%v", err)
	}
	if *niceness < 0 || *niceness > 19 || *serverPID < 0 || *dbPID < 0 {
		return usagef("--nice must be 0 to 19, and --server-pid and --db-pid process ids")
	}
	if *users <= 0 || *requests < 0 || *duration < 0 || *signins <= 0 || *signins > 4 || *timeout < 0 {
		return usagef("--users must be positive, --signins 1 to 4, and --duration, --requests and --timeout not negative")
	}
	if *duration == 0 && *requests == 0 {
		*duration = defaultLoadDuration
	}
	lo, hi, err := loadgen.ParseThink(*think)
	if err != nil {
		return usagef("--think: %v", err)
	}

	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	setup, err := loadgen.Setup(ctx, a.Auth, *users)
	a.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "load: %d accounts ready (%d created, %d reset)\n", len(setup.Accounts), setup.Created, setup.Reset)
	if len(setup.Missing) > 0 {
		var names []string
		for _, r := range setup.Missing {
			names = append(names, string(r))
		}
		fmt.Fprintf(e.stderr, "load: no organisation for %s: those roles are left out\n", strings.Join(names, ", "))
	}

	if *niceness > 0 {
		if err := loadgen.SetNice(*niceness); err != nil {
			return fmt.Errorf("load: --nice %d: %w", *niceness, err)
		}
	}
	rep, err := loadgen.Run(ctx, loadgen.Options{URL: *target, Accounts: setup.Accounts, Duration: *duration,
		Requests: *requests, Seed: *seed, ThinkMin: lo, ThinkMax: hi, Timeout: *timeout, SignIns: *signins,
		ServerPID: *serverPID, DatabasePID: *dbPID, Progress: e.stderr})
	if err != nil {
		return err
	}
	if err := rep.WriteText(e.stdout); err != nil {
		return err
	}
	if *jsonOut != "" {
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if rep.Total.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", rep.Total.Errors, rep.Total.Count)
	}
	return nil
}

const defaultLoadDuration = time.Minute
