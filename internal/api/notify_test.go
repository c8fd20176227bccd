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
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// newNotifyEnv is a whole Ura behind the API with two shelter workers, a
// worker of another shelter and an administrator, and one referral
// notification for the first shelter.
func newNotifyEnv(t *testing.T, e store.Engine) (http.Handler, map[string]string) {
	t.Helper()
	ctx := context.Background()
	a, clk := apptest.Open(t, e)
	orgs := map[string]string{}
	tokens := map[string]string{}
	for _, u := range []struct {
		name, org string
		role      access.Role
	}{{"ana", "A", access.Shelter}, {"besa", "A", access.Shelter}, {"other", "B", access.Shelter}, {"admin", "A", access.Admin}} {
		if orgs[u.org] == "" {
			org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Shelter " + u.org, Type: "shelter"})
			if err != nil {
				t.Fatal(err)
			}
			orgs[u.org] = org.ID
		}
		usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.name + "@api.invalid", Name: "User " + u.name,
			Role: u.role, OrgID: orgs[u.org], Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		if tokens[u.name], _, err = a.Auth.CreateToken(ctx, access.SystemActor, usr.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	err := a.DB.InTx(ctx, clk.Now(), func(tx *store.Tx) error {
		return a.Notify.Notify(ctx, tx, notify.Notification{OrgID: orgs["A"], Kind: "referral.received",
			ObjectType: "referral", ObjectID: "ref1", CaseRef: "XK-2026-0001"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Notify: a.Notify}), tokens
}

func TestNotificationsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			h, tokens := newNotifyEnv(t, e)
			do := func(who, method, path, ctype, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[who])
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			list := func(who string) (items []notify.Item, unread int) {
				rec := do(who, "GET", "/api/v1/notifications", "", "")
				var v struct {
					Items  []notify.Item `json:"items"`
					Unread int           `json:"unread"`
				}
				if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
					t.Fatalf("list as %s: %d %s", who, rec.Code, rec.Body)
				}
				return v.Items, v.Unread
			}
			anas, unread := list("ana")
			if len(anas) != 1 || unread != 1 || anas[0].Link != "/referrals/ref1" {
				t.Fatalf("ana's notifications = %+v, unread %d", anas, unread)
			}
			besas, _ := list("besa")
			if others, _ := list("other"); len(others) != 0 {
				t.Errorf("another shelter sees %d notifications", len(others))
			}
			tests := []struct {
				name, who, method, path, ctype, body string
				want                                 int
			}{
				{"ListUnread", "ana", "GET", "/api/v1/notifications?unread=true", "", "", 200},
				{"ListUnknownParameter", "ana", "GET", "/api/v1/notifications?unred=1", "", "", 400},
				{"ListBadValue", "ana", "GET", "/api/v1/notifications?unread=maybe", "", "", 400},
				{"ListTwice", "ana", "GET", "/api/v1/notifications?unread=1&unread=0", "", "", 400},
				{"ReadSomeoneElses", "other", "POST", "/api/v1/notifications/" + anas[0].ID + "/read", "", "", 404},
				{"ReadUnknownField", "ana", "POST", "/api/v1/notifications/" + anas[0].ID + "/read", "application/json", `{"all":true}`, 400},
				{"ReadNotJSON", "ana", "POST", "/api/v1/notifications/" + anas[0].ID + "/read", "text/plain", "read", 400},
				{"ReadTrailing", "ana", "POST", "/api/v1/notifications/" + anas[0].ID + "/read", "application/json", `{}{}`, 400},
				{"ReadOwn", "ana", "POST", "/api/v1/notifications/" + anas[0].ID + "/read", "", "", 204},
				{"ReadOwnWithEmptyObject", "besa", "POST", "/api/v1/notifications/" + besas[0].ID + "/read", "application/json", `{}`, 204},
				{"OutboxForAdmin", "admin", "GET", "/api/v1/notification-outbox", "", "", 200},
				{"OutboxNotForStaff", "ana", "GET", "/api/v1/notification-outbox", "", "", 403},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if rec := do(tt.who, tt.method, tt.path, tt.ctype, tt.body); rec.Code != tt.want {
						t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
					}
				})
			}
			if _, unread := list("ana"); unread != 0 {
				t.Errorf("ana's unread = %d after reading, want 0", unread)
			}
			rec := do("admin", "GET", "/api/v1/notification-outbox", "", "")
			if strings.Contains(rec.Body.String(), "@") {
				t.Errorf("the outbox shows an address: %s", rec.Body)
			}
		})
	}
}
