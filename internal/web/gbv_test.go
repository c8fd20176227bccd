package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/store"
)

// TestGBVCasePage records GBV facts through the case page's forms: an
// incident refused without a date (message beside the field, nothing
// saved, typed values kept), then classified and explained; a high DV risk
// with its alert; a protection order ending before it starts refused, then
// recorded with its expiry reminder; a dependant; a perpetrator shown only
// to the roles that need it.
func TestGBVCasePage(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	police, pcsrf := en.session(t, access.Police)
	rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Vjosa"}, "family_name": {"Testaj"},
		"birth_date": {"1990-05-01"}, "sex": {"female"}, "citizenship": {"XK"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("register: %d", rec.Code)
	}
	casePath := rec.Header().Get("Location")
	caseID := strings.TrimPrefix(casePath, "/cases/")
	if err := en.app.Cases.AddToTeam(ctx, en.users[access.Police].Actor(), caseID, en.users[access.Helpline].OrgID, ""); err != nil {
		t.Fatal(err)
	}
	if err := en.app.GBV.SetAlertOrgs(ctx, access.SystemActor, []string{en.users[access.Police].OrgID}, en.app.Auth); err != nil {
		t.Fatal(err)
	}
	code, body := en.get(t, police, casePath)
	if code != 200 {
		t.Fatalf("case page %d", code)
	}
	wantIn(t, "case page", body, `id="gbv"`, `id="incident-form"`, `id="gbv-more"`, `data-type="thb"`)

	inc := url.Values{"csrf": {pcsrf}, "place_type": {"home"}, "context": {"intimate_partner"}, "reported_by": {"survivor"},
		"physical_assault": {"yes"}, "psychological_abuse": {"yes"}, "account": {"He locked me in."}}
	rec = en.post(t, police, casePath+"/gbv/incidents", inc)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("incident without a date: %d", rec.Code)
	}
	wantIn(t, "refused incident", rec.Body.String(), `id="err-incident.occurred_on"`, "He locked me in.", `name="physical_assault" value="yes" checked`)
	inc.Set("occurred_on", "2099-01-01")
	if rec = en.post(t, police, casePath+"/gbv/incidents", inc); rec.Code != http.StatusBadRequest {
		t.Fatalf("incident in the future: %d", rec.Code)
	}
	wantIn(t, "future incident", rec.Body.String(), `id="err-incident.occurred_on"`, "This date is in the future.")
	if v, _ := en.app.GBV.View(ctx, en.users[access.Police].Actor(), caseID); len(v.Incidents) != 0 {
		t.Fatal("a refused incident was saved")
	}
	inc.Set("occurred_on", en.clk.Now().AddDate(0, 0, -3).Format("2006-01-02"))
	if rec = en.post(t, police, casePath+"/gbv/incidents", inc); rec.Code != http.StatusSeeOther {
		t.Fatalf("incident: %d %s", rec.Code, rec.Body.String())
	}
	_, body = en.get(t, police, casePath)
	wantIn(t, "incident", body, `<tr data-type="physical_assault">`, "First type that applies: Physical assault.",
		"Also applied, later in the order: Psychological or emotional abuse.", `data-type="both"`, "Incident recorded: Physical assault",
		`id="dvrisk-form"`, `id="order-form"`, `id="perpetrator-form"`)

	risk := url.Values{"csrf": {pcsrf}}
	for _, id := range gbv.DefaultQuestions.IDs[:14] {
		risk.Add("yes", id)
	}
	if rec = en.post(t, police, casePath+"/gbv/risk-assessments", risk); rec.Code != http.StatusSeeOther {
		t.Fatalf("risk: %d %s", rec.Code, rec.Body.String())
	}
	_, body = en.get(t, police, casePath)
	wantIn(t, "risk", body, `id="dv-risk-level" data-level="high"`, `id="dv-risk-alert"`, "14 of 24")
	_, body = en.get(t, police, "/notifications")
	wantIn(t, "police notifications", body, "High risk of domestic violence")

	order := url.Values{"csrf": {pcsrf}, "kind": {"emergency"}, "issuer": {"court"}, "issued_on": {en.clk.Now().Format("2006-01-02")},
		"ends_on": {en.clk.Now().AddDate(0, 0, -1).Format("2006-01-02")}, "measures": {"no_contact", "distance"}}
	if rec = en.post(t, police, casePath+"/gbv/orders", order); rec.Code != http.StatusBadRequest {
		t.Fatalf("order ending before it starts: %d", rec.Code)
	}
	wantIn(t, "refused order", rec.Body.String(), `id="err-order.ends_on"`, "The order must end after it starts.")
	order.Set("ends_on", en.clk.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	if rec = en.post(t, police, casePath+"/gbv/orders", order); rec.Code != http.StatusSeeOther {
		t.Fatalf("order: %d %s", rec.Code, rec.Body.String())
	}
	_, body = en.get(t, police, casePath)
	wantIn(t, "order", body, `data-kind="emergency"`, "Expiry reminder on", "Protection order expires soon")

	dep := url.Values{"csrf": {pcsrf}, "name": {"Dea"}, "birth_date": {"1995-01-01"}}
	if rec = en.post(t, police, casePath+"/gbv/dependants", dep); rec.Code != http.StatusBadRequest {
		t.Fatalf("dependant older than the mother allows: %d", rec.Code)
	}
	wantIn(t, "refused dependant", rec.Body.String(), `id="err-dependant.birth_date"`)
	dep.Set("birth_date", "2018-06-01")
	if rec = en.post(t, police, casePath+"/gbv/dependants", dep); rec.Code != http.StatusSeeOther {
		t.Fatalf("dependant: %d %s", rec.Code, rec.Body.String())
	}
	perp := url.Values{"csrf": {pcsrf}, "name": {"Agim Perp"}, "relationship": {"partner"}, "weapons": {"yes"}}
	if rec = en.post(t, police, casePath+"/gbv/perpetrators", perp); rec.Code != http.StatusSeeOther {
		t.Fatalf("perpetrator: %d %s", rec.Code, rec.Body.String())
	}
	_, body = en.get(t, police, casePath)
	wantIn(t, "police view", body, "Dea", "Agim Perp", "Centre for Social Work not yet informed")

	helpline, _ := en.session(t, access.Helpline)
	_, body = en.get(t, helpline, casePath)
	wantIn(t, "helpline view", body, `id="gbv"`, "Dea")
	if strings.Contains(body, "Agim Perp") || strings.Contains(body, `id="gbv-perpetrators"`) {
		t.Error("the helpline sees the perpetrator")
	}
}

// TestGBVClassifyPage answers the classification tool without storing.
func TestGBVClassifyPage(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, csrf := en.session(t, access.SocialWorker)
	if code, body := en.get(t, tok, "/gbv/classify"); code != 200 || !strings.Contains(body, `id="gbv-classify-form"`) {
		t.Fatalf("form: %d", code)
	}
	rec := en.post(t, tok, "/gbv/classify", url.Values{"csrf": {csrf}, "sexual_contact": {"yes"}, "denial_of_resources": {"yes"}})
	wantIn(t, "result", rec.Body.String(), `data-type="sexual_assault"`, "First type that applies: Sexual assault.")
}
