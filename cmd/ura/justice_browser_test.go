package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// TestJusticeStory is issue 18's story in a browser: a police officer files
// a criminal report linked to a victim case and sends it to the prosecution
// office; the prosecutor opens an investigation, reviews it, indicts,
// records the hearings with the victim's protective measure and the victim
// advocate's presence, a suspect and the charge, and a first-instance
// conviction below the statutory minimum; the victim's compensation claim
// is recorded; the shelter on the victim's team, opening the victim's case,
// sees no part of the criminal file and is refused it. Every page passes
// axe-core.
func TestJusticeStory(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") }
	pick := func(sel, text string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + jsString(sel) + `);
			s.value = [...s.options].find(o => o.text.includes(` + jsString(text) + `)).value; })()`)
	}

	// The police: a victim case with the shelter on its team, then the criminal report.
	u.signIn("police", "/signin?lang=en")
	caseURL, ref := u.registerCase("Vjosa", "Krasniqi", "1998-04-05", "high")
	u.do(openForms, pick(`#team-org`, "Shelter"), chromedp.Submit(`#team-form select`), chromedp.WaitVisible(`#case-justice`))
	u.do(chromedp.Click(`#case-justice-new`), chromedp.WaitVisible(`#justice-new-form`))
	u.axe()
	u.do(chromedp.SetValue(`#jn-offence`, "THB"), chromedp.SetValue(`#jn-offence-date`, day(-300)), chromedp.SetValue(`#jn-report-date`, day(-290)),
		pick(`#jn-prosecution`, "Prosecution"), chromedp.SendKeys(`#jn-police`, "PK-2026-777"),
		chromedp.Click(`#justice-new-submit`), chromedp.WaitVisible(`#j-summary`))
	ccURL := get(t, u.ctx, chromedp.Location())
	if got := u.text(`#j-victims`); !strings.Contains(got, ref) {
		t.Errorf("the criminal case names the victim case %q, want %s", got, ref)
	}
	u.axe()
	u.signOut()

	// The prosecutor.
	u.signIn("prosecutor", "/signin")
	u.do(chromedp.Navigate(in.URL+"/justice"), chromedp.WaitVisible(`#jd-cases`))
	if !strings.Contains(u.text(`#jd-cases`), "PK-2026-777") {
		t.Errorf("the prosecutor's dashboard lacks the criminal case:\n%s", u.text(`main`))
	}
	u.axe()
	u.do(chromedp.Navigate(ccURL), chromedp.WaitVisible(`#j-summary`))
	event := func(typ, date, outcome string) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{openForms, chromedp.SetValue(`#ev-type`, typ), chromedp.SetValue(`#ev-date`, date),
			chromedp.SetValue(`#ev-outcome`, outcome)}
		u.markStale()
		u.do(append(steps, chromedp.Click(`#event-submit`), chromedp.WaitVisible(`body:not([data-stale]) #j-events`))...)
		if u.count(`#j-event-list li[data-type="`+typ+`"]`) == 0 {
			t.Fatalf("%s not recorded:\n%s", typ, u.text(`main`))
		}
	}
	// A judgment before the indictment is refused beside the field.
	u.markStale()
	u.do(openForms, chromedp.SetValue(`#ev-type`, "JUDGMENT_FIRST_INSTANCE"), chromedp.SetValue(`#ev-date`, day(-200)),
		chromedp.SetValue(`#ev-outcome`, "CONVICTION"), chromedp.Click(`#event-submit`), chromedp.WaitVisible(`body:not([data-stale]) #err-ev-type`))
	u.axe()
	event("RULING_INITIATION_INVESTIGATION", day(-280), "")
	event("INVESTIGATION", day(-190), "")
	event("INDICTMENT_FILED", day(-120), "")
	event("INITIAL_HEARING", day(-100), "")
	event("MAIN_TRIAL", day(-60), "")
	if u.count(`#j-deadline-table tr[data-rule="investigation_review"][data-hard="true"]`) == 0 ||
		u.count(`#j-deadline-table tr[data-rule="second_hearing"][data-hard="false"]`) == 0 {
		t.Errorf("deadlines: verified review alert or unverified second-hearing reminder missing:\n%s", u.text(`#j-deadlines`))
	}
	// The suspect and the charge.
	u.markStale()
	u.do(openForms, chromedp.SendKeys(`#def-name`, "Blerim Zeqiri"), chromedp.SetValue(`#def-sex`, "male"),
		chromedp.SendKeys(`#def-nationality`, "XK"), chromedp.Click(`#def-role-RECRUITER`), chromedp.Click(`#defendant-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #j-defendant-list`))
	u.markStale()
	u.do(openForms, chromedp.SetValue(`#chg-stage`, "INDICTMENT"), chromedp.SetValue(`#chg-offence`, "THB"), chromedp.Click(`#charge-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #j-charge-list`))
	// The victim at the main trial: video link granted, advocate present, testified.
	victim := func(kind string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		u.markStale()
		all := append([]chromedp.Action[chromedp.Void]{openForms, chromedp.SetValue(`#vic-kind`, kind)}, steps...)
		u.do(append(all, chromedp.Click(`#victim-submit`), chromedp.WaitVisible(`body:not([data-stale]) #j-victim`))...)
		if u.count(`#j-victim-table tr[data-kind="`+kind+`"]`) == 0 {
			t.Fatalf("%s not recorded:\n%s", kind, u.text(`#j-victim`))
		}
	}
	victim("measure", chromedp.SetValue(`#vic-code`, "VIDEO_LINK_TESTIMONY"), chromedp.SetValue(`#vic-status`, "GRANTED"),
		chromedp.SetValue(`#vic-date`, day(-70)), pick(`#vic-event`, "Main trial"))
	victim("hearing", pick(`#vic-event`, "Main trial"), chromedp.SetValue(`#vic-date`, day(-60)), chromedp.Click(`#vic-present`),
		chromedp.Click(`#vic-advocate`), chromedp.Click(`#vic-testified`))
	// The conviction, below the statutory minimum.
	event("JUDGMENT_FIRST_INSTANCE", day(-20), "CONVICTION")
	u.markStale()
	u.do(openForms, chromedp.SetValue(`#sen-outcome`, "CONVICTION"), chromedp.SendKeys(`#sen-months`, "36"), chromedp.Click(`#sentence-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #j-sentence-list`))
	if u.count(`#j-sentence-list li[data-below-minimum="true"]`) != 1 {
		t.Errorf("36 months for trafficking not flagged below the minimum:\n%s", u.text(`#j-sentences`))
	}
	// The compensation claim from the state programme.
	victim("compensation", chromedp.SetValue(`#vic-code`, "STATE"), chromedp.SetValue(`#vic-status`, "PENDING"),
		chromedp.SetValue(`#vic-date`, day(-10)), chromedp.SendKeys(`#vic-claimed`, "5000"))
	u.axe()
	page := u.text(`main`)
	for _, want := range []string{"Blerim Zeqiri", "Testimony by video link", "victim advocate present", "Below the statutory minimum",
		"State compensation programme", "Reminder, unverified rule"} {
		if !strings.Contains(page, want) {
			t.Errorf("the criminal case page lacks %q", want)
		}
	}
	u.signOut()

	// The shelter: the victim's case without any part of the criminal file.
	u.signIn("shelter", "/signin")
	u.do(chromedp.Navigate(caseURL), chromedp.WaitVisible(`#case-reference`))
	if u.count(`#case-justice`) != 0 || u.count(`a[href^="/justice"]`) != 0 {
		t.Error("the shelter sees the criminal proceedings section")
	}
	shelterPage := u.text(`body`)
	for _, no := range []string{"PK-2026-777", "Blerim Zeqiri", "Main trial", "Testimony by video link", "compensation programme", "Criminal case"} {
		if strings.Contains(shelterPage, no) {
			t.Errorf("the shelter's view of the case shows %q", no)
		}
	}
	u.do(chromedp.Navigate(ccURL), chromedp.WaitReady(`h1`))
	if got := u.text(`body`); strings.Contains(got, "Blerim") || strings.Contains(got, "PK-2026-777") {
		t.Error("the shelter opens the criminal case")
	}
	u.axe()
}
