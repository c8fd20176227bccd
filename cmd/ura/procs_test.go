//go:build unix

package main

// Helpers for the process-level tests (crash_test.go, backup_load_test.go,
// cluster_test.go): Ura runs as separate OS processes, so a test can SIGKILL
// it, and a write load through the JSON API records every write the client
// saw acknowledged.
//
// The child process is this test binary run again with URA_TEST_EXEC_MAIN=1:
// init below then calls the real main with the child's arguments, so the
// process under test is the ura command itself with nothing replaced, and no
// separate build is needed.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

const (
	execMainEnv = "URA_TEST_EXEC_MAIN"
	parentFDEnv = "URA_TEST_PARENT_FD"
)

func init() {
	if os.Getenv(execMainEnv) != "1" {
		return
	}
	if os.Getenv(parentFDEnv) == "3" {
		// fd 3 is the read end of a pipe whose write end only the test
		// process holds: when the test process dies (a timeout, ^C), the
		// read ends and the child follows instead of running on as an orphan.
		parent := os.NewFile(3, "parent")
		go func() {
			io.Copy(io.Discard, parent)
			os.Exit(75)
		}()
	}
	main()
	os.Exit(0)
}

var parentPipe struct {
	once sync.Once
	r, w *os.File
	err  error
}

// parentPipeReader returns the pipe end every child inherits as fd 3. The
// write end stays open, unwritten, for the life of the test process.
func parentPipeReader(t testing.TB) *os.File {
	parentPipe.once.Do(func() { parentPipe.r, parentPipe.w, parentPipe.err = os.Pipe() })
	if parentPipe.err != nil {
		t.Fatal(parentPipe.err)
	}
	return parentPipe.r
}

// uraProc is one ura process started by a test.
type uraProc struct {
	name     string
	cmd      *exec.Cmd
	Out, Err *syncBuffer
	URL      string
	exited   chan struct{}
	exitErr  error
}

// childEnv is the environment of a child: nothing of the test's own
// environment (URA_* variables of the developer's shell must not leak in)
// but PATH and TMPDIR, plus env.
func childEnv(env []string) []string {
	out := []string{execMainEnv + "=1", parentFDEnv + "=3"}
	for _, k := range []string{"PATH", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return append(out, env...)
}

// startUra starts `ura args...` as a child process; the test's cleanup kills
// it if it still runs.
func startUra(t testing.TB, env []string, args ...string) *uraProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Args[0] = "ura"
	cmd.Env = childEnv(env)
	cmd.ExtraFiles = []*os.File{parentPipeReader(t)}
	p := &uraProc{name: "ura " + args[0], cmd: cmd, Out: &syncBuffer{}, Err: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Err
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	go func() { p.exitErr = cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.Kill)
	return p
}

// serveProc starts `ura serve --addr 127.0.0.1:0` with the store arguments and
// extra flags and waits until it listens.
func serveProc(t testing.TB, env, storeArgs []string, extra ...string) *uraProc {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs...)
	// The process tests drive load from one loopback address with a few
	// tokens: the API's rate limits (tested in internal/api and
	// internal/web) are off unless env sets them.
	env = append([]string{"URA_API_RATE_PER_TOKEN=0", "URA_API_RATE_PER_ADDRESS=0"}, env...)
	p := startUra(t, env, append(args, extra...)...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listenRE.FindStringSubmatch(p.Out.String()); m != nil {
			p.URL = m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("serve exited before listening: %v\nstderr: %s", p.exitErr, tailOf(p.Err.String(), 2000))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 60 s\nstderr: %s", tailOf(p.Err.String(), 2000))
		}
	}
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *uraProc) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the process to stop (SIGTERM) and checks that it exits cleanly.
func (p *uraProc) Stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.exitErr != nil {
			t.Errorf("%s exited with %v after SIGTERM\nstderr: %s", p.name, p.exitErr, tailOf(p.Err.String(), 2000))
		}
	case <-time.After(30 * time.Second):
		p.Kill()
		t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// logErrors returns the messages of the error-level lines of the process's
// log (a failed job, a failed request) and of any panic the HTTP server
// recovered from (logged as a warning).
func (p *uraProc) logErrors() []string {
	var out []string
	for _, line := range strings.Split(p.Err.String(), "\n") {
		var l struct {
			Level, Msg, Job, Route, Err string
		}
		if json.Unmarshal([]byte(line), &l) == nil && (l.Level == "ERROR" || strings.Contains(l.Msg, "panic")) {
			out = append(out, strings.Join(strings.Fields(l.Level+" "+l.Msg+" "+l.Job+" "+l.Route+": "+l.Err), " "))
		}
	}
	return out
}

// runUra runs `ura args...` as a child process to completion.
func runUra(t testing.TB, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	p := startUra(t, env, args...)
	select {
	case <-p.exited:
	case <-time.After(2 * time.Minute):
		p.Kill()
		return p.Out.String(), p.Err.String(), fmt.Errorf("%s: no exit within 2 minutes", p.name)
	}
	return p.Out.String(), p.Err.String(), p.exitErr
}

// mustRunUra is runUra failing the test on an error.
func mustRunUra(t testing.TB, env []string, args ...string) string {
	t.Helper()
	out, errOut, err := runUra(t, env, args...)
	if err != nil {
		t.Fatalf("ura %s: %v\nstdout: %s\nstderr: %s", args[0], err, tailOf(out, 2000), tailOf(errOut, 2000))
	}
	return out
}

func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// procStore is a fresh store on one engine with a police officer's API token.
type procStore struct {
	Engine store.Engine
	Data   string // the data directory (master.key; the SQLite database)
	DB     string // the PostgreSQL URL, or empty
	Args   []string
	Token  string
}

const loadOfficer = "load.officer@example.invalid"

// newProcStore migrates a fresh store, adds a police officer (synthetic) and
// makes an API token for her.
func newProcStore(t *testing.T, e store.Engine) *procStore {
	t.Helper()
	data, db, sargs := storeArgs(t, e)
	mustRunUra(t, nil, append([]string{"migrate"}, sargs...)...)
	// user add reads its password from standard input: run it in-process.
	mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", loadOfficer, "--name", "Load Test Officer",
		"--role", "police", "--org", "Load Test Police Unit"}, sargs...)...)
	out := mustRunUra(t, nil, append([]string{"token", "create", "--email", loadOfficer, "--label", "load test"}, sargs...)...)
	tok := lastLine(out)
	if !strings.HasPrefix(tok, "ura_") {
		t.Fatalf("token create printed no token")
	}
	return &procStore{Engine: e, Data: data, DB: db, Args: sargs, Token: tok}
}

// copyKeyFile puts the master key file of from into the data directory to
// (mode 0600), as an operator copies it to a second node or a restore target.
func copyKeyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(from, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, "master.key"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func envPositive(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// ---- The write load ----

// sentCase is a registration as the client sent it; its person's family
// name is unique in a writeLedger.
type sentCase struct {
	Given, Family, Birth, Narrative string
}

type ackCase struct {
	ID, Reference string
	sentCase
}

type ackNote struct {
	ID, CaseID, Body string
}

// writeLedger is what the clients wrote: every request sent, and every write
// acknowledged (a 2xx answer with the new record's id).
type writeLedger struct {
	tag string
	seq atomic.Int64

	mu        sync.Mutex
	sentCases map[string]sentCase // by family name
	sentNotes map[string]string   // body → case id
	cases     map[string]ackCase  // acknowledged, by id
	caseOrder []string
	notes     map[string]ackNote // acknowledged, by id
	// problems are answers that should never happen: a status other than
	// 201, or a 201 without an id.
	problems []string
	// failures are requests that died without an answer, by node URL (a
	// URL names one server only for its lifetime: a later server may get
	// the same port).
	failures map[string][]failure
	// served counts acknowledged writes by node URL, and after the
	// ledger's mark (see markAt).
	served      map[string]int
	servedAfter map[string]int
	mark        time.Time
	failovers   int
}

func newWriteLedger(tag string) *writeLedger {
	return &writeLedger{tag: tag, sentCases: map[string]sentCase{}, sentNotes: map[string]string{},
		cases: map[string]ackCase{}, notes: map[string]ackNote{}, failures: map[string][]failure{},
		served: map[string]int{}, servedAfter: map[string]int{}}
}

// markAt sets the time from which servedAfter counts.
func (l *writeLedger) markAt(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mark = t
}

// Synthetic given names (invented for the tests).
var loadGivenNames = []string{"Arbenita", "Dardan", "Elona", "Fitore", "Gentian", "Hana", "Ilirjan", "Jehona", "Kaltrina", "Liridon"}

// nameLetters spells n in base 26 with capital-first letters: a unique token that
// reads like a name.
func nameLetters(n int64) string {
	var b []byte
	for {
		b = append(b, byte('a'+n%26))
		n /= 26
		if n == 0 {
			break
		}
	}
	slices.Reverse(b)
	b[0] -= 'a' - 'A'
	return string(b)
}

func (l *writeLedger) newCase() sentCase {
	n := l.seq.Add(1)
	c := sentCase{
		Given:     loadGivenNames[n%int64(len(loadGivenNames))],
		Family:    "Provaj " + nameLetters(int64(len(l.tag))*7919+n*104729) + " " + l.tag,
		Birth:     fmt.Sprintf("%04d-%02d-%02d", 1965+n%35, 1+n%12, 1+n%28),
		Narrative: fmt.Sprintf("Synthetic load record %s/%d: recruited through an invented job advert.", l.tag, n),
	}
	l.mu.Lock()
	l.sentCases[c.Family] = c
	l.mu.Unlock()
	return c
}

func (c sentCase) body() []byte {
	b, _ := json.Marshal(map[string]any{
		"person":       map[string]any{"given_name": c.Given, "family_name": c.Family, "birth_date": c.Birth, "sex": "female", "citizenship": "XK"},
		"exploitation": []string{"ForcedLabour"},
		"details":      map[string]any{"narrative": c.Narrative},
		// The synthetic names look alike, and the likely-duplicate check
		// says so: register anyway, as a worker who has seen the warning.
		"confirm_duplicate": true,
	})
	return b
}

const noteFiller = "The caseworker called the shelter back; the fictional client is safe and nothing else changed. "

func (l *writeLedger) newNote(caseID string) string {
	n := l.seq.Add(1)
	// No surrounding space: the server trims it, and the body must read back as sent.
	body := strings.TrimSpace(fmt.Sprintf("Synthetic load note %s/%d. ", l.tag, n) + strings.Repeat(noteFiller, 8+int(n%24)))
	l.mu.Lock()
	l.sentNotes[body] = caseID
	l.mu.Unlock()
	return body
}

func (l *writeLedger) pickCase(r *rand.Rand) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.caseOrder) == 0 {
		return "", false
	}
	// Prefer recent cases, so a note often lands on a case opened just before.
	n := len(l.caseOrder)
	i := n - 1 - r.IntN(min(n, 20))
	if r.IntN(4) == 0 {
		i = r.IntN(n)
	}
	return l.caseOrder[i], true
}

func (l *writeLedger) ackCase(c ackCase, node string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.cases[c.ID]; !dup {
		l.cases[c.ID] = c
		l.caseOrder = append(l.caseOrder, c.ID)
	}
	l.count(node)
}

func (l *writeLedger) ackNote(n ackNote, node string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes[n.ID] = n
	l.count(node)
}

func (l *writeLedger) count(node string) {
	l.served[node]++
	if !l.mark.IsZero() && time.Now().After(l.mark) {
		l.servedAfter[node]++
	}
}

func (l *writeLedger) problem(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems = append(l.problems, fmt.Sprintf(format, a...))
}

// failure is a request that died without an answer.
type failure struct {
	At  time.Time
	Err string
}

func (f failure) String() string { return f.At.Format("15:04:05.000") + " " + f.Err }

func (l *writeLedger) failed(node string, at time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[node] = append(l.failures[node], failure{At: at, Err: err.Error()})
}

// snapshot returns copies of the acknowledged writes.
func (l *writeLedger) snapshot() (cases map[string]ackCase, notes map[string]ackNote) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.cases), maps.Clone(l.notes)
}

// counts returns how many writes are acknowledged.
func (l *writeLedger) counts() (cases, notes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.cases), len(l.notes)
}

// failuresBetween lists the requests to node that died in [from, to): while
// the server was up, before the test killed it.
func (l *writeLedger) failuresBetween(node string, from, to time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, f := range l.failures[node] {
		if !f.At.Before(from) && f.At.Before(to) {
			out = append(out, f.String())
		}
	}
	return out
}

// writeLoad is a running write load: clients open cases and add notes through the
// API until stopped.
type writeLoad struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

// writeLoadOptions configure a writeLoad.
type writeLoadOptions struct {
	Clients int
	// Nodes gives each client its nodes: the first is its home, the others
	// where it fails over when a request dies without an answer.
	Nodes func(client int) []string
	// Pause is a client's think time between writes.
	Pause time.Duration
}

// startLoad starts the clients.
func (l *writeLedger) startLoad(token string, o writeLoadOptions, seed uint64) *writeLoad {
	ld := &writeLoad{quit: make(chan struct{})}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: 2 * o.Clients}}
	for i := range o.Clients {
		ld.wg.Add(1)
		go func() {
			defer ld.wg.Done()
			c := &writeClient{l: l, hc: hc, token: token, nodes: o.Nodes(i), quit: ld.quit, r: rand.New(rand.NewPCG(seed, uint64(i)))}
			c.run(context.Background(), o.Pause)
		}()
	}
	return ld
}

// stop ends the load and waits for the clients. A request in flight is not
// cancelled but answered (or fails with its dead server): a client hanging
// up is not what these tests are about.
func (ld *writeLoad) stop() {
	close(ld.quit)
	ld.wg.Wait()
}

type writeClient struct {
	l     *writeLedger
	hc    *http.Client
	token string
	nodes []string
	cur   int
	quit  <-chan struct{}
	r     *rand.Rand
}

func (c *writeClient) run(ctx context.Context, pause time.Duration) {
	for {
		select {
		case <-c.quit:
			return
		default:
		}
		caseID, ok := c.l.pickCase(c.r)
		if !ok || c.r.IntN(3) == 0 {
			c.openCase(ctx)
		} else {
			c.addNote(ctx, caseID)
		}
		if pause > 0 {
			select {
			case <-c.quit:
			case <-time.After(pause):
			}
		}
	}
}

// post sends one write. A request that dies without an answer is sent again
// on the client's next node, if it has one (fail-over): the first attempt's
// fate is unknown, the second is a write of its own.
func (c *writeClient) post(ctx context.Context, path string, body []byte) (status int, resp []byte, node string) {
	for {
		node = c.nodes[c.cur]
		req, _ := http.NewRequestWithContext(ctx, "POST", node+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := c.hc.Do(req)
		if err == nil {
			resp, err = io.ReadAll(res.Body)
			res.Body.Close()
			if err == nil {
				return res.StatusCode, resp, node
			}
		}
		c.l.failed(node, time.Now(), err)
		if c.cur+1 >= len(c.nodes) {
			// No other node: the write's fate is unknown. Wait a little
			// before the next one, so a dead server is not hammered.
			select {
			case <-c.quit:
			case <-time.After(20 * time.Millisecond):
			}
			return 0, nil, node
		}
		c.cur++
		c.l.mu.Lock()
		c.l.failovers++
		c.l.mu.Unlock()
	}
}

func (c *writeClient) openCase(ctx context.Context) {
	sc := c.l.newCase()
	status, resp, node := c.post(ctx, "/api/v1/cases", sc.body())
	switch status {
	case 0:
	case http.StatusCreated:
		var r struct{ ID, Reference string }
		if err := json.Unmarshal(resp, &r); err != nil || r.ID == "" {
			c.l.problem("POST /api/v1/cases on %s: 201 without an id", node)
			return
		}
		c.l.ackCase(ackCase{ID: r.ID, Reference: r.Reference, sentCase: sc}, node)
	default:
		c.l.problem("POST /api/v1/cases on %s: %d %s", node, status, problemCode(resp))
	}
}

func (c *writeClient) addNote(ctx context.Context, caseID string) {
	body := c.l.newNote(caseID)
	b, _ := json.Marshal(map[string]string{"category": "general", "body": body})
	status, resp, node := c.post(ctx, "/api/v1/cases/"+caseID+"/notes", b)
	switch status {
	case 0:
	case http.StatusCreated:
		var n struct {
			ID     string `json:"id"`
			CaseID string `json:"case_id"`
		}
		if err := json.Unmarshal(resp, &n); err != nil || n.ID == "" || n.CaseID != caseID {
			c.l.problem("POST note on %s: 201 without an id or on another case", node)
			return
		}
		c.l.ackNote(ackNote{ID: n.ID, CaseID: caseID, Body: body}, node)
	default:
		c.l.problem("POST note on %s: %d %s", node, status, problemCode(resp))
	}
}

// problemCode is the code of a problem document (never its detail).
func problemCode(b []byte) string {
	var p struct {
		Code  string `json:"code"`
		Title string `json:"title"`
	}
	if json.Unmarshal(b, &p) != nil {
		return "(no problem document)"
	}
	return p.Code + " " + p.Title
}

// apiGet reads a JSON document from the API.
func apiGet(ctx context.Context, hc *http.Client, base, token, path string, out any) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode != 200 {
		return res.StatusCode, nil
	}
	return res.StatusCode, json.Unmarshal(b, out)
}

// ---- Checks ----

// readBack reads a store back through the API of a running ura.
type readBack struct {
	l     *writeLedger
	base  string
	token string
	hc    *http.Client
	mu    sync.Mutex
	errs  []string
}

func newReadBack(l *writeLedger, base, token string) *readBack {
	return &readBack{l: l, base: base, token: token, hc: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
}

func (c *readBack) errorf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, a...))
}

// report fails the test with what readBack found.
func (c *readBack) report(t testing.TB, what string) {
	t.Helper()
	failIf(t, what, c.errs)
}

type apiPerson struct {
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	BirthDate  string `json:"birth_date"`
}

type apiCase struct {
	ID        string     `json:"id"`
	Reference string     `json:"reference"`
	Person    *apiPerson `json:"person"`
	Details   *struct {
		Narrative string `json:"narrative"`
	} `json:"details"`
}

type apiNote struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	Body   string `json:"body"`
}

// eachParallel runs f for every item with a few workers.
func eachParallel[T any](items []T, f func(T)) {
	ch := make(chan T)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				f(it)
			}
		}()
	}
	for _, it := range items {
		ch <- it
	}
	close(ch)
	wg.Wait()
}

// checkCase opens a case through the API: it must be whole (its person and
// details readable) and be one the clients sent; want, when set, is its
// acknowledged content.
func (c *readBack) checkCase(ctx context.Context, id string, want *ackCase) {
	var got apiCase
	status, err := apiGet(ctx, c.hc, c.base, c.token, "/api/v1/cases/"+id, &got)
	if err != nil || status != 200 {
		c.errorf("case %s: GET answered %d %v", id, status, err)
		return
	}
	if got.Person == nil || got.Details == nil {
		c.errorf("case %s (%s): person or details missing", id, got.Reference)
		return
	}
	c.l.mu.Lock()
	sent, ok := c.l.sentCases[got.Person.FamilyName]
	c.l.mu.Unlock()
	switch {
	case !ok:
		c.errorf("case %s (%s): a person no client sent", id, got.Reference)
	case got.Person.GivenName != sent.Given || got.Person.BirthDate != sent.Birth || got.Details.Narrative != sent.Narrative:
		c.errorf("case %s (%s): content differs from what was sent", id, got.Reference)
	case want != nil && (want.sentCase != sent || want.Reference != got.Reference):
		c.errorf("case %s: acknowledged as %s with another person, reads as %s", id, want.Reference, got.Reference)
	}
}

// checkNote opens a note through the API: its body must be one a client sent
// to that case; want, when set, is its acknowledged content.
func (c *readBack) checkNote(ctx context.Context, id string, want *ackNote) {
	var got apiNote
	status, err := apiGet(ctx, c.hc, c.base, c.token, "/api/v1/notes/"+id, &got)
	if err != nil || status != 200 {
		c.errorf("note %s: GET answered %d %v", id, status, err)
		return
	}
	c.checkNoteBody(got, want)
}

func (c *readBack) checkNoteBody(got apiNote, want *ackNote) {
	c.l.mu.Lock()
	caseID, ok := c.l.sentNotes[got.Body]
	c.l.mu.Unlock()
	switch {
	case !ok:
		c.errorf("note %s: a body no client sent (%d bytes)", got.ID, len(got.Body))
	case caseID != got.CaseID:
		c.errorf("note %s: on case %s, sent to case %s", got.ID, got.CaseID, caseID)
	case want != nil && (want.Body != got.Body || want.CaseID != got.CaseID):
		c.errorf("note %s: acknowledged content differs from what reads back", got.ID)
	}
}

// checkRows opens, through the API, every case and note given by id (rows
// the raw tables hold) and every acknowledged write among them.
func (c *readBack) checkRows(ctx context.Context, caseIDs, noteIDs []string) {
	c.l.mu.Lock()
	acked := maps.Clone(c.l.cases)
	ackedNotes := maps.Clone(c.l.notes)
	c.l.mu.Unlock()
	eachParallel(caseIDs, func(id string) {
		var want *ackCase
		if a, ok := acked[id]; ok {
			want = &a
		}
		c.checkCase(ctx, id, want)
	})
	eachParallel(noteIDs, func(id string) {
		var want *ackNote
		if a, ok := ackedNotes[id]; ok {
			want = &a
		}
		c.checkNote(ctx, id, want)
	})
}

// checkEverything reads the whole store back through the API: the case list
// holds every acknowledged case; every listed case opens whole; every note
// of every case is one a client sent, and every acknowledged note is there.
func (c *readBack) checkEverything(ctx context.Context, acked map[string]ackCase, ackedNotes map[string]ackNote) {
	var listed []string
	for offset := 0; ; offset += 200 {
		var page struct {
			Total int `json:"total"`
			Cases []struct {
				ID string `json:"id"`
			} `json:"cases"`
		}
		status, err := apiGet(ctx, c.hc, c.base, c.token, fmt.Sprintf("/api/v1/cases?limit=200&offset=%d", offset), &page)
		if err != nil || status != 200 {
			c.errorf("case list at %d: %d %v", offset, status, err)
			return
		}
		for _, cs := range page.Cases {
			listed = append(listed, cs.ID)
		}
		if len(page.Cases) < 200 || offset+200 >= page.Total {
			if len(listed) != page.Total {
				c.errorf("case list: %d listed, total says %d", len(listed), page.Total)
			}
			break
		}
	}
	inList := map[string]bool{}
	for _, id := range listed {
		inList[id] = true
	}
	for id, a := range acked {
		if !inList[id] {
			c.errorf("acknowledged case %s (%s) is not in the case list", id, a.Reference)
		}
	}
	seenNotes := sync.Map{}
	eachParallel(listed, func(id string) {
		var want *ackCase
		if a, ok := acked[id]; ok {
			want = &a
		}
		c.checkCase(ctx, id, want)
		var notes struct{ Items []apiNote }
		status, err := apiGet(ctx, c.hc, c.base, c.token, "/api/v1/cases/"+id+"/notes", &notes)
		if err != nil || status != 200 {
			c.errorf("notes of case %s: %d %v", id, status, err)
			return
		}
		for _, n := range notes.Items {
			var want *ackNote
			if a, ok := ackedNotes[n.ID]; ok {
				want = &a
			}
			c.checkNoteBody(n, want)
			seenNotes.Store(n.ID, true)
		}
	})
	for id, a := range ackedNotes {
		if _, ok := seenNotes.Load(id); !ok {
			c.errorf("acknowledged note %s on case %s is not in the case's notes", id, a.CaseID)
		}
	}
}

// rawPG opens a PostgreSQL database directly.
func rawPG(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// rawCheck opens the store's database directly (read-only for SQLite), runs
// checkRaw and closes it again: a test holds no connection of its own across
// a kill, so SQLite's recovery after a crash is the one a lone server sees.
func rawCheck(t testing.TB, e store.Engine, data, url string) (rawState, []string) {
	t.Helper()
	var db *sql.DB
	var err error
	if e == store.Postgres {
		db, err = sql.Open("pgx", url)
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(data, store.DBFile)+"?mode=ro")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return checkRaw(ctx, db)
}

// rawState is what the raw tables hold of the load's records.
type rawState struct {
	cases, notes map[string]bool
}

func rawColumn(ctx context.Context, db *sql.DB, q string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = true
	}
	return out, rows.Err()
}

// checkRaw reads the raw tables and checks that every record is whole: a
// case has its person, its owner on the team, its opening on the timeline
// and its audit event; a note has its timeline entry and its audit event; no
// person is left without a case; the audit head is the last event. It
// returns the case and note ids for checkRows.
func checkRaw(ctx context.Context, db *sql.DB) (rawState, []string) {
	var problems []string
	q := func(name, query string) map[string]bool {
		m, err := rawColumn(ctx, db, query)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
		}
		return m
	}
	cases := q("cases", `SELECT id FROM cases`)
	notes := q("notes", `SELECT id FROM case_notes`)
	persons := q("persons", `SELECT id FROM persons`)
	casePersons := q("case persons", `SELECT person_id FROM cases`)
	caseRefs := q("case references", `SELECT id || ' ' || reference FROM cases`)
	opened := q("timeline", `SELECT DISTINCT case_id FROM case_events WHERE kind = 'stage'`)
	owners := q("team", `SELECT case_id FROM case_team WHERE role_in_case = 'owner'`)
	noteEvents := q("note timeline", `SELECT ref_id FROM case_events WHERE ref_table = 'case_notes'`)
	audited := q("audit", `SELECT action || ' ' || object_id FROM audit_events WHERE action IN ('case.create', 'note.create')`)
	keys := q("keys", `SELECT id FROM data_keys`)
	caseKeys := q("case keys", `SELECT key_id FROM cases UNION SELECT key_id FROM persons`)
	for p := range casePersons {
		if !persons[p] {
			problems = append(problems, "a case without its person "+p)
		}
	}
	for p := range persons {
		if !casePersons[p] {
			problems = append(problems, "a person without a case "+p)
		}
	}
	for ir := range caseRefs {
		id, ref, _ := strings.Cut(ir, " ")
		if !opened[id] {
			problems = append(problems, "case "+ref+" without its opening on the timeline")
		}
		if !owners[id] {
			problems = append(problems, "case "+ref+" without its owner on the team")
		}
		if !audited["case.create "+ref] {
			problems = append(problems, "case "+ref+" without its case.create audit event")
		}
	}
	for id := range notes {
		if !noteEvents[id] {
			problems = append(problems, "note "+id+" without its timeline entry")
		}
		if !audited["note.create "+id] {
			problems = append(problems, "note "+id+" without its note.create audit event")
		}
	}
	for k := range caseKeys {
		if !keys[k] {
			problems = append(problems, "a record sealed with a missing data key "+k)
		}
	}
	var head, last, count int64
	err := db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(seq), 0) FROM audit_head),
		(SELECT COALESCE(MAX(seq), 0) FROM audit_events), (SELECT COUNT(*) FROM audit_events)`).Scan(&head, &last, &count)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("audit head: %v", err))
	case head != last || last != count:
		problems = append(problems, fmt.Sprintf("audit head %d, last event %d, %d events", head, last, count))
	}
	return rawState{cases: cases, notes: notes}, problems
}

// checkAckedPresent checks that every acknowledged write is in the raw tables.
func checkAckedPresent(raw rawState, cases map[string]ackCase, notes map[string]ackNote) []string {
	var problems []string
	for id, c := range cases {
		if !raw.cases[id] {
			problems = append(problems, fmt.Sprintf("acknowledged case %s (%s) is lost", id, c.Reference))
		}
	}
	for id, n := range notes {
		if !raw.notes[id] {
			problems = append(problems, fmt.Sprintf("acknowledged note %s on case %s is lost", id, n.CaseID))
		}
	}
	return problems
}

func failIf(t testing.TB, what string, problems []string) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	n := len(problems)
	sort.Strings(problems)
	if n > 25 {
		problems = problems[:25]
	}
	t.Fatalf("%s: %d problems:\n%s", what, n, strings.Join(problems, "\n"))
}

// newIDs returns the ids in now that are not in seen, and adds them to seen.
func newIDs(now, seen map[string]bool) []string {
	var out []string
	for id := range now {
		if !seen[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	return out
}
