package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// TestReadAuditBeforeResponse: the read events of a request are committed
// before its first byte; when that commit fails, the client gets an error
// page and never the data that was read.
func TestReadAuditBeforeResponse(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{app: a, log: a.Log, tmpl: tmpl, metrics: metrics.New()}
	events := func() int {
		got, _, err := audit.Find(context.Background(), a.DB.Read(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	seenAtWrite, counting := -1, true
	page := s.withReadAudit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 3 {
			if _, err := audit.AppendNow(r.Context(), a.DB, s.now(), audit.Event{Action: "case.read", ObjectType: "case", ObjectID: "XK-2026-0001"}); err != nil {
				t.Error(err)
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		if counting {
			seenAtWrite = events()
		}
		w.Write([]byte("the personal data that was read"))
	}))
	before := events()
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/cases/x", nil))
	if rec.Code != http.StatusOK || seenAtWrite != before+3 {
		t.Fatalf("status %d; %d events committed when the response began, want %d", rec.Code, seenAtWrite, before+3)
	}

	counting = false
	a.DB.Close() // the commit of the read events now fails
	rec = httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/cases/x", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "personal data") {
		t.Errorf("with the audit commit failing: status %d, body %q; want 500 without the data", rec.Code, rec.Body.String())
	}
}
