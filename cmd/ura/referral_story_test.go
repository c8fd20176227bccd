package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/store"
)

// TestReferralStory follows two people through referral and placement, in
// English: the police register a high-risk adult and refer her, as an
// emergency, to the trafficking shelter; a low-risk adult is proposed the
// domestic-violence shelter and referred too, and consent lets a routine
// referral to counselling go out. The shelter accepts the first, admits her
// (the availability board shows one bed fewer free) and declines the
// second; the police see the next fitting shelter proposed. The sweep then
// finds the routine referral overdue and the coordinator is alerted. Every
// new page passes axe-core.
func TestReferralStory(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}

	// The police register the first case and assess her risk as high.
	u.signIn("police", "/signin?lang=en")
	high, highRef := u.registerCase("Mirela", "Hoxha", "1996-05-02", "high")
	if u.count(`#proposals li:first-child[data-type="secure_facility"][data-fits="true"]`) != 1 {
		t.Errorf("the secure facility is not proposed first for a high-risk case:\n%s", u.text(`#proposals`))
	}
	if u.count(`#proposals li[data-type="dv_shelter"][data-fits="false"]`) != 1 {
		t.Error("a domestic-violence shelter fits a high-risk case")
	}
	u.axe()
	u.refer("Demo Shelter Drita", "emergency", "Threatened by the exploiters tonight; needs a safe bed at once.")

	// The second case is low risk: the domestic-violence shelter fits.
	low, lowRef := u.registerCase("Teuta", "Krasniqi", "1999-11-20", "low")
	if u.count(`#proposals li[data-type="dv_shelter"][data-fits="true"]`) != 1 {
		t.Errorf("the domestic-violence shelter is not proposed as fitting a low-risk case:\n%s", u.text(`#proposals`))
	}
	u.refer("Demo Shelter Drita", "emergency", "No safe place to stay tonight; the family cannot take her.")
	// Consent to processing and to psychological support lets a routine referral go out.
	u.consent("data_processing", "")
	u.consent("service", "psychological")
	u.refer("Demo Counselling Ura e Re", "routine", "Counselling after the trauma of exploitation.")
	u.do(chromedp.Navigate(in.URL+"/referrals"), chromedp.WaitVisible(`#outbox`))
	// (The demo's own working day has referrals of its own: count this story's.)
	if n := u.count(`#outbox tr[data-state="pending"][data-case="` + highRef + `"], #outbox tr[data-state="pending"][data-case="` + lowRef + `"]`); n != 3 {
		t.Errorf("the police outbox holds %d pending referrals of the story, want 3", n)
	}
	u.axe()
	u.signOut()

	// The shelter accepts the first referral and admits her.
	u.signIn("shelter", "/signin")
	u.do(chromedp.Navigate(in.URL+"/shelters"), chromedp.WaitVisible(`#shelter-board`))
	u.axe()
	before := u.free("Demo Shelter Drita")
	u.do(chromedp.Navigate(in.URL+"/referrals"), chromedp.WaitVisible(`#inbox`))
	if u.count(`#inbox tr[data-state="pending"][data-case="`+highRef+`"], #inbox tr[data-state="pending"][data-case="`+lowRef+`"]`) != 2 {
		t.Errorf("the shelter's inbox does not hold the two pending referrals:\n%s", u.text(`#inbox`))
	}
	u.axe()
	u.do(chromedp.Click(`#inbox tr[data-case="`+highRef+`"] button[id^="accept-"]`),
		chromedp.WaitVisible(`#referral-state[data-state="accepted"]`), chromedp.WaitVisible(`#referral-case-link`))
	u.axe()
	u.do(chromedp.Click(`#referral-case-link`), chromedp.WaitVisible(`#admit-details`), openForms, chromedp.WaitVisible(`#admit-form`))
	u.do(chromedp.Click(`#admit-submit`), chromedp.WaitVisible(`#stays tr[data-open="true"]`))
	if got := get(t, browser, chromedp.Location()); !strings.HasPrefix(got, high) {
		t.Errorf("after the admission the page is %s, want the case %s", got, high)
	}
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/shelters"), chromedp.WaitVisible(`#shelter-board`))
	if after := u.free("Demo Shelter Drita"); after != before-1 {
		t.Errorf("free beds at Drita: %d before, %d after the admission; want one fewer", before, after)
	}
	// She leaves to her family: the stay shows when and where to, and the bed is free again.
	u.do(chromedp.Navigate(high), chromedp.WaitVisible(`#stays tr[data-open="true"]`),
		chromedp.SetValue(`#stays select[name="exit_code"]`, "family"),
		chromedp.Click(`#stays button[id^="discharge-"]`), chromedp.WaitVisible(`#stays tr[data-open="false"]`))
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/shelters"), chromedp.WaitVisible(`#shelter-board`))
	if after := u.free("Demo Shelter Drita"); after != before {
		t.Errorf("free beds at Drita: %d before the admission, %d after the discharge; want the same", before, after)
	}

	// The shelter declines the second referral.
	u.do(chromedp.Navigate(in.URL+"/referrals"), chromedp.WaitVisible(`#inbox`),
		chromedp.Click(`#inbox tr[data-case="`+lowRef+`"] th a`), chromedp.WaitVisible(`#decline-form`),
		chromedp.SetValue(`#decline-code`, "no_capacity"), chromedp.SendKeys(`#decline-reason`, "Our last beds are kept for high-risk placements."),
		chromedp.Click(`#decline`), chromedp.WaitVisible(`#referral-state[data-state="declined"]`))
	u.signOut()

	// The police see the decline and the next fitting shelter.
	u.signInAgain("police")
	if got := u.text(`nav.mainnav a[href="/notifications"]`); !strings.Contains(got, "(") {
		t.Errorf("the navigation shows no unread count: %q", got)
	}
	u.do(chromedp.Navigate(in.URL+"/notifications"), chromedp.WaitVisible(`#notifications`))
	u.axe()
	u.do(chromedp.Click(`#notifications li[data-kind="referral.declined"] a`), chromedp.WaitVisible(`#next-services`))
	if got := u.text(`#next-services`); !strings.Contains(got, "Demo Transit House Shpresa") {
		t.Errorf("after the decline the next fitting shelter is not proposed:\n%s", got)
	}
	u.axe()
	u.do(chromedp.Navigate(low), chromedp.WaitVisible(`#case-referrals tr[data-state="declined"]`))
	u.signOut()

	// The sweep finds the routine referral overdue; the coordinator is alerted.
	sweepAt(t, in, time.Now().AddDate(0, 0, 10))
	u.signIn("coordinator", "/signin")
	u.do(chromedp.Navigate(in.URL+"/notifications"), chromedp.WaitVisible(`#notifications`))
	if u.count(`#notifications li[data-kind="referral.overdue"]`) < 1 || !strings.Contains(u.text(`#notifications`), lowRef) {
		t.Errorf("the coordinator has no overdue alert for %s:\n%s", lowRef, u.text(`main`))
	}
	u.do(chromedp.Click(`#notifications li[data-kind="referral.overdue"] button`),
		chromedp.WaitVisible(`#notifications li[data-kind="referral.overdue"][data-read="true"]`))
	u.do(chromedp.Navigate(in.URL+"/referrals"), chromedp.WaitVisible(`#overdue-referrals`))
	if u.count(`#overdue-referrals tr[data-case="`+lowRef+`"]`) != 1 {
		t.Errorf("the overdue list does not show %s:\n%s", lowRef, u.text(`#overdue-referrals`))
	}
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/services?type=dv_shelter&risk=low"), chromedp.WaitVisible(`#services-table`))
	if n := u.count(`#services-table tbody tr`); n != 1 {
		t.Errorf("the directory filtered to DV shelters for low risk lists %d services, want 1", n)
	}
	u.axe()
	u.do(chromedp.Click(`#services-table tbody a`), chromedp.WaitVisible(`#service-form`))
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/services/new"), chromedp.WaitVisible(`#service-form`))
	u.axe()
	u.signOut()
}

// registerCase registers an adult woman and records her risk; it returns
// the case page's address and the case's reference.
func (u *storyTab) registerCase(given, family, born, risk string) (string, string) {
	u.t.Helper()
	u.do(chromedp.Navigate(u.in.URL+"/cases/new"), chromedp.WaitVisible(`#case-form`),
		chromedp.SendKeys(`#given_name`, given), chromedp.SendKeys(`#family_name`, family),
		chromedp.SetValue(`#birth_date`, born), chromedp.SetValue(`#sex`, "female"),
		chromedp.SendKeys(`#citizenship`, "AL"), chromedp.Click(`#exploitation-ForcedLabour`),
		chromedp.Click(`#case-submit`), chromedp.WaitVisible(`#case-reference`), openForms, chromedp.WaitVisible(`#risk-form`))
	url := get(u.t, u.ctx, chromedp.Location())
	ref := get(u.t, u.ctx, chromedp.Text(`#case-reference`))
	u.do(chromedp.Click(`#risk-level-`+risk), chromedp.SendKeys(`#risk-threats`, "Assessed at the first interview."),
		chromedp.Click(`#risk-submit`), chromedp.WaitVisible(`#risk-level[data-level="`+risk+`"]`), chromedp.WaitVisible(`#proposals`), openForms)
	return url, ref
}

// refer sends the case on the page to the service named, from the form.
func (u *storyTab) refer(service, urgency, reason string) {
	u.t.Helper()
	n := u.count(`#case-referrals tbody tr`)
	u.markStale()
	u.do(openForms, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#referral-service');
		s.value = [...s.options].find(o => o.text.startsWith(`+jsString(service)+`)).value; })()`),
		chromedp.Click(`#referral-urgency-`+urgency), chromedp.SendKeys(`#referral-reason`, reason),
		chromedp.Click(`#referral-submit`), chromedp.WaitVisible(`body:not([data-stale]) #referrals`), openForms)
	if got := u.count(`#case-referrals tbody tr`); got != n+1 {
		u.t.Fatalf("the referral to %s was not sent:\n%s", service, u.text(`#referrals`))
	}
}

// consent records the person's consent of scope (to a service type when
// service is given) from the case page's consent form.
func (u *storyTab) consent(scope, service string) {
	u.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{openForms, chromedp.SetValue(`#consent-scope`, scope)}
	if service != "" {
		steps = append(steps, chromedp.SetValue(`#consent-target-service`, service))
	}
	for _, k := range []string{"purpose", "data_use", "storage_duration", "access_right", "withdrawal"} {
		steps = append(steps, chromedp.Click(`#consent-informed-`+k))
	}
	u.markStale()
	u.do(append(steps, chromedp.SendKeys(`#consent-language`, "sq"), chromedp.Click(`#consent-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #consent-ledger tr[data-type="grant"]`), openForms)...)
}

// markStale marks the page so that waiting for "body:not([data-stale]) …"
// waits for the next page, not for what the current one already shows.
func (u *storyTab) markStale() {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = '1'`))
}

// free reads a shelter's free beds from the availability board.
func (u *storyTab) free(name string) int {
	u.t.Helper()
	v := get(u.t, u.ctx, chromedp.Evaluate[string](`(() => { const r = [...document.querySelectorAll('#shelter-board tbody tr')]
		.find(r => r.querySelector('th').innerText.trim() === `+jsString(name)+`); return r ? r.dataset.free : ''; })()`))
	n, err := strconv.Atoi(v)
	if err != nil {
		u.t.Fatalf("%s is not on the availability board", name)
	}
	return n
}

func (u *storyTab) text(sel string) string {
	u.t.Helper()
	return get(u.t, u.ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? e.innerText : ''; })()`))
}

// signInAgain signs a role in a second time on the same instance with the
// code of the next TOTP step: codes are single-use, and the server accepts
// one step of clock skew.
func (u *storyTab) signInAgain(role string) {
	u.t.Helper()
	c := u.in.Creds[role]
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(u.in.URL + "/signin"),
		chromedp.WaitVisible(`form[action="/signin"] #email`),
		chromedp.SendKeys(`#email`, c.Email), chromedp.SendKeys(`#password`, c.Password), chromedp.Submit(`#password`)}
	if c.Secret != "" {
		code := totpAt(u.t, c.Secret, time.Now().Add(30*time.Second))
		steps = append(steps, chromedp.WaitVisible(`#code`), chromedp.SendKeys(`#code`, code), chromedp.Submit(`#code`))
	}
	u.do(append(steps, chromedp.WaitVisible(`#dashboard`))...)
}

// sweepAt runs the referral sweep at now on the instance's store, as the
// referrals.sweep job would: a second App on the same data directory.
func sweepAt(t *testing.T, in *instance, now time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := config.Default()
	cfg.DataDir = in.Data
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	res, err := a.Referral.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// The story's routine referral, and those the demo's working day left
	// pending (demo.LoadStory).
	if res.Overdue < 1 {
		t.Errorf("the sweep marked %d referrals overdue, want at least the story's one", res.Overdue)
	}
}

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := auth.TOTPCode(strings.ReplaceAll(secret, " ", ""), at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
