package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/plans"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// recordsEnv is a whole Ura behind the API handler with the case-record
// services wired, one child case opened by the police with the NGO on its
// team, and a token per user.
type recordsEnv struct {
	h      http.Handler
	tokens map[string]string
	caseID string
	clocks *clocks.Service
}

func newRecordsEnv(t *testing.T, e store.Engine) *recordsEnv {
	t.Helper()
	ctx := context.Background()
	o := storetest.Options(t, e)
	cfg := config.Default()
	cfg.DataDir, cfg.DB = o.DataDir, o.URL
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ac := auth.DefaultConfig()
	ac.Argon = auth.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	clk := clock.NewFake(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true, Clock: clk, Auth: &ac})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ck := &clocks.Service{DB: a.DB, Clock: clk, Cases: a.Cases, Config: clocks.DefaultConfig("XK")}
	a.Cases.OnChange = append(a.Cases.OnChange, ck.OnCaseChange)
	rec := api.CaseRecords{
		Consent: &consent.Service{DB: a.DB, Vault: a.Vault, Clock: clk, Cases: a.Cases, Orgs: a.Auth},
		Notes:   &casenotes.Service{DB: a.DB, Vault: a.Vault, Clock: clk, Cases: a.Cases, MaxAttachment: 4 << 10},
		Plans:   &plans.Service{DB: a.DB, Vault: a.Vault, Clock: clk, Cases: a.Cases, Clocks: ck, Orgs: a.Auth},
		Clocks:  ck,
	}
	en := &recordsEnv{h: newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: clk, Cases: a.Cases, Records: rec, GBV: a.GBV}),
		tokens: map[string]string{}, clocks: ck}
	actors := map[string]access.Actor{}
	for _, u := range []struct {
		name    string
		role    access.Role
		orgType access.OrgType
	}{{"police", access.Police, "police"}, {"ngo", access.NGO, "ngo"}, {"police2", access.Police, "police"},
		{"coord", access.Coordinator, "coordinator"}} {
		org, err := a.Auth.FindOrgByName(ctx, access.SystemActor, "Org "+string(u.orgType))
		if err != nil {
			org, err = a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + string(u.orgType), Type: u.orgType})
		}
		if err != nil {
			t.Fatal(err)
		}
		usr, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: u.name + "@api.invalid", Name: "User " + u.name,
			Role: u.role, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		actors[u.name] = usr.Actor()
		if en.tokens[u.name], _, err = a.Auth.CreateToken(ctx, access.SystemActor, usr.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Cases.Open(ctx, actors["police"], cases.Input{Person: cases.Person{GivenName: "Arta", FamilyName: "Provaj",
		BirthDate: "2011-02-03", Sex: "female", Citizenship: "XK"}, Exploitation: []string{"SexualExploitation"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Cases.AddToTeam(ctx, actors["police"], r.ID, actors["ngo"].OrgID, ""); err != nil {
		t.Fatal(err)
	}
	en.caseID = r.ID
	return en
}

func (en *recordsEnv) do(t *testing.T, who, method, path, ctype string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("Authorization", "Bearer "+en.tokens[who])
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

func upload(t *testing.T, name, ctype string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", ctype)
	p, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	p.Write(data)
	w.WriteField("visibility", "team")
	w.Close()
	return w.FormDataContentType(), &b
}

func problemOf(t *testing.T, rec *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem document: %s", rec.Body)
	}
	return p
}

func TestCaseRecordsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newRecordsEnv(t, e)
			base := "/api/v1/cases/" + en.caseID
			const grant = `{"scope":"data_processing","given_by":"guardian","child_view":"agrees","language":"sq","interpreter":true,
				"informed":{"purpose":true,"data_use":true,"storage_duration":true,"access_right":true,"withdrawal":true}}`
			bad := []struct {
				name, body, field string
				status            int
			}{
				{"UnknownFieldNotEchoed", `{"scope":"data_processing","Berisha":1}`, "", 400},
				{"ImpossibleDate", strings.Replace(grant, `"language"`, `"effective_at":"2026-02-30","language"`, 1), "effective_at", 400},
				{"WrongType", `{"interpreter":"yes"}`, "interpreter", 400},
				{"Trailing", grant + `{}`, "", 400},
				{"NotInformed", strings.Replace(grant, `"withdrawal":true`, `"withdrawal":false`, 1), "informed.withdrawal", 400},
				{"TooLarge", `{"remarks":"` + strings.Repeat("a", api.MaxJSONBody) + `"}`, "", 413},
			}
			for _, tt := range bad {
				t.Run(tt.name, func(t *testing.T) {
					rec := en.do(t, "ngo", "POST", base+"/consents", "application/json", strings.NewReader(tt.body))
					p := problemOf(t, rec)
					if rec.Code != tt.status || p.Field != tt.field || strings.Contains(rec.Body.String(), "Berisha") {
						t.Errorf("%d %s, want %d naming %q", rec.Code, rec.Body, tt.status, tt.field)
					}
				})
			}
			rec := en.do(t, "ngo", "POST", base+"/consents", "application/json", strings.NewReader(grant))
			if p := problemOf(t, rec); rec.Code != 400 || p.Field != "given_by" {
				t.Errorf("the guardian's grant with no guardian recorded: %d %s", rec.Code, rec.Body)
			}
			for _, g := range []struct {
				body, field string
				status      int
			}{
				{`{"kind":"aunt","name":"Besa Kujdestare","authority":"CSW","decision_ref":"1","decision_date":"2026-01-05"}`, "kind", 400},
				{`{"kind":"relative","name":"","authority":"CSW","decision_ref":"1","decision_date":"2026-01-05"}`, "name", 400},
				{`{"kind":"relative","name":"Besa","authority":"CSW","decision_ref":"1","decision_date":"05.01.2026"}`, "decision_date", 400},
				{`{"kind":"relative","name":"Besa Kujdestare","authority":"CSW Prizren","decision_ref":"12/2026","decision_date":"2026-01-05"}`, "", 201},
			} {
				rec := en.do(t, "ngo", "POST", base+"/guardians", "application/json", strings.NewReader(g.body))
				if rec.Code != g.status || g.status == 400 && problemOf(t, rec).Field != g.field {
					t.Errorf("guardian %s: %d %s, want %d naming %q", g.body, rec.Code, rec.Body, g.status, g.field)
				}
			}
			if rec := en.do(t, "ngo", "POST", base+"/consents", "application/json", strings.NewReader(grant)); rec.Code != http.StatusCreated ||
				!strings.Contains(rec.Body.String(), `"guardian":"`) {
				t.Fatalf("grant: %d %s", rec.Code, rec.Body)
			}
			if rec := en.do(t, "ngo", "GET", base+"/consents", "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"child_view":"agrees"`) {
				t.Errorf("list: %d %s", rec.Code, rec.Body)
			}

			t.Run("Attachments", func(t *testing.T) {
				refused := []struct {
					name, file, ctype string
					data              []byte
					status            int
				}{
					{"HTMLAsPDF", "statement.pdf", "application/pdf", []byte("<html><script>alert(1)</script></html>"), 400},
					{"SVGAsPNG", "scan.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 400},
					{"TooLarge", "big.txt", "text/plain", bytes.Repeat([]byte("a"), 4<<10+1), 413},
				}
				for _, tt := range refused {
					ct, body := upload(t, tt.file, tt.ctype, tt.data)
					if rec := en.do(t, "ngo", "POST", base+"/documents", ct, body); rec.Code != tt.status {
						t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
					}
				}
				if rec := en.do(t, "ngo", "GET", base+"/documents", "", nil); !strings.Contains(rec.Body.String(), `"items":[]`) {
					t.Errorf("refused uploads were stored: %s", rec.Body)
				}
				pdf := []byte("%PDF-1.7\n%\xe2\xe3\n")
				ct, body := upload(t, "Deklarata e dëshmisë.pdf", "application/pdf", pdf)
				rec := en.do(t, "ngo", "POST", base+"/documents", ct, body)
				if rec.Code != http.StatusCreated {
					t.Fatalf("upload: %d %s", rec.Code, rec.Body)
				}
				var d casenotes.Document
				json.Unmarshal(rec.Body.Bytes(), &d)
				rec = en.do(t, "police", "GET", "/api/v1/documents/"+d.ID, "", nil)
				h := rec.Header()
				if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), pdf) || h.Get("Content-Type") != "application/pdf" ||
					!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("X-Content-Type-Options") != "nosniff" ||
					h.Get("Content-Security-Policy") != "sandbox" {
					t.Errorf("download: %d %v", rec.Code, h)
				}
			})

			t.Run("TaskDoneTwice", func(t *testing.T) {
				rec := en.do(t, "police", "GET", "/api/v1/tasks", "", nil)
				var list struct{ Items []clocks.Task }
				json.Unmarshal(rec.Body.Bytes(), &list)
				if rec.Code != 200 || len(list.Items) == 0 {
					t.Fatalf("tasks: %d %s", rec.Code, rec.Body)
				}
				id := list.Items[0].ID
				if rec := en.do(t, "police", "POST", "/api/v1/tasks/"+id+"/done", "", nil); rec.Code != 200 {
					t.Errorf("done: %d %s", rec.Code, rec.Body)
				}
				if rec := en.do(t, "police2", "POST", "/api/v1/tasks/"+id+"/done", "", nil); rec.Code != http.StatusConflict {
					t.Errorf("done again: %d %s, want 409", rec.Code, rec.Body)
				}
			})

			t.Run("NotesAndCare", func(t *testing.T) {
				rec := en.do(t, "ngo", "POST", base+"/notes", "application/json", strings.NewReader(`{"category":"psychological","body":"Session notes."}`))
				if rec.Code != 201 {
					t.Fatalf("note: %d %s", rec.Code, rec.Body)
				}
				if rec := en.do(t, "police", "GET", base+"/notes", "", nil); !strings.Contains(rec.Body.String(), `"items":[]`) {
					t.Errorf("the police read a secret note: %s", rec.Body)
				}
				rec = en.do(t, "ngo", "POST", base+"/risk-assessments", "application/json", strings.NewReader(`{"level":"high","threats":"Known to the network.","assessed_on":"2026-13-01"}`))
				if p := problemOf(t, rec); rec.Code != 400 || p.Field != "assessed_on" {
					t.Errorf("impossible date: %d %s", rec.Code, rec.Body)
				}
			})
		})
	}
}
