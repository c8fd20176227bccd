package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// TestStatsDashboardBrowser opens the coordinator's national statistics
// (/stats) of `ura serve --demo` in Albanian, on a laptop and a phone: the
// charts are drawn (SVG with a title and a description) beside their
// tables, the page passes axe-core and the screens test's checks (language,
// no raw codes, no overflow on the phone), and a period that ends before it
// starts is refused beside the form with the dates kept.
func TestStatsDashboardBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	ctx := browsertest.New(t)
	do := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	dir := os.Getenv("URA_ARTEFACTS")
	browserSignIn(t, ctx, in, "coordinator")
	for _, width := range []int64{1366, 390} {
		if width < 600 {
			do(t, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
		} else {
			do(t, chromedp.EmulateViewport(width, 900))
		}
		do(t, chromedp.Navigate(in.URL+"/stats?lang=sq"), chromedp.WaitVisible(`#stats-year`))
		got := get(t, ctx, chromedp.Evaluate[struct {
			Charts, Described, Tables, Heading int
			Title                              string
		}](`(() => ({
			Charts: document.querySelectorAll("svg.chart[role=img]").length,
			Described: [...document.querySelectorAll("svg.chart")].filter(s => s.querySelector("title") && s.querySelector("desc") && s.querySelector("desc").textContent.length > 0).length,
			Tables: document.querySelectorAll("table.stats-table").length,
			Heading: document.querySelectorAll("section.stats-panel h2").length,
			Title: document.querySelector("h1").textContent,
		}))()`))
		if got.Charts < 10 || got.Described != got.Charts || got.Tables != got.Heading || got.Tables < 12 {
			t.Errorf("%d px: %d charts (%d described), %d tables, %d panels", width, got.Charts, got.Described, got.Tables, got.Heading)
		}
		if got.Title != "Statistikat kombëtare" {
			t.Errorf("title %q, want the Albanian one", got.Title)
		}
		checkScreen(t, ctx, "sq", width)
		browsertest.CheckAxe(t, ctx)
		if dir != "" {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err == nil {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "coordinator-stats-sq-"+itoa64(width)+".png"), png, 0o644)
			}
		}
	}
	do(t, chromedp.EmulateViewport(1366, 900))
	// A period that ends before it starts: refused beside the form, dates kept.
	do(t, chromedp.Navigate(in.URL+"/stats?lang=sq&from=2026-03-01&to=2026-01-31"), chromedp.WaitVisible(`#err-to`))
	bad := get(t, ctx, chromedp.Evaluate[struct {
		From, To, Invalid, Message string
		Panels                     int
	}](`(() => ({
		From: document.querySelector("#from").value, To: document.querySelector("#to").value,
		Invalid: document.querySelector("#to").getAttribute("aria-invalid") || "",
		Message: document.querySelector("#err-to").textContent,
		Panels: document.querySelectorAll("section.stats-panel").length,
	}))()`))
	if bad.From != "2026-03-01" || bad.To != "2026-01-31" || bad.Invalid != "true" || !strings.Contains(bad.Message, "periudhës") || bad.Panels != 0 {
		t.Errorf("refused period: %+v", bad)
	}
	browsertest.CheckAxe(t, ctx)
}

func itoa64(n int64) string {
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
