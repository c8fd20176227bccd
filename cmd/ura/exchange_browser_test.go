package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/store"
)

// TestExchangeScreens opens the exchange's pages in Chromium with axe-core:
// the administrator registers Montenegro's identity (an activation with a
// wrong fingerprint is refused beside the field) and activates it; the
// contact point opens the exchange dashboard, fills in a procedure step
// (an incomplete one is refused beside the form, what was typed kept), sees
// "what will be sent" with its basis, sends it and finds it queued.
func TestExchangeScreens(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	me, err := exchange.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	id := me.Identity("ME", "http://127.0.0.1:9")
	b, _ := json.Marshal(id)

	u.signIn("admin", "/signin?lang=en")
	u.do(chromedp.Navigate(in.URL+"/exchange/partners"), chromedp.WaitVisible(`#own-fingerprint`))
	u.axe()
	u.do(chromedp.SetValue(`#identity-in`, string(b)), chromedp.SetValue(`#name`, "Montenegro contact point"),
		chromedp.Submit(`#identity-in`), chromedp.WaitVisible(`tr[data-country="ME"][data-active="false"]`))
	u.do(chromedp.SetValue(`#country`, "ME"), chromedp.SetValue(`#fingerprint`, "0000"+id.Fingerprint[4:]),
		chromedp.Submit(`#fingerprint`), chromedp.WaitVisible(`#err-fingerprint`))
	if u.count(`#fingerprint[aria-invalid="true"]`) != 1 || u.count(`#error-summary`) != 1 {
		t.Error("the refused fingerprint is not marked beside its field")
	}
	u.axe()
	u.do(chromedp.SetValue(`#fingerprint`, strings.ToLower(id.Fingerprint)), chromedp.Submit(`#fingerprint`),
		chromedp.WaitVisible(`tr[data-country="ME"][data-active="true"]`))
	u.axe()
	u.signOut()

	u.signIn("coordinator", "/signin")
	u.do(chromedp.Navigate(in.URL+"/exchange"), chromedp.WaitVisible(`#open-requests`), chromedp.WaitVisible(`#monitoring`))
	u.axe()
	// An incomplete notification: refused beside the form, what was typed kept.
	u.do(chromedp.Navigate(in.URL+"/exchange/send?to=ME&type=notification"), chromedp.WaitVisible(`#send-form`))
	u.axe()
	u.do(chromedp.SetValue(`#f-given_name`, "Jelena"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#send-form').noValidate = true`), // the server's check, not the browser's
		chromedp.Click(`#send-preview`), chromedp.WaitVisible(`#send-form-error`))
	if v := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#f-given_name').value`)); v != "Jelena" {
		t.Errorf("the typed name was lost: %q", v)
	}
	u.axe()
	// A note between contact points: what will be sent, then sent.
	u.do(chromedp.Navigate(in.URL+"/exchange/send"), chromedp.WaitVisible(`#choose-form`))
	u.axe()
	u.do(chromedp.SetValue(`#type`, "note"), chromedp.Click(`#choose-next`), chromedp.WaitVisible(`#f-text`),
		chromedp.SendKeys(`#f-text`, "Regional meeting on 12 January in Tirana."), chromedp.Click(`#send-preview`),
		chromedp.WaitVisible(`#what-will-be-sent`))
	if txt := u.text(`#confirm`); !strings.Contains(txt, "Regional meeting on 12 January") || !strings.Contains(txt, "no personal data") {
		t.Errorf("the confirmation shows:\n%s", txt)
	}
	u.axe()
	u.do(chromedp.Click(`#confirm-send`), chromedp.WaitVisible(`#message-state[data-state="queued"]`))
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/exchange"), chromedp.WaitVisible(`#recent tr[data-state="queued"]`))

	// Do you know this person? From a case: without the secret agreed with
	// Montenegro the question is refused beside the country; with it, the
	// page shows the one encoding that will be sent, and the message page
	// waits for the answer.
	u.do(chromedp.Navigate(in.URL+"/cases"), chromedp.WaitVisible(`#case-list tbody a`),
		chromedp.Click(`#case-list tbody a`, chromedp.NodeVisible), chromedp.WaitVisible(`#case-ask-partner`),
		chromedp.Click(`#case-ask-partner`), chromedp.WaitVisible(`#person-choose`))
	u.axe()
	u.do(chromedp.Click(`#person-preview`), chromedp.WaitVisible(`#err-to`))
	u.axe()
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("XK and ME agreed this secret on 1 Dec 2026\n"), 0o600)
	mustUra(t, "", append([]string{"partner", "linkage", "--country", "ME", "--schema",
		filepath.Join("..", "..", "internal", "linkage", "testdata", "ura-schema.json"), "--secret-file", secret}, sargs...)...)
	u.do(chromedp.Click(`#person-preview`), chromedp.WaitVisible(`#person-clk`))
	if txt := u.text(`#person-confirm`); !strings.Contains(txt, "no name") || strings.Contains(txt, "Jelena") {
		t.Errorf("the question's confirmation shows:\n%s", txt)
	}
	u.axe()
	u.do(chromedp.Click(`#person-send`), chromedp.WaitVisible(`#person-answer[data-answered="false"]`))
	u.axe()
	// The regional picture: a year that is no year is refused beside its
	// field, what was typed kept; the dashboard's button sends last year's
	// protected table to Montenegro and the regional table shows it with
	// its protection stated, in Albanian too.
	u.do(chromedp.Navigate(in.URL+"/exchange/regional"), chromedp.WaitVisible(`#picture-form`))
	u.axe()
	u.do(chromedp.SetValue(`#picture-year`, "20x5"), chromedp.Click(`#picture-send-button`), chromedp.WaitVisible(`#err-year`))
	if v := get(t, browser, chromedp.Evaluate[string](`document.querySelector('#picture-year').value`)); v != "20x5" ||
		u.count(`#picture-year[aria-invalid="true"]`) != 1 {
		t.Errorf("the refused year is not kept and marked beside its field: %q", v)
	}
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/exchange"), chromedp.WaitVisible(`#dash-picture-send`), chromedp.Click(`#dash-picture-send`),
		chromedp.WaitVisible(`#picture-XK [data-protection="suppression"]`))
	if txt := u.text(`#picture-XK`); !strings.Contains(txt, "Kosovo") || !strings.Contains(txt, "suppressed") {
		t.Errorf("the regional table shows:\n%s", txt)
	}
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/exchange/regional?lang=sq&year="+get(t, browser,
		chromedp.Evaluate[string](`document.querySelector('#year-pick').value`))), chromedp.WaitVisible(`#picture-XK`))
	if txt := u.text(`main`); strings.Contains(txt, "Victims") || strings.Contains(txt, "suppressed") || strings.Contains(txt, "Protection") {
		t.Errorf("English on the Albanian regional table:\n%s", txt)
	}
	u.axe()
}
