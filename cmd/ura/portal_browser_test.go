package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// TestBrowserPortal is the visitor's side of issue 14 in Chromium: every
// portal page passes axe-core in English and Arabic (right to left) and
// the home page in every language; the visitor switches to Romanian and to
// Arabic, does the self-check, presses Escape and finds that the back
// button no longer shows the portal; then sends a tip, which the police
// see in their queue.
func TestBrowserPortal(t *testing.T) {
	neutral := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Weather</title><body><main><h1 id="neutral">Weather %s</h1></main></body></html>`, r.URL.Path)
	}))
	defer neutral.Close()
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo", "--portal-exit-url", neutral.URL+"/weather", "--helpline-hours", "24/7")
	ctx := browsertest.New(t)
	mustIn := func(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	must := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		mustIn(t, ctx, actions...)
	}
	location := func(t *testing.T) string {
		return get(t, ctx, chromedp.Evaluate[string](`location.href`))
	}

	// back is the browser's back button: history.back(), then the page it shows.
	back := func(t *testing.T) string {
		t.Helper()
		before := location(t)
		get(t, ctx, chromedp.Evaluate[bool](`history.back(), true`))
		for range 100 {
			time.Sleep(100 * time.Millisecond)
			if loc := location(t); loc != before {
				time.Sleep(300 * time.Millisecond)
				return location(t)
			}
		}
		return location(t)
	}

	t.Run("Axe", func(t *testing.T) {
		if testing.Short() {
			t.Skip("short")
		}
		for _, lang := range []string{"en", "ar"} {
			for _, p := range []string{"/help/", "/help/recognise", "/help/rights", "/help/services", "/help/check",
				"/help/check?answered=1&passport=yes&contract=unsure", "/help/tip", "/help/tip/add", "/help/safety"} {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				must(t, chromedp.Navigate(in.URL+p+sep+"lang="+lang), chromedp.WaitVisible(`main h1`))
				if dir := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.dir`)); lang == "ar" && dir != "rtl" {
					t.Errorf("%s in Arabic: dir %q", p, dir)
				}
				browsertest.CheckAxe(t, ctx)
			}
		}
		for _, lang := range []string{"sq", "sr-Latn", "sr-Cyrl", "ro", "tr", "fa", "ps"} {
			must(t, chromedp.Navigate(in.URL+"/help/?lang="+lang), chromedp.WaitVisible(`main h1`))
			browsertest.CheckAxe(t, ctx)
		}
	})

	t.Run("LanguagesSelfCheckQuickExit", func(t *testing.T) {
		must(t, chromedp.Navigate(neutral.URL+"/before"), chromedp.WaitVisible(`#neutral`))
		must(t, chromedp.Navigate(in.URL+"/help/?lang=en"), chromedp.WaitVisible(`#quick-exit`))
		must(t, chromedp.Click(`a[hreflang="ro"]`), chromedp.WaitReady(`html[lang="ro"]`))
		if h := get(t, ctx, chromedp.Text(`main h1`)); !strings.Contains(h, "trafic") {
			t.Errorf("Romanian heading %q", h)
		}
		must(t, chromedp.Click(`a[hreflang="ar"]`), chromedp.WaitReady(`html[lang="ar"][dir="rtl"]`))
		if !strings.Contains(get(t, ctx, chromedp.Text(`#unreviewed`)), "آليًا") {
			t.Error("no unreviewed notice in Arabic")
		}
		// The self-check, in Arabic.
		must(t, chromedp.Click(`nav.menu a[href^="/help/check"]`), chromedp.WaitVisible(`#check-form`))
		must(t, chromedp.Click(`#passport-yes`), chromedp.Click(`#contract-no`), chromedp.Click(`#pay-unsure`),
			chromedp.Click(`#check-form button[type="submit"]`), chromedp.WaitVisible(`#check-result`))
		if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#check-result li.warn').length`)); n != 3 {
			t.Errorf("%d pieces of advice, want 3", n)
		}
		browsertest.CheckAxe(t, ctx)
		// Escape leaves for the neutral site; back does not return to the portal.
		must(t, chromedp.Focus(`#quick-exit`), chromedp.KeyEvent("\u001b"), chromedp.WaitVisible(`#neutral`))
		if loc := location(t); !strings.HasPrefix(loc, neutral.URL+"/weather") {
			t.Fatalf("after Escape at %s", loc)
		}
		if loc := back(t); strings.Contains(loc, "/help") || !strings.HasPrefix(loc, neutral.URL+"/before") {
			t.Errorf("back shows %s, want the page before the portal", loc)
		}
		// The button too, on the tip page.
		must(t, chromedp.Navigate(in.URL+"/help/tip?lang=en"), chromedp.WaitVisible(`#tip-form`))
		must(t, chromedp.Click(`#quick-exit`), chromedp.WaitVisible(`#neutral`))
		if loc := back(t); strings.Contains(loc, "/help") {
			t.Errorf("back after the quick-exit button shows %s", loc)
		}
	})

	t.Run("TipReachesThePolice", func(t *testing.T) {
		const what = "Three young women are kept in a flat above the bakery and never go out."
		// A browser of its own: the history navigation of the test before can
		// still be settling in the first one and abort a new navigation
		// (net::ERR_ABORTED, seen in CI).
		ctx := browsertest.New(t)
		must := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			mustIn(t, ctx, actions...)
		}
		must(t, chromedp.Navigate(in.URL+"/help/tip?lang=en"), chromedp.WaitVisible(`#tip-form`),
			chromedp.SendKeys(`#what`, what), chromedp.SendKeys(`#where`, "Bakery street"),
			chromedp.SetValue(`#municipality`, "prizren"), chromedp.Click(`#tip-submit`), chromedp.WaitVisible(`#tip-code`))
		code := get(t, ctx, chromedp.Text(`#tip-code`))
		if len(code) != 19 {
			t.Errorf("tip code %q", code)
		}
		browsertest.CheckAxe(t, ctx)
		police, ok := in.Creds["police"]
		if !ok {
			t.Fatalf("no demo police account among %v", in.Creds)
		}
		must(t, chromedp.Navigate(in.URL+"/signin?lang=en"), chromedp.WaitVisible(`form[action="/signin"] #email`),
			chromedp.SendKeys(`#email`, police.Email), chromedp.SendKeys(`#password`, police.Password),
			chromedp.Submit(`#password`), chromedp.WaitVisible(`#code`))
		must(t, chromedp.SendKeys(`#code`, totpNow(t, police.Secret)), chromedp.Submit(`#code`), chromedp.WaitVisible(`main h1`))
		must(t, chromedp.Navigate(in.URL+"/tips"), chromedp.WaitVisible(`#tips`))
		if txt := get(t, ctx, chromedp.Text(`#tips`)); !strings.Contains(txt, "Three young women") {
			t.Fatalf("the tip is not in the police queue:\n%s", txt)
		}
		browsertest.CheckAxe(t, ctx)
		must(t, chromedp.Click(`#tips tbody a`), chromedp.WaitVisible(`#tip-state-form`))
		browsertest.CheckAxe(t, ctx)
		must(t, chromedp.SetValue(`#tip-new-state`, "checking"), chromedp.Click(`#tip-state-submit`), chromedp.WaitVisible(`#tip[data-state="checking"]`))
		if st := get(t, ctx, chromedp.Text(`#tip-state`)); !strings.Contains(st, "Being checked") {
			t.Errorf("state after marking: %q", st)
		}
	})
}
