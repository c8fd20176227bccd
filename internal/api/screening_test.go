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
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// screeningEnv is the API over a fresh store with one token per role used.
type screeningEnv struct {
	h      http.Handler
	db     *store.DB
	tokens map[access.Role]string
}

func newScreeningEnv(t testing.TB, e store.Engine) *screeningEnv {
	t.Helper()
	ctx := context.Background()
	a, _ := apptest.Open(t, e)
	svc := &identify.Service{DB: a.DB, Vault: a.Vault, Clock: a.Clock}
	en := &screeningEnv{h: newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: a.Clock, Screenings: svc}), db: a.DB,
		tokens: map[access.Role]string{}}
	for _, r := range []access.Role{access.Helpline, access.Police, access.Coordinator, access.Analyst} {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(r), Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: string(r) + "@screening.invalid",
			Name: "User " + string(r), Role: r, OrgID: org.ID, Password: "screening api passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		en.tokens[r] = tok
	}
	return en
}

func (en *screeningEnv) request(who access.Role, method, path, body, lang string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+en.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return req
}

func (en *screeningEnv) do(t *testing.T, who access.Role, method, path, body, lang string) (int, map[string]any, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, en.request(who, method, path, body, lang))
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, path, rec.Body.String())
	}
	return rec.Code, m, rec.Header().Get("Content-Type")
}

const traffickedBody = `{"profile":"adult_labour","indicators":["al.d1.deceived_nature_of_job","al.d1.deceived_wages",
	"al.d4.excessive_hours","al.d4.low_or_no_salary","al.d5.confiscation_of_documents","al.d5.debt_bondage"]}`

func TestIndicatorsEndpoint(t *testing.T) {
	en := newScreeningEnv(t, store.SQLite)
	tests := []struct {
		name, lang, profile, wantLabel string
		wantCount                      int
	}{
		{"English", "en", "adult_labour", "Deceived about the nature of the job, location or employer", 67},
		{"Albanian", "sq", "adult_labour", "Mashtrim për natyrën e punës, vendin ose punëdhënësin", 67},
		{"SerbianCyrillic", "sr", "child_labour", "Обмана о природи посла, месту рада или послодавцу", 65},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, m, _ := en.do(t, access.Helpline, "GET", "/api/v1/indicators?profile="+tt.profile, "", tt.lang)
			if code != http.StatusOK {
				t.Fatalf("status %d: %v", code, m)
			}
			list := m["indicators"].([]any)
			if m["profile"] != tt.profile || m["version"] != identify.Default().Version || len(list) != tt.wantCount {
				t.Errorf("profile %v version %v, %d indicators", m["profile"], m["version"], len(list))
			}
			first := list[0].(map[string]any)
			if len(first) != 4 || first["dimension"] != "D1" || first["weight"] != "strong" || first["label"] != tt.wantLabel {
				t.Errorf("first indicator %v", first)
			}
		})
	}
	for _, q := range []string{"", "?profile=adult", "?profile=ADULT_LABOUR"} {
		code, m, ct := en.do(t, access.Helpline, "GET", "/api/v1/indicators"+q, "", "")
		if code != http.StatusBadRequest || m["field"] != "profile" || ct != "application/problem+json" {
			t.Errorf("%q: %d %v %s", q, code, m, ct)
		}
	}
}

func TestAssessEndpoint(t *testing.T) {
	en := newScreeningEnv(t, store.SQLite)
	code, m, _ := en.do(t, access.Police, "POST", "/api/v1/screenings/assess", traffickedBody, "en")
	if code != http.StatusOK {
		t.Fatalf("status %d: %v", code, m)
	}
	if len(m) != 3 || m["trafficking_indicated"] != true {
		t.Errorf("response %v", m)
	}
	dims := m["dimensions"].(map[string]any)
	want := map[string]bool{"D1": true, "D2": false, "D3": false, "D4": true, "D5": true, "D6": false}
	for d, w := range want {
		if dims[d] != w {
			t.Errorf("%s = %v, want %v", d, dims[d], w)
		}
	}
	ex := m["explanation"].(map[string]any)
	if ex["outcome"] != "trafficking_indicated" || ex["rule"] != "adult" || len(ex["text"].([]any)) == 0 {
		t.Errorf("explanation %v", ex)
	}
	d1 := ex["dimensions"].(map[string]any)["D1"].(map[string]any)
	if d1["clause"] != "strong_plus_one" || len(d1["indicators"].([]any)) != 2 {
		t.Errorf("D1 explanation %v", d1)
	}
	var n int
	if err := en.db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM screenings`).Scan(&n); err != nil || n != 0 {
		t.Errorf("assess stored %d screenings (%v)", n, err)
	}
}

func TestAssessBadInput(t *testing.T) {
	en := newScreeningEnv(t, store.SQLite)
	tests := []struct {
		name, body, field string
		status            int
	}{
		{"UnknownProfile", `{"profile":"adult","indicators":[]}`, "profile", 400},
		{"UnknownIndicator", `{"profile":"adult_labour","indicators":["al.d1.secret_value"]}`, "indicators", 400},
		{"OtherProfile", `{"profile":"adult_labour","indicators":["cs.d4.hazardous_work"]}`, "indicators", 400},
		{"UnknownField", `{"profile":"adult_labour","name":"Arta Krasniqi"}`, "body", 400},
		{"TwoValues", `{"profile":"adult_labour"} {"profile":"adult_labour"}`, "body", 400},
		{"NotJSON", `profile=adult_labour`, "body", 400},
		{"ChildFlagForAdult", `{"profile":"adult_labour","recruitment_act":true}`, "recruitment_act", 400},
		{"TooLarge", `{"profile":"` + strings.Repeat("x", identify.MaxBody) + `"}`, "", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/screenings/assess", "/api/v1/screenings"} {
				rec := httptest.NewRecorder()
				en.h.ServeHTTP(rec, en.request(access.Police, "POST", path, tt.body, ""))
				var m map[string]any
				json.Unmarshal(rec.Body.Bytes(), &m)
				if rec.Code != tt.status || m["field"] != nilIfEmpty(tt.field) {
					t.Errorf("%s: %d field %v, want %d %q", path, rec.Code, m["field"], tt.status, tt.field)
				}
				for _, secret := range []string{"secret_value", "Arta", "adult\""} {
					if strings.Contains(rec.Body.String(), secret) {
						t.Errorf("%s: the problem echoes %q: %s", path, secret, rec.Body.String())
					}
				}
			}
		})
	}
	var n int
	if err := en.db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM screenings`).Scan(&n); err != nil || n != 0 {
		t.Errorf("bad input stored %d screenings (%v)", n, err)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestScreeningsEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		en := newScreeningEnv(t, db.Engine)
		body := strings.TrimSuffix(traffickedBody, "}") + `,"note":"met at the bus station"}`
		code, m, _ := en.do(t, access.Helpline, "POST", "/api/v1/screenings", body, "")
		if code != http.StatusCreated {
			t.Fatalf("status %d: %v", code, m)
		}
		id, _ := m["id"].(string)
		if id == "" || m["trafficking_indicated"] != true || m["case_id"] != nil || m["note"] != nil {
			t.Errorf("created %v", m)
		}
		tests := []struct {
			name   string
			who    access.Role
			status int
		}{
			{"SameOrganisation", access.Helpline, 200},
			{"Coordinator", access.Coordinator, 200},
			{"OtherOrganisation", access.Police, 404},
			{"Analyst", access.Analyst, 403},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, m, _ := en.do(t, tt.who, "GET", "/api/v1/screenings/"+id, "", "")
				if code != tt.status {
					t.Fatalf("status %d, want %d: %v", code, tt.status, m)
				}
				if code == 200 && (m["id"] != id || m["note"] != "met at the bus station" || len(m["indicators"].([]any)) != 6) {
					t.Errorf("got %v", m)
				}
			})
		}
	})
}

// BenchmarkAssessHandler is POST /api/v1/screenings/assess through the
// router: the bearer-token check (one database read), decoding, the rule,
// the Albanian explanation and the JSON answer.
func BenchmarkAssessHandler(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			en := newScreeningEnv(b, e)
			for b.Loop() {
				rec := httptest.NewRecorder()
				en.h.ServeHTTP(rec, en.request(access.Police, "POST", "/api/v1/screenings/assess", traffickedBody, "sq"))
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
