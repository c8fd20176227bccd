package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// setValue sets a field's value by script (date and date-time pickers
// cannot be typed into the same way in every locale).
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsString(sel) + `).value = ` + jsString(v))
}

// TestGrantsStory (issue 20): the coordinator records an expired licence of
// Shelter Drita, requires licences for referrals and publishes a call; two
// providers apply; the coordinator admits both and assigns two evaluators;
// one evaluator declares a conflict on one application and is excluded from
// it, both score; after the deadline the ranking and the award follow and
// the evaluation report is written; the contract refuses a budget that
// does not add up, is signed and its reporting reminder appears; the funder
// reads the figures counted from referrals, suppressed and without any name
// or reference; and the police's referral to the shelter is refused
// beside the form because its licence expired. New pages pass axe-core.
func TestGrantsStory(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	clk := &testClock{}
	in := serveCtx(t, context.WithValue(context.Background(), testClockKey{}, clk), sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc)
	day := func(t time.Time) string { return t.Format("2006-01-02") }

	// The coordinator: an expired licence, the rule on, a call published.
	u.signIn("coordinator", "/signin?lang=en")
	u.do(chromedp.Navigate(in.URL+"/licensing"), chromedp.WaitVisible(`#licences`), openForms,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#licence-form-organisation');
			s.value = [...s.options].find(o => o.text === 'Demo Shelter Drita').value; })()`),
		chromedp.SendKeys(`#licence-form-number`, "MLSW-2025-014"), chromedp.SetValue(`#licence-form-category`, "shelter_trafficking"),
		setValue(`#licence-form-issued_on`, day(today.AddDate(-1, 0, 0))), setValue(`#licence-form-valid_until`, day(today.AddDate(0, 0, -1))),
		chromedp.Click(`#licence-submit`), chromedp.WaitVisible(`#licences-table tr[data-status="expired"]`))
	if u.count(`#licensing-reminders li[data-kind="licence_expired"]`) != 1 {
		t.Errorf("no reminder of the expired licence:\n%s", u.text(`#reminders`))
	}
	u.do(chromedp.Click(`#licensing-toggle`), chromedp.WaitVisible(`#licensing-required[data-required="true"]`))
	u.axe()
	// The deadline is a few minutes ahead; the story moves the server's
	// clock past it rather than waiting.
	deadline := today.Add(10 * time.Minute).Truncate(time.Minute)
	u.do(chromedp.Navigate(in.URL+"/grants/calls/new"), chromedp.WaitVisible(`#call-form`),
		chromedp.SendKeys(`#call-form-reference`, "MF-2026-07"), chromedp.SendKeys(`#call-form-title`, "Reintegration services for victims of trafficking"),
		chromedp.SendKeys(`#call-form-funder`, "EU Office in Kosovo"), chromedp.SetValue(`#call-form-procedure`, "open"),
		chromedp.SendKeys(`#call-form-budget`, "60000"), chromedp.SendKeys(`#call-form-min_grant`, "10000"),
		chromedp.SendKeys(`#call-form-max_grant`, "50000"), setValue(`#call-form-cofinancing_min_pct`, "10"),
		setValue(`#call-form-deadline`, deadline.Format("2006-01-02T15:04")),
		chromedp.SendKeys(`#call-form-criterion-1-label`, "Relevance"), setValue(`#call-form-criterion-1-max`, "20"),
		setValue(`#call-form-criterion-1-weight`, "50"), setValue(`#call-form-criterion-1-min`, "10"),
		chromedp.SendKeys(`#call-form-criterion-2-label`, "Design and feasibility"), setValue(`#call-form-criterion-2-max`, "30"),
		setValue(`#call-form-criterion-2-weight`, "50"))
	u.axe()
	u.do(chromedp.Click(`#call-submit`), chromedp.WaitVisible(`#call-publish`))
	callURL := get(t, browser, chromedp.Location())
	u.do(chromedp.Click(`#call-publish`), chromedp.WaitVisible(`#call[data-status="published"]`))
	// The funder's account reads this call's figures (and no other call's).
	u.markStale()
	u.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#funder-form-funder_user');
		s.value = [...s.options].find(o => o.text === 'Lena Hoxha').value; })()`), chromedp.Click(`#funder-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #funders-list li`))
	u.axe()
	u.signOut()

	// Two providers apply.
	apply := func(role string, at time.Time, title, requested, total string) {
		u.signInAt(role, at)
		u.do(chromedp.Navigate(callURL), chromedp.WaitVisible(`#apply-form`),
			chromedp.SendKeys(`#apply-form-title`, title), chromedp.SendKeys(`#apply-form-summary`, "Case management and vocational training."),
			chromedp.SendKeys(`#apply-form-target_groups`, "Victims of trafficking"), chromedp.SendKeys(`#apply-form-municipalities`, "Prishtinë"),
			chromedp.SendKeys(`#apply-form-requested`, requested), chromedp.SendKeys(`#apply-form-total_cost`, total),
			setValue(`#apply-form-duration_months`, "24"))
		u.axe()
		u.do(chromedp.Click(`#apply-submit`), chromedp.WaitVisible(`#application[data-status="submitted"]`))
		u.signOut()
	}
	apply("provider", clk.Now(), "Safe return from Shelter Drita", "50000", "60000")

	// Ura e Re fills its form; sent a second after the deadline it is
	// refused where the form was, and nothing is stored.
	u.signIn("provider2", "/signin")
	u.do(chromedp.Navigate(callURL), chromedp.WaitVisible(`#apply-form`),
		chromedp.SendKeys(`#apply-form-title`, "New start with Ura e Re"), chromedp.SendKeys(`#apply-form-summary`, "Case management and vocational training."),
		chromedp.SendKeys(`#apply-form-target_groups`, "Victims of trafficking"), chromedp.SendKeys(`#apply-form-municipalities`, "Pejë"),
		chromedp.SendKeys(`#apply-form-requested`, "40000"), chromedp.SendKeys(`#apply-form-total_cost`, "45000"),
		setValue(`#apply-form-duration_months`, "24"))
	clk.jumpTo(deadline.Add(time.Second))
	u.do(chromedp.Click(`#apply-submit`), chromedp.WaitVisible(`#apply-form-error`))
	if msg := u.text(`#apply-form-error`); !strings.Contains(msg, "deadline") {
		t.Errorf("the late application is refused with %q", msg)
	}
	if u.count(`#apply-form`) != 0 {
		t.Error("the apply form is still offered after the deadline")
	}
	u.axe()
	u.signOut()
	// The story goes back before the deadline (a test's clock can) and Ura e
	// Re applies in time.
	clk.jumpTo(time.Now())
	apply("provider2", clk.Now().Add(30*time.Second), "New start with Ura e Re", "40000", "45000")

	// The coordinator admits both and assigns both evaluators to each.
	u.signInAgain("coordinator")
	u.do(chromedp.Navigate(callURL), chromedp.WaitVisible(`#applications-table`))
	if n := u.count(`#applications-table tr[data-status="submitted"]`); n != 2 {
		t.Fatalf("%d submitted applications, want 2", n)
	}
	apps := get(t, browser, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#applications-table tbody th a')].map(a => a.href)`))
	titles := get(t, browser, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#applications-table tbody th a')].map(a => a.innerText)`))
	drita, ura := apps[0], apps[1]
	if strings.Contains(titles[1], "Drita") {
		drita, ura = apps[1], apps[0]
	}
	for _, a := range []string{drita, ura} {
		u.do(chromedp.Navigate(a), chromedp.WaitVisible(`#check-form`), chromedp.Click(`#check-passed`), chromedp.Click(`#check-submit`),
			chromedp.WaitVisible(`#application[data-status="admin_passed"]`))
		for _, ev := range []string{"Blerim Rexhepi", "Sanja Petrović"} {
			u.markStale()
			u.do(chromedp.WaitVisible(`#assign-form`), chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#assign-form-evaluator');
				s.value = [...s.options].find(o => o.text === `+jsString(ev)+`).value; })()`), chromedp.Click(`#assign-submit`),
				chromedp.WaitVisible(`body:not([data-stale]) #assignments`))
		}
		if n := u.count(`#assignments li[data-conflict=""]`); n != 2 {
			t.Errorf("%d evaluators waiting to declare, want 2", n)
		}
	}
	u.axe()
	u.signOut()

	// The evaluators: one declares a conflict on Drita's application.
	score := func(app string, s1, s2 int) {
		u.do(chromedp.Navigate(app), chromedp.WaitVisible(`#declare-form`))
		if u.count(`#application-org`) != 0 {
			t.Error("the application is shown before the declaration")
		}
		u.do(chromedp.Click(`#conflict-none`), chromedp.Click(`#declare-submit`), chromedp.WaitVisible(`#score-form`),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#score-form-score-c1').removeAttribute('max')`),
			setValue(`#score-form-score-c1`, "99"), chromedp.SendKeys(`#score-form-comment-c1`, "Needs are well shown."),
			setValue(`#score-form-score-c2`, strconv.Itoa(s2)), chromedp.SendKeys(`#score-form-comment-c2`, "Feasible plan."),
			chromedp.Click(`#score-submit`), chromedp.WaitVisible(`#err-score-c1`))
		u.axe()
		u.markStale()
		u.do(setValue(`#score-form-score-c1`, strconv.Itoa(s1)), chromedp.Click(`#score-submit`),
			chromedp.WaitVisible(`body:not([data-stale]) [role="status"]`))
		if u.count(`#score-form [aria-invalid="true"]`) != 0 {
			t.Errorf("the scores were refused:\n%s", u.text(`#score`))
		}
	}
	u.signIn("evaluator", "/signin")
	u.do(chromedp.Navigate(drita), chromedp.WaitVisible(`#declare-form`), chromedp.Click(`#conflict-declared`), chromedp.Click(`#declare-submit`),
		chromedp.WaitVisible(`#calls`))
	if st := u.status(drita); st != 404 {
		t.Errorf("the evaluator with a declared conflict opens the application: %d, want 404", st)
	}
	score(ura, 16, 24)
	u.signOut()
	u.signIn("evaluator2", "/signin")
	score(drita, 12, 15)
	score(ura, 18, 25)
	u.signOut()

	// After the deadline: ranking, award, report, contract.
	clk.jumpTo(deadline.Add(time.Second))
	u.signInAt("coordinator", clk.Now())
	u.do(chromedp.Navigate(callURL+"#ranking"), chromedp.WaitVisible(`#ranking-table`))
	first := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#ranking-table tbody tr th a').href`))
	if first != ura {
		t.Errorf("ranked first: %s, want Ura e Re's application", first)
	}
	u.do(chromedp.Click(`#call-award`), chromedp.WaitVisible(`#call[data-status="awarded"]`))
	if u.count(`#ranking-table tr[data-outcome="selected"]`) != 1 || u.count(`#ranking-table tr[data-outcome="reserve"]`) != 1 {
		t.Errorf("after the award:\n%s", u.text(`#ranking`))
	}
	u.axe()
	if status := u.status(callURL + "/report.pdf"); status != 200 {
		t.Errorf("evaluation report: %d", status)
	}
	start := today.AddDate(-1, 0, -39)
	u.do(chromedp.Navigate(ura), chromedp.WaitVisible(`#contract-form`),
		chromedp.SendKeys(`#contract-form-number`, "MF/2026/07-1"), setValue(`#contract-form-start_on`, day(start)),
		setValue(`#contract-form-end_on`, day(start.AddDate(2, 0, -1))), chromedp.SendKeys(`#contract-form-amount`, "40000"),
		chromedp.SendKeys(`#contract-form-cofinancing`, "5000"),
		chromedp.SetValue(`#contract-form-budget-1-heading`, "hr"), chromedp.SendKeys(`#contract-form-budget-1-description`, "Case managers"),
		chromedp.SendKeys(`#contract-form-budget-1-amount`, "30000"),
		chromedp.SetValue(`#contract-form-budget-2-heading`, "local_office"), chromedp.SendKeys(`#contract-form-budget-2-description`, "Rent"),
		chromedp.SendKeys(`#contract-form-budget-2-amount`, "10000"),
		chromedp.SetValue(`#contract-form-payment-1-kind`, "prefinancing"), setValue(`#contract-form-payment-1-due`, day(start)),
		chromedp.SendKeys(`#contract-form-payment-1-amount`, "20000"),
		chromedp.Click(`#contract-submit`), chromedp.WaitVisible(`#err-budget`))
	if v := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#contract-form-budget-1-description').value`)); v != "Case managers" {
		t.Errorf("the refused form lost what was typed: %q", v)
	}
	u.axe()
	u.do(setValue(`#contract-form-budget-2-amount`, "15000"), chromedp.Click(`#contract-submit`), chromedp.WaitVisible(`#reports-table`))
	if u.count(`#reports-table tr[data-due-soon="true"]`) != 1 {
		t.Errorf("no interim report due soon:\n%s", u.text(`#reports`))
	}
	contractURL, _, _ := strings.Cut(get(t, browser, chromedp.Location()), "#")
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/grants"), chromedp.WaitVisible(`#grant-reminders li`))
	u.do(chromedp.Navigate(contractURL+"/figures?raw=1"), chromedp.WaitVisible(`#figures-service_type`))
	raw := get(t, browser, chromedp.Evaluate[string](`(() => { const r = [...document.querySelectorAll('#figures-service_type tbody tr')].pop();
		return r.querySelectorAll('td')[2].innerText; })()`))
	if n, err := strconv.Atoi(strings.TrimSpace(raw)); err != nil || n < 1 {
		t.Errorf("the coordinator's raw figures count %q persons served", raw)
	}
	u.axe()
	u.signOut()

	// The funder: counts only, protected, no name, no reference.
	u.signInAt("funder", clk.Now())
	u.do(chromedp.Navigate(in.URL+"/grants/figures"), chromedp.WaitVisible(`#figures-contracts`),
		chromedp.Click(`#figures-contracts tbody a`), chromedp.WaitVisible(`#figures-service_type`))
	body := u.text(`main`)
	if strings.Contains(body, "XK-") || strings.Contains(body, "Mirela") || u.count(`td.suppressed`) == 0 {
		t.Errorf("the funder's figures:\n%s", body)
	}
	u.axe()
	if u.count(`#figures-raw`) != 0 {
		t.Error("the funder is offered unprotected figures")
	}
	if st := u.status(callURL); st != 403 {
		t.Errorf("the funder opens the call and its applications: %d, want 403", st)
	}
	u.signOut()

	// The police: the referral to the shelter whose licence expired is refused.
	u.signInAt("police", clk.Now())
	u.registerCase("Drenusha", "Kastrati", "1998-04-12", "high")
	u.markStale()
	u.do(openForms, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#referral-service');
		s.value = [...s.options].find(o => o.text.startsWith('Demo Shelter Drita')).value; })()`),
		chromedp.Click(`#referral-urgency-routine`), chromedp.SendKeys(`#referral-reason`, "Needs a safe place to stay."),
		chromedp.Click(`#referral-submit`), chromedp.WaitVisible(`body:not([data-stale]) [id="err-referral.service_id"]`))
	if msg := u.text(`[id="err-referral.service_id"]`); !strings.Contains(msg, "expired") {
		t.Errorf("the refusal says %q", msg)
	}
	u.axe()
	u.signOut()
}

// testClock is a story's server clock: the real time moved by an offset,
// so the story passes a deadline without waiting for it.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.off)
}

// jumpTo sets the server's time to at; it then runs on from there.
func (c *testClock) jumpTo(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off = time.Until(at)
}

// signInAt signs role in with the second factor's code at the server's
// time at (the server checks codes on its own clock).
func (u *storyTab) signInAt(role string, at time.Time) {
	u.t.Helper()
	c := u.in.Creds[role]
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(u.in.URL + "/signin"),
		chromedp.WaitVisible(`form[action="/signin"] #email`),
		chromedp.SendKeys(`#email`, c.Email), chromedp.SendKeys(`#password`, c.Password), chromedp.Submit(`#password`)}
	if c.Secret != "" {
		steps = append(steps, chromedp.WaitVisible(`#code`), chromedp.SendKeys(`#code`, totpAt(u.t, c.Secret, at)), chromedp.Submit(`#code`))
	}
	u.do(append(steps, chromedp.WaitVisible(`#dashboard`))...)
}

// status is the HTTP status of a GET of url from the page (same origin).
func (u *storyTab) status(url string) int {
	u.t.Helper()
	return get(u.t, u.ctx, chromedp.Evaluate[int](`(() => { const x = new XMLHttpRequest();
		x.open('GET', `+jsString(url)+`, false); x.send(); return x.status; })()`))
}
