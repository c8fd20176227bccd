package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/store"
)

// TestDuplicatesPage: the job's pair shows on the coordinator's review page
// with case references only; a merge needs a reason, and can be undone.
func TestDuplicatesPage(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	police := en.users[access.Police].Actor()
	for _, p := range []cases.Person{
		{GivenName: "Milica", FamilyName: "Đorđević", BirthDate: "1998-03-04", Sex: "female", Citizenship: "RS"},
		{GivenName: "Milica", FamilyName: "Djordjevic", BirthDate: "1998-04-03", Sex: "female", Citizenship: "RS"},
	} {
		if _, err := en.app.Cases.Open(ctx, police, cases.Input{Person: p, ConfirmDuplicate: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := en.app.Dedup.Scan(ctx, en.clk.Now()); err != nil {
		t.Fatal(err)
	}
	tok, csrf := en.session(t, access.Coordinator)
	do := func(method, path string, form url.Values) (int, string) {
		var body *strings.Reader
		if form != nil {
			form.Set("csrf", csrf)
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req := httptest.NewRequest(method, path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: tok})
		rec := httptest.NewRecorder()
		en.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, page := do("GET", "/duplicates", nil)
	m := regexp.MustCompile(`id="pair-([a-z0-9]+)"`).FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("review page: %d, no pair listed", code)
	}
	if strings.Contains(page, "Milica") || strings.Contains(page, "Djordjevic") || strings.Contains(page, "1998") {
		t.Error("the review page shows personal data")
	}
	if code, _ := do("POST", "/duplicates/"+m[1]+"/merge", url.Values{"reason": {"short"}}); code != http.StatusBadRequest {
		t.Errorf("merge without a real reason = %d, want 400", code)
	}
	if code, _ := do("POST", "/duplicates/"+m[1]+"/merge", url.Values{"reason": {"Same woman: registered by police and by the NGO in March"}}); code != http.StatusSeeOther {
		t.Fatalf("merge = %d, want 303", code)
	}
	pairs, err := en.app.Dedup.List(ctx, en.users[access.Coordinator].Actor(), dedup.StateMerged)
	if err != nil || len(pairs) != 1 || pairs[0].MergeID == "" {
		t.Fatalf("merged pairs = %+v, %v", pairs, err)
	}
	if code, _ := do("POST", "/merges/"+pairs[0].MergeID+"/undo", url.Values{"reason": {"Merged by mistake: the birth dates were checked"}}); code != http.StatusSeeOther {
		t.Errorf("undo = %d, want 303", code)
	}
	if open, _ := en.app.Dedup.List(ctx, en.users[access.Coordinator].Actor(), dedup.StateOpen); len(open) != 1 {
		t.Errorf("%d open pairs after undo, want 1", len(open))
	}
}
