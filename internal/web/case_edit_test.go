package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
)

// TestCaseEditForm edits a case through the page: the form comes filled in,
// a save changes the case, and a save from a stale form is refused and shows
// the newer version instead of overwriting it.
func TestCaseEditForm(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	police := en.users[access.Police].Actor()
	reg, err := en.app.Cases.Open(ctx, police, cases.Input{
		Person:       cases.Person{GivenName: "Vjosa", FamilyName: "Testaj", BirthDate: "1997-05-06", Sex: "female", Citizenship: "XK"},
		Municipality: "Ferizaj",
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, csrf := en.session(t, access.Police)
	get := func() (int, string) {
		req := httptest.NewRequest("GET", "/cases/"+reg.ID+"/edit", nil)
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	post := func(f url.Values) (int, string) {
		f.Set("csrf", csrf)
		req := httptest.NewRequest("POST", "/cases/"+reg.ID+"/edit", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, body := get()
	if code != 200 || !strings.Contains(body, `value="Vjosa"`) || !strings.Contains(body, `value="Ferizaj"`) {
		t.Fatalf("edit form: %d, not filled in", code)
	}
	c, _ := en.app.Cases.FindCaseByID(ctx, police, reg.ID)
	form := url.Values{"version": {strconv.Itoa(c.Version)}, "given_name": {"Vjosa"}, "family_name": {"Testaj-Hoxha"},
		"birth_date": {"1997-05-06"}, "sex": {"female"}, "citizenship": {"XK"}, "municipality": {"Gjilan"}}
	if code, _ := post(form); code != http.StatusSeeOther {
		t.Fatalf("save = %d, want 303", code)
	}
	c, _ = en.app.Cases.FindCaseByID(ctx, police, reg.ID)
	if c.Municipality != "Gjilan" || c.Person.FamilyName != "Testaj-Hoxha" {
		t.Errorf("after save: %q %q", c.Municipality, c.Person.FamilyName)
	}
	form.Set("municipality", "Pejë") // the same, now stale, version
	code, body = post(form)
	if code != http.StatusConflict || !strings.Contains(body, `value="Gjilan"`) {
		t.Errorf("stale save = %d; want 409 showing the newer version", code)
	}
	if c2, _ := en.app.Cases.FindCaseByID(ctx, police, reg.ID); c2.Municipality != "Gjilan" {
		t.Errorf("the stale save overwrote the case: %q", c2.Municipality)
	}
}
