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
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestCoordAPI: the plans as JSON; the lead institution reports progress on
// its own activity (a percentage over 100, a quarter outside the plan and an
// unknown member refused, naming the field); another institution may not;
// a monitor sees no plan it does not monitor. Answers are checked against
// the OpenAPI document (newAPI).
func TestCoordAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			tokens := map[access.Role]string{}
			actors := map[access.Role]access.Actor{}
			for _, r := range []access.Role{access.Coordinator, access.Police, access.Shelter, access.Monitor} {
				org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
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
			sec := actors[access.Coordinator]
			id, err := a.Coord.CreatePlan(ctx, sec, coord.PlanInput{Title: "AP 2026", Kind: "action_plan", Start: "2026-01-01", End: "2026-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			a.Coord.AddObjective(ctx, sec, id, coord.ObjectiveInput{Code: "SO1", Pillar: "protection", Title: "Identification"})
			if err := a.Coord.AddActivity(ctx, sec, id, coord.ActivityInput{ObjectiveCode: "SO1", Code: "1.1", Description: "Teams",
				LeadOrgID: actors[access.Police].OrgID, Deadline: "2026-Q3", Cost: "100"}); err != nil {
				t.Fatal(err)
			}
			a.Coord.AddIndicator(ctx, sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Victims", Measure: "victims",
				Targets: map[string]string{"2026": "10"}})
			h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Coord: a.Coord})
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
			rec := do(access.Police, "GET", "/api/v1/coord/plans/"+id, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("plan: %d %s", rec.Code, rec.Body.String())
			}
			var p struct {
				Activities []struct{ ID string }
				Indicators []struct{ Computed bool }
			}
			json.Unmarshal(rec.Body.Bytes(), &p)
			if len(p.Activities) != 1 || len(p.Indicators) != 1 || !p.Indicators[0].Computed {
				t.Fatalf("plan: %s", rec.Body.String())
			}
			path := "/api/v1/coord/activities/" + p.Activities[0].ID + "/progress"
			for body, field := range map[string]string{
				`{"period":"2026-Q2","status":"in_progress","percent":101,"narrative":"x"}`: "percent",
				`{"period":"2027-Q1","status":"in_progress","percent":10,"narrative":"x"}`:  "period",
				`{"period":"2026-Q2","status":"done","percent":10,"narrative":"x"}`:         "status",
			} {
				rec := do(access.Police, "POST", path, body)
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"`+field+`"`) {
					t.Errorf("%s: %d %s", body, rec.Code, rec.Body.String())
				}
			}
			if rec := do(access.Police, "POST", path, `{"period":"2026-Q2","status":"in_progress","percent":10,"narrative":"x","by":"me"}`); rec.Code != http.StatusBadRequest {
				t.Errorf("unknown member: %d", rec.Code)
			}
			if rec := do(access.Shelter, "POST", path, `{"period":"2026-Q2","status":"in_progress","percent":10,"narrative":"x"}`); rec.Code != http.StatusForbidden {
				t.Errorf("another institution: %d", rec.Code)
			}
			if rec := do(access.Police, "POST", path, `{"period":"2026-Q2","status":"in_progress","percent":30,"narrative":"Two teams.","expenditure_eur":50}`); rec.Code != http.StatusCreated {
				t.Errorf("report: %d %s", rec.Code, rec.Body.String())
			}
			if rec := do(access.Monitor, "GET", "/api/v1/coord/plans/"+id, ""); rec.Code != http.StatusNotFound {
				t.Errorf("monitor, unmonitored plan: %d", rec.Code)
			}
			if rec := do(access.Monitor, "GET", "/api/v1/coord/plans", ""); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), id) {
				t.Errorf("monitor's list: %d %s", rec.Code, rec.Body.String())
			}
		})
	}
}
