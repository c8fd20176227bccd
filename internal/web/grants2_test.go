package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
)

// TestConceptPages (the restricted procedure through the pages): the call
// form takes the concept grid; a provider sees the concept-note form, not
// the full application, and a note without a title is refused beside the
// field; after the concept deadline an evaluator's scores without the
// declaration or above the maximum are refused beside the form; the
// coordinator's empty shortlist is refused; the shortlisted provider is
// then offered the full application.
func TestConceptPages(t *testing.T) {
	en := newEnv(t, "sqlite")
	coord, ccsrf := en.session(t, access.Coordinator)
	loc, _ := time.LoadLocation("Europe/Belgrade")
	now := en.clk.Now().In(loc)
	rec := en.postForm("/grants/calls", coord, ccsrf, url.Values{"reference": {"MF-R-1"}, "title": {"Restricted call"},
		"funder": {"EU Office"}, "procedure": {"restricted"}, "budget": {"60000"}, "min_grant": {"10000"}, "max_grant": {"50000"},
		"deadline_concept": {now.AddDate(0, 0, 2).Format("2006-01-02")}, "deadline": {now.AddDate(0, 0, 10).Format("2006-01-02T15:04")},
		"criterion-1-label": {"Relevance"}, "criterion-1-max": {"20"}, "criterion-1-weight": {"100"},
		"concept-1-label": {"Fit with the call"}, "concept-1-max": {"10"}, "concept-1-weight": {"100"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("restricted call: %d %s", rec.Code, rec.Body.String())
	}
	call := rec.Header().Get("Location")
	if rec := en.postForm(call+"/publish", coord, ccsrf, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body.String())
	}

	prov, pcsrf := en.session(t, access.Provider)
	body := en.getBody(t, call, prov)
	if !strings.Contains(body, `id="concept-form"`) || strings.Contains(body, `id="apply-form"`) {
		t.Fatalf("the provider's restricted call page:\n%s", body)
	}
	rec = en.postForm(call+"/concepts", prov, pcsrf, url.Values{"title": {""}, "summary": {"Our concept"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-title"`) ||
		!strings.Contains(rec.Body.String(), "Our concept") {
		t.Fatalf("a concept note without a title: %d", rec.Code)
	}
	if rec := en.postForm(call+"/concepts", prov, pcsrf, url.Values{"title": {"Safe return"}, "summary": {"Our concept"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("concept note: %d %s", rec.Code, rec.Body.String())
	}
	m := regexp.MustCompile(`id="concept-([a-z0-9]{26})"`).FindStringSubmatch(en.getBody(t, call, prov))
	if m == nil {
		t.Fatal("the provider does not see its concept note")
	}
	note := m[1]

	en.clk.Advance(3 * 24 * time.Hour)
	ev, ecsrf := en.session(t, access.Evaluator)
	if body := en.getBody(t, call, ev); !strings.Contains(body, `id="cscore-`+note+`"`) {
		t.Fatalf("the evaluator is not offered the concept note to score:\n%s", body)
	}
	rec = en.postForm(call+"/concepts/score", ev, ecsrf, url.Values{"note": {note}, "score-k1": {"8"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-conflict"`) {
		t.Errorf("scores without the declaration: %d", rec.Code)
	}
	rec = en.postForm(call+"/concepts/score", ev, ecsrf, url.Values{"note": {note}, "conflict": {"none"}, "score-k1": {"11"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-score-k1"`) {
		t.Errorf("a score above the maximum: %d", rec.Code)
	}
	if rec := en.postForm(call+"/concepts/score", ev, ecsrf, url.Values{"note": {note}, "conflict": {"none"}, "score-k1": {"8"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("concept scores: %d %s", rec.Code, rec.Body.String())
	}

	coord, ccsrf = en.session(t, access.Coordinator) // the first sessions ended with the days passed
	prov, _ = en.session(t, access.Provider)
	if body := en.getBody(t, call, coord); !strings.Contains(body, `id="shortlist-form"`) || !strings.Contains(body, "80.00") {
		t.Fatalf("the coordinator's concept stage:\n%s", body)
	}
	rec = en.postForm(call+"/shortlist", coord, ccsrf, nil)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-notes"`) {
		t.Errorf("an empty shortlist: %d", rec.Code)
	}
	if rec := en.postForm(call+"/shortlist", coord, ccsrf, url.Values{"notes": {note}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("shortlist: %d %s", rec.Code, rec.Body.String())
	}
	if body := en.getBody(t, call, prov); !strings.Contains(body, `id="apply-form"`) {
		t.Error("the shortlisted provider is not offered the full application")
	}
}
