package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestCareRecordsAnswerAsDocumented walks the case-record operations the
// other API tests do not call — needs, plans and their items, reviews, the
// care view, a note by id, a consent withdrawal, the document itself — so
// that their answers are checked against the OpenAPI document too (newAPI).
func TestCareRecordsAnswerAsDocumented(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newRecordsEnv(t, e)
			base := "/api/v1/cases/" + en.caseID
			call := func(who, method, path, body string, want int) map[string]any {
				t.Helper()
				ctype := ""
				var rd *strings.Reader
				if body != "" {
					ctype, rd = "application/json", strings.NewReader(body)
				} else {
					rd = strings.NewReader("")
				}
				rec := en.do(t, who, method, path, ctype, rd)
				if rec.Code != want {
					t.Fatalf("%s %s: %d %s, want %d", method, path, rec.Code, rec.Body, want)
				}
				var m map[string]any
				json.Unmarshal(rec.Body.Bytes(), &m)
				return m
			}
			call("ngo", "GET", "/api/openapi.json", "", http.StatusOK)
			me := call("ngo", "GET", "/api/v1/me", "", http.StatusOK)
			org, _ := me["organisation"].(map[string]any)
			ngo, _ := org["id"].(string)
			me = call("police", "GET", "/api/v1/me", "", http.StatusOK)
			org, _ = me["organisation"].(map[string]any)
			police, _ := org["id"].(string)
			call("ngo", "POST", base+"/needs-assessments", `{"needs":["medical","accommodation"],"assessed_on":"2026-05-04"}`, http.StatusCreated)
			call("ngo", "POST", base+"/risk-assessments", `{"level":"medium","threats":"Calls from the recruiter.","assessed_on":"2026-05-04"}`, http.StatusCreated)
			plan := call("ngo", "POST", base+"/plans", `{"starts_on":"2026-05-04","review_due_on":"2026-08-04","items":[{"type":"Health",
				"goals":"Medical check","actions":"Appointment at the clinic","responsible_org":"`+ngo+`","due_on":"2026-05-20"}]}`, http.StatusCreated)
			planID, _ := plan["id"].(string)
			item := call("ngo", "POST", "/api/v1/plans/"+planID+"/items", `{"type":"Legal","goals":"Legal counsel",
				"actions":"Meet the lawyer","responsible_org":"`+ngo+`","due_on":"2026-06-01"}`, http.StatusCreated)
			itemID, _ := item["id"].(string)
			call("ngo", "POST", "/api/v1/plan-items/"+itemID+"/progress", `{"progress":"done","ended_on":"2026-05-30"}`, http.StatusOK)
			call("ngo", "POST", base+"/reviews", `{"held_on":"2026-05-04","participants":["`+ngo+`","`+police+`"],"outcome":"Plan on track.",
				"next_review_on":"2026-08-04"}`, http.StatusCreated)
			call("ngo", "GET", base+"/care", "", http.StatusOK)
			call("coord", "GET", "/api/v1/tasks/overdue", "", http.StatusOK)
			note := call("ngo", "POST", base+"/notes", `{"category":"psychological","body":"First session."}`, http.StatusCreated)
			noteID, _ := note["id"].(string)
			call("ngo", "GET", "/api/v1/notes/"+noteID, "", http.StatusOK)
			call("ngo", "POST", base+"/guardians", `{"kind":"csw_officer","name":"Besa Kujdestare","authority":"CSW Prizren",
				"decision_ref":"12/2026","decision_date":"2026-01-05"}`, http.StatusCreated)
			call("ngo", "GET", base, "", http.StatusOK)
			grant := call("ngo", "POST", base+"/consents", `{"scope":"data_processing","given_by":"guardian","child_view":"agrees",
				"language":"sq","informed":{"purpose":true,"data_use":true,"storage_duration":true,"access_right":true,"withdrawal":true}}`,
				http.StatusCreated)
			grantID, _ := grant["id"].(string)
			call("ngo", "POST", "/api/v1/consents/"+grantID+"/withdraw", `{"given_by":"guardian","remarks":"The guardian withdrew."}`,
				http.StatusCreated)
		})
	}
}

// TestReferralFlowsAnswerAsDocumented walks the referral operations the
// referral test does not call — a service read and edited, a referral read,
// withdrawn and completed, what waits on the receiver, a discharge and an
// exit approval — so their answers are checked against the OpenAPI
// document too.
func TestReferralFlowsAnswerAsDocumented(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newReferralEnv(t, e)
			call := func(who, method, path, body string, want ...int) map[string]any {
				t.Helper()
				rec, doc := en.call(t, who, method, path, body)
				for _, w := range want {
					if rec.Code == w {
						return doc
					}
				}
				t.Fatalf("%s %s: %d %s, want %v", method, path, rec.Code, rec.Body, want)
				return nil
			}
			svc := call("coord", "POST", "/api/v1/services", `{"name":"Safe House","type":"thb_shelter","organisation":"`+
				en.orgs["Org shelter"]+`","beds_total":4,"eligibility":{"sex":"female","age_min":18}}`, http.StatusCreated)["id"].(string)
			call("shelter", "GET", "/api/v1/services/"+svc, "", http.StatusOK)
			call("coord", "PATCH", "/api/v1/services/"+svc, `{"name":"Safe House Prishtina","type":"thb_shelter","organisation":"`+
				en.orgs["Org shelter"]+`","beds_total":5}`, http.StatusOK)
			refer := func() string {
				return call("police", "POST", "/api/v1/cases/"+en.caseID+"/referrals",
					`{"service_id":"`+svc+`","urgency":"24h","reason":"Needs a safe place"}`, http.StatusCreated)["id"].(string)
			}
			first := refer()
			call("police", "GET", "/api/v1/referrals/"+first, "", http.StatusOK)
			call("coord", "GET", "/api/v1/referrals/"+first, "", http.StatusOK)
			call("shelter", "GET", "/api/v1/referrals/waiting", "", http.StatusOK)
			call("police", "POST", "/api/v1/referrals/"+first+"/withdraw", "", http.StatusOK)
			second := refer()
			call("shelter", "POST", "/api/v1/referrals/"+second+"/accept", "", http.StatusOK)
			stay := call("shelter", "POST", "/api/v1/cases/"+en.caseID+"/stays", `{"service_id":"`+svc+`"}`, http.StatusCreated)["id"].(string)
			call("police", "POST", "/api/v1/stays/"+stay+"/exit-approvals", "", http.StatusOK, http.StatusConflict, http.StatusForbidden)
			call("shelter", "POST", "/api/v1/stays/"+stay+"/discharge", `{"exit_code":"independent_living"}`, http.StatusOK)
			call("shelter", "POST", "/api/v1/referrals/"+second+"/complete",
				`{"outcome":"delivered","delivered":[{"on":"2026-05-04","minutes":60}]}`, http.StatusOK)
		})
	}
}

// TestDuplicateReviewAnswersAsDocumented walks the coordinator's review of
// duplicate persons through the API — the list, a merge and its undo, a
// dismissal — so its answers are checked against the OpenAPI document.
func TestDuplicateReviewAnswersAsDocumented(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Cases: a.Cases, Dedup: a.Dedup})
			tokens := map[string]string{}
			actors := map[string]access.Actor{}
			for _, u := range []struct {
				name    string
				role    access.Role
				orgType access.OrgType
			}{{"police", access.Police, "police"}, {"coord", access.Coordinator, "coordinator"}} {
				org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + u.name, Type: u.orgType})
				if err != nil {
					t.Fatal(err)
				}
				usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.name + "@api.invalid", Name: "User " + u.name,
					Role: u.role, OrgID: org.ID, Password: "api test passphrase 1"})
				if err != nil {
					t.Fatal(err)
				}
				actors[u.name] = usr.Actor()
				if tokens[u.name], _, err = a.Auth.CreateToken(ctx, access.SystemActor, usr.ID, "test", time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			// The same woman twice, and a third pair member for a dismissal.
			for _, p := range []cases.Person{
				{GivenName: "Milica", FamilyName: "Đorđević", BirthDate: "1996-04-12", Sex: "female", Citizenship: "RS"},
				{GivenName: "Milica", FamilyName: "Djordjevic", BirthDate: "1996-12-04", Sex: "female", Citizenship: "RS"},
				{GivenName: "Mirlinda", FamilyName: "Gashi", BirthDate: "1999-01-05", Sex: "female", Citizenship: "XK"},
				{GivenName: "Mirlinda", FamilyName: "Gashi", BirthDate: "1999-01-05", Sex: "female", Citizenship: "XK"},
			} {
				if _, err := a.Cases.Open(ctx, actors["police"], cases.Input{Person: p, ConfirmDuplicate: true,
					Exploitation: []string{"SexualExploitation"}}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := a.Dedup.Scan(ctx, clk.Now()); err != nil {
				t.Fatal(err)
			}
			call := func(who, method, path, body string, want int) []byte {
				t.Helper()
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[who])
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					t.Fatalf("%s %s: %d %s, want %d", method, path, rec.Code, rec.Body, want)
				}
				return rec.Body.Bytes()
			}
			var list struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			json.Unmarshal(call("coord", "GET", "/api/v1/duplicates", "", http.StatusOK), &list)
			if len(list.Items) < 2 {
				t.Fatalf("pairs found: %d, want 2", len(list.Items))
			}
			var merged struct {
				MergeID string `json:"merge_id"`
			}
			json.Unmarshal(call("coord", "POST", "/api/v1/duplicates/"+list.Items[0].ID+"/merge",
				`{"reason":"Same woman: the police and the NGO spelled her name differently."}`, http.StatusCreated), &merged)
			call("coord", "GET", "/api/v1/duplicates?state=merged", "", http.StatusOK)
			call("coord", "POST", "/api/v1/merges/"+merged.MergeID+"/undo",
				`{"reason":"Merged in error: the birth dates are of two sisters."}`, http.StatusOK)
			call("coord", "POST", "/api/v1/duplicates/"+list.Items[1].ID+"/dismiss", "", http.StatusOK)
		})
	}
}
