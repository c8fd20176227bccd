package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/gbv"
)

// screenSetup fills, as the role signed in, the records the role's screens
// show, so that TestScreens reads those sections full rather than empty.
var screenSetup = map[string]func(t *testing.T, ctx context.Context, in *instance){
	"police": gbvJusticeRecords,
}

// gbvJusticeRecords makes the police's first demo case a trafficking and
// domestic-violence case with every GBV record (an incident, a high risk, a
// safety plan, a protection order, a child, the perpetrator) and files a
// criminal case for it with the demo prosecution office, which the
// prosecutor's screens then open.
func gbvJusticeRecords(t *testing.T, ctx context.Context, in *instance) {
	t.Helper()
	u := &storyTab{t: t, ctx: ctx, in: in}
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") }
	casePath := firstRecord(t, ctx, in.URL, "/cases")
	if casePath == "" {
		t.Fatal("the police see no demo case")
	}
	// submit fills a form of the case page and waits for the page it
	// reloads to show done.
	submit := func(done string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		u.markStale()
		u.do(append(append([]chromedp.Action[chromedp.Void]{openForms}, steps...), chromedp.WaitVisible(`body:not([data-stale]) `+done))...)
	}
	u.do(chromedp.Navigate(in.URL+casePath+"?lang=en"), chromedp.WaitVisible(`#gbv`))
	submit(`#gbv-case-type[data-type="both"]`, chromedp.SetValue(`#gbv-type`, "both"), chromedp.Click(`#gbv-type-submit`))
	submit(`#gbv-incident-table`, chromedp.SetValue(`#incident-date`, day(-2)), chromedp.SetValue(`#incident-place`, "home"),
		chromedp.Click(`#incident-physical_assault`), chromedp.SetValue(`#incident-context`, "intimate_partner"),
		chromedp.SetValue(`#incident-reporter`, "survivor"), chromedp.Click(`#incident-submit`))
	yes := []chromedp.Action[chromedp.Void]{}
	for _, id := range gbv.DefaultQuestions.IDs[:14] {
		yes = append(yes, chromedp.Click(`#dvq-`+id))
	}
	submit(`#dv-risk-level[data-level="high"]`, append(yes, chromedp.Click(`#dvrisk-submit`))...)
	submit(`#gbv-safety-steps`, chromedp.SendKeys(`#safety-where_to_go`, "Her sister's flat"),
		chromedp.SetValue(`#safety-review`, day(30)), chromedp.Click(`#safety-submit`))
	submit(`#gbv-order-table`, chromedp.SetValue(`#order-kind`, "emergency"), chromedp.SetValue(`#order-issuer`, "court"),
		chromedp.SetValue(`#order-issued`, day(0)), chromedp.SetValue(`#order-ends`, day(20)),
		chromedp.Click(`#order-measure-no_contact`), chromedp.Click(`#order-submit`))
	submit(`#gbv-dependant-list`, chromedp.SendKeys(`#dependant-name`, "Arbnora"), chromedp.SetValue(`#dependant-birth`, "2015-06-01"),
		chromedp.Click(`#dependant-submit`))
	submit(`#gbv-perpetrator-list`, chromedp.SendKeys(`#perpetrator-name`, "Agim"), chromedp.SetValue(`#perpetrator-rel`, "partner"),
		chromedp.Click(`#perpetrator-submit`))
	// The criminal case, with the prosecution office and two events.
	u.do(chromedp.Navigate(in.URL+casePath+"?lang=en"), chromedp.WaitVisible(`#case-justice-new`),
		chromedp.Click(`#case-justice-new`), chromedp.WaitVisible(`#justice-new-form`),
		chromedp.SetValue(`#jn-offence`, "THB"), chromedp.SetValue(`#jn-offence-date`, day(-300)), chromedp.SetValue(`#jn-report-date`, day(-290)),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#jn-prosecution'); s.value = s.options[1].value; })()`),
		chromedp.SendKeys(`#jn-police`, "PK-2026-0101"), chromedp.Click(`#justice-new-submit`), chromedp.WaitVisible(`#j-summary`))
	for _, ev := range [][2]string{{"RULING_INITIATION_INVESTIGATION", day(-280)}, {"INVESTIGATION", day(-190)}} {
		submit(`#j-event-list li[data-type="`+ev[0]+`"]`, chromedp.SetValue(`#ev-type`, ev[0]), chromedp.SetValue(`#ev-date`, ev[1]),
			chromedp.Click(`#event-submit`))
	}
}
