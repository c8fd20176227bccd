package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/apptest"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// caseEnv is a whole Ura behind the API handler, with one token per named
// user: police and advocate organisations, a shelter and the coordinator.
type caseEnv struct {
	h      http.Handler
	tokens map[string]string
}

func newCaseEnv(t *testing.T, e store.Engine) *caseEnv {
	t.Helper()
	ctx := context.Background()
	a, _ := apptest.Open(t, e)
	en := &caseEnv{h: newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: a.Clock, Cases: a.Cases}), tokens: map[string]string{}}
	for _, u := range []struct {
		name    string
		role    access.Role
		orgType access.OrgType
	}{
		{"police", access.Police, "police"}, {"advocate", access.Advocate, "victim_advocacy"},
		{"shelter", access.Shelter, "shelter"}, {"coordinator", access.Coordinator, "coordinator"},
	} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + u.name, Type: u.orgType})
		if err != nil {
			t.Fatal(err)
		}
		usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.name + "@api.invalid", Name: "User " + u.name,
			Role: u.role, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Auth.CreateToken(ctx, access.SystemActor, usr.ID, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		en.tokens[u.name] = tok
	}
	return en
}

func (en *caseEnv) do(t *testing.T, who, method, path, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+en.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return rec.Code, m, string(raw)
}

const registration = `{"person":{"given_name":"Lirije","family_name":"Berisha","birth_date":"2001-04-09","sex":"female","citizenship":"XK"},
	"exploitation":["SexualExploitation"],"details":{"narrative":"Met the recruiter online."}}`

func TestCaseAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) { testCaseAPI(t, newCaseEnv(t, e)) })
	}
}

func testCaseAPI(t *testing.T, en *caseEnv) {
	{
		code, m, raw := en.do(t, "police", "POST", "/api/v1/cases", registration)
		if code != http.StatusCreated || m["reference"] != "XK-2026-0001" || m["id"] == "" {
			t.Fatalf("create: %d %s", code, raw)
		}
		id := m["id"].(string)

		t.Run("GetAsOwner", func(t *testing.T) {
			code, m, raw := en.do(t, "police", "GET", "/api/v1/cases/"+id, "")
			if code != 200 || m["person"] == nil || m["details"] == nil || m["version"] != float64(1) {
				t.Errorf("%d %s", code, raw)
			}
		})
		t.Run("CoordinatorSeesNoPerson", func(t *testing.T) {
			code, m, raw := en.do(t, "coordinator", "GET", "/api/v1/cases/"+id, "")
			if code != 200 || m["person"] != nil || m["details"] != nil || strings.Contains(raw, "Berisha") {
				t.Errorf("%d %s", code, raw)
			}
		})
		t.Run("ShelterNotOnTeam404", func(t *testing.T) {
			if code, _, _ := en.do(t, "shelter", "GET", "/api/v1/cases/"+id, ""); code != 404 {
				t.Errorf("got %d, want 404", code)
			}
			code, m, _ := en.do(t, "shelter", "GET", "/api/v1/cases", "")
			if code != 200 || m["total"] != float64(0) {
				t.Errorf("shelter list: %d %v", code, m)
			}
		})
		t.Run("BadInputNamesFieldNotValue", func(t *testing.T) {
			tests := []struct{ name, body, field string }{
				{"ImpossibleDate", strings.Replace(registration, "2001-04-09", "2001-02-31", 1), "person.birth_date"},
				{"FutureDate", strings.Replace(registration, "2001-04-09", "2030-01-01", 1), "person.birth_date"},
				{"UnknownField", strings.Replace(registration, `"sex"`, `"Berisha":1,"sex"`, 1), ""},
				{"WrongType", strings.Replace(registration, `"female"`, `42`, 1), "person.sex"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, m, raw := en.do(t, "police", "POST", "/api/v1/cases", tt.body)
					if code != 400 || (tt.field != "" && m["field"] != tt.field) {
						t.Errorf("%d %s", code, raw)
					}
					if strings.Contains(raw, "Berisha") || strings.Contains(raw, "Lirije") {
						t.Errorf("the problem echoes a personal value: %s", raw)
					}
				})
			}
			code, _, _ := en.do(t, "police", "POST", "/api/v1/cases", "{"+strings.Repeat(" ", 70<<10)+"}")
			if code != http.StatusRequestEntityTooLarge {
				t.Errorf("oversized body: %d", code)
			}
		})
		t.Run("Duplicate", func(t *testing.T) {
			code, m, raw := en.do(t, "police", "POST", "/api/v1/cases", registration)
			if code != 409 || m["duplicates"] == nil || len(m["duplicates"].([]any)) != 1 {
				t.Errorf("%d %s", code, raw)
			}
			code, m, raw = en.do(t, "advocate", "POST", "/api/v1/cases", registration)
			if code != 409 || m["duplicate_elsewhere"] != true || strings.Contains(raw, "XK-2026-0001") {
				t.Errorf("other organisation: %d %s", code, raw)
			}
		})
		t.Run("Transitions", func(t *testing.T) {
			code, _, raw := en.do(t, "police", "POST", "/api/v1/cases/"+id+"/transitions", `{"to":"returned","version":1}`)
			if code != 400 || !strings.Contains(raw, `"field":"to"`) {
				t.Errorf("not allowed: %d %s", code, raw)
			}
			code, m, raw := en.do(t, "police", "POST", "/api/v1/cases/"+id+"/transitions", `{"to":"screening","version":1}`)
			if code != 200 || m["stage"] != "screening" || m["version"] != float64(2) {
				t.Errorf("screening: %d %s", code, raw)
			}
			code, _, raw = en.do(t, "police", "POST", "/api/v1/cases/"+id+"/transitions", `{"to":"not_indicated","version":1}`)
			if code != 409 || !strings.Contains(raw, `"code":"conflict"`) {
				t.Errorf("stale: %d %s", code, raw)
			}
		})
		t.Run("Decision", func(t *testing.T) {
			code, m, raw := en.do(t, "police", "POST", "/api/v1/cases/"+id+"/decisions", `{"status":"presumed","grounds":"Indicators met.","version":2}`)
			if code != 201 || m["status"] != "presumed" || strings.Contains(raw, "Indicators met") {
				t.Errorf("%d %s", code, raw)
			}
			_, m, _ = en.do(t, "police", "GET", "/api/v1/cases/"+id, "")
			if m["non_removal"] != true || m["stage"] != "presumed_victim" {
				t.Errorf("after presumed: %v", m)
			}
			code, _, raw = en.do(t, "police", "POST", "/api/v1/cases/"+id+"/decisions", `{"status":"identified","grounds":"x","version":3}`)
			if code != 400 || !strings.Contains(raw, "status") {
				t.Errorf("identified without advocate: %d %s", code, raw)
			}
		})
		t.Run("Search", func(t *testing.T) {
			code, m, raw := en.do(t, "police", "POST", "/api/v1/cases/search", `{"name":"Бериша"}`)
			if code != 200 || m["total"] != float64(1) {
				t.Errorf("cyrillic search: %d %s", code, raw)
			}
			code, _, _ = en.do(t, "coordinator", "POST", "/api/v1/cases/search", `{"name":"Berisha"}`)
			if code != 403 {
				t.Errorf("coordinator name search: %d, want 403", code)
			}
			// A name never travels in a URL: the list refuses it.
			code, _, raw = en.do(t, "police", "GET", "/api/v1/cases?name=Berisha", "")
			if code != 400 || strings.Contains(raw, "Berisha") {
				t.Errorf("name in the URL: %d %s, want 400 without the name", code, raw)
			}
			code, _, _ = en.do(t, "police", "POST", "/api/v1/cases/search", `{"favourite":"x"}`)
			if code != 400 {
				t.Errorf("unknown search key: %d, want 400", code)
			}
		})
	}
}
