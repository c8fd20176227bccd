package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule a page breaks, with the elements at fault.
type Violation struct {
	ID      string   // rule id, e.g. "image-alt"
	Impact  string   // "minor", "moderate", "serious" or "critical"
	Help    string   // what the rule asks for
	HelpURL string   // Deque's explanation
	Targets []string // CSS selectors of the offending elements
}

func (v Violation) String() string {
	return fmt.Sprintf("%s [%s] %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// ErrNoAxe means axe-core could not be found (see AxePath).
var ErrNoAxe = errors.New("browsertest: axe-core not found (npm ci, or set URA_AXE)")

// AxePath returns axe.min.js: $URA_AXE, or node_modules/axe-core/axe.min.js
// in the working directory or one of its parents (the repository root, when
// run by go test).
func AxePath() (string, error) {
	if p := os.Getenv("URA_AXE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: URA_AXE: %v", ErrNoAxe, err)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoAxe
		}
		dir = parent
	}
}

var axeSource = sync.OnceValues(func() (string, error) {
	p, err := AxePath()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	return string(b), err
})

// axeRun runs every axe-core rule (WCAG 2.x A and AA, best practices) on the
// whole document and keeps what a report needs.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	targets: v.nodes.map(n => JSON.stringify(n.target.length === 1 ? n.target[0] : n.target))
})))`

// Axe runs axe-core in the tab's current page and returns every violation,
// whatever its impact. It injects axe-core through the DevTools protocol
// (Runtime.evaluate), which the page's Content-Security-Policy does not
// govern, so pages are checked under the same strict CSP they are served with.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("browsertest: inject axe-core: %w", err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
		ID      string   `json:"id"`
		Impact  string   `json:"impact"`
		Help    string   `json:"help"`
		HelpURL string   `json:"helpUrl"`
		Targets []string `json:"targets"`
	}](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: axe.run: %w", err)
	}
	vs := make([]Violation, 0, len(raw))
	for _, r := range raw {
		v := Violation{ID: r.ID, Impact: r.Impact, Help: r.Help, HelpURL: r.HelpURL}
		for _, tgt := range r.Targets {
			var s string
			if json.Unmarshal([]byte(tgt), &s) == nil {
				v.Targets = append(v.Targets, s)
			} else {
				v.Targets = append(v.Targets, tgt) // nested frames or shadow roots
			}
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// CheckAxe fails the test for every serious or critical axe-core violation on
// the tab's current page, listing rule, help and elements, and saves a
// screenshot. Minor and moderate findings are logged only: they are best
// practices a page may have reasons to skip. Without axe-core the test is
// skipped (or fails under URA_TEST_REQUIRE_BROWSER=1).
func CheckAxe(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := AxePath(); err != nil {
		unavailable(t, "%v", err)
	}
	vs, err := Axe(ctx)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	failed := false
	for _, v := range vs {
		switch v.Impact {
		case "serious", "critical":
			t.Errorf("axe: %s\n\t%s", v, v.HelpURL)
			failed = true
		default:
			t.Logf("axe (not failing): %s", v)
		}
	}
	if failed {
		if path, err := screenshot(t, ctx, "axe"); err == nil {
			t.Logf("browsertest: screenshot: %s", path)
		}
	}
}
