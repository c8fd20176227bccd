package notify_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smtpServer is a real SMTP server in its own process: Debian's
// python3-aiosmtpd with its Mailbox handler, which writes every message it
// accepts into a Maildir (tmp/ then a rename into new/, so a file that is
// there is whole). It runs unprivileged on a loopback port.
type smtpServer struct {
	python, dir string
	port        int
	cmd         *exec.Cmd
	// extra are more aiosmtpd options (--smtpscert … for implicit TLS).
	extra []string
}

// findPython returns a python3 that has aiosmtpd: URA_PYTHON3, then
// Debian's /usr/bin/python3 (where apt installs the module, even when a
// pyenv python3 comes first in $PATH), then python3 in $PATH.
func findPython() (string, bool) {
	cands := []string{os.Getenv("URA_PYTHON3"), "/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	for _, c := range cands {
		if c != "" && exec.Command(c, "-c", "import aiosmtpd").Run() == nil {
			return c, true
		}
	}
	return "", false
}

// startSMTP starts a server on a free loopback port (or port, when not 0).
// Without python3-aiosmtpd the test is skipped, unless URA_TEST_REQUIRE_SMTP=1
// or URA_TEST_REQUIRE_PG=1 (the full suite, whose setup installs it).
func startSMTP(t *testing.T, port int, extra ...string) *smtpServer {
	t.Helper()
	py, ok := findPython()
	if !ok {
		msg := "no python3 with aiosmtpd: apt-get install python3-aiosmtpd (scripts/setup-test-deps does)"
		if os.Getenv("URA_TEST_REQUIRE_SMTP") == "1" || os.Getenv("URA_TEST_REQUIRE_PG") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	s := &smtpServer{python: py, dir: filepath.Join(t.TempDir(), "maildir"), port: port, extra: extra}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

func (s *smtpServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *smtpServer) start(t *testing.T) {
	t.Helper()
	args := append([]string{"-m", "aiosmtpd", "-n", "-l", s.addr()}, s.extra...)
	s.cmd = exec.Command(s.python, append(args, "-c", "aiosmtpd.handlers.Mailbox", s.dir)...)
	var logs bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &logs, &logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.stop()
			t.Fatalf("aiosmtpd did not listen on %s: %v\n%s", s.addr(), err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server process this test started (by its own handle).
func (s *smtpServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// received is one message as the server stored it, decoded.
type received struct {
	rcpt, subject, body string
	header              mail.Header
	raw                 string
}

// messages reads every message the server has accepted so far.
func (s *smtpServer) messages(t *testing.T) []received {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "new", "*"))
	var out []received
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("stored message does not parse: %v", err)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject: %v", err)
		}
		var body io.Reader = m.Body
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(m.Body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("body: %v", err)
		}
		out = append(out, received{rcpt: m.Header.Get("X-RcptTo"), subject: subj, body: string(b), header: m.Header, raw: string(raw)})
	}
	return out
}
