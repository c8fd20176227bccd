package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// TestLicenceApplicationStory (issue 20, item 5): Ura e Re applies for a
// licence; without its declaration the application is refused beside the
// box, what was typed kept; the coordinator's office finds it complete,
// schedules the inspection and, after a refused grant without a licence
// number, grants the licence with its expiry; the history shows each step;
// Ura e Re sees its application granted and the licence in force. The
// licensing and grants pages read in words in the four languages: no raw
// code, no id, no English left in Albanian or Serbian. New pages pass
// axe-core.
func TestLicenceApplicationStory(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	today := time.Now()
	day := func(t time.Time) string { return t.Format("2006-01-02") }

	u.signIn("provider2", "/signin?lang=en")
	u.do(chromedp.Navigate(in.URL+"/licensing"), chromedp.WaitVisible(`#licence-applications`), openForms,
		chromedp.SetValue(`#lapply-form-category`, "reintegration"),
		chromedp.SendKeys(`#lapply-form-premises`, "Rr. Mbretëresha Teutë 12, Pejë: two counselling rooms"),
		chromedp.SendKeys(`#lapply-form-documents`, "Statute\nFloor plan\nStaff list"))
	u.axe()
	u.do(chromedp.Click(`#lapply-submit`), chromedp.WaitVisible(`#err-declaration`))
	if v := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#lapply-form-documents').value`)); !strings.Contains(v, "Staff list") {
		t.Errorf("the refused application lost its documents: %q", v)
	}
	u.axe()
	u.do(chromedp.Click(`#lapply-form-declaration`), chromedp.Click(`#lapply-submit`),
		chromedp.WaitVisible(`#licence-application[data-status="submitted"]`))
	appURL := get(t, browser, chromedp.Location())
	if n := u.count(`#licence-application-documents li`); n != 3 {
		t.Errorf("%d documents listed, want 3", n)
	}
	u.axe()
	u.signOut()

	u.signIn("coordinator", "/signin")
	u.do(chromedp.Navigate(appURL), chromedp.WaitVisible(`#lcheck-form`), chromedp.Click(`#lcheck-complete`), chromedp.Click(`#lcheck-submit`),
		chromedp.WaitVisible(`#licence-application[data-status="complete"]`),
		setValue(`#lschedule-form-inspection_on`, day(today.AddDate(0, 0, 3))), chromedp.Click(`#lschedule-submit`),
		chromedp.WaitVisible(`#licence-application[data-status="inspection"]`),
		chromedp.Click(`#ldecide-grant`), setValue(`#ldecide-form-valid_until`, day(today.AddDate(3, 0, 0))),
		chromedp.Click(`#ldecide-submit`), chromedp.WaitVisible(`#err-number`))
	if v := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#ldecide-form-valid_until').value`)); v != day(today.AddDate(3, 0, 0)) {
		t.Errorf("the refused decision lost its expiry: %q", v)
	}
	u.axe()
	u.do(chromedp.SendKeys(`#ldecide-form-number`, "MLSW-2026-031"), chromedp.Click(`#ldecide-submit`),
		chromedp.WaitVisible(`#licence-application[data-status="granted"]`))
	if n := u.count(`#licence-application-history li`); n != 4 {
		t.Errorf("%d steps in the history, want 4:\n%s", n, u.text(`#history`))
	}
	u.axe()

	// A stranger's reading of every licensing and grants page the
	// coordinator opens, in the four languages.
	english := englishOf(t, "licensing.", "grants.")
	for _, lang := range []string{"sq", "sr-Latn", "sr-Cyrl", "en"} {
		for _, p := range []string{"/licensing", appURL[len(in.URL):], "/licensing/inspections/new", "/grants", "/grants/calls/new", "/grants/figures", "/grants/funding"} {
			u.do(chromedp.Navigate(in.URL+p+"?lang="+lang), chromedp.WaitVisible(`main h1`))
			text := u.text(`main`)
			if raw := rawCodes(text); len(raw) > 0 {
				t.Errorf("%s in %s shows raw codes %q", p, lang, raw)
			}
			if lang == "en" {
				continue
			}
			for _, e := range english {
				if strings.Contains(text, e) {
					t.Errorf("%s in %s shows English: %q", p, lang, e)
				}
			}
		}
	}
	u.do(chromedp.Navigate(in.URL + "/?lang=en"))
	u.signOut()

	u.signInAgainAs("provider2")
	u.do(chromedp.Navigate(in.URL+"/licensing"), chromedp.WaitVisible(`#licence-applications-table tr[data-status="granted"]`))
	if u.count(`#licences-table tr[data-status="active"]`) != 1 {
		t.Errorf("the licence granted is not in force for the provider:\n%s", u.text(`#licences`))
	}
	if u.count(`#lcheck-form, #ldecide-form`) != 0 {
		t.Error("the provider is offered the coordinator's forms")
	}
	u.signOut()
}

// signInAgainAs signs a role in a second time (the next TOTP step).
func (u *storyTab) signInAgainAs(role string) {
	u.t.Helper()
	u.signInAt(role, time.Now().Add(30*time.Second))
}

// englishOf lists the English catalogue's texts under the prefixes that a
// page in another language must not show: those of three words or more
// that the other catalogues translate.
func englishOf(t *testing.T, prefixes ...string) []string {
	t.Helper()
	read := func(lang string) map[string]string {
		b, err := os.ReadFile("../../internal/i18n/catalog/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var all map[string]any
		if err := json.Unmarshal(b, &all); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for k, v := range all {
			if s, ok := v.(string); ok { // plural forms are objects
				m[k] = s
			}
		}
		return m
	}
	en, sq := read("en"), read("sq")
	var out []string
	for k, v := range en {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) && !strings.Contains(v, "{") && len(strings.Fields(v)) >= 3 && sq[k] != v {
				out = append(out, v)
			}
		}
	}
	return out
}
