//go:build unix

package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// TestFailover runs the fail-over of docs/operations.md ("A streaming replica
// for fail-over") for real, at small scale: a PostgreSQL primary and a
// streaming replica with synchronous commit, Ura writing to the primary
// under load, the primary killed (SIGKILL of its postmaster), the replica
// promoted, Ura pointed at it: every write Ura acknowledged is there, read
// back through Ura, and the audit chain verifies. It runs wherever the
// PostgreSQL tests run (URA_TEST_PG set), on servers of its own.
func TestFailover(t *testing.T) {
	if os.Getenv("URA_TEST_PG") == "" {
		t.Skip("URA_TEST_PG is not set: the fail-over test runs with the PostgreSQL tests")
	}
	t.Parallel()
	began := time.Now()
	ctx := context.Background()
	pg := newPGPair(t)

	data := t.TempDir()
	primaryURL := pg.url(pg.primaryPort, "ura")
	st := procStoreAt(t, data, primaryURL)
	l := newWriteLedger("Failover")
	srv := serveProc(t, nil, st.Args)
	loadFrom := time.Now()
	ld := l.startLoad(st.Token, writeLoadOptions{Clients: 4, Nodes: func(int) []string { return []string{srv.URL} }}, uint64(time.Now().UnixNano()))
	// Until a few writes of each kind are acknowledged (a minute at most).
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, n := l.counts(); c >= 10 && n >= 10 {
			break
		}
	}

	// The primary's machine is lost: its postmaster killed mid-load.
	l.mu.Lock()
	sound := len(l.problems)
	l.mu.Unlock()
	killedAt := time.Now()
	pg.killPrimary(t)
	time.Sleep(300 * time.Millisecond) // requests in flight fail
	ld.stop()
	srv.Kill()
	l.mu.Lock()
	failIf(t, "answers before the primary was killed", l.problems[:sound])
	l.mu.Unlock()
	failIf(t, "requests that failed before the primary was killed", l.failuresBetween(srv.URL, loadFrom, killedAt))

	pg.promote(t)
	replicaURL := pg.url(pg.replicaPort, "ura")
	args := []string{"--data", data, "--db", replicaURL}
	raw, problems := rawCheck(t, store.Postgres, data, replicaURL)
	cases, notes := l.snapshot()
	if len(cases) == 0 || len(notes) == 0 {
		t.Fatalf("only %d cases and %d notes acknowledged before the kill: nothing was tested", len(cases), len(notes))
	}
	failIf(t, "the promoted replica", append(problems, checkAckedPresent(raw, cases, notes)...))

	srv2 := serveProc(t, nil, args)
	c := newReadBack(l, srv2.URL, st.Token)
	c.checkEverything(ctx, cases, notes)
	c.report(t, "on the promoted replica")
	// It takes writes.
	ld2 := l.startLoad(st.Token, writeLoadOptions{Clients: 2, Nodes: func(int) []string { return []string{srv2.URL} }}, 7)
	time.Sleep(500 * time.Millisecond)
	ld2.stop()
	srv2.Stop(t)
	failIf(t, "the log of the server on the promoted replica", srv2.logErrors())
	out := mustRunUra(t, nil, append([]string{"audit", "verify"}, args...)...)
	after, afterNotes := l.snapshot()
	t.Logf("%d cases and %d notes acknowledged before the primary died, all on the replica; %d and %d after; %s; %v",
		len(cases), len(notes), len(after), len(afterNotes), strings.TrimSpace(out), time.Since(began).Round(100*time.Millisecond))
}

// procStoreAt is newProcStore on a given PostgreSQL database.
func procStoreAt(t *testing.T, data, url string) *procStore {
	t.Helper()
	sargs := []string{"--data", data, "--db", url}
	mustRunUra(t, nil, append([]string{"migrate"}, sargs...)...)
	mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", loadOfficer, "--name", "Load Test Officer",
		"--role", "police", "--org", "Load Test Police Unit"}, sargs...)...)
	out := mustRunUra(t, nil, append([]string{"token", "create", "--email", loadOfficer, "--label", "load test"}, sargs...)...)
	tok := lastLine(out)
	if !strings.HasPrefix(tok, "ura_") {
		t.Fatalf("token create printed no token")
	}
	return &procStore{Engine: store.Postgres, Data: data, DB: url, Args: sargs, Token: tok}
}

// pgPair is a primary and a synchronous streaming replica on loopback.
type pgPair struct {
	bin, dir                 string
	as                       []string
	primaryPort, replicaPort int
}

func newPGPair(t *testing.T) *pgPair {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("PostgreSQL's server programs are not installed")
	}
	p := &pgPair{bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "ura-failover-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
		p.as = []string{"runuser", "-u", "postgres", "--"}
	}
	p.primaryPort, p.replicaPort = freePort(t), freePort(t)
	primary, replica := filepath.Join(dir, "primary"), filepath.Join(dir, "replica")
	t.Cleanup(func() {
		p.run(t, true, "pg_ctl", "-D", replica, "-m", "immediate", "stop")
		p.run(t, true, "pg_ctl", "-D", primary, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	p.run(t, false, "initdb", "-D", primary, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	// fsync stays off (a process kill, not a power cut: the operating
	// system keeps what was written); commits wait for the replica.
	p.appendConf(t, filepath.Join(primary, "postgresql.conf"), fmt.Sprintf(`
port = %d
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
fsync = off
wal_level = replica
max_wal_senders = 4
synchronous_commit = on
synchronous_standby_names = 'FIRST 1 (ura_replica)'
max_connections = 100
`, p.primaryPort, dir))
	p.run(t, false, "pg_ctl", "-D", primary, "-l", filepath.Join(dir, "primary.log"), "-w", "-t", "60", "start")
	p.run(t, false, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.primaryPort), "-U", "postgres",
		"-D", replica, "-X", "stream", "-R")
	p.appendConf(t, filepath.Join(replica, "postgresql.auto.conf"), fmt.Sprintf(`
port = %d
primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=ura_replica'
# The copy took the primary's postgresql.conf: promoted, this server would
# wait for a synchronous standby of its own and no commit would return.
synchronous_standby_names = ''
`, p.replicaPort, p.primaryPort))
	p.run(t, false, "pg_ctl", "-D", replica, "-l", filepath.Join(dir, "replica.log"), "-w", "-t", "60", "start")

	db, err := sql.Open("pgx", p.url(p.primaryPort, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		err := db.QueryRow(`SELECT sync_state FROM pg_stat_replication WHERE application_name = 'ura_replica'`).Scan(&state)
		if err == nil && state == "sync" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica is not a synchronous standby after 30 s (%q, %v)", state, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := db.Exec(`CREATE DATABASE ura`); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pgPair) url(port int, db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
}

// killPrimary sends SIGKILL to the primary's postmaster; its backends
// follow when they notice.
func (p *pgPair) killPrimary(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, "primary", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Its backends would keep serving the connections they have: the
	// machine is gone, so are they.
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output()
	for _, f := range strings.Fields(string(out)) {
		if c, err := strconv.Atoi(f); err == nil {
			syscall.Kill(c, syscall.SIGKILL)
		}
	}
}

func (p *pgPair) promote(t *testing.T) {
	t.Helper()
	p.run(t, false, "pg_ctl", "-D", filepath.Join(p.dir, "replica"), "-w", "-t", "60", "promote")
}

func (p *pgPair) run(t *testing.T, quiet bool, prog string, args ...string) {
	t.Helper()
	argv := append(append([]string{}, p.as...), append([]string{filepath.Join(p.bin, prog)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = p.dir
	out, err := cmd.CombinedOutput()
	if err != nil && !quiet {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

func (p *pgPair) appendConf(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
