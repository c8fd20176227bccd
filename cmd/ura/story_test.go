package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// storyTab is the browser tab of one story: each role in turn signs in,
// does its part and signs out (TOTP codes are single-use per 30-second step
// and user, so each role signs in once per instance).
type storyTab struct {
	t   *testing.T
	ctx context.Context
	in  *instance
}

// do runs steps with a time limit; on failure it reports where the page was.
func (u *storyTab) do(steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	tctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		dctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(dctx, chromedp.Location())
		text, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		u.t.Fatalf("%v\nat %s:\n%.2000s", err, loc, text)
	}
}

// count is the number of elements matching sel.
func (u *storyTab) count(sel string) int {
	u.t.Helper()
	return get(u.t, u.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

func (u *storyTab) axe() { u.t.Helper(); browsertest.CheckAxe(u.t, u.ctx) }

// openForms opens every form of the page that waits closed in a <details>
// ("Add a note", "Refer"), as a user asking for each would.
var openForms = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('main details').forEach(d => { d.open = true; })`)

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// signIn signs role in with the second factor; path is the sign-in page
// (the first one carries ?lang=, which is then remembered).
func (u *storyTab) signIn(role, path string) {
	u.t.Helper()
	c := u.in.Creds[role]
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(u.in.URL + path),
		chromedp.WaitVisible(`form[action="/signin"] #email`),
		chromedp.SendKeys(`#email`, c.Email), chromedp.SendKeys(`#password`, c.Password), chromedp.Submit(`#password`)}
	if c.Secret != "" {
		steps = append(steps, chromedp.WaitVisible(`#code`), chromedp.SendKeys(`#code`, totpNow(u.t, c.Secret)), chromedp.Submit(`#code`))
	}
	u.do(append(steps, chromedp.WaitVisible(`#dashboard`))...)
}

func (u *storyTab) signOut() {
	u.t.Helper()
	u.do(chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`))
}

// TestStory follows one person through the referral mechanism, in English
// and in Albanian, each on its own instance: an NGO outreach worker screens
// an adult in labour exploitation and saves the screening; the police
// register the case, assess the risk and bring the victim advocate onto the
// team; the police record reasonable grounds and the advocate the
// identification; the advocate records consent; the reflection period shows
// on the police dashboard; and a child's case gets its guardian and social
// work tasks at once. Every new page passes axe-core.
func TestStory(t *testing.T) {
	browser := browsertest.New(t)
	for _, lang := range []string{"en", "sq"} {
		t.Run(lang, func(t *testing.T) {
			_, _, sargs := storeArgs(t, store.SQLite)
			in := serve(t, sargs, "--demo")
			story(t, browser, in, lang)
		})
	}
}

// The indicators of an adult in labour exploitation that make D1
// (deception), D4 (exploitation) and D5 (coercion) positive.
var labourIndicators = []string{"al.d1.deceived_nature_of_job", "al.d1.deceived_wages", "al.d4.excessive_hours",
	"al.d4.low_or_no_salary", "al.d5.confiscation_of_documents", "al.d5.debt_bondage"}

func story(t *testing.T, browser context.Context, in *instance, lang string) {
	tab := &storyTab{t: t, ctx: browser, in: in}
	ngo, police, advocate := tab, tab, tab
	tab.signIn("ngo", "/signin?lang="+lang)
	if got := htmlLang(t, browser); got != lang {
		t.Fatalf("<html lang> = %q, want %q", got, lang)
	}

	// The outreach worker screens and saves.
	ngo.do(chromedp.Navigate(in.URL+"/screening?profile=adult_labour"), chromedp.WaitVisible(`#screening-form`))
	ngo.axe()
	for _, id := range labourIndicators {
		ngo.do(chromedp.Click(`input[value="` + id + `"]`))
	}
	ngo.do(chromedp.Click(`#assess`), chromedp.WaitVisible(`#screening-result`))
	if ngo.count(`#screening-result[data-indicated="true"]`) != 1 {
		t.Fatal("D1, D4 and D5 positive, yet trafficking is not indicated")
	}
	ngo.axe()
	ngo.do(chromedp.Click(`#save`), chromedp.WaitVisible(`#screening-at`))
	ngo.signOut()

	// The police register the case …
	police.signIn("police", "/signin")
	police.do(chromedp.Navigate(in.URL+"/cases/new"), chromedp.WaitVisible(`#case-form`),
		chromedp.SendKeys(`#given_name`, "Dritan"), chromedp.SendKeys(`#family_name`, "Morina"),
		chromedp.SetValue(`#birth_date`, "1990-03-12"), chromedp.SetValue(`#sex`, "male"),
		chromedp.SendKeys(`#citizenship`, "AL"), chromedp.Click(`#exploitation-ForcedLabour`),
		chromedp.Click(`#case-submit`), chromedp.WaitVisible(`#case-reference`), openForms, chromedp.WaitVisible(`#risk-form`))
	if got := htmlLang(t, browser); got != lang {
		t.Errorf("language not remembered: <html lang> = %q, want %q", got, lang)
	}
	police.axe()
	caseURL := get(t, police.ctx, chromedp.Location())
	ref := get(t, police.ctx, chromedp.Text(`#case-reference`))

	// … assess the risk …
	police.do(chromedp.Click(`#risk-level-high`), chromedp.SendKeys(`#risk-threats`, "The employer keeps his passport."),
		chromedp.Click(`#risk-submit`), chromedp.WaitVisible(`#risk-level[data-level="high"]`), openForms)

	// … bring the victim advocate onto the team and record reasonable grounds.
	police.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#team-org');
		s.value = [...s.options].find(o => o.text.includes('Victim Advocacy')).value; })()`),
		chromedp.Submit(`#team-form select`), chromedp.WaitVisible(`#decision-details`), openForms, chromedp.WaitVisible(`#decision-form`))
	police.do(chromedp.SetValue(`#decision-status`, "presumed"), chromedp.SendKeys(`#decision-grounds`, "Screening and the first interview."),
		chromedp.Click(`#decision-submit`), chromedp.WaitVisible(`#case-stage[data-stage="presumed_victim"]`))

	// The reflection period now waits on the police.
	police.do(chromedp.Navigate(in.URL+"/"), chromedp.WaitVisible(`#dashboard`))
	sel := `#dashboard tr[data-kind="reflection_end"][data-case="` + ref + `"]`
	if police.count(sel) != 1 {
		t.Fatalf("the police dashboard does not show the reflection period of %s:\n%s", ref,
			get(t, police.ctx, chromedp.Text(`#dashboard`)))
	}
	police.axe()
	police.signOut()

	// The advocate records the identification and the consent.
	advocate.signIn("advocate", "/signin")
	advocate.do(chromedp.Navigate(caseURL), chromedp.WaitVisible(`#decision-details`), openForms,
		chromedp.SetValue(`#decision-status`, "identified"), chromedp.SendKeys(`#decision-grounds`, "Joint interview with the police."),
		chromedp.Click(`#decision-submit`), chromedp.WaitVisible(`#case-stage[data-stage="identified_victim"]`))
	steps := []chromedp.Action[chromedp.Void]{openForms, chromedp.SetValue(`#consent-scope`, "data_processing")}
	for _, k := range []string{"purpose", "data_use", "storage_duration", "access_right", "withdrawal"} {
		steps = append(steps, chromedp.Click(`#consent-informed-`+k))
	}
	steps = append(steps, chromedp.SendKeys(`#consent-language`, "sq"), chromedp.Click(`#consent-interpreter`),
		chromedp.Click(`#consent-submit`), chromedp.WaitVisible(`#consent-ledger tr[data-type="grant"]`))
	advocate.do(steps...)
	advocate.axe()

	// A child's case gets the guardian and social work tasks at once.
	child := time.Now().AddDate(-14, 0, 0).Format("2006-01-02")
	advocate.do(chromedp.Navigate(in.URL+"/cases/new"), chromedp.WaitVisible(`#case-form`),
		chromedp.SendKeys(`#given_name`, "Elira"), chromedp.SendKeys(`#family_name`, "Berisha"),
		chromedp.SetValue(`#birth_date`, child), chromedp.SetValue(`#sex`, "female"),
		chromedp.SendKeys(`#citizenship`, "XK"), chromedp.Click(`#exploitation-ChildLabour`),
		chromedp.Click(`#case-submit`), chromedp.WaitVisible(`#tasks`))
	for _, kind := range []string{"guardian_appointment", "social_work_notification"} {
		if advocate.count(`#tasks #task-`+kind) != 1 {
			t.Errorf("the child's case has no %s task", kind)
		}
	}
	if advocate.count(`#consent-child-view-agrees`) != 1 {
		t.Error("the consent form of a child's case does not ask for the child's view")
	}
	advocate.axe()
	advocate.signOut()
}
