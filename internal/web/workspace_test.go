package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/web"
)

// indicated is a screening of an adult in labour exploitation that the rule
// reads as trafficking: D1, D4 and D5 positive.
var indicated = []string{"al.d1.deceived_nature_of_job", "al.d1.deceived_wages", "al.d4.excessive_hours",
	"al.d4.low_or_no_salary", "al.d5.confiscation_of_documents", "al.d5.debt_bondage"}

// demoEnv is a whole Ura with the demo data (organisations, services,
// accounts); session signs a demo role in.
type demoEnv struct {
	*env
	creds map[access.Role]demo.Credential
}

func newDemoEnv(tb testing.TB) *demoEnv {
	tb.Helper()
	a, clk := apptest.Open(tb, store.SQLite)
	creds, err := demo.Load(context.Background(), a)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := web.New(a)
	if err != nil {
		tb.Fatal(err)
	}
	d := &demoEnv{env: &env{app: a, h: h, clk: clk, users: map[access.Role]*auth.User{}}, creds: map[access.Role]demo.Credential{}}
	for _, c := range creds {
		d.creds[c.Role] = c
	}
	return d
}

func (d *demoEnv) session(tb testing.TB, r access.Role) (string, string) {
	tb.Helper()
	ctx := context.Background()
	d.clk.Advance(31 * time.Second)
	c := d.creds[r]
	cl := auth.Client{IP: "127.0.0.1"}
	tok, sess, err := d.app.Auth.SignIn(ctx, c.Email, c.Password, cl)
	if err != nil {
		tb.Fatalf("sign in %s: %v", r, err)
	}
	if sess.Stage == auth.StagePassword {
		code, _ := auth.TOTPCode(c.TOTPSecret, d.clk.Now())
		if tok, sess, err = d.app.Auth.VerifyTOTP(ctx, tok, code, cl); err != nil {
			tb.Fatalf("totp %s: %v", r, err)
		}
	}
	if sess.Stage != auth.StageFull {
		tb.Fatalf("%s: stage %q", r, sess.Stage)
	}
	if _, u, err := d.app.Auth.Authenticate(ctx, tok); err == nil {
		d.users[r] = u
	}
	return tok, sess.CSRF
}

func screeningForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "profile": {"adult_labour"}, "indicator": indicated}
}

// TestScreeningToCase: "Register a case from this screening" saves it and
// opens the case form filled in from it; the case starts as a presumed
// victim and takes the screening; the screening then says so, and is not
// offered for another case.
func TestScreeningToCase(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, csrf := en.session(t, access.Police)

	code, _, body := en.page(t, "POST", "/screening", tok, screeningForm(csrf))
	if code != http.StatusOK || !strings.Contains(body, `id="save-register"`) || !strings.Contains(body, `id="save-attach"`) {
		t.Fatalf("result: %d, no register button", code)
	}
	form := screeningForm(csrf)
	form.Set("then", "case")
	form.Set("note", "Met at the bus station in Ferizaj.")
	code, loc, _ := en.page(t, "POST", "/screening/save", tok, form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/new?screening=") {
		t.Fatalf("save and register: %d %q", code, loc)
	}
	screeningID := strings.TrimPrefix(loc, "/cases/new?screening=")
	code, _, body = en.page(t, "GET", loc, tok, nil)
	if code != http.StatusOK {
		t.Fatalf("case form: %d", code)
	}
	wantIn(t, "case form from a screening", body, `id="case-from-screening-presumed"`,
		`name="screening_id" value="`+screeningID+`"`, `id="exploitation-ForcedLabour" name="exploitation" value="ForcedLabour" checked`,
		"Met at the bus station in Ferizaj.", `type="date" id="birth_date"`, `class="check-grid" data-roving`)

	reg := url.Values{"csrf": {csrf}, "screening_id": {screeningID}, "given_name": {"Arben"}, "family_name": {"Krasniqi"},
		"birth_date": {"1996-05-02"}, "sex": {"male"}, "exploitation": {"ForcedLabour"}}
	code, loc, _ = en.page(t, "POST", "/cases", tok, reg)
	if code != http.StatusSeeOther {
		t.Fatalf("register: %d", code)
	}
	code, _, body = en.page(t, "GET", loc, tok, nil)
	if code != http.StatusOK || !strings.Contains(body, `data-stage="presumed_victim"`) {
		t.Fatalf("the case registered from an indicating screening is not a presumed victim (%d)", code)
	}
	wantIn(t, "case history", body, "Screening attached to the case")

	code, _, body = en.page(t, "GET", "/screening/"+screeningID, tok, nil)
	if code != http.StatusOK || !strings.Contains(body, `href="`+loc+`"`) || strings.Contains(body, `id="register-case"`) {
		t.Errorf("the saved screening does not lead to its case (%d)", code)
	}
	// Registering a second case from it is refused beside the form, with what was typed kept.
	reg.Set("given_name", "Besnik")
	reg.Set("family_name", "Gashi")
	reg.Set("birth_date", "1990-01-09")
	code, _, body = en.page(t, "POST", "/cases", tok, reg)
	if code != http.StatusConflict {
		t.Fatalf("second case from an attached screening: %d", code)
	}
	wantIn(t, "refused registration", body, `id="case-form-error"`, `value="Besnik"`, `href="#case-form-error"`)
}

// TestScreeningAttach: a saved screening is attached to an existing case
// by its reference (a wrong one is refused beside the form, typed value
// kept), and from the case page's list of the organisation's screenings.
func TestScreeningAttach(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, csrf := en.session(t, access.Police)
	save := func() string {
		code, loc, _ := en.page(t, "POST", "/screening/save", tok, screeningForm(csrf))
		if code != http.StatusSeeOther {
			t.Fatalf("save: %d", code)
		}
		return strings.TrimPrefix(loc, "/screening/")
	}
	first, second := save(), save()
	form := screeningForm(csrf)
	form.Set("then", "attach")
	code, loc, _ := en.page(t, "POST", "/screening/save", tok, form)
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?open=attach-form#attach-form") {
		t.Fatalf("save and attach: %d %q", code, loc)
	}
	if _, body := en.get(t, tok, strings.TrimSuffix(loc, "#attach-form")); !strings.Contains(body, `<details id="attach-details" open>`) {
		t.Error("the attach form is not open after \"Save and attach\"")
	}
	var casePath string
	code, casePath, _ = en.page(t, "POST", "/cases", tok, url.Values{"csrf": {csrf}, "given_name": {"Teuta"},
		"family_name": {"Berisha"}, "sex": {"female"}, "exploitation": {"ForcedLabour"}})
	if code != http.StatusSeeOther {
		t.Fatalf("register: %d", code)
	}
	_, body := en.get(t, tok, casePath)
	ref := regexp.MustCompile(`id="case-reference">([^<]+)<`).FindStringSubmatch(body)[1]
	wantIn(t, "case page screenings", body, `id="screenings"`, `name="screening_id" value="`+first+`"`, `name="screening_id" value="`+second+`"`)

	code, _, body = en.page(t, "POST", "/screening/"+first+"/attach", tok, url.Values{"csrf": {csrf}, "reference": {"XK-1999-0001"}})
	if code != http.StatusNotFound {
		t.Fatalf("attach to an unknown reference: %d", code)
	}
	wantIn(t, "refused attach", body, `id="err-reference"`, `value="XK-1999-0001"`, `<details id="attach-details" open>`, `href="#err-reference"`)
	code, loc, _ = en.page(t, "POST", "/screening/"+first+"/attach", tok, url.Values{"csrf": {csrf}, "reference": {strings.ToLower(ref)}})
	if code != http.StatusSeeOther || loc != casePath+"#screenings" {
		t.Fatalf("attach by reference: %d %q", code, loc)
	}
	code, loc, _ = en.page(t, "POST", casePath+"/screenings", tok, url.Values{"csrf": {csrf}, "screening_id": {second}})
	if code != http.StatusSeeOther {
		t.Fatalf("attach from the case page: %d", code)
	}
	_, body = en.get(t, tok, casePath)
	if strings.Contains(body, `name="screening_id" value="`+first+`"`) || strings.Contains(body, `name="screening_id" value="`+second+`"`) ||
		strings.Count(body, `name="screening_id" value="`) != 1 {
		t.Error("attached screenings are still offered, or the unattached one is not")
	}
	if n := strings.Count(body, "Screening attached to the case"); n != 2 {
		t.Errorf("the history shows %d attachments, want 2", n)
	}
	if !strings.Contains(body, `data-stage="signal_received"`) {
		t.Error("attaching a screening to a case under way moved its stage")
	}
	// Attached to another case already: said beside the list.
	code, _, body = en.page(t, "POST", casePath+"/screenings", tok, url.Values{"csrf": {csrf}, "screening_id": {second}})
	if code != http.StatusSeeOther {
		t.Errorf("attaching again to the same case: %d", code)
	}
}

// TestCaseWorkspaceErrors: the case page in sections with a navigation and
// closed forms; a referral refused for want of consent says what to record,
// in words, beside the form, with what was typed kept and a link to the
// consent form; a stale decision says the case changed meanwhile.
func TestCaseWorkspaceErrors(t *testing.T) {
	en := newDemoEnv(t)
	tok, csrf := en.session(t, access.Police)
	code, casePath, _ := en.page(t, "POST", "/cases", tok, url.Values{"csrf": {csrf}, "given_name": {"Mirela"},
		"family_name": {"Hoxha"}, "birth_date": {"1996-05-02"}, "sex": {"female"}, "exploitation": {"ForcedLabour"}})
	if code != http.StatusSeeOther {
		t.Fatalf("register: %d", code)
	}
	_, body := en.get(t, tok, casePath)
	wantIn(t, "case page", body, `id="case-header"`, `id="case-nav"`, `href="#consent"`, `href="#referrals"`, `href="#history"`,
		`<details id="referral-details">`, `<details id="consent-details">`, `accesskey="r"`, `?open=referral-form#referral-form`,
		`id="history-all"`, "Close the case")
	for _, td := range regexp.MustCompile(`<td[ >]`).FindAllString(body, -1) {
		if td == "<td>" {
			t.Error("a table cell of the case page has no data-label")
			break
		}
	}
	_, opened := en.get(t, tok, casePath+"?open=referral-form")
	wantIn(t, "asked-for form", opened, `<details id="referral-details" open>`)
	service := regexp.MustCompile(`<option value="([a-z2-9]{26})"[^>]*>Demo Shelter Drita`).FindStringSubmatch(body[strings.Index(body, `id="referral-service"`):])
	if service == nil {
		t.Fatal("the trafficking shelter is not offered")
	}

	reason := "Needs a safe place tonight."
	code, _, body = en.page(t, "POST", casePath+"/referrals", tok, url.Values{"csrf": {csrf}, "service_id": {service[1]},
		"urgency": {"24h"}, "reason": {reason}})
	if code != http.StatusConflict {
		t.Fatalf("referral without consent: %d %s", code, regexp.MustCompile(`(?s)<div class="alert alert-error error-summary.*?</div>`).FindString(body))
	}
	wantIn(t, "refused referral", body, `<details id="referral-details" open>`, `id="referral-form-error"`, `data-error-focus`,
		`href="#referral-form-error"`, `<a href="#consent-form">`, `<details id="consent-details" open>`, reason,
		`value="24h" required checked`, `value="`+service[1]+`" selected`, "Record the person&#39;s consent")
	if strings.Contains(body, "no_consent") || strings.Contains(body, "({reason})") {
		t.Error("the refused referral shows a code")
	}

	// Consent to the service only: the message names what is missing.
	code, _, _ = en.page(t, "POST", casePath+"/consent", tok, url.Values{"csrf": {csrf}, "scope": {"service"},
		"target_service": {"accommodation"}, "language": {"sq"}, "given_by": {"person"}, "informed_purpose": {"1"},
		"informed_data_use": {"1"}, "informed_storage_duration": {"1"}, "informed_access_right": {"1"}, "informed_withdrawal": {"1"}})
	if code != http.StatusSeeOther {
		t.Fatalf("consent: %d", code)
	}
	code, _, body = en.page(t, "POST", casePath+"/referrals", tok, url.Values{"csrf": {csrf}, "service_id": {service[1]},
		"urgency": {"24h"}, "reason": {reason}})
	if code != http.StatusConflict || !strings.Contains(body, "Record consent to processing personal data first") {
		t.Fatalf("referral with the service consent only: %d", code)
	}

	// A decision sent from a page older than the case.
	code, _, body = en.page(t, "POST", casePath+"/decisions", tok, url.Values{"csrf": {csrf}, "version": {"0"},
		"status": {"presumed"}, "grounds": {"First interview."}})
	if code != http.StatusConflict {
		t.Fatalf("stale decision: %d", code)
	}
	wantIn(t, "stale decision", body, `id="case-stale"`, "changed this case while you were filling in the form",
		`<details id="decision-details" open>`, "First interview.")
}
