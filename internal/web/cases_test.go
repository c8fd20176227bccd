package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// post sends a form as the role's session and returns the response.
func (en *env) post(t *testing.T, cookie, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

func (en *env) get(t *testing.T, cookie, path string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// TestCasePages registers a case through the form, opens it, moves it on,
// and checks the list shows references only and the duplicate step.
func TestCasePages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, csrf := en.session(t, access.Police)
	form := url.Values{"csrf": {csrf}, "given_name": {"Fjolla"}, "family_name": {"Gashi"}, "birth_date": {"2009-02-30"},
		"sex": {"female"}, "citizenship": {"XK"}, "exploitation": {"SexualExploitation"}, "municipality": {"Ferizaj"}}

	rec := en.post(t, tok, "/cases", form)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-person.birth_date"`) {
		t.Fatalf("impossible date: %d", rec.Code)
	}
	form.Set("birth_date", "2009-02-03")
	rec = en.post(t, tok, "/cases", form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/cases/") {
		t.Fatalf("register: %d %s", rec.Code, rec.Body.String())
	}
	casePath := rec.Header().Get("Location")

	code, body := en.get(t, tok, casePath)
	if code != 200 {
		t.Fatalf("case page: %d", code)
	}
	for _, id := range []string{`id="case-reference"`, `id="case-stage"`, `id="timeline"`, `id="transition-screening"`, `id="case-person"`, "Fjolla"} {
		if !strings.Contains(body, id) {
			t.Errorf("case page lacks %s", id)
		}
	}
	if !strings.Contains(body, `id="case-child"`) || !strings.Contains(body, "case-child\"><strong>") {
		t.Error("the child flag is not shown")
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
	if version == nil {
		t.Fatal("no version in the forms")
	}
	rec = en.post(t, tok, casePath+"/transitions", url.Values{"csrf": {csrf}, "to": {"screening"}, "version": {version[1]}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("transition: %d", rec.Code)
	}
	rec = en.post(t, tok, casePath+"/transitions", url.Values{"csrf": {csrf}, "to": {"screening"}, "version": {version[1]}})
	if rec.Code != http.StatusConflict {
		t.Errorf("stale transition: %d, want 409", rec.Code)
	}
	_, body = en.get(t, tok, casePath)
	if !strings.Contains(body, `data-stage="screening"`) {
		t.Error("stage not changed on the page")
	}

	code, body = en.get(t, tok, "/cases")
	if code != 200 || !strings.Contains(body, "XK-2026-0001") || strings.Contains(body, "Gashi") {
		t.Errorf("list: %d, shows reference %v, shows name %v", code, strings.Contains(body, "XK-2026-0001"), strings.Contains(body, "Gashi"))
	}
	rec = en.post(t, tok, "/cases/search", url.Values{"csrf": {csrf}, "name": {"Гаши Фјолла"}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "XK-2026-0001") {
		t.Errorf("search in Cyrillic: %d", rec.Code)
	}

	rec = en.post(t, tok, "/cases", form)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `id="case-duplicate"`) ||
		!strings.Contains(rec.Body.String(), `name="confirm_duplicate" value="1"`) {
		t.Errorf("duplicate step: %d", rec.Code)
	}

	other, _ := en.session(t, access.Shelter)
	if code, _ := en.get(t, other, casePath); code != http.StatusNotFound {
		t.Errorf("shelter not on the team: %d, want 404", code)
	}
	coord, _ := en.session(t, access.Coordinator)
	code, body = en.get(t, coord, casePath)
	if code != 200 || strings.Contains(body, "Fjolla") || !strings.Contains(body, `id="breakglass-form"`) {
		t.Errorf("coordinator: %d, name shown %v", code, strings.Contains(body, "Fjolla"))
	}
}
