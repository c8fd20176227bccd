//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/jobs"
	"github.com/ura-nrm/ura/internal/store"
)

// TestCluster runs two `ura serve` nodes on one PostgreSQL database, each
// with its own data directory holding a copy of the same master key file,
// and checks what several nodes promise (docs/operations.md, "Running more
// than one node"):
//
//   - a web session begun on one node is valid on the other, and signing
//     out on one ends it on both;
//   - each background job runs on one node at a time: runs of a job never
//     overlap between nodes, and a job moves to another node only after the
//     lease of the last run has expired;
//   - when node A is SIGKILLed in the middle of a write load, its clients
//     fail over to node B, every acknowledged write is there afterwards, B
//     answers every request without an error, and B picks up the jobs A
//     held once their leases expire.
//
// A job's lease lasts its period, and every node runs each job at once on
// start: node A starts first and holds every lease; B starts two seconds
// later. A is killed about 50 s into its first minute, so B takes over the
// one-minute jobs about 10 s later. PostgreSQL only.
func TestCluster(t *testing.T) {
	t.Parallel() // it spends most of its minute waiting for a lease to end
	began := time.Now()
	data, dbURL, sargs := storeArgs(t, store.Postgres) // skips without PostgreSQL
	creds := parseCreds(mustRunUra(t, nil, append([]string{"demo"}, sargs...)...))
	if _, ok := creds["police"]; !ok {
		t.Fatal("ura demo printed no police account")
	}
	token := lastLine(mustRunUra(t, nil, append([]string{"token", "create", "--email", creds["police"].Email, "--label", "cluster test"}, sargs...)...))
	dataB := t.TempDir()
	copyKeyFile(t, data, dataB)
	periods := map[string]time.Duration{}
	for _, j := range jobs.Platform(&app.App{}) {
		periods[j.Name] = j.Every
	}

	nodeA := serveProc(t, nil, sargs)
	firstA := waitJobRuns(t, nodeA, len(periods), 30*time.Second)
	idA := firstA[0].Node
	startA := firstA[0].Started
	time.Sleep(2 * time.Second)
	nodeB := serveProc(t, nil, []string{"--data", dataB, "--db", dbURL})
	t.Logf("node A %s at %s, node B at %s", idA, nodeA.URL, nodeB.URL)

	t.Run("SessionOnBothNodes", func(t *testing.T) {
		testSessionAcrossNodes(t, &instance{URL: nodeA.URL, Creds: creds}, nodeB.URL)
	})

	// The write load: clients 0, 2, 4 live on A and fail over to B; 1, 3, 5
	// live on B.
	l := newWriteLedger("Cluster")
	const clients = 6
	ld := l.startLoad(token, writeLoadOptions{Clients: clients, Pause: 100 * time.Millisecond, Nodes: func(i int) []string {
		if i%2 == 0 {
			return []string{nodeA.URL, nodeB.URL}
		}
		return []string{nodeB.URL}
	}}, uint64(began.UnixNano()))
	if d := time.Until(startA.Add(50 * time.Second)); d > 0 {
		time.Sleep(d)
	}
	killedAt := time.Now()
	l.markAt(killedAt)
	nodeA.Kill()
	leases := readLeases(t, dbURL)
	t.Logf("node A killed %v after its first job run", killedAt.Sub(startA).Round(time.Second))

	// B takes over every job A held whose lease ends within the test's
	// patience (the one-minute jobs); the others stay A's until their lease
	// ends (up to an hour) and B must not run them before.
	var takeover []string
	for name, ls := range leases {
		if ls.Holder == idA && ls.Expires.Before(killedAt.Add(70*time.Second)) {
			takeover = append(takeover, name)
		}
	}
	sort.Strings(takeover)
	if len(takeover) == 0 {
		t.Fatalf("node A held no one-minute job lease when killed: %v", leases)
	}
	runsB := waitTakeover(t, nodeB, takeover, killedAt, killedAt.Add(2*time.Minute+10*time.Second))
	time.Sleep(2 * time.Second) // B serves on alone a little longer
	ld.stop()
	after := readLeases(t, dbURL)

	t.Run("FailOver", func(t *testing.T) {
		failIf(t, "answers to the load", l.problems)
		if f := l.failures[nodeB.URL]; len(f) > 0 {
			t.Errorf("node B failed %d requests: %v", len(f), f)
		}
		if f := l.failuresBetween(nodeA.URL, began, killedAt); len(f) > 0 {
			t.Errorf("node A failed %d requests before it was killed: %v", len(f), f)
		}
		if l.failovers != clients/2 {
			t.Errorf("%d clients failed over to B, want the %d that lived on A", l.failovers, clients/2)
		}
		if l.servedAfter[nodeB.URL] == 0 {
			t.Error("node B acknowledged no write after A was killed")
		}
		if l.served[nodeA.URL] == 0 {
			t.Error("node A acknowledged no write before it was killed")
		}
		cases, notes := l.snapshot()
		raw, problems := rawCheck(t, store.Postgres, "", dbURL)
		failIf(t, "after the kill", append(problems, checkAckedPresent(raw, cases, notes)...))
		c := newReadBack(l, nodeB.URL, token)
		c.checkEverything(context.Background(), cases, notes)
		c.report(t, "read back through node B")
		t.Logf("%d cases and %d notes acknowledged (%d by A, %d by B, %d by B after the kill); %d fail-overs",
			len(cases), len(notes), l.served[nodeA.URL], l.served[nodeB.URL], l.servedAfter[nodeB.URL], l.failovers)
	})

	t.Run("JobsOnOneNodeAtATime", func(t *testing.T) {
		all := append(jobRuns(nodeA), jobRuns(nodeB)...)
		checkJobRuns(t, all, periods)
		// B, too, tried every job on start, and A's leases refused it.
		for _, r := range jobRuns(nodeB) {
			if r.Started.Before(killedAt) {
				t.Errorf("%s: node B ran it at %s while node A held every lease", r.Job, r.Started)
			}
		}
		idB := ""
		for _, r := range jobRuns(nodeB) {
			idB = r.Node
		}
		for _, name := range takeover {
			r := runsB[name]
			if !r.Started.After(leases[name].Expires) {
				t.Errorf("%s: node B ran it at %s, before A's lease ended at %s", name, r.Started, leases[name].Expires)
			}
			if after[name].Holder != idB {
				t.Errorf("%s: the lease is held by %q after the takeover, want node B %q", name, after[name].Holder, idB)
			}
		}
		for name, lease := range leases {
			if lease.Holder != idA || containsString(takeover, name) {
				continue
			}
			// A longer job: its lease runs out one period after A's last run.
			last := lastRun(jobRuns(nodeA), name)
			if end := last.Add(periods[name]); lease.Expires.After(end.Add(time.Second)) {
				t.Errorf("%s: A's lease ends %s, later than one period after its last run (%s)", name, lease.Expires, end)
			}
			for _, r := range jobRuns(nodeB) {
				if r.Job == name {
					t.Errorf("%s: node B ran it at %s while A's lease (until %s) was valid", name, r.Started, lease.Expires)
				}
			}
		}
		t.Logf("B took over %s; %d job runs in all", strings.Join(takeover, ", "), len(all))
	})

	nodeB.Stop(t)
	failIf(t, "node A's log", nodeA.logErrors())
	failIf(t, "node B's log", nodeB.logErrors())
	if out := mustRunUra(t, nil, append([]string{"audit", "verify"}, sargs...)...); !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %s", out)
	}
	t.Logf("cluster test: %v", time.Since(began).Round(100*time.Millisecond))
}

// testSessionAcrossNodes signs in on node A through the web form (password
// and TOTP), uses the session on node B, signs out on B and checks that the
// session is then refused by A too.
func testSessionAcrossNodes(t *testing.T, a *instance, urlB string) {
	cl := signIn(t, a, "police")
	u, _ := url.Parse(a.URL)
	var cookie *http.Cookie
	for _, c := range cl.Jar.Cookies(u) {
		if c.Name == "ura_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no ura_session cookie after signing in on A")
	}
	get := func(base string) (int, string, string) {
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.AddCookie(cookie)
		res, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Header.Get("Location"), readBody(t, res)
	}
	status, loc, body := get(urlB)
	if status != http.StatusOK || !strings.Contains(body, `id="dashboard"`) {
		t.Fatalf("node B with A's session: %d → %q, want the dashboard", status, loc)
	}
	// A form on B with the CSRF token B rendered from the shared session.
	req, _ := http.NewRequest("POST", urlB+"/signout", strings.NewReader(url.Values{"csrf": {csrfOf(t, body)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	res, err := client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out on B = %d", res.StatusCode)
	}
	if status, loc, _ := get(a.URL); status != http.StatusSeeOther || loc != "/signin" {
		t.Errorf("node A after signing out on B: %d → %q, want 303 → /signin", status, loc)
	}
}

// jobRun is one "job ran" log line of a node.
type jobRun struct {
	Job     string        `json:"job"`
	Node    string        `json:"node"`
	Started time.Time     `json:"started"`
	Took    time.Duration `json:"took"`
}

// jobRuns reads the job runs from a node's log.
func jobRuns(p *uraProc) []jobRun {
	var out []jobRun
	sc := bufio.NewScanner(strings.NewReader(p.Err.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			jobRun
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "job ran" {
			out = append(out, line.jobRun)
		}
	}
	return out
}

// waitJobRuns waits until node p has logged runs of n distinct jobs.
func waitJobRuns(t *testing.T, p *uraProc, n int, limit time.Duration) []jobRun {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		runs := jobRuns(p)
		seen := map[string]bool{}
		for _, r := range runs {
			seen[r.Job] = true
		}
		if len(seen) >= n {
			sort.Slice(runs, func(i, j int) bool { return runs[i].Started.Before(runs[j].Started) })
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first node ran %d of %d jobs within %v\nstderr: %s", len(seen), n, limit, tailOf(p.Err.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitTakeover waits until node p has run every job in names after since,
// and returns the first such run of each.
func waitTakeover(t *testing.T, p *uraProc, names []string, since, deadline time.Time) map[string]jobRun {
	t.Helper()
	for {
		got := map[string]jobRun{}
		for _, r := range jobRuns(p) {
			if _, ok := got[r.Job]; !ok && r.Started.After(since) && containsString(names, r.Job) {
				got[r.Job] = r
			}
		}
		if len(got) == len(names) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B took over %d of the jobs %v by %s", len(got), names, deadline.Format(time.TimeOnly))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkJobRuns checks, for every job, that runs on different nodes never
// overlap and that a job moves from one node to another only after the
// lease of the previous run (its period) has run out.
func checkJobRuns(t *testing.T, runs []jobRun, periods map[string]time.Duration) {
	t.Helper()
	byJob := map[string][]jobRun{}
	for _, r := range runs {
		byJob[r.Job] = append(byJob[r.Job], r)
	}
	// The lease is taken with a clock reading made just before; the logged
	// start comes after the lease transaction.
	const slack = 2 * time.Second
	for name, rs := range byJob {
		if _, ok := periods[name]; !ok {
			t.Errorf("a run of unknown job %q", name)
			continue
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].Started.Before(rs[j].Started) })
		for i := 1; i < len(rs); i++ {
			prev, r := rs[i-1], rs[i]
			if prev.Node == r.Node {
				continue
			}
			if end := prev.Started.Add(prev.Took); r.Started.Before(end) {
				t.Errorf("%s: runs overlap: %s from %s to %s, %s from %s", name, prev.Node, prev.Started, end, r.Node, r.Started)
			}
			if gap := r.Started.Sub(prev.Started); gap < periods[name]-slack {
				t.Errorf("%s: moved from %s to %s %v after its last run, before the lease of %v ran out", name, prev.Node, r.Node, gap, periods[name])
			}
		}
	}
}

func lastRun(runs []jobRun, name string) time.Time {
	var last time.Time
	for _, r := range runs {
		if r.Job == name && r.Started.After(last) {
			last = r.Started
		}
	}
	return last
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// lease is one row of job_locks.
type lease struct {
	Holder  string
	Expires time.Time
}

func (l lease) String() string {
	return fmt.Sprintf("%s until %s", l.Holder, l.Expires.Format(time.TimeOnly))
}

// readLeases reads job_locks.
func readLeases(t *testing.T, dbURL string) map[string]lease {
	t.Helper()
	db := rawPG(t, dbURL)
	defer db.Close()
	rows, err := db.Query(`SELECT name, holder, expires_at FROM job_locks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]lease{}
	for rows.Next() {
		var name, holder string
		var exp store.Time
		if err := rows.Scan(&name, &holder, &exp); err != nil {
			t.Fatal(err)
		}
		out[name] = lease{Holder: holder, Expires: exp.Time}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
