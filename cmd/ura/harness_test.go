package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is a Ura started in-process by the test, on port 0.
type instance struct {
	URL    string
	Data   string
	DB     string
	Out    *syncBuffer
	Err    *syncBuffer
	Creds  map[string]demoCred
	cancel context.CancelFunc
	done   chan error
}

type demoCred struct{ Email, Password, Secret string }

// storeArgs returns --data/--db arguments for a fresh store on engine e.
func storeArgs(t *testing.T, e store.Engine) (data, db string, args []string) {
	t.Helper()
	o := storetest.Options(t, e)
	data = o.DataDir
	if data == "" {
		data = t.TempDir()
	}
	args = []string{"--data", data}
	if o.URL != "" {
		args = append(args, "--db", o.URL)
	}
	return data, o.URL, args
}

// ura runs one subcommand to completion.
func ura(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = run(ctx, args, noEnv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func noEnv(string) string { return "" }

// mustUra runs a subcommand and fails the test if it fails.
func mustUra(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := ura(t, stdin, args...)
	if err != nil {
		t.Fatalf("ura %s: %v\nstderr: %s", strings.Join(args[:1], " "), err, errOut)
	}
	return out
}

var listenRE = regexp.MustCompile(`Ura is listening on (http://\S+)`)

// serve starts `ura serve` with the store arguments and extra flags, waits
// until it listens, and stops it when the test ends.
func serve(t *testing.T, storeArgs []string, extra ...string) *instance {
	t.Helper()
	return serveCtx(t, context.Background(), storeArgs, extra...)
}

// serveCtx is serve with a context (a test clock: testClockKey).
func serveCtx(t *testing.T, parent context.Context, storeArgs []string, extra ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(parent)
	in := &instance{Out: &syncBuffer{}, Err: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs...)
	args = append(args, extra...)
	for i, a := range storeArgs {
		if a == "--data" {
			in.Data = storeArgs[i+1]
		}
	}
	go func() { in.done <- run(ctx, args, noEnv, strings.NewReader(""), in.Out, in.Err) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listenRE.FindStringSubmatch(in.Out.String()); m != nil {
			in.URL = m[1]
			break
		}
		select {
		case err := <-in.done:
			t.Fatalf("serve stopped before listening: %v\nstderr: %s", err, in.Err.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start\nstdout: %s\nstderr: %s", in.Out.String(), in.Err.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.Creds = parseCreds(in.Out.String())
	t.Cleanup(func() { in.Stop(t) })
	return in
}

// Stop shuts the server down gracefully and waits for it.
func (in *instance) Stop(t *testing.T) {
	if in.cancel == nil {
		return
	}
	in.cancel()
	in.cancel = nil
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("serve did not stop within 30 s")
	}
}

var credRE = regexp.MustCompile(`(?m)^(\w+)\s+(\S+@\S+)\s+(\S+)\s+([A-Z2-7]+|\(none.*\))$`)

// parseCreds reads the demo sign-in table that serve --demo prints.
func parseCreds(out string) map[string]demoCred {
	m := map[string]demoCred{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if c := credRE.FindStringSubmatch(sc.Text()); c != nil {
			secret := c[4]
			if strings.HasPrefix(secret, "(") {
				secret = ""
			}
			m[c[1]] = demoCred{Email: c[2], Password: c[3], Secret: secret}
		}
	}
	return m
}

// client returns an HTTP client with a cookie jar that does not follow redirects.
func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawStoreBytes returns the bytes of the SQLite database and its WAL.
func rawStoreBytes(t *testing.T, data string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{store.DBFile, store.DBFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatal(fmt.Sprintf("no database file in %s", data))
	}
	return all
}
