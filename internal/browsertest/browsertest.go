// Package browsertest drives Debian's headless Chromium from Go tests (through
// chromedp) and checks pages with axe-core, so Ura's pages are tested the way
// police officers and social workers use them: real pages, real clicks, with
// a screen reader's view checked on every page.
//
// A test calls New once and reuses the returned context across its subtests
// (starting Chromium takes most of a test's time). Without Chromium the test
// is skipped, unless URA_TEST_REQUIRE_BROWSER=1 (scripts/test sets it), which
// turns a missing browser into a failure.
//
// Environment:
//
//	URA_CHROMIUM              the browser binary (default /usr/bin/chromium, then $PATH)
//	URA_TEST_REQUIRE_BROWSER  1: fail instead of skip when Chromium or axe-core is missing
//	URA_SCREENSHOTS           where screenshots go (default $TMPDIR/ura-screenshots)
//	URA_AXE                   axe.min.js (default: node_modules/axe-core/axe.min.js above the test)
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// required reports whether a missing browser or axe-core fails the test.
func required() bool { return os.Getenv("URA_TEST_REQUIRE_BROWSER") == "1" }

// unavailable skips the test, or fails it when the browser is required.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if required() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (set URA_TEST_REQUIRE_BROWSER=1 to fail instead)", args...)
}

// ChromiumPath returns the browser binary New starts, or "" if there is none.
func ChromiumPath() string {
	if p := os.Getenv("URA_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless Chromium with a fresh profile for this test and returns
// a chromedp context for one tab. The browser stops when the test ends; if the
// test failed, a full-page screenshot of the tab is saved first and its path
// logged.
func New(t *testing.T) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		unavailable(t, "browsertest: no Chromium found (install chromium or set URA_CHROMIUM)")
	}
	// Not t.TempDir: Chromium's helper processes may still write into the
	// profile after the browser exits, which would fail the test at cleanup.
	profile, err := os.MkdirTemp("", "ura-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProfile(t, profile) })

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelTab)
	t.Cleanup(func() {
		if t.Failed() {
			saveFailure(t, ctx)
		}
	})

	// Start the browser now, so a broken installation is reported here
	// rather than at the test's first step.
	if err := chromedp.Do(ctx); err != nil {
		unavailable(t, "browsertest: cannot start %s: %v", path, err)
	}
	return ctx
}

// removeProfile retries for a moment while Chromium's helpers exit.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("browsertest: cannot remove profile %s: %v", dir, err)
}

func saveFailure(t *testing.T, ctx context.Context) {
	if path, err := screenshot(t, ctx, "failure"); err != nil {
		t.Logf("browsertest: no failure screenshot: %v", err)
	} else {
		t.Logf("browsertest: screenshot of the failed page: %s", path)
	}
}

// Screenshot saves a full-page PNG of the tab as <dir>/<test>-<name>.png and
// returns its path; the test fails if it cannot.
func Screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	path, err := screenshot(t, ctx, name)
	if err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	return path
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ScreenshotDir returns where screenshots go: $URA_SCREENSHOTS, or a
// directory under the system's temporary directory that outlives the test (a
// t.TempDir would be deleted before anyone could look at the picture).
func ScreenshotDir() (string, error) {
	dir := os.Getenv("URA_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ura-screenshots")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

func screenshot(t *testing.T, ctx context.Context, name string) (string, error) {
	dir, err := ScreenshotDir()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, unsafeChars.ReplaceAllString(t.Name()+"-"+name, "_")+".png")
	return path, os.WriteFile(path, png, 0o644)
}
