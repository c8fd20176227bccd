package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// TestKeyboardHelpline is the helpline operator's task with the keyboard
// only, in English: log an anonymous call about a job offer abroad (the
// defaults — phone, anonymous, Albanian, the time now — kept; municipality
// and topic chosen by typing their names), then carry the contact into a
// case with the caller's consent to processing and to accommodation, and
// refer the case to a shelter from the contact's "Refer" link. The key
// presses beyond typed text are counted (target: under 40 to log the
// call) and every page passes axe-core (docs/benchmarks.md, "Helpline").
func TestKeyboardHelpline(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	k := &keyboard{u: u}
	u.signIn("helpline", "/signin?lang=en")
	if u.count(`#home-callbacks`) != 1 || u.count(`#dashboard-callbacks tbody tr`) != 1 {
		t.Error("the operator's home page does not show the demo's call-back due today")
	}
	u.axe()

	// 1. Log an anonymous call.
	start := time.Now()
	k.tabTo(`nav a[href="/helpline"]`)
	k.submit(`#contact-form`)
	u.axe()
	k.toMain()
	k.tabTo(`#channel`) // phone, anonymous caller and Albanian are the defaults
	k.tabTo(`#municipality`)
	k.typeText("Prizren")
	k.tabTo(`#topic`)
	k.typeText("Job offer")
	k.tabTo(`#actions input`)
	k.press(" ", "Space") // information given
	k.tabTo(`#duration_min`)
	k.typeText("6")
	k.tabTo(`#note`)
	const note = "Offered work in a cafe abroad; the agent wants her passport and a fee."
	k.typeText(note)
	k.tabTo(`#caller_code`)
	k.submit(`#contact-reference`) // Enter in a field sends the form
	logPresses, logTime := k.presses, time.Since(start)
	t.Logf("log an anonymous call: %d key presses beyond typed text, %s (%s)", logPresses, logTime.Round(time.Millisecond),
		strings.Join(k.log, " "))
	if logPresses >= 40 {
		t.Errorf("logging a call took %d key presses, want under 40", logPresses)
	}
	if got := u.text(`#contact-topic`); !strings.Contains(got, "Job offer abroad") {
		t.Errorf("the contact's topic is %q", got)
	}
	if u.count(`#contact-anonymous`) != 1 {
		t.Error("the contact does not say it is anonymous")
	}
	if got := u.text(`#contact-note`); got != note {
		t.Errorf("the note reads %q", got)
	}
	if m := rawCodeText.FindString(u.text(`main`)); m != "" {
		t.Errorf("the contact page shows the raw code %q", m)
	}
	u.axe()

	// 2. Open a case with the caller's consent.
	k.reset()
	start = time.Now()
	k.toMain()
	k.tabTo(`#case-details summary`)
	k.press(kb.Enter, "Enter")
	u.do(chromedp.WaitVisible(`#case-form`))
	k.tabTo(`#given_name`)
	k.typeText("Lule")
	k.tabTo(`#sex`)
	k.typeText("Female")
	k.tabTo(`#birth_year`)
	k.typeText("2001")
	k.tabTo(`#consent`)
	k.press(" ", "Space")
	k.tabTo(`#refer_for`)
	k.typeText("Accommodation")
	k.tabTo(`#case-submit`)
	k.submit(`#contact-case`)
	casePresses, caseTime := k.presses, time.Since(start)
	t.Logf("open a case from the contact: %d key presses beyond typed text, %s (%s)", casePresses, caseTime.Round(time.Millisecond),
		strings.Join(k.log, " "))
	ref := u.text(`#contact-case-link`)
	if !strings.HasPrefix(ref, "XK-") {
		t.Fatalf("the contact names the case %q", ref)
	}
	u.axe()

	// 3. Refer the case to a shelter through the case's referral form.
	k.reset()
	start = time.Now()
	k.tabTo(`#contact-refer`)
	k.submit(`#referral-form`)
	if !k.focused(`#referral-service`) {
		k.tabTo(`#referral-service`)
	}
	k.arrowUntil("(Trafficking shelter)")
	k.tabTo(`#referral-urgency-emergency`)
	k.press(kb.ArrowDown, "ArrowDown") // 24 hours
	k.tabTo(`#referral-reason`)
	k.typeText("Needs a safe place before she travels; agreed on the phone.")
	k.tabTo(`#referral-submit`)
	k.submit(`#case-referrals tr[data-state="pending"]`)
	referPresses, referTime := k.presses, time.Since(start)
	t.Logf("refer the case to a shelter: %d key presses beyond typed text, %s (%s)", referPresses, referTime.Round(time.Millisecond),
		strings.Join(k.log, " "))
	if !strings.Contains(u.text(`#case-history, #history, main`), "helpline contact HL-") {
		t.Error("the case does not name the helpline contact it was opened from")
	}
	u.axe()
	fmt.Fprintf(testSummary(t), "| log an anonymous helpline call | %d | %s |\n| open a case from the contact | %d | %s |\n| refer it to a shelter | %d | %s |\n",
		logPresses, logTime.Round(100*time.Millisecond), casePresses, caseTime.Round(100*time.Millisecond),
		referPresses, referTime.Round(100*time.Millisecond))
}

// TestHelplineAlertOrgCommand sets, shows and clears the police unit that
// urgent helpline contacts alert, and refuses an organisation that is not
// the police.
func TestHelplineAlertOrgCommand(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"demo"}, sargs...)...)
	if out := mustUra(t, "", append([]string{"helpline", "alert-org"}, sargs...)...); !strings.Contains(out, "alert no one") {
		t.Errorf("before: %q", out)
	}
	mustUra(t, "", append([]string{"helpline", "alert-org", "--org", "Demo Police THB Directorate"}, sargs...)...)
	if out := mustUra(t, "", append([]string{"helpline", "alert-org"}, sargs...)...); !strings.Contains(out, "alert Demo Police THB Directorate") {
		t.Errorf("after: %q", out)
	}
	if _, _, err := ura(t, "", append([]string{"helpline", "alert-org", "--org", "Demo Shelter Drita"}, sargs...)...); err == nil {
		t.Error("a shelter was accepted as the police unit")
	}
	mustUra(t, "", append([]string{"helpline", "alert-org", "--org", ""}, sargs...)...)
	if out := mustUra(t, "", append([]string{"helpline", "alert-org"}, sargs...)...); !strings.Contains(out, "alert no one") {
		t.Errorf("cleared: %q", out)
	}
}

// TestGBVAlertOrgsCommand sets, shows and clears the organisations a high
// domestic-violence risk alerts, and refuses a name that is no organisation.
func TestGBVAlertOrgsCommand(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"demo"}, sargs...)...)
	if out := mustUra(t, "", append([]string{"gbv", "alert-orgs"}, sargs...)...); !strings.Contains(out, "alerts no one") {
		t.Errorf("before: %q", out)
	}
	mustUra(t, "", append([]string{"gbv", "alert-orgs", "--org", "Demo Police THB Directorate", "--org", "Demo National Coordinator's Office"}, sargs...)...)
	if out := mustUra(t, "", append([]string{"gbv", "alert-orgs"}, sargs...)...); !strings.Contains(out, "alerts Demo Police THB Directorate; Demo National Coordinator's Office") {
		t.Errorf("after: %q", out)
	}
	if _, _, err := ura(t, "", append([]string{"gbv", "alert-orgs", "--org", "No Such Office"}, sargs...)...); err == nil {
		t.Error("an unknown organisation was accepted")
	}
	if _, _, err := ura(t, "", append([]string{"gbv", "alert-orgs", "--none", "--org", "Demo Police THB Directorate"}, sargs...)...); err == nil {
		t.Error("--none with --org was accepted")
	}
	mustUra(t, "", append([]string{"gbv", "alert-orgs", "--none"}, sargs...)...)
	if out := mustUra(t, "", append([]string{"gbv", "alert-orgs"}, sargs...)...); !strings.Contains(out, "alerts no one") {
		t.Errorf("cleared: %q", out)
	}
}
