package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/store"
)

// TestActivePDFRefused uploads PDFs with JavaScript, a launch action and
// an embedded file: each is refused with 400 problem+json naming the file,
// in the caller's language, and nothing is stored; a plain PDF is kept.
func TestActivePDFRefused(t *testing.T) {
	en := newRecordsEnv(t, store.SQLite)
	base := "/api/v1/cases/" + en.caseID
	head := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R "
	for _, tt := range []struct{ name, pdf string }{
		{"JavaScript", head + "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\nendobj\n%%EOF\n"},
		{"Launch", head + "/OpenAction << /S /Launch /F (calc.exe) >> >>\nendobj\n%%EOF\n"},
		{"EmbeddedFile", head + "/Names << /EmbeddedFiles 3 0 R >> >>\nendobj\n%%EOF\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := upload(t, "statement.pdf", "application/pdf", []byte(tt.pdf))
			rec := en.do(t, "ngo", "POST", base+"/documents", ct, body)
			p := problemOf(t, rec)
			if rec.Code != http.StatusBadRequest || p.Field != "file" || rec.Header().Get("Content-Type") != "application/problem+json" ||
				!strings.Contains(p.Detail, "JavaScript") {
				t.Errorf("%d %s, want 400 problem+json naming file", rec.Code, rec.Body)
			}
		})
	}
	ct, body := upload(t, "statement.pdf", "application/pdf", []byte(head+"/OpenAction << /S /JavaScript /JS (x) >> >>\nendobj\n"))
	req := httptest.NewRequest("POST", base+"/documents", body)
	req.Header.Set("Authorization", "Bearer "+en.tokens["ngo"])
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept-Language", "sq")
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	if p := problemOf(t, rec); rec.Code != http.StatusBadRequest || !strings.Contains(p.Detail, "Nuk u ruajt") {
		t.Errorf("Albanian: %d %s", rec.Code, rec.Body)
	}
	if rec := en.do(t, "ngo", "GET", base+"/documents", "", nil); !strings.Contains(rec.Body.String(), `"items":[]`) {
		t.Errorf("refused PDFs were stored: %s", rec.Body)
	}
	ct, body = upload(t, "statement.pdf", "application/pdf", []byte(head+"/OpenAction [3 0 R /Fit] >>\nendobj\n%%EOF\n"))
	if rec := en.do(t, "ngo", "POST", base+"/documents", ct, body); rec.Code != http.StatusCreated {
		t.Errorf("a plain PDF opening at its first page: %d %s", rec.Code, rec.Body)
	}
}
