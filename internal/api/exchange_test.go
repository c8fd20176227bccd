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
	"github.com/ura-nrm/ura/internal/store"
)

// TestExchangeAPI: the contact point queues a note to a registered partner
// (202 and its id), follows its state and lists what was sent and what
// arrived; an unknown member, an unknown type, a partner not registered and
// a bad filter are refused naming the field; other roles are refused. Every
// answer is checked against the OpenAPI document (newAPI).
func TestExchangeAPI(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, store.SQLite)
	me, _ := apptest.Open(t, store.SQLite)
	me.Exchange.Country, me.Exchange.URL = "ME", "http://127.0.0.1:9"
	id, err := me.Exchange.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exchange.AddPartner(ctx, access.SystemActor, id, "Montenegro"); err != nil {
		t.Fatal(err)
	}
	if err := a.Exchange.ActivatePartner(ctx, access.SystemActor, "ME", id.Fingerprint); err != nil {
		t.Fatal(err)
	}
	tokens := map[access.Role]string{}
	for _, r := range []access.Role{access.Coordinator, access.Police} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: string(r) + "@api.invalid", Name: "User",
			Role: r, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		if tokens[r], _, err = a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Exchange: a.Exchange})
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
	rec := do(access.Coordinator, "POST", "/api/v1/exchange/messages", `{"to":"ME","type":"note","body":{"text":"Call on Monday at 10"}}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	var q struct{ ID, State string }
	json.Unmarshal(rec.Body.Bytes(), &q)
	if q.ID == "" || q.State != "queued" {
		t.Fatalf("send answered %s", rec.Body)
	}
	rec = do(access.Coordinator, "GET", "/api/v1/exchange/messages/"+q.ID, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"state":"queued"`) || !strings.Contains(rec.Body.String(), "Call on Monday") {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	rec = do(access.Coordinator, "GET", "/api/v1/exchange/messages?direction=out", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), q.ID) || strings.Contains(rec.Body.String(), "Call on Monday") {
		t.Fatalf("list out: %d %s", rec.Code, rec.Body)
	}
	rec = do(access.Coordinator, "GET", "/api/v1/exchange/messages?direction=in", "")
	if rec.Code != 200 || rec.Body.String() != "{\"items\":[]}\n" && !strings.Contains(rec.Body.String(), `"items":[]`) {
		t.Fatalf("list in: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"to":"ME","type":"note","body":{"text":"x","name":"Ana"}}`, "body.name"},
		{`{"to":"ME","type":"gossip","body":{}}`, "type"},
		{`{"to":"RS","type":"note","body":{"text":"x"}}`, "to"},
		{`{"to":"ME","type":"notification","body":{}}`, "body.sex"},
	} {
		rec = do(access.Coordinator, "POST", "/api/v1/exchange/messages", c.body)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), c.field) {
			t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body)
		}
	}
	if rec = do(access.Coordinator, "POST", "/api/v1/exchange/messages", `{"to":"ME","type":"note","body":{"text":"x"},"extra":1}`); rec.Code != 400 {
		t.Errorf("unknown member: %d", rec.Code)
	}
	if rec = do(access.Coordinator, "GET", "/api/v1/exchange/messages?direction=sideways", ""); rec.Code != 400 {
		t.Errorf("bad direction: %d", rec.Code)
	}
	if rec = do(access.Coordinator, "GET", "/api/v1/exchange/messages/zzzzzzzzzzzzzzzzzzzzzzzzzz", ""); rec.Code != 404 {
		t.Errorf("unknown id: %d", rec.Code)
	}
	if rec = do(access.Police, "POST", "/api/v1/exchange/messages", `{"to":"ME","type":"note","body":{"text":"x"}}`); rec.Code != 403 {
		t.Errorf("police send: %d", rec.Code)
	}
	if rec = do(access.Police, "GET", "/api/v1/exchange/messages", ""); rec.Code != 403 {
		t.Errorf("police list: %d", rec.Code)
	}
}
