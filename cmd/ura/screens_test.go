package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/store"
)

// screen is one page TestScreens looks at, as the demo role that opens it.
type screen struct {
	role  string // the demo account signed in
	name  string // names the page in failures and screenshot files
	path  string // "first:/list" for the first record the list links to
	ready string // shown once the page has loaded
	// phoneOnly: checked at 390 px only (the list and admin pages, whose
	// wide layout the pages above already exercise).
	phoneOnly bool
}

// screens are the pages of issue 10's "Done when": every role's home page,
// the case page of a demo case, the register-a-case form and the audit view.
var screens = []screen{
	{"coordinator", "home", "/", "#dashboard", false},
	{"coordinator", "stats", "/stats", "#stats-year", false},
	{"police", "home", "/", "#dashboard", false},
	{"police", "case", "first:/cases", "main h1", false},
	{"police", "register", "/cases/new", "main h1", false},
	{"prosecutor", "home", "/", "#dashboard", false},
	{"advocate", "home", "/", "#dashboard", false},
	{"social_worker", "home", "/", "#dashboard", false},
	{"shelter", "home", "/", "#dashboard", false},
	{"ngo", "home", "/", "#dashboard", false},
	{"helpline", "home", "/", "#dashboard", false},
	{"helpline", "console", "/helpline", "#contact-form", false},
	{"helpline", "contact", "first:/helpline", "main h1", false},
	{"analyst", "home", "/", "#dashboard", false},
	{"auditor", "home", "/", "#dashboard", false},
	{"auditor", "audit", "/audit", "main h1", false},
	{"admin", "home", "/", "#dashboard", false},
	// The other pages of the consistent look, on a phone.
	{"coordinator", "notifications", "/notifications", "main h1", true},
	{"coordinator", "services", "/services", "main h1", true},
	{"coordinator", "shelters", "/shelters", "main h1", true},
	{"coordinator", "duplicates", "/duplicates", "main h1", true},
	{"coordinator", "helpline-figures", "/helpline/figures", "main h1", true},
	{"coordinator", "account", "/account", "main h1", true},
	{"coordinator", "tokens", "/account/tokens", "main h1", true},
	{"coordinator", "not-found", "/no/such/page", "#error-home", true},
	{"admin", "users", "/admin/users", "#users-table", true},
	{"admin", "user", "first:/admin/users", "main h1", true},
	{"admin", "orgs", "/admin/orgs", "main h1", true},
	{"police", "forbidden", "/admin/users", "#error-home", true},
	{"police", "tips", "/tips", "main h1", true},
	// Domestic violence and the criminal-justice track: the police's case
	// page above shows the full GBV section (screenSetup records it) and
	// the criminal case filed for it, then the other roles' homes.
	{"police", "justice", "/justice", "#jd-cases", true},
	{"police", "criminal-case", "first:/justice", "#j-summary", false},
	{"police", "gbv-classify", "/gbv/classify", "main h1", true},
	{"prosecutor", "justice", "/justice", "#jd-cases", true},
	{"prosecutor", "criminal-case", "first:/justice", "#j-summary", true},
	{"evaluator", "home", "/", "#dashboard", true},
	{"provider", "home", "/", "#dashboard", true},
	{"funder", "home", "/", "#dashboard", true},
	{"monitor", "home", "/", "#dashboard", true},
	{"coordinator", "stats-reports", "/stats/reports", "main h1", true},
	{"coordinator", "stats-quality", "/stats/quality", "main h1", true},
}

// screenWidths: a laptop and a phone.
var screenWidths = []int64{1366, 390}

// Raw codes a person must never read (docs/ui.md, "Words, never codes").
var (
	rawDotted = regexp.MustCompile(`\b[A-Za-z_]\w*\.\w+:`)                               // task.created:reflection_end
	rawKV     = regexp.MustCompile(`\b\w+=\w+`)                                          // from=screening
	rawID     = regexp.MustCompile(`\b[0-9A-Za-z]{26}\b`)                                // a record's id (26 characters with a digit)
	rawSnake  = regexp.MustCompile(`(?m)(?:^|[\s(:;,])[a-z]+_[a-z0-9_]+(?:[\s).,;:]|$)`) // physical_assault
	rawCaps   = regexp.MustCompile(`\b[A-Z]+_[A-Z0-9_]+\b`)                              // JUDGMENT_FIRST_INSTANCE
	rawKey    = regexp.MustCompile(`(?:^|[\s(])[a-z]+\.[a-z_]+\.[a-z_.]+`)               // stats.measure.cases (a key no catalogue holds)
	digit     = regexp.MustCompile(`[0-9]`)
	recordID  = regexp.MustCompile(`^/[a-z/]+/[a-z2-9]{26}$`)
)

// rawCodes returns what in a page's visible text looks like a code.
func rawCodes(text string) []string {
	var out []string
	out = append(out, rawDotted.FindAllString(text, 5)...)
	out = append(out, rawKV.FindAllString(text, 5)...)
	out = append(out, rawSnake.FindAllString(text, 5)...)
	out = append(out, rawCaps.FindAllString(text, 5)...)
	out = append(out, rawKey.FindAllString(text, 5)...)
	for _, id := range rawID.FindAllString(text, -1) {
		if digit.MatchString(id) {
			out = append(out, id)
		}
	}
	return out
}

// TestScreens opens the pages of the "Done when" list in every language at
// 1366 px and 390 px in one `ura serve --demo` and one browser. For each it
// saves a full-page screenshot under $URA_ARTEFACTS (default a temporary
// directory) and fails on a serious or critical axe-core violation, on visible
// text that looks like a raw code, and, on the phone, on a page wider than the
// screen. Subtests are named role/page/language/width, so a failure names the
// page and the check.
func TestScreens(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	// Screenshots are artefacts for people to look at: under URA_ARTEFACTS
	// when it is set, otherwise in the test's temporary directory.
	dir := os.Getenv("URA_ARTEFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	ctx := browsertest.New(t)
	started := time.Now()

	do := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatal(err)
		}
	}

	var roles []string
	byRole := map[string][]screen{}
	for _, s := range screens {
		if byRole[s.role] == nil {
			roles = append(roles, s.role)
		}
		byRole[s.role] = append(byRole[s.role], s)
	}
	shots := 0
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			if _, ok := in.Creds[role]; !ok {
				t.Fatalf("serve --demo printed no account for %s", role)
			}
			browserSignIn(t, ctx, in, role)
			defer do(t, chromedp.Navigate(in.URL+"/?lang=en"), chromedp.WaitVisible(`#dashboard`),
				chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`))
			if setup := screenSetup[role]; setup != nil {
				setup(t, ctx, in)
			}
			pages := byRole[role]
			for i, s := range pages {
				if list, ok := strings.CutPrefix(s.path, "first:"); ok {
					pages[i].path = firstRecord(t, ctx, in.URL, list)
				}
			}
			for _, width := range screenWidths {
				if width < 600 {
					do(t, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
				} else {
					do(t, chromedp.EmulateViewport(width, 900))
				}
				for _, lang := range i18n.Supported {
					for _, s := range pages {
						if s.phoneOnly && width >= 600 {
							continue
						}
						name := fmt.Sprintf("%s/%s/%d", s.name, lang, width)
						t.Run(name, func(t *testing.T) {
							if s.path == "" {
								t.Fatalf("%s sees no record to open in the list", role)
							}
							sep := "?"
							if strings.Contains(s.path, "?") {
								sep = "&"
							}
							t0 := time.Now()
							do(t, chromedp.Navigate(in.URL+s.path+sep+"lang="+string(lang)), chromedp.WaitVisible(s.ready))
							t1 := time.Now()
							checkScreen(t, ctx, string(lang), width)
							t2 := time.Now()
							var png []byte
							if dir != "" {
								var err error
								if png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
									t.Fatalf("screenshot: %v", err)
								}
								file := filepath.Join(dir, fmt.Sprintf("%s-%s-%s-%d.png", role, s.name, lang, width))
								if err := os.WriteFile(file, png, 0o644); err != nil {
									t.Fatal(err)
								}
								shots++
							}
							t3 := time.Now()
							browsertest.CheckAxe(t, ctx)
							t.Logf("load %s, checks %s, screenshot %s (%d KB), axe %s", t1.Sub(t0).Round(time.Millisecond),
								t2.Sub(t1).Round(time.Millisecond), t3.Sub(t2).Round(time.Millisecond), len(png)/1024, time.Since(t3).Round(time.Millisecond))
						})
					}
				}
			}
			do(t, chromedp.EmulateViewport(1366, 900))
		})
	}
	t.Logf("%d screenshots in %s in %s", shots, dir, time.Since(started).Round(time.Second))
}

// checkScreen fails on the page's language, raw codes in its visible text
// and, at phone width, horizontal overflow.
func checkScreen(t *testing.T, ctx context.Context, lang string, width int64) {
	t.Helper()
	got := get(t, ctx, chromedp.Evaluate[struct {
		Lang        string
		Text        string
		ScrollWidth int64
		Wide        []string
	}](`(() => {
		const vw = document.documentElement.clientWidth;
		// The elements that stick out of the screen, innermost first, to name the culprit.
		const wide = [...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > vw + 1 && e.offsetParent !== null)
			.filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > vw + 1))
			.slice(0, 5)
			.map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
				" (" + Math.round(e.getBoundingClientRect().right) + " px)");
		return {
			Lang: document.documentElement.lang,
			Text: document.body.innerText,
			ScrollWidth: document.documentElement.scrollWidth,
			Wide: wide,
		};
	})()`))
	if got.Lang != lang {
		t.Errorf("<html lang> = %q, want %q", got.Lang, lang)
	}
	if codes := rawCodes(got.Text); len(codes) > 0 {
		t.Errorf("raw codes in the visible text: %q", codes)
	}
	if width < 600 && got.ScrollWidth > width {
		t.Errorf("horizontal overflow: the page is %d px wide on a %d px screen; widest: %v", got.ScrollWidth, width, got.Wide)
	}
}

// firstRecord returns the path of the first record (list + "/" + id) the
// signed-in user's list page links to, or "" when it shows none.
func firstRecord(t *testing.T, ctx context.Context, base, list string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(base+list+"?lang=en"), chromedp.WaitVisible(`main h1`)); err != nil {
		t.Fatal(err)
	}
	links := get(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main a[href]")].map(a => a.getAttribute("href"))`))
	for _, l := range links {
		if strings.HasPrefix(l, list+"/") && recordID.MatchString(l) {
			return l
		}
	}
	return ""
}

// TestRawCodes pins what the screens test calls a raw code, and what it
// must let through (dates, times, the time zone, references).
func TestRawCodes(t *testing.T) {
	tests := []struct {
		text string
		raw  bool
	}{
		{"task.created:reflection_end", true},
		{"Stage from=screening,to=presumed_victim", true},
		{"Referral sent;urgency=24h;type=thb_shelter", true},
		{"Team org=xymy9s", true},
		{"Opened by xymy9sabcdefghijkmnpqrst23", true},
		{"auth.totp: failed", true},
		{"Lloji: physical_assault", true},
		{"Stage JUDGMENT_FIRST_INSTANCE", true},
		{"Cases stats.measure.cases_opened", true},
		{"besnik@demo.ura.invalid", false}, // an e-mail address is no key
		{"social_worker@demo.ura.invalid", false},
		{"PK-2026-777", false},
		{"06.02.2026: Fillimi i hetimit", false}, // a date before a colon (sq, sr)
		{"2 Dec 2026, 14:05 CET", false},
		{"02.12.2026. 14:05", false},
		{"02.12.2026, 14:05", false},
		{"Times in CET (Europe/Belgrade)", false},
		{"XK-2026-0042", false},
		{"Trafficking in human beings: a presumed victim", false},
		{"abcdefghijklmnopqrstuvwxyz", false}, // 26 letters, no digit: a word
		{"Vreme je prikazano u zoni CET (Europe/Belgrade)", false},
	}
	for _, tt := range tests {
		if got := len(rawCodes(tt.text)) > 0; got != tt.raw {
			t.Errorf("rawCodes(%q) = %q, want raw %v", tt.text, rawCodes(tt.text), tt.raw)
		}
	}
}
