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
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestHelplineAPI: an operator logs contacts as JSON (bad values refused
// naming the field, unknown members refused, nothing stored), reads one
// back with its note; the coordinator counts them and may not read one;
// the police unit alerted reads the urgent one. Every answer is checked
// against the OpenAPI document (newAPI).
func TestHelplineAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			tokens := map[access.Role]string{}
			var policeOrg string
			for _, r := range []access.Role{access.Helpline, access.Coordinator, access.Police} {
				org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
				if err != nil {
					t.Fatal(err)
				}
				if r == access.Police {
					policeOrg = org.ID
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
			if err := a.Helpline.SetAlertOrg(ctx, access.SystemActor, policeOrg); err != nil {
				t.Fatal(err)
			}
			h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Helpline: a.Helpline})
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
			for name, c := range map[string]struct{ body, field string }{
				"UnknownTopic":    {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"x.y"}`, "topic"},
				"CallbackInPast":  {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"other.other","actions":["callback"],"callback_due":"2020-01-01T10:00:00Z"}`, "callback_due"},
				"NameNoConsent":   {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"other.other","caller_name":"X"}`, "keep_personal"},
				"UnknownMember":   {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"other.other","ip":"1.2.3.4"}`, ""},
				"OversizedNote":   {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"other.other","note":"` + strings.Repeat("n", 4001) + `"}`, "note"},
				"FormulaMunicip.": {`{"duration_min":5,"channel":"phone","caller_type":"anonymous","language":"sq","topic":"other.other","municipality":"=HYPERLINK(1)"}`, "municipality"},
			} {
				rec := do(access.Helpline, "POST", "/api/v1/helpline/contacts", c.body)
				if rec.Code != http.StatusBadRequest || c.field != "" && !strings.Contains(rec.Body.String(), c.field) {
					t.Errorf("%s: %d %s", name, rec.Code, rec.Body.String())
				}
			}
			rec := do(access.Helpline, "POST", "/api/v1/helpline/contacts", `{"duration_min":12,"channel":"chat","caller_type":"possible_victim",
				"language":"en","municipality":"Pejë","topic":"trafficking.sexual","immediate_danger":true,"caller_is_victim":true,
				"actions":["police"],"note":"Kept in a flat above the bar.","caller_code":"River-9"}`)
			if rec.Code != http.StatusCreated {
				t.Fatalf("log: %d %s", rec.Code, rec.Body.String())
			}
			var c struct {
				ID, Reference, Note string
				Alerted             bool
			}
			json.Unmarshal(rec.Body.Bytes(), &c)
			if !c.Alerted || !strings.HasPrefix(c.Reference, "HL-") {
				t.Errorf("logged: %s", rec.Body.String())
			}
			for _, r := range []access.Role{access.Helpline, access.Police} {
				rec := do(r, "GET", "/api/v1/helpline/contacts/"+c.ID, "")
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Kept in a flat") {
					t.Errorf("%s reads the contact: %d %s", r, rec.Code, rec.Body.String())
				}
			}
			if rec := do(access.Coordinator, "GET", "/api/v1/helpline/contacts/"+c.ID, ""); rec.Code != http.StatusForbidden {
				t.Errorf("coordinator reads a contact: %d", rec.Code)
			}
			rec = do(access.Coordinator, "GET", "/api/v1/helpline/figures?from=2026-01&to=2026-12", "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"total":1`) || strings.Contains(rec.Body.String(), "flat") {
				t.Errorf("figures: %d %s", rec.Code, rec.Body.String())
			}
			for _, q := range []string{"?from=2026-13", "?to=2025-01&from=2026-01", "?foo=1"} {
				if rec := do(access.Coordinator, "GET", "/api/v1/helpline/figures"+q, ""); rec.Code != http.StatusBadRequest {
					t.Errorf("figures%s: %d", q, rec.Code)
				}
			}
			if rec := do(access.Police, "GET", "/api/v1/helpline/figures", ""); rec.Code != http.StatusForbidden {
				t.Errorf("police figures: %d", rec.Code)
			}
			var n int
			a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM helpline_contacts`).Scan(&n)
			if n != 1 {
				t.Errorf("%d contacts stored, want 1", n)
			}
		})
	}
}
