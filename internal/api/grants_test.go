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
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/referral"
)

type servedStub struct{}

func (servedStub) ServedBy(context.Context, string, string, string) ([]referral.Served, error) {
	return []referral.Served{
		{ServiceType: "thb_shelter", VictimCategory: "vot", Sex: "female", AgeBand: "18-24", NationalityGroup: "national", New: true, Count: 9},
		{ServiceType: "thb_shelter", VictimCategory: "pvot", Sex: "female", AgeBand: "15-17", NationalityGroup: "foreign", Count: 2},
	}, nil
}

// TestGrantFiguresAPI: the funder gets a contract's figures in the
// documented shape, suppressed (no value under 5) even when asking for raw
// figures; the coordinator's office gets them raw; a bad period is 400
// naming the parameter; an unknown contract 404; a police token 403.
func TestGrantFiguresAPI(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, "sqlite")
	tokens := map[access.Role]string{}
	actors := map[access.Role]access.Actor{}
	for _, r := range []access.Role{access.Coordinator, access.Funder, access.Police, access.Provider, access.Evaluator} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: string(r) + "@api.invalid", Name: "User " + string(r),
			Role: r, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		actors[r] = u.Actor()
		if tokens[r], _, err = a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", 30*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	g := a.Grants
	g.Counter = servedStub{}
	coord := actors[access.Coordinator]
	c, err := g.CreateCall(ctx, coord, grants.CallInput{Reference: "C-1", Title: "Call", Funder: "EU", Procedure: "open", Budget: "100000",
		MinGrant: "1000", MaxGrant: "50000", Deadline: clk.Now().Add(48 * time.Hour).Format("2006-01-02T15:04"),
		Criteria: []grants.Criterion{{Label: "Quality", Max: 10, Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.PublishCall(ctx, coord, c.ID); err != nil {
		t.Fatal(err)
	}
	x, err := g.Submit(ctx, actors[access.Provider], grants.ApplicationInput{CallID: c.ID, Title: "Action", Summary: "S", TargetGroups: "V",
		Municipalities: "M", Requested: "20000", Total: "20000", DurationMonths: "12"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AdminCheck(ctx, coord, x.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	ev := actors[access.Evaluator]
	if err := g.Assign(ctx, coord, x.ID, ev.UserID); err != nil {
		t.Fatal(err)
	}
	if err := g.Declare(ctx, ev, x.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := g.SaveScores(ctx, ev, x.ID, grants.ScoreInput{"c1": {Score: "8", Comment: "Good"}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(72 * time.Hour)
	if err := g.Award(ctx, coord, c.ID); err != nil {
		t.Fatal(err)
	}
	k, err := g.CreateContract(ctx, coord, grants.ContractInput{ApplicationID: x.ID, Number: "K-1", StartOn: "2026-01-01", EndOn: "2026-12-31",
		Amount: "20000", Budget: []struct{ Heading, Description, Amount string }{{"hr", "Staff", "20000"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Grants: g})
	get := func(r access.Role, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[r])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	path := "/api/v1/grants/contracts/" + k.ID + "/figures"
	total := func(rec *httptest.ResponseRecorder) (api.GrantFiguresJSON, *int64) {
		var f api.GrantFiguresJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		rows := f.Tables[0].Rows
		return f, rows[len(rows)-1].Total
	}
	// A funder reads only the contracts of the calls it funds.
	if rec := get(access.Funder, path); rec.Code != http.StatusNotFound {
		t.Errorf("a funder not linked to the call: %d, want 404", rec.Code)
	}
	if err := g.AddCallFunder(ctx, coord, c.ID, actors[access.Funder].UserID); err != nil {
		t.Fatal(err)
	}
	rec := get(access.Funder, path+"?raw=1")
	if rec.Code != http.StatusOK {
		t.Fatalf("funder: %d %s", rec.Code, rec.Body)
	}
	f, tot := total(rec)
	if !f.Protected || len(f.Tables) != 5 || tot == nil || *tot != 11 {
		t.Errorf("funder's figures: %+v", f)
	}
	for _, tb := range f.Tables {
		for _, r := range tb.Rows {
			for _, v := range []*int64{r.New, r.Continuing, r.Total} {
				if v != nil && *v > 0 && *v < grants.FunderK {
					t.Errorf("%s/%s: a cell of %d shown to the funder", tb.Name, r.Code, *v)
				}
			}
		}
	}
	rec = get(access.Coordinator, path+"?raw=1")
	if f, _ := total(rec); rec.Code != http.StatusOK || f.Protected {
		t.Errorf("coordinator raw: %d %+v", rec.Code, f)
	}
	if rec := get(access.Funder, path+"?from=2026-13-01"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad period: %d", rec.Code)
	}
	if rec := get(access.Funder, "/api/v1/grants/contracts/nosuch/figures"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown contract: %d", rec.Code)
	}
	if rec := get(access.Police, path); rec.Code != http.StatusForbidden {
		t.Errorf("police: %d", rec.Code)
	}
}
