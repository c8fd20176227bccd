package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/stats"
)

// TestStatsReportAPI: the coordinator gets a raw report in the documented
// shape; bad names, periods, places and protections are 400 naming the
// parameter; other roles may not ask for raw figures, and roles without
// statistics are refused.
func TestStatsReportAPI(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, "sqlite")
	tokens := map[access.Role]string{}
	for _, r := range []access.Role{access.Coordinator, access.Analyst, access.Police} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: string(r) + "@api.invalid", Name: "User " + string(r),
			Role: r, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		if tokens[r], _, err = a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Stats: a.Stats})
	get := func(r access.Role, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[r])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, tpl := range stats.Templates {
		rec := get(access.Coordinator, "/api/v1/stats/reports/"+tpl.Name+"?from=2025-01-01&to=2025-12-31&region=prizren")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tpl.Name, rec.Code, rec.Body)
		}
		var rep stats.ReportJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || rep.Name != tpl.Name || rep.From != "2025-01" || rep.To != "2025-12" ||
			rep.Protection != "none" || rep.Region != "prizren" || len(rep.Tables) != len(tpl.Tables) {
			t.Errorf("%s: %+v, %v", tpl.Name, rep, err)
		}
	}
	for _, c := range []struct {
		role        access.Role
		path, field string
		status      int
	}{
		{access.Coordinator, "/api/v1/stats/reports/persons", "name", 400},
		{access.Coordinator, "/api/v1/stats/reports/greta?from=2025-06-01&to=2025-01-01", "to", 400},
		{access.Coordinator, "/api/v1/stats/reports/greta?from=01.01.2025", "from", 400},
		{access.Coordinator, "/api/v1/stats/reports/greta?region=atlantis", "region", 400},
		{access.Coordinator, "/api/v1/stats/reports/greta?municipality=Springfield", "municipality", 400},
		{access.Coordinator, "/api/v1/stats/reports/greta?protection=blur", "protection", 400},
		{access.Analyst, "/api/v1/stats/reports/greta?protection=none", "protection", 400},
		{access.Police, "/api/v1/stats/reports/greta", "", 403},
	} {
		rec := get(c.role, c.path)
		var pr api.Problem
		json.Unmarshal(rec.Body.Bytes(), &pr)
		if rec.Code != c.status || pr.Field != c.field {
			t.Errorf("%s %s: %d field %q, want %d %q", c.role, c.path, rec.Code, pr.Field, c.status, c.field)
		}
	}
	// The analyst's default is a protected report: never raw.
	rec := get(access.Analyst, "/api/v1/stats/reports/eurostat?from=2025-01-01&to=2025-12-31")
	var rep stats.ReportJSON
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &rep) != nil || rep.Protection != "suppress" {
		t.Errorf("analyst report: %d protection %q, want 200 suppress: %s", rec.Code, rep.Protection, rec.Body)
	}
}
