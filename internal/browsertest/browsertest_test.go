package browsertest_test

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/i18n"
)

// TestLayout loads the sample page in every language in one browser and checks
// what every Ura page relies on: the language is declared, the CSS and the
// script load under the strict CSP, and axe-core finds nothing serious.
func TestLayout(t *testing.T) {
	srv := newServer(t)
	ctx := browsertest.New(t)
	for _, lang := range i18n.Supported {
		t.Run(string(lang), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?lang="+string(lang))); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
				Lang, Title, TopbarBG string
				JS, HTMX              bool
				H1s                   int
				SwitcherLangs         []string
			}](`({
				Lang: document.documentElement.lang,
				Title: document.title,
				TopbarBG: getComputedStyle(document.querySelector(".topbar")).backgroundColor,
				JS: document.documentElement.classList.contains("js"),
				HTMX: typeof htmx === "object",
				H1s: document.querySelectorAll("h1").length,
				SwitcherLangs: [...document.querySelectorAll(".langs a[hreflang]")].map(a => a.lang + "=" + a.hreflang),
			})`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Lang != string(lang) {
				t.Errorf("<html lang> = %q, want %q", got.Lang, lang)
			}
			if want := i18n.For(lang).T("dashboard.title.coordinator") + " — Ura"; got.Title != want {
				t.Errorf("title = %q, want %q", got.Title, want)
			}
			if want := "rgb(29, 78, 137)"; got.TopbarBG != want {
				t.Errorf("top bar background = %q, want %q (app.css not applied?)", got.TopbarBG, want)
			}
			if !got.JS {
				t.Error("app.js did not run (blocked by the CSP or not served as JavaScript?)")
			}
			if got.HTMX {
				t.Error("htmx is loaded; no page uses it")
			}
			if got.H1s != 1 {
				t.Errorf("%d h1 elements, want 1", got.H1s)
			}
			var want []string
			for _, l := range i18n.Supported {
				want = append(want, string(l)+"="+string(l))
			}
			if !slices.Equal(got.SwitcherLangs, want) {
				t.Errorf("language links (lang=hreflang) = %v, want %v", got.SwitcherLangs, want)
			}
			browsertest.CheckAxe(t, ctx)
			if lang == i18n.Albanian {
				t.Logf("screenshot: %s", browsertest.Screenshot(t, ctx, "sample"))
			}
		})
	}

	// Narrow checks the phone layout: the same page at 375 px must still pass.
	t.Run("Narrow", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile),
			chromedp.Navigate(srv.URL+"/?lang=sr-Cyrl"))
		if err != nil {
			t.Fatal(err)
		}
		defer chromedp.Do(ctx, chromedp.EmulateReset())
		browsertest.CheckAxe(t, ctx)
		t.Logf("screenshot: %s", browsertest.Screenshot(t, ctx, "narrow"))
	})

	t.Run("ConfirmDialog", func(t *testing.T) {
		var accept atomic.Bool
		var asked atomic.Value
		if err := browsertest.AnswerDialogs(ctx, func(msg string) bool {
			asked.Store(msg)
			return accept.Load()
		}); err != nil {
			t.Fatal(err)
		}
		submit := chromedp.Click(`#revoke button`)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?lang=en"), submit); err != nil {
			t.Fatal(err)
		}
		if got, want := asked.Load(), i18n.For("en").T("admin.tokens.revoke_confirm"); got != want {
			t.Errorf("dialog asked %q, want %q", got, want)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(loc, "done=1") {
			t.Errorf("form was sent although the dialog was dismissed: %s", loc)
		}
		accept.Store(true)
		if err := chromedp.Do(ctx, submit, chromedp.WaitVisible(`body`)); err != nil {
			t.Fatal(err)
		}
		// The page navigates while we look: retry through "target navigated".
		sent := false
		for deadline := time.Now().Add(10 * time.Second); !sent && time.Now().Before(deadline); {
			if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil && strings.Contains(loc, "done=1") {
				sent = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !sent {
			t.Error("form was not sent after the dialog was accepted")
		}
	})
}

// TestAxeFindsViolations proves the checker can fail: a page with an unlabeled
// image and an unlabeled field must yield both violations.
func TestAxeFindsViolations(t *testing.T) {
	if _, err := browsertest.AxePath(); err != nil {
		t.Skip(err)
	}
	srv := newServer(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs, err := browsertest.Axe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]string)
	for _, v := range vs {
		got[v.ID] = v.Impact
		if len(v.Targets) == 0 {
			t.Errorf("%s: no target selectors", v.ID)
		}
	}
	for _, id := range []string{"image-alt", "label"} {
		impact, ok := got[id]
		if !ok {
			t.Errorf("axe did not report %q; got %v", id, got)
			continue
		}
		if impact != "serious" && impact != "critical" {
			t.Errorf("%s impact = %q, want serious or critical", id, impact)
		}
	}
}
