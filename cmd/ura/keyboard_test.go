package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// keyboard drives a tab with keys only and counts the presses: Tab, Enter,
// Space, the arrow keys and access keys count one each; the letters of
// typed text do not.
type keyboard struct {
	u       *storyTab
	presses int
	log     []string
}

func (k *keyboard) press(key string, name string) {
	k.u.t.Helper()
	k.u.do(chromedp.KeyEvent(key))
	k.presses++
	k.log = append(k.log, name)
}

// typeText types s into the focused field; its letters are not counted.
func (k *keyboard) typeText(s string) {
	k.u.t.Helper()
	k.u.do(chromedp.KeyEvent(s))
}

// accessKey presses Alt+key (the page's access keys), one press. Blink
// reads access keys from the char event, which chromedp's KeyEvent leaves
// out under Alt, so the three events are sent here.
func (k *keyboard) accessKey(key string) {
	k.u.t.Helper()
	k.u.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r := []rune(key)[0]
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: key, Code: "Key" + strings.ToUpper(key),
			WindowsVirtualKeyCode: int64(unicode.ToUpper(r)), NativeVirtualKeyCode: int64(unicode.ToUpper(r)),
			Modifiers: int64(chromedp.ModifierAlt)}
		char := down
		char.Type, char.Text, char.UnmodifiedText = input.DispatchKeyEventTypeChar, key, key
		up := down
		up.Type = input.DispatchKeyEventTypeKeyUp
		for _, ev := range []input.DispatchKeyEventParams{down, char, up} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	}))
	k.presses++
	k.log = append(k.log, "Alt+"+key)
}

// focused tells whether the focused element matches sel.
func (k *keyboard) focused(sel string) bool {
	k.u.t.Helper()
	return get(k.u.t, k.u.ctx, chromedp.Evaluate[bool](`(() => { const a = document.activeElement; return !!a && a.matches(`+jsString(sel)+`); })()`))
}

// tabTo presses Tab until the focus is on sel.
func (k *keyboard) tabTo(sel string) {
	k.u.t.Helper()
	for i := 0; i < 120; i++ {
		if k.focused(sel) {
			return
		}
		k.press(kb.Tab, "Tab")
	}
	k.u.t.Fatalf("Tab never reached %s; focus on %s", sel, k.active())
}

// active describes the focused element, for failure messages.
func (k *keyboard) active() string {
	return get(k.u.t, k.u.ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement;
		return a ? a.tagName + '#' + a.id + ' ' + (a.innerText || a.value || '').slice(0, 60) : 'nothing'; })()`))
}

// toMain follows the skip link (the first Tab stop of every page) to the
// page's content: two presses instead of a Tab through the header.
func (k *keyboard) toMain() {
	k.u.t.Helper()
	k.tabTo(`a.skip`)
	k.press(kb.Enter, "Enter")
}

// submit presses Enter on what has the focus and waits for the next page to
// show sel.
func (k *keyboard) submit(sel string) {
	k.u.t.Helper()
	k.u.markStale()
	k.press(kb.Enter, "Enter")
	k.u.do(chromedp.WaitVisible(`body:not([data-stale]) ` + sel))
}

// arrowUntil presses ArrowDown on a focused <select> until its chosen
// option's text contains want.
func (k *keyboard) arrowUntil(want string) {
	k.u.t.Helper()
	index := func() int {
		return get(k.u.t, k.u.ctx, chromedp.Evaluate[int](`(() => { const s = document.activeElement;
			return s && typeof s.selectedIndex === 'number' ? s.selectedIndex : -1; })()`))
	}
	for i := 0; i < 40; i++ {
		text := get(k.u.t, k.u.ctx, chromedp.Evaluate[string](`(() => { const s = document.activeElement;
			return s && s.selectedOptions && s.selectedOptions[0] ? s.selectedOptions[0].text : ''; })()`))
		if strings.Contains(text, want) {
			return
		}
		before := index()
		k.press(kb.ArrowDown, "ArrowDown")
		// The key is handled after the call returns: wait for the choice
		// to move before reading it, or the next press overshoots.
		moved := false
		for j := 0; j < 25 && !moved; j++ {
			if moved = index() != before; !moved {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if !moved {
			// The list's menu is open (the Enter that followed a link to
			// the form can reach the list the page focused): Escape
			// closes it, as a person would, and the arrow is pressed again.
			k.press(kb.Escape, "Escape")
		}
	}
	k.u.t.Fatalf("no option %q in the focused list: %s", want, get(k.u.t, k.u.ctx, chromedp.Evaluate[string](
		`[...document.activeElement.options || []].map(o => o.text).join(' | ')`)))
}

// tick ticks the boxes of a group of checkboxes (one Tab stop, arrow keys
// inside, docs/ui.md): n boxes from the focused one, Space then ArrowDown.
func (k *keyboard) tick(n int) {
	k.u.t.Helper()
	for i := 0; i < n; i++ {
		if i > 0 {
			k.press(kb.ArrowDown, "ArrowDown")
		}
		k.press(" ", "Space")
	}
}

func (k *keyboard) reset() { k.presses, k.log = 0, nil }

var rawCodeText = regexp.MustCompile(`\b\w+\.\w+:\S|\b[a-z_]+=[a-z_0-9]+|\b[a-z2-9]{26}\b`)

// TestKeyboardWorkspace is the caseworker's workspace with the keyboard
// only, in English: a police officer screens a person and registers a
// presumed-victim case from the result; tries to refer her to a shelter
// without consent and is told, beside the form, with the focus on the
// message and what was typed kept, to record consent first; records the
// consent and refers her. The key presses beyond typed text and the time of
// each task are logged (docs/benchmarks.md, "Workspace pages"), and every
// page passes axe-core.
func TestKeyboardWorkspace(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	k := &keyboard{u: u}
	u.signIn("police", "/signin?lang=en")

	// 1. Screen and register a case from the result.
	start := time.Now()
	k.tabTo(`nav a[href="/screening"]`)
	k.submit(`#profile-form`)
	u.axe()
	k.toMain()
	k.tabTo(`#profile`) // the first profile, adult labour exploitation, is chosen
	k.tabTo(`#profile-form button`)
	k.submit(`#screening-form`)
	u.axe()
	// D1, D4 and D5: the first two indicators of each (deceived about the
	// job and the wages; excessive hours, low pay; documents taken, debt).
	k.toMain()
	for _, dim := range []string{"d1", "d4", "d5"} {
		k.tabTo(`#screening-form input[name="indicator"][value^="al.` + dim + `."]`)
		k.tick(2)
	}
	k.tabTo(`#assess`)
	k.submit(`#screening-result[data-indicated="true"]`)
	u.axe()
	k.toMain()
	k.tabTo(`#save-register`)
	k.submit(`#case-form`)
	if u.count(`#case-from-screening-presumed`) != 1 {
		t.Errorf("the case form does not say the case starts as a presumed victim:\n%s", u.text(`main`))
	}
	if u.count(`#exploitation-ForcedLabour:checked`) != 1 {
		t.Error("the form of exploitation is not filled in from the screening")
	}
	u.axe()
	k.toMain()
	k.tabTo(`#given_name`)
	k.typeText("Arben")
	k.tabTo(`#family_name`)
	k.typeText("Krasniqi")
	k.tabTo(`#birth_date`)
	k.typeText("05021996")      // the date picker's fields, month/day/year in English
	k.submit(`#case-reference`) // Enter in a field sends the form
	screenPresses, screenTime := k.presses, time.Since(start)
	t.Logf("screen and register a presumed-victim case: %d key presses beyond typed text, %s (%s)",
		screenPresses, screenTime.Round(time.Millisecond), strings.Join(k.log, " "))
	if got := u.text(`#case-stage`); !strings.Contains(got, "resumed") {
		t.Errorf("the case registered from an indicating screening is at %q, want presumed victim", got)
	}
	if screenPresses >= 60 {
		t.Errorf("screening and registration took %d key presses, want under 60", screenPresses)
	}
	u.axe()
	if m := rawCodeText.FindString(u.text(`main`)); m != "" {
		t.Errorf("the case page shows the raw code %q", m)
	}

	// 2. A referral without consent is refused beside the form, with what
	// was typed kept and the focus on the message.
	k.reset()
	k.accessKey("r")
	u.do(chromedp.WaitVisible(`#referral-form`))
	if !k.focused(`#referral-service`) {
		t.Errorf("the Refer access key put the focus on %s, want the service", k.active())
	}
	k.arrowUntil("(Trafficking shelter)")
	k.tabTo(`#referral-urgency-emergency`)
	k.press(kb.ArrowDown, "ArrowDown") // 24 hours
	k.tabTo(`#referral-reason`)
	const reason = "Needs a safe place tonight; family cannot take her."
	k.typeText(reason)
	k.tabTo(`#referral-submit`)
	k.submit(`#referral-form-error`)
	if !k.focused(`#referral-form-error`) {
		t.Errorf("after the refused referral the focus is on %s, want the message beside the form", k.active())
	}
	msg := u.text(`#referral-form-error`)
	if !strings.Contains(msg, "consent") || strings.Contains(msg, "no_consent") {
		t.Errorf("the refused referral says %q", msg)
	}
	if got := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#referral-reason').value`)); got != reason {
		t.Errorf("the reason typed was lost: %q", got)
	}
	if u.count(`#referral-urgency-24h:checked`) != 1 || !strings.Contains(get(t, browser, chromedp.Evaluate[string](
		`document.querySelector('#referral-service').selectedOptions[0].text`)), "(Trafficking shelter)") {
		t.Error("the service or the urgency chosen was lost")
	}
	if u.count(`#error-summary a[href="#referral-form-error"]`) != 1 {
		t.Error("the error summary does not link to the message beside the form")
	}
	u.axe()
	refusedPresses := k.presses

	// 3. Record consent (to accommodation, and to processing personal
	// data) from the link beside the message, then refer.
	k.reset()
	start = time.Now()
	k.tabTo(`#referral-consent-fix a`)
	k.press(kb.Enter, "Enter")
	u.do(chromedp.WaitVisible(`#consent-form`))
	k.tabTo(`#consent-scope`)
	k.arrowUntil("A service")
	k.tabTo(`#consent-with-processing`)
	k.press(" ", "Space")
	k.tabTo(`#consent-target-service`)
	k.arrowUntil("Accommodation")
	k.tabTo(`#consent-informed-purpose`)
	k.tick(5)
	k.tabTo(`#consent-language`)
	k.typeText("sq")
	k.submit(`#consent-ledger tr[data-type="grant"][data-scope="service"]`)
	if u.count(`#consent-ledger tr[data-type="grant"][data-scope="data_processing"]`) != 1 {
		t.Error("the consent to processing personal data was not recorded with the service consent")
	}
	u.axe()
	k.accessKey("r")
	u.do(chromedp.WaitVisible(`#referral-form`))
	k.tabTo(`#referral-service`)
	k.arrowUntil("(Trafficking shelter)")
	k.tabTo(`#referral-urgency-emergency`)
	k.press(kb.ArrowDown, "ArrowDown")
	k.tabTo(`#referral-reason`)
	k.typeText(reason)
	k.tabTo(`#referral-submit`)
	k.submit(`#case-referrals tr[data-state="pending"]`)
	referPresses, referTime := k.presses, time.Since(start)
	t.Logf("record consent and refer to a shelter: %d key presses beyond typed text, %s (%s)",
		referPresses, referTime.Round(time.Millisecond), strings.Join(k.log, " "))
	t.Logf("refused referral (service, urgency, reason, send): %d key presses", refusedPresses)
	if referPresses >= 30 {
		t.Errorf("consent and referral took %d key presses, want under 30", referPresses)
	}
	u.axe()
	fmt.Fprintf(testSummary(t), "| screen and register a presumed-victim case | %d | %s |\n| record consent and refer to a shelter | %d | %s |\n",
		screenPresses, screenTime.Round(100*time.Millisecond), referPresses, referTime.Round(100*time.Millisecond))
}

// testSummary is where the figures go besides the test log: the log.
func testSummary(t *testing.T) *logWriter { return &logWriter{t} }

type logWriter struct{ t *testing.T }

func (w *logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
