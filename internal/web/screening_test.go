package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// page fetches or posts a page as a signed-in user and returns the status,
// the Location header and the body.
func (en *env) page(t *testing.T, method, path, cookie string, form url.Values) (int, string, string) {
	t.Helper()
	var req *http.Request
	if method == "POST" {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

func TestScreeningPages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	tok, csrf := en.session(t, access.Helpline)

	code, _, body := en.page(t, "GET", "/screening?profile=child_sexual&lang=sq", tok, nil)
	if code != http.StatusOK {
		t.Fatalf("form: %d", code)
	}
	for _, want := range []string{`id="profile"`, `id="screening-form"`, `name="indicator" value="cs.d4.hazardous_work"`,
		`id="recruitment_act"`, "Punë e rrezikshme", `id="palermo-form"`, `href="/screening"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form page lacks %q", want)
		}
	}
	if got := strings.Count(body, "<legend>"); got != 6+1+3 {
		t.Errorf("%d legends, want one per dimension, the child's act and the Palermo elements", got)
	}
	if got := strings.Count(body, "<h1"); got != 1 {
		t.Errorf("%d h1", got)
	}

	form := url.Values{"csrf": {csrf}, "profile": {"child_sexual"}, "recruitment_act": {"1"},
		"indicator": {"cs.d4.hazardous_work", "cs.d4.low_or_no_salary"}}
	code, _, body = en.page(t, "POST", "/screening", tok, form)
	if code != http.StatusOK || !strings.Contains(body, `id="screening-result"`) || !strings.Contains(body, `data-indicated="true"`) {
		t.Fatalf("assess: %d\n%s", code, body)
	}
	if !strings.Contains(body, `data-indicator="cs.d4.hazardous_work"`) || !strings.Contains(body, `id="screening-save"`) {
		t.Error("the result lacks the counted indicator or the save form")
	}

	bad := url.Values{"csrf": {csrf}, "profile": {"child_sexual"}, "indicator": {"cs.d9.leaked_value"}}
	code, _, body = en.page(t, "POST", "/screening?lang=en", tok, bad)
	if code != http.StatusBadRequest || !strings.Contains(body, "An indicator is not in the list for this profile.") ||
		strings.Contains(body, "leaked_value") {
		t.Errorf("unknown indicator: %d", code)
	}
	if code, _, _ = en.page(t, "GET", "/screening?profile=nope", tok, nil); code != http.StatusBadRequest {
		t.Errorf("form with unknown profile: %d", code)
	}
	code, _, _ = en.page(t, "POST", "/screening/save", tok, url.Values{"csrf": {csrf}, "profile": {"nope"}})
	if code != http.StatusBadRequest {
		t.Errorf("save with unknown profile: %d", code)
	}

	form.Set("note", "met at the bus station")
	code, loc, _ := en.page(t, "POST", "/screening/save", tok, form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/screening/") {
		t.Fatalf("save: %d %q", code, loc)
	}
	id := strings.TrimPrefix(loc, "/screening/")
	code, _, body = en.page(t, "GET", loc, tok, nil)
	if code != http.StatusOK || !strings.Contains(body, `href="/cases/new?screening=`+id+`"`) || !strings.Contains(body, "met at the bus station") {
		t.Errorf("saved page: %d", code)
	}
	code, _, body = en.page(t, "GET", "/screening", tok, nil)
	if code != http.StatusOK || !strings.Contains(body, `href="/screening/`+id+`"`) {
		t.Errorf("the unattached list lacks the saved screening (%d)", code)
	}
	other, _ := en.session(t, access.Police)
	if code, _, _ := en.page(t, "GET", loc, other, nil); code != http.StatusNotFound {
		t.Errorf("another organisation's screening: %d, want 404", code)
	}

	palermo := url.Values{"csrf": {csrf}, "form": {"forced_begging"}, "child": {"1"}, "act": {"transportation"}, "purpose": {"1"}}
	code, _, body = en.page(t, "POST", "/screening/palermo?lang=en", tok, palermo)
	if code != http.StatusOK || !strings.Contains(body, `id="palermo-result"`) || !strings.Contains(body, `data-indicated="true"`) ||
		!strings.Contains(body, "not needed for a child") {
		t.Errorf("palermo: %d", code)
	}
	palermo.Del("child")
	palermo.Set("form", "sale_of_child")
	if code, _, _ = en.page(t, "POST", "/screening/palermo", tok, palermo); code != http.StatusBadRequest {
		t.Errorf("sale of an adult: %d, want 400", code)
	}
}

func TestScreeningNav(t *testing.T) {
	en := newEnv(t, store.SQLite)
	for _, r := range []access.Role{access.Helpline, access.Analyst} {
		tok, _ := en.session(t, r)
		_, _, body := en.page(t, "GET", "/account", tok, nil)
		if got, want := strings.Contains(body, `href="/screening"`), access.Can(en.users[r].Actor(), access.ScreeningAssess); got != want {
			t.Errorf("%s: nav entry %v, want %v", r, got, want)
		}
	}
}
