package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/apptest"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// referralEnv is a whole Ura behind the API with the referral service
// wired: police, a shelter and the coordinator, one case by the police
// with consent to accommodation.
type referralEnv struct {
	h      http.Handler
	tokens map[string]string
	orgs   map[string]string
	caseID string
}

func newReferralEnv(t *testing.T, e store.Engine) *referralEnv {
	t.Helper()
	ctx := context.Background()
	a, clk := apptest.Open(t, e)
	en := &referralEnv{h: newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Cases: a.Cases, Referral: a.Referral}),
		tokens: map[string]string{}, orgs: map[string]string{}}
	actors := map[string]access.Actor{}
	for _, u := range []struct {
		name    string
		role    access.Role
		orgType access.OrgType
	}{{"police", access.Police, "police"}, {"shelter", access.Shelter, "shelter"}, {"shelter2", access.Shelter, "shelter"},
		{"coord", access.Coordinator, "coordinator"}} {
		name := "Org " + string(u.orgType)
		if en.orgs[name] == "" {
			org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: name, Type: u.orgType})
			if err != nil {
				t.Fatal(err)
			}
			en.orgs[name] = org.ID
		}
		usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.name + "@api.invalid", Name: "User " + u.name,
			Role: u.role, OrgID: en.orgs[name], Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		actors[u.name] = usr.Actor()
		if en.tokens[u.name], _, err = a.Auth.CreateToken(ctx, access.SystemActor, usr.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Cases.Open(ctx, actors["police"], cases.Input{Person: cases.Person{GivenName: "Vesa", FamilyName: "Dema",
		BirthDate: "1994-02-03", Sex: "female", Citizenship: "AL"}, RiskLevel: "medium", Exploitation: []string{"SexualExploitation"}})
	if err != nil {
		t.Fatal(err)
	}
	informed := consent.Informed{Purpose: true, DataUse: true, StorageDuration: true, AccessRight: true, Withdrawal: true}
	for _, g := range []consent.GrantInput{{Scope: consent.ScopeDataProcessing}, {Scope: consent.ScopeService, Target: "accommodation"}} {
		g.GivenBy, g.Language, g.Informed = consent.ByPerson, "sq", informed
		if _, err := a.Consent.Record(ctx, actors["police"], r.ID, g); err != nil {
			t.Fatal(err)
		}
	}
	en.caseID = r.ID
	return en
}

func (en *referralEnv) call(t *testing.T, who, method, path, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+en.tokens[who])
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	var doc map[string]any
	json.Unmarshal(rec.Body.Bytes(), &doc)
	return rec, doc
}

func TestReferralAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newReferralEnv(t, e)
			rec, doc := en.call(t, "coord", "POST", "/api/v1/services", `{"name":"Safe House","type":"thb_shelter","organisation":"`+
				en.orgs["Org shelter"]+`","beds_total":4,"eligibility":{"sex":"female","age_min":18}}`)
			if rec.Code != 201 || doc["id"] == "" {
				t.Fatalf("create service: %d %s", rec.Code, rec.Body)
			}
			svc := doc["id"].(string)
			if rec, _ := en.call(t, "police", "POST", "/api/v1/services", `{"name":"X","type":"medical","organisation":"`+
				en.orgs["Org police"]+`"}`); rec.Code != 403 {
				t.Errorf("police adds a service: %d", rec.Code)
			}
			rec, doc = en.call(t, "police", "GET", "/api/v1/services?type=thb_shelter", "")
			list, _ := doc["services"].([]any)
			if rec.Code != 200 || len(list) != 1 {
				t.Fatalf("list: %d %s", rec.Code, rec.Body)
			}
			if item := list[0].(map[string]any); item["id"] != svc || item["organisation"] != en.orgs["Org shelter"] || len(item) != 4 {
				t.Errorf("list item %v", item)
			}
			rec, _ = en.call(t, "police", "GET", "/api/v1/cases/"+en.caseID+"/placements?needs=accommodation", "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"fits":true`) {
				t.Errorf("placements: %d %s", rec.Code, rec.Body)
			}
			rec, doc = en.call(t, "police", "POST", "/api/v1/cases/"+en.caseID+"/referrals",
				`{"service_id":"`+svc+`","urgency":"24h","reason":"Needs a safe place"}`)
			if rec.Code != 201 || doc["state"] != "pending" || doc["deadline"] != "2026-05-05T08:00:00Z" {
				t.Fatalf("refer: %d %s", rec.Code, rec.Body)
			}
			ref := doc["id"].(string)
			if rec, _ := en.call(t, "police", "POST", "/api/v1/cases/"+en.caseID+"/referrals",
				`{"service_id":"`+svc+`","urgency":"24h","reason":"x","extra":1}`); rec.Code != 400 {
				t.Errorf("unknown field: %d", rec.Code)
			}
			_, doc = en.call(t, "shelter", "GET", "/api/v1/referrals?direction=in", "")
			if l, _ := doc["referrals"].([]any); len(l) != 1 {
				t.Errorf("inbox %v", doc)
			}
			_, doc = en.call(t, "police", "GET", "/api/v1/referrals?direction=out", "")
			if l, _ := doc["referrals"].([]any); len(l) != 1 {
				t.Errorf("outbox %v", doc)
			}
			if rec, _ := en.call(t, "shelter", "POST", "/api/v1/referrals/"+ref+"/accept", ""); rec.Code != 200 {
				t.Fatalf("accept: %d %s", rec.Code, rec.Body)
			}
			rec, doc = en.call(t, "shelter2", "POST", "/api/v1/referrals/"+ref+"/decline", `{"reason":"too late"}`)
			if rec.Code != 409 {
				t.Errorf("decline after accept: %d %s", rec.Code, rec.Body)
			}
			rec, doc = en.call(t, "police", "GET", "/api/v1/shelters/availability", "")
			shelters, _ := doc["shelters"].([]any)
			if rec.Code != 200 || len(shelters) != 1 {
				t.Fatalf("availability: %d %s", rec.Code, rec.Body)
			}
			a := shelters[0].(map[string]any)
			if a["service_id"] != svc || a["beds_total"] != 4.0 || a["beds_reserved"] != 1.0 || a["beds_free"] != 3.0 || a["beds_occupied"] != 0.0 {
				t.Errorf("board %v", a)
			}
			rec, doc = en.call(t, "shelter", "POST", "/api/v1/cases/"+en.caseID+"/stays", `{"service_id":"`+svc+`"}`)
			if rec.Code != 201 {
				t.Errorf("admit: %d %s", rec.Code, rec.Body)
			}
			rec, doc = en.call(t, "coord", "POST", "/api/v1/directory/import", "{\n\"contents\": [\n {\"id\": 7}\n]\n}")
			errsList, _ := doc["errors"].([]any)
			if rec.Code != 400 || len(errsList) != 1 || errsList[0].(map[string]any)["line"] != 3.0 {
				t.Errorf("malformed import: %d %s", rec.Code, rec.Body)
			}
			rec, _ = en.call(t, "police", "GET", "/api/v1/directory/export", "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ura:service_type"`) || !strings.Contains(rec.Body.String(), `"contents"`) {
				t.Errorf("export: %d %s", rec.Code, rec.Body)
			}
			rec, _ = en.call(t, "coord", "POST", "/api/v1/directory/import", rec.Body.String())
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"updated"`) {
				t.Errorf("the export imported back: %d %s", rec.Code, rec.Body)
			}
		})
	}
}
