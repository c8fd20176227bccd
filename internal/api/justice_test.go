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

// TestCriminalCaseAPI: the contract. Police file a criminal case
// linked to a victim case (201 with its id), the prosecution office it went
// to records the stages, anyone allowed reads it back with its events,
// charges and linked victim cases; bad input is a problem naming the field
// and writes nothing; the shelter on the victim's team gets 403 and 404.
func TestCriminalCaseAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			tokens := map[access.Role]string{}
			actors := map[access.Role]access.Actor{}
			types := map[access.Role]string{access.Police: "police", access.Prosecutor: "prosecution", access.Shelter: "shelter", access.Coordinator: "coordinator"}
			for r, typ := range types {
				org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: access.OrgType(typ)})
				if err != nil {
					t.Fatal(err)
				}
				u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: string(r) + "@api.invalid", Name: "User",
					Role: r, OrgID: org.ID, Password: "api test passphrase 1"})
				if err != nil {
					t.Fatal(err)
				}
				actors[r] = u.Actor()
				if tokens[r], _, err = a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			reg, err := a.Cases.Open(ctx, actors[access.Police], cases.Input{Person: cases.Person{GivenName: "Vesa", FamilyName: "Hoxha",
				BirthDate: "2000-01-02", Sex: "female", Citizenship: "XK"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Cases.AddToTeam(ctx, actors[access.Police], reg.ID, actors[access.Shelter].OrgID, ""); err != nil {
				t.Fatal(err)
			}
			h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Justice: a.Justice})
			do := func(r access.Role, method, path, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[r])
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			body := func(offence, date string) string {
				return `{"victim_case_ids":["` + reg.ID + `"],"offence_code":"` + offence + `","offence_date":"` + date +
					`","references":[{"system":"police","number":"PK-26-117"}],"prosecution_org_id":"` + actors[access.Prosecutor].OrgID + `"}`
			}
			for name, c := range map[string]struct{ body, field string }{
				"CodeNotInForce": {body("FACILITATING_PROSTITUTION", "2025-02-01"), "offence_code"},
				"UnknownOffence": {body("ROBBERY", "2025-02-01"), "offence_code"},
				"BadDate":        {body("THB", "2025-02-31"), "offence_date"},
				"FutureDate":     {body("THB", "2027-02-01"), "offence_date"},
				"NoVictim":       {`{"victim_case_ids":[],"offence_code":"THB","offence_date":"2025-02-01"}`, "victim_case_ids"},
				"UnknownVictim":  {`{"victim_case_ids":["nosuch"],"offence_code":"THB","offence_date":"2025-02-01"}`, "victim_case_ids"},
				"BadSystem":      {`{"victim_case_ids":["` + reg.ID + `"],"offence_code":"THB","offence_date":"2025-02-01","references":[{"system":"interpol","number":"1"}]}`, "references"},
				"UnknownMember":  {`{"victim_case_ids":["` + reg.ID + `"],"offence_code":"THB","offence_date":"2025-02-01","suspect":"x"}`, ""},
			} {
				rec := do(access.Police, "POST", "/api/v1/criminal-cases", c.body)
				if rec.Code != http.StatusBadRequest || c.field != "" && !strings.Contains(rec.Body.String(), `"`+c.field+`"`) {
					t.Errorf("%s: %d %s", name, rec.Code, rec.Body.String())
				}
			}
			if rec := do(access.Shelter, "POST", "/api/v1/criminal-cases", body("THB", "2025-02-01")); rec.Code != http.StatusForbidden {
				t.Errorf("shelter files a criminal case: %d", rec.Code)
			}
			rec := do(access.Police, "POST", "/api/v1/criminal-cases", body("THB", "2025-02-01"))
			if rec.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
			}
			var created struct{ ID string }
			json.Unmarshal(rec.Body.Bytes(), &created)
			path := "/api/v1/criminal-cases/" + created.ID
			for _, c := range []struct{ body, field string }{
				{`{"type":"JUDGMENT_FIRST_INSTANCE","date":"2026-03-01","outcome":"CONVICTION"}`, "type"},
				{`{"type":"INVESTIGATION","date":"2026-03-01"}`, "type"},
				{`{"type":"RULING_INITIATION_INVESTIGATION","date":"2026-13-01"}`, "date"},
				{`{"type":"TRIAL","date":"2026-03-01"}`, "type"},
			} {
				if rec := do(access.Prosecutor, "POST", path+"/events", c.body); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"`+c.field+`"`) {
					t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body.String())
				}
			}
			for _, b := range []string{`{"type":"RULING_INITIATION_INVESTIGATION","date":"2026-05-04"}`, `{"type":"INDICTMENT_FILED","date":"2026-05-04","detention":true}`,
				`{"type":"INITIAL_HEARING","date":"2026-05-15"}`} {
				if rec := do(access.Prosecutor, "POST", path+"/events", b); rec.Code != http.StatusCreated {
					t.Fatalf("%s: %d %s", b, rec.Code, rec.Body.String())
				}
			}
			if rec := do(access.Prosecutor, "POST", path+"/events", `{"type":"INITIAL_HEARING","date":"2026-03-01"}`); rec.Code != http.StatusBadRequest {
				t.Errorf("a second initial hearing dated before the ruling: %d", rec.Code)
			}
			rec = do(access.Prosecutor, "GET", path, "")
			if rec.Code != 200 {
				t.Fatalf("get: %d %s", rec.Code, rec.Body.String())
			}
			var got struct {
				Stage       string `json:"stage"`
				CriminalLaw string `json:"criminal_law"`
				Events      []struct{ Type string }
				VictimCases []struct{ ID string } `json:"victim_cases"`
				Deadlines   []struct {
					Rule     string
					Verified bool
				}
			}
			json.Unmarshal(rec.Body.Bytes(), &got)
			if got.Stage != "INITIAL_HEARING" || got.CriminalLaw != "CC-06/L-074" || len(got.Events) != 4 || len(got.VictimCases) != 1 || got.VictimCases[0].ID != reg.ID {
				t.Errorf("criminal case: %s", rec.Body.String())
			}
			hard := false
			for _, d := range got.Deadlines {
				hard = hard || d.Rule == "initial_hearing_detention" && d.Verified
			}
			if !hard {
				t.Errorf("no verified 15-day deadline in detention: %s", rec.Body.String())
			}
			if rec := do(access.Coordinator, "GET", path, ""); rec.Code != 200 {
				t.Errorf("coordinator: %d", rec.Code)
			}
			if rec := do(access.Shelter, "GET", path, ""); rec.Code != http.StatusForbidden {
				t.Errorf("shelter reads the criminal case: %d %s", rec.Code, rec.Body.String())
			}
			if rec := do(access.Police, "GET", "/api/v1/criminal-cases/nosuch", ""); rec.Code != http.StatusNotFound {
				t.Errorf("unknown: %d", rec.Code)
			}
		})
	}
}
