// Command pagetime measures how long Ura's pages take on a running instance:
// it signs in as each demo role (password and TOTP, through the pages, as a
// person would), opens the pages that role works in a number of times, and
// prints the median, p95 and maximum time to the last byte, and the page's
// size, per page and role. Loopback only: it refuses any other address.
//
//	ura demo --cases 100000 --data /tmp/big > /tmp/big.creds
//	ura serve --data /tmp/big --addr 127.0.0.1:18080 &
//	go run ./bench/pagetime -url http://127.0.0.1:18080 -creds /tmp/big.creds
//
// The credentials file is what `ura demo` or `ura serve --demo` printed: the
// table of roles, e-mails, passwords and TOTP secrets. The times include the
// client on the same machine; the server's own time per request is in its log
// ("ms").
package main

import (
	"bufio"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
)

type account struct{ role, email, password, secret string }

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "the instance (loopback only)")
	creds := flag.String("creds", "", "the demo credentials as printed by ura demo / serve --demo")
	n := flag.Int("n", 20, "requests per page")
	roles := flag.String("roles", "", "comma-separated roles (default: every role in the file)")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || !isLoopback(u.Hostname()) {
		fail("-url must be an http URL on the loopback interface")
	}
	accts, err := readCreds(*creds)
	if err != nil {
		fail(err.Error())
	}
	want := map[string]bool{}
	for _, r := range strings.Split(*roles, ",") {
		if r != "" {
			want[r] = true
		}
	}
	fmt.Printf("%-14s %-34s %8s %8s %8s %9s\n", "role", "page", "p50 ms", "p95 ms", "max ms", "KB")
	for _, a := range accts {
		if len(want) > 0 && !want[a.role] {
			continue
		}
		c, err := signIn(*base, a)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: sign-in: %v\n", a.role, err)
			continue
		}
		for _, p := range pagesFor(c, *base) {
			var ds []time.Duration
			size := 0
			for i := 0; i < *n; i++ {
				start := time.Now()
				resp, err := c.Get(*base + p)
				if err != nil {
					fail(err.Error())
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				ds = append(ds, time.Since(start))
				size = len(b)
				if resp.StatusCode != 200 {
					fmt.Fprintf(os.Stderr, "%s %s: status %d\n", a.role, p, resp.StatusCode)
					break
				}
			}
			slices.Sort(ds)
			fmt.Printf("%-14s %-34s %8.1f %8.1f %8.1f %9.1f\n", a.role, label(p), ms(ds[len(ds)/2]), ms(ds[len(ds)*95/100]), ms(ds[len(ds)-1]), float64(size)/1024)
		}
	}
}

// pagesFor is the home page, the lists the role's navigation offers, and the
// first case of its case list.
func pagesFor(c *http.Client, base string) []string {
	resp, err := c.Get(base + "/")
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := []string{"/"}
	seen := map[string]bool{"/": true}
	for _, m := range regexp.MustCompile(`<a[^>]+href="(/[a-z/]*)"`).FindAllStringSubmatch(string(b), -1) {
		h := m[1]
		if seen[h] || h == "/account" || strings.HasPrefix(h, "/static") {
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	if seen["/cases"] {
		resp, err := c.Get(base + "/cases")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := regexp.MustCompile(`href="(/cases/[0-9a-z]{20,})"`).FindStringSubmatch(string(b)); m != nil {
				out = append(out, m[1])
			}
		}
	}
	return out
}

func label(p string) string {
	if regexp.MustCompile(`^/cases/[0-9a-z]{20,}$`).MatchString(p) {
		return "/cases/{id}"
	}
	return p
}

func signIn(base string, a account) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	form := func(path string) (string, error) {
		resp, err := c.Get(base + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(b)
		if m == nil {
			return "", nil
		}
		return html.UnescapeString(string(m[1])), nil
	}
	csrf, err := form("/signin")
	if err != nil {
		return nil, err
	}
	resp, err := c.PostForm(base+"/signin", url.Values{"email": {a.email}, "password": {a.password}, "csrf": {csrf}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if a.secret != "" {
		csrf, err := form("/signin/totp")
		if err != nil {
			return nil, err
		}
		code, err := auth.TOTPCode(a.secret, time.Now())
		if err != nil {
			return nil, err
		}
		resp, err := c.PostForm(base+"/signin/totp", url.Values{"code": {code}, "csrf": {csrf}})
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
	}
	resp, err = c.Get(base + "/")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		return nil, fmt.Errorf("not signed in (landed on %s)", resp.Request.URL.Path)
	}
	return c, nil
}

// readCreds reads the table `ura demo` prints: ROLE EMAIL PASSWORD SECRET.
func readCreds(path string) ([]account, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-creds: %w", err)
	}
	defer f.Close()
	var out []account
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 || !strings.Contains(fs[1], "@") {
			continue
		}
		a := account{role: fs[0], email: fs[1], password: fs[2]}
		if len(fs) >= 4 && !strings.HasPrefix(fs[3], "(") {
			a.secret = fs[3]
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-creds: no account lines in %s", path)
	}
	return out, sc.Err()
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "pagetime:", msg)
	os.Exit(2)
}
