package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/store"
)

// TestGBVStory follows a domestic-violence survivor, in English: the
// helpline operator logs a call about domestic violence and carries it into
// a case, which is a GBV case; a social worker opens her own GBV case,
// records an incident (classified automatically, with why), assesses the
// risk as high (the police are alerted, as configured), records a
// protection order (its expiry reminder shows) and the survivor's two
// children; the shelter admits her with both children and the board shows
// three beds fewer free. Every new page passes axe-core.
func TestGBVStory(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	setGBVAlert(t, in)
	u := &storyTab{t: t, ctx: browser, in: in}

	// 1. The helpline carries a domestic-violence call into a case.
	u.signIn("helpline", "/signin?lang=en")
	u.do(chromedp.Navigate(in.URL+"/helpline"), chromedp.WaitVisible(`#contact-form`),
		chromedp.SetValue(`#caller_type`, "possible_victim"), chromedp.SetValue(`#topic`, "domestic_violence.physical"),
		chromedp.SetValue(`#duration_min`, "12"), chromedp.SendKeys(`#note`, "Beaten by her partner last night; wants a safe place."),
		chromedp.Click(`#contact-save`), chromedp.WaitVisible(`#case-details`), openForms, chromedp.WaitVisible(`#case-form`),
		chromedp.SendKeys(`#given_name`, "Shpresa"), chromedp.SetValue(`#sex`, "female"), chromedp.Click(`#consent`),
		chromedp.Click(`#case-submit`), chromedp.WaitVisible(`#contact-case-link`))
	u.do(chromedp.Click(`#contact-case-link`), chromedp.WaitVisible(`#gbv`))
	if u.count(`#gbv-case-type[data-type="gbv"]`) != 1 {
		t.Errorf("the case from a domestic-violence call is not a GBV case: %s", u.text(`#gbv-case-type`))
	}
	u.axe()
	u.signOut()

	// 2. The social worker's case: incident, risk, order, children.
	u.signIn("social_worker", "/signin")
	u.do(chromedp.Navigate(in.URL+"/cases/new"), chromedp.WaitVisible(`#case-form`),
		chromedp.SendKeys(`#given_name`, "Vjollca"), chromedp.SendKeys(`#family_name`, "Gbvstory"),
		chromedp.SetValue(`#birth_date`, "1990-03-04"), chromedp.SetValue(`#sex`, "female"),
		chromedp.SendKeys(`#citizenship`, "XK"), chromedp.Click(`#case-submit`), chromedp.WaitVisible(`#case-reference`))
	casePath := get(t, browser, chromedp.Location())
	u.markStale()
	u.do(openForms, chromedp.SetValue(`#gbv-type`, "gbv"), chromedp.Click(`#gbv-type-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #gbv-case-type[data-type="gbv"]`), openForms)
	// An incident without a date is refused beside the field.
	u.markStale()
	u.do(chromedp.SetValue(`#incident-place`, "home"), chromedp.Click(`#incident-physical_assault`),
		chromedp.Click(`#incident-psychological_abuse`), chromedp.SetValue(`#incident-context`, "intimate_partner"),
		chromedp.SetValue(`#incident-reporter`, "survivor"), chromedp.SendKeys(`#incident-account`, "He hit me and locked me in."),
		chromedp.Click(`#incident-submit`), chromedp.WaitVisible(`body:not([data-stale]) #err-incident\.occurred_on`))
	u.axe()
	u.markStale()
	u.do(chromedp.SetValue(`#incident-date`, time.Now().AddDate(0, 0, -2).Format("2006-01-02")), chromedp.Click(`#incident-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #gbv-incident-table tr[data-type="physical_assault"]`), openForms)
	if why := u.text(`#gbv-incident-table .gbv-why`); !strings.Contains(why, "First type that applies: Physical assault") {
		t.Errorf("the incident's type is not explained: %q", why)
	}
	u.axe()
	yes := []chromedp.Action[chromedp.Void]{}
	for _, id := range gbv.DefaultQuestions.IDs[:14] {
		yes = append(yes, chromedp.Click(`#dvq-`+id))
	}
	u.markStale()
	u.do(append(yes, chromedp.Click(`#dvrisk-submit`), chromedp.WaitVisible(`body:not([data-stale]) #dv-risk-level[data-level="high"]`),
		chromedp.WaitVisible(`#dv-risk-alert`), openForms)...)
	u.axe()
	u.markStale()
	u.do(chromedp.SetValue(`#order-kind`, "emergency"), chromedp.SetValue(`#order-issuer`, "court"),
		chromedp.SetValue(`#order-issued`, time.Now().Format("2006-01-02")),
		chromedp.SetValue(`#order-ends`, time.Now().AddDate(0, 0, 20).Format("2006-01-02")),
		chromedp.Click(`#order-measure-no_contact`), chromedp.Click(`#order-submit`),
		chromedp.WaitVisible(`body:not([data-stale]) #gbv-order-table tr[data-kind="emergency"] .gbv-reminder`), openForms)
	if u.count(`#tasks [id="task-protection_order_expiry"], #tasks tr`) == 0 || !strings.Contains(u.text(`#tasks`), "Protection order expires soon") {
		t.Errorf("the order's expiry reminder is not among the tasks:\n%s", u.text(`#tasks`))
	}
	for _, kid := range []struct{ name, born string }{{"Arbnora", "2015-06-01"}, {"Dren", "2019-02-11"}} {
		u.markStale()
		u.do(chromedp.SendKeys(`#dependant-name`, kid.name), chromedp.SetValue(`#dependant-birth`, kid.born),
			chromedp.Click(`#dependant-submit`), chromedp.WaitVisible(`body:not([data-stale]) #gbv-dependant-list`), openForms)
	}
	if n := u.count(`#gbv-dependant-list li`); n != 2 {
		t.Fatalf("%d dependants listed, want 2", n)
	}
	u.markStale()
	u.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#team-org');
		s.value = [...s.options].find(o => o.text === 'Demo Shelter Drita').value; })()`),
		chromedp.Click(`#team-submit`), chromedp.WaitVisible(`body:not([data-stale]) #case-team`))
	u.axe()
	u.signOut()

	// The police unit set to be alerted has the high-risk notification.
	u.signIn("police", "/signin")
	u.do(chromedp.Navigate(in.URL+"/notifications"), chromedp.WaitVisible(`#notifications-unread`))
	if !strings.Contains(u.text(`body`), "High risk of domestic violence") {
		t.Errorf("the police were not alerted:\n%s", u.text(`body`))
	}
	u.signOut()

	// 3. The shelter admits her with her two children: three beds.
	u.signIn("shelter", "/signin")
	u.do(chromedp.Navigate(casePath), chromedp.WaitVisible(`#admit-details`), openForms, chromedp.WaitVisible(`#admit-form`))
	service := get(t, browser, chromedp.Evaluate[string](`(() => { const s = document.querySelector('#admit-service');
		const t = s.options[s.selectedIndex].text; return t.substring(0, t.lastIndexOf(' (')); })()`))
	u.do(chromedp.Navigate(in.URL+"/shelters"), chromedp.WaitVisible(`#shelter-board`))
	before := u.free(service)
	u.do(chromedp.Navigate(casePath), chromedp.WaitVisible(`#admit-details`), openForms, chromedp.WaitVisible(`#admit-form`))
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#admit-form input[name="dependants"]').forEach(c => { c.checked = true; })`),
		chromedp.Click(`#admit-submit`), chromedp.WaitVisible(`#stays tr[data-open="true"] .stay-beds[data-beds="3"]`))
	u.axe()
	u.do(chromedp.Navigate(in.URL+"/shelters"), chromedp.WaitVisible(`#shelter-board`))
	if after := u.free(service); before-after != 3 {
		t.Errorf("%s: %d free beds before, %d after admitting a woman with two children; want three fewer", service, before, after)
	}
}

// setGBVAlert names the demo police unit and the coordinator's office as
// those alerted on a high DV risk, on the instance's store (the setting an
// administrator makes).
func setGBVAlert(t *testing.T, in *instance) {
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
	orgs, err := a.Auth.FindOrgs(ctx, access.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range orgs {
		if o.Name == "Demo Police THB Directorate" || o.Name == "Demo National Coordinator's Office" {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != 2 {
		t.Fatalf("demo organisations: %d found", len(ids))
	}
	if err := a.GBV.SetAlertOrgs(ctx, access.SystemActor, ids, a.Auth); err != nil {
		t.Fatal(err)
	}
}
