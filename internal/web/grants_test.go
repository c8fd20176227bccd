package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestGrantsPages: a refused call is answered beside the field with what
// was typed kept and nothing stored; a valid one is saved and published;
// a provider applies from the call's page and its home page counts the
// application; a licence with an inverted validity is refused beside its
// field; the funder's figures list opens and the call does not.
func TestGrantsPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			coord, ccsrf := en.session(t, access.Coordinator)
			deadline := en.clk.Now().Add(72 * time.Hour).In(time.UTC)
			loc, _ := time.LoadLocation("Europe/Belgrade")
			form := url.Values{"reference": {"MF-2026-09"}, "title": {"Reintegration grants"}, "funder": {"EU Office"},
				"procedure": {"open"}, "budget": {"60000"}, "min_grant": {"10000"}, "max_grant": {"5000"},
				"deadline": {deadline.In(loc).Format("2006-01-02T15:04")}, "criterion-1-label": {"Relevance"},
				"criterion-1-max": {"20"}, "criterion-1-weight": {"100"}}
			rec := en.postForm("/grants/calls", coord, ccsrf, form)
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, `id="err-max_grant"`) ||
				!strings.Contains(body, `value="Reintegration grants"`) {
				t.Fatalf("refused call: %d\n%s", rec.Code, body)
			}
			if strings.Contains(en.getBody(t, "/grants", coord), "MF-2026-09") {
				t.Error("a refused call was stored")
			}
			form.Set("max_grant", "50000")
			rec = en.postForm("/grants/calls", coord, ccsrf, form)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("call: %d %s", rec.Code, rec.Body.String())
			}
			call := rec.Header().Get("Location")
			if rec := en.postForm(call+"/publish", coord, ccsrf, nil); rec.Code != http.StatusSeeOther {
				t.Fatalf("publish: %d", rec.Code)
			}
			rec = en.postForm("/licensing/licences", coord, ccsrf, url.Values{"organisation": {en.users[access.Provider].OrgID},
				"number": {"L-1"}, "category": {"shelter_trafficking"}, "issued_on": {"2026-05-01"}, "valid_until": {"2026-04-01"}})
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-valid_until"`) {
				t.Errorf("inverted licence: %d", rec.Code)
			}

			prov, pcsrf := en.session(t, access.Provider)
			rec = en.postForm(call+"/apply", prov, pcsrf, url.Values{"title": {"Safe return"}, "summary": {"Case management"},
				"target_groups": {"Victims"}, "municipalities": {"Prishtinë"}, "requested": {"70000"}, "total_cost": {"80000"},
				"duration_months": {"24"}})
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-requested"`) {
				t.Fatalf("request above the maximum: %d", rec.Code)
			}
			rec = en.postForm(call+"/apply", prov, pcsrf, url.Values{"title": {"Safe return"}, "summary": {"Case management"},
				"target_groups": {"Victims"}, "municipalities": {"Prishtinë"}, "requested": {"40000"}, "total_cost": {"50000"},
				"duration_months": {"24"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("apply: %d %s", rec.Code, rec.Body.String())
			}
			if home := en.getBody(t, "/", prov); !strings.Contains(home, `id="home-applications"`) {
				t.Error("the provider's home page does not count the application")
			}
			fund, _ := en.session(t, access.Funder)
			if code := en.getCode(t, fund, "/grants/figures"); code != http.StatusOK {
				t.Errorf("funder's figures: %d", code)
			}
			if code := en.getCode(t, fund, call); code != http.StatusForbidden {
				t.Errorf("funder opens the call: %d", code)
			}
		})
	}
}

// TestFundingPage: the public funding record refuses a year out of range
// beside its field with what was typed, records a line and shows the
// provider's year with its total by source.
func TestFundingPage(t *testing.T) {
	en := newEnv(t, "sqlite")
	coord, csrf := en.session(t, access.Coordinator)
	org := en.users[access.Shelter].OrgID
	rec := en.postForm("/grants/funding", coord, csrf, url.Values{"organisation": {org}, "year": {"1990"}, "source": {"central"},
		"amount": {"48000"}, "daily_rate": {"12.50"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="err-year"`) || !strings.Contains(rec.Body.String(), `value="48000"`) {
		t.Fatalf("bad year: %d", rec.Code)
	}
	rec = en.postForm("/grants/funding", coord, csrf, url.Values{"organisation": {org}, "year": {"2026"}, "source": {"central"},
		"amount": {"48000"}, "daily_rate": {"12.50"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("record: %d %s", rec.Code, rec.Body.String())
	}
	body := en.getBody(t, "/grants/funding", coord)
	if !strings.Contains(body, "48\u202f000.00") || !strings.Contains(body, "12.50") {
		t.Errorf("the funding record does not show the line:\n%s", body)
	}
}
