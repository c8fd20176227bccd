package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// TestActivePDFRefusedOnPage uploads a PDF that runs JavaScript when it is
// opened: the case page answers 400 with the message beside the file field
// and keeps nothing.
func TestActivePDFRefusedOnPage(t *testing.T) {
	en := newEnv(t, store.SQLite)
	police, pcsrf := en.session(t, access.Police)
	rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Arbër"}, "family_name": {"Krasniqi"},
		"birth_date": {"1990-01-01"}, "sex": {"male"}, "citizenship": {"XK"}, "exploitation": {"ForcedLabour"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("register: %d", rec.Code)
	}
	casePath := rec.Header().Get("Location")
	pdf := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\nendobj\n")
	rec = en.upload(t, police, pcsrf, casePath+"/documents", "statement.pdf", pdf)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("upload: %d", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "This PDF contains JavaScript, a launch action or embedded files") {
		t.Errorf("the page does not say why the PDF was refused")
	}
	if _, body := en.get(t, police, casePath); strings.Contains(body, "statement.pdf") {
		t.Error("the refused PDF was stored")
	}
}

// TestCaseListRefusesUnknownFilter: the case list page checks its filters
// with the case file's own validation: an unknown value is refused, not
// read as "no cases".
func TestCaseListRefusesUnknownFilter(t *testing.T) {
	en := newEnv(t, store.SQLite)
	police, _ := en.session(t, access.Police)
	for _, q := range []string{"sex=zz", "status=zz", "risk_level=zz", "citizenship=KS", "exploitation=zz", "child=zz", "opened_from=2026-13"} {
		if code, _ := en.get(t, police, "/cases?"+q); code != http.StatusBadRequest {
			t.Errorf("/cases?%s: %d, want 400", q, code)
		}
	}
	if code, _ := en.get(t, police, "/cases?sex=female&citizenship=xk"); code != http.StatusOK {
		t.Errorf("valid filters: %d", code)
	}
}

// TestRegisterRefusesUnknownCountry: KS typed for Kosovo is refused beside
// the field, XK suggested, the typed values kept, and no case opened.
func TestRegisterRefusesUnknownCountry(t *testing.T) {
	en := newEnv(t, store.SQLite)
	police, pcsrf := en.session(t, access.Police)
	for _, f := range []struct{ field, value string }{{"citizenship", "KS"}, {"exploitation_country", "ks"}, {"document_country", "KS"}} {
		form := url.Values{"csrf": {pcsrf}, "given_name": {"Arbër"}, "family_name": {"Krasniqi"}, "birth_date": {"1990-01-01"},
			"sex": {"male"}, "exploitation": {"ForcedLabour"}, "document_type": {"passport"}, "document_number": {"P1234"}}
		form.Set(f.field, f.value)
		rec := en.post(t, police, "/cases", form)
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest || !strings.Contains(body, "Did you mean XK?") || !strings.Contains(body, `value="Krasniqi"`) {
			t.Errorf("%s=%s: %d, want 400 suggesting XK with the typed values kept", f.field, f.value, rec.Code)
		}
	}
	if _, body := en.get(t, police, "/cases"); regexp.MustCompile(`[A-Z]{2}-\d{4}-\d{4}`).MatchString(body) {
		t.Error("a refused registration opened a case")
	}
}
