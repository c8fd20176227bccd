package main

import (
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// profileWriteTimeout lets a CPU profile of up to a minute and a half be
// taken from the metrics address (/debug/pprof/profile?seconds=60).
const profileWriteTimeout = 100 * time.Second

// withProfiles adds Go's profiles under /debug/pprof/ to the metrics
// handler, and starts recording where goroutines block and wait for locks
// (one event in five: the single SQLite writer, the audit chain's head and
// the pools show up there). Only served on the metrics address, and only
// when it is a loopback one (config.Validate).
func withProfiles(metrics http.Handler) http.Handler {
	runtime.SetBlockProfileRate(int(time.Microsecond * 100)) // a sample per 100 µs blocked
	runtime.SetMutexProfileFraction(5)
	mux := http.NewServeMux()
	mux.Handle("/", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
