// Package loadgen drives a running Ura through its web pages as many signed-in
// people at once, to measure it: each virtual user signs in with the real
// password and second-factor pages, then works in a loop — opens cases,
// reads timelines, searches, writes notes, refers cases and answers
// referrals — in a mix weighted by role, with think time between actions.
// Every request is timed; the report gives counts, errors and exact
// latency percentiles per action.
//
// Load runs only against a loopback address, with demo accounts it creates
// itself on a store that holds no real accounts. It logs nothing of the
// cases it reads; the writes it makes are fictional text marked as load.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// Options configure a run.
type Options struct {
	// URL is the instance's base address; it must be a loopback one.
	URL string
	// Accounts are the virtual users, one each (see Setup).
	Accounts []Account
	// Duration ends the run after this long (0: no time limit).
	Duration time.Duration
	// Requests ends the run after this many requests in total, sign-in
	// included (0: no limit). At least one of Duration and Requests is needed.
	Requests int64
	// Seed makes each user's choices repeatable (the interleaving of users
	// is not).
	Seed uint64
	// ThinkMin and ThinkMax bound the random pause before each action
	// (both 0: none).
	ThinkMin, ThinkMax time.Duration
	// Timeout limits each request (default 30 s).
	Timeout time.Duration
	// SignIns is how many users sign in at once (default 3): each sign-in
	// costs the server an argon2id hash, about 65 ms and 64 MiB.
	SignIns int
	// Now is the clock TOTP codes are computed from (default time.Now); a
	// server on a fake clock needs that clock here.
	Now func() time.Time
	// ServerPID and DatabasePID, when given, are the processes whose CPU
	// time the report states for the steady state (the database with its
	// children: PostgreSQL's postmaster, whose backends are its children).
	ServerPID, DatabasePID int
	// Progress, when set, gets a line every ProgressEvery (default 10 s).
	Progress      io.Writer
	ProgressEvery time.Duration
}

// CheckLoopback parses raw and refuses any address whose host is not a
// loopback one (127.0.0.0/8, ::1 or localhost): load is never sent to
// another machine.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("load: --url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("load: --url must be an http:// or https:// address, not %q", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("load: --url %q has no host", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("load: --url must be the instance's base address, like http://127.0.0.1:8080")
	}
	if strings.EqualFold(host, "localhost") {
		return u, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("load: refusing %s: load is sent only to a loopback address (127.0.0.0/8, ::1, localhost)", host)
	}
	return u, nil
}

// ParseThink reads a think time: "0" (none), one duration, or a range
// "MIN-MAX" such as "500ms-2s".
func ParseThink(s string) (lo, hi time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, 0, nil
	}
	a, b, found := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(strings.TrimSpace(a)); err != nil {
		return 0, 0, fmt.Errorf("think time %q: %w", s, err)
	}
	hi = lo
	if found {
		if hi, err = time.ParseDuration(strings.TrimSpace(b)); err != nil {
			return 0, 0, fmt.Errorf("think time %q: %w", s, err)
		}
	}
	if lo < 0 || hi < lo {
		return 0, 0, fmt.Errorf("think time %q: want MIN-MAX with 0 ≤ MIN ≤ MAX", s)
	}
	return lo, hi, nil
}

// runner is the state the virtual users share.
type runner struct {
	o      Options
	base   string
	parent context.Context
	stop   context.Context
	end    context.CancelFunc
	rec    *Recorder
	tr     *http.Transport

	budget   atomic.Int64 // requests left when o.Requests > 0
	sent     atomic.Int64
	failed   atomic.Int64
	signedIn atomic.Int64
	signins  chan struct{}

	// capacity orders the writes that depend on free beds: a referral reads
	// the fitting services and sends under the read lock; an acceptance
	// reads the shelter board and accepts under the write lock. Without it
	// a bed taken between a page and its form would fail the form, a
	// conflict the load would have made itself.
	capacity sync.RWMutex
	// referring holds the cases a user is referring now (one at a time per
	// case, so two users never send the same referral twice); answered the
	// referrals a user has taken to answer.
	referring sync.Map
	answered  sync.Map

	names []string // fictional full names to search for

	// pending counts the users that have not yet tried to sign in; when it
	// reaches zero the ramp is over and the steady state begins.
	pending  atomic.Int64
	isSteady atomic.Bool
	rampEnd  atomic.Int64 // Unix nanoseconds
	watch    *watcher
}

// phase is the phase a request sent now belongs to.
func (r *runner) phase() string {
	if r.isSteady.Load() {
		return PhaseSteady
	}
	return PhaseRamp
}

// rampDone notes that one more user has tried to sign in.
func (r *runner) rampDone() {
	if r.pending.Add(-1) == 0 {
		r.rampEnd.Store(time.Now().UnixNano())
		r.watch.steady()
		r.isSteady.Store(true)
	}
}

// Run signs every account in and runs the mix until a bound is reached or
// ctx ends, then reports. An error means the run could not start; failed
// requests are in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	u, err := CheckLoopback(o.URL)
	if err != nil {
		return nil, err
	}
	if len(o.Accounts) == 0 {
		return nil, errors.New("load: no accounts")
	}
	if o.Duration <= 0 && o.Requests <= 0 {
		return nil, errors.New("load: give a duration or a number of requests")
	}
	if o.ThinkMin < 0 || o.ThinkMax < o.ThinkMin {
		return nil, errors.New("load: think time must satisfy 0 ≤ min ≤ max")
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.SignIns <= 0 {
		o.SignIns = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 10 * time.Second
	}
	r := &runner{o: o, base: strings.TrimSuffix(u.String(), "/"), parent: ctx, rec: NewRecorder(),
		signins: make(chan struct{}, o.SignIns)}
	if o.Duration > 0 {
		r.stop, r.end = context.WithTimeout(ctx, o.Duration)
	} else {
		r.stop, r.end = context.WithCancel(ctx)
	}
	defer r.end()
	r.budget.Store(o.Requests)
	r.tr = &http.Transport{
		Proxy:               nil, // loopback only: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        len(o.Accounts) + 10,
		MaxIdleConnsPerHost: len(o.Accounts) + 10,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	defer r.tr.CloseIdleConnections()
	rng := rand.New(rand.NewPCG(o.Seed, 0x10ad))
	for range 64 {
		given, family := synth.Name(rng, synth.Languages[rng.IntN(len(synth.Languages))], rng.IntN(4) > 0, false)
		r.names = append(r.names, given+" "+family)
	}

	roles := map[string]int{}
	for _, a := range o.Accounts {
		roles[string(a.Role)]++
	}
	r.pending.Store(int64(len(o.Accounts)))
	r.watch = newWatcher(o.ServerPID, o.DatabasePID)
	started := time.Now()
	done := make(chan struct{})
	if o.Progress != nil {
		go r.progress(started, done)
	}
	var wg sync.WaitGroup
	for i, a := range o.Accounts {
		wg.Go(func() { newUser(r, i, a).run() })
	}
	wg.Wait()
	close(done)
	elapsed := time.Since(started)
	rep := r.rec.Report(elapsed)
	rep.Machine = r.watch.finish()
	ramp := elapsed
	if end := r.rampEnd.Load(); end > 0 {
		ramp = time.Unix(0, end).Sub(started)
	}
	if p, ok := r.rec.phaseReport(PhaseRamp, ramp); ok {
		rep.Phases = append(rep.Phases, p)
	}
	if p, ok := r.rec.phaseReport(PhaseSteady, elapsed-ramp); ok {
		rep.Phases = append(rep.Phases, p)
	}
	rep.URL, rep.Users, rep.Roles = r.base, len(o.Accounts), roles
	rep.Started = started.UTC().Truncate(time.Second)
	rep.SignedIn = int(r.signedIn.Load())
	return rep, nil
}

func (r *runner) progress(start time.Time, done <-chan struct{}) {
	t := time.NewTicker(r.o.ProgressEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			fmt.Fprintf(r.o.Progress, "load: %4.0f s  %d requests  %d errors  %d/%d users signed in\n",
				time.Since(start).Seconds(), r.sent.Load(), r.failed.Load(), r.signedIn.Load(), len(r.o.Accounts))
		}
	}
}

// take reserves one request of the budget; false means the run is over.
func (r *runner) take() bool {
	if r.stop.Err() != nil {
		return false
	}
	if r.o.Requests > 0 && r.budget.Add(-1) < 0 {
		r.end()
		return false
	}
	return true
}

// errStopped ends a user's current action when the run is over; nothing is
// recorded for it.
var errStopped = errors.New("load: stopped")

// errFailed ends a user's current action after a failed request (recorded).
var errFailed = errors.New("load: request failed")

// roleCan is access.Can for a role, without an actor.
func roleCan(r access.Role, act access.Action) bool { return access.Can(access.Actor{Role: r}, act) }
