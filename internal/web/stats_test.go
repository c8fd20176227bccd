package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
)

// TestStatsPages: the coordinator's dashboard draws its charts beside their
// tables and its home shows the headline with a link; a period that ends
// before it starts, an unknown region or a municipality outside the region
// is refused beside the form with the values kept; the analyst never sees
// a raw table; the data quality page is the coordinator's.
func TestStatsPages(t *testing.T) {
	en := newEnv(t, "sqlite")
	en.clk.Advance(200 * 24 * time.Hour) // into December
	coord, _ := en.session(t, access.Coordinator)
	analyst, _ := en.session(t, access.Analyst)
	code, body := en.get(t, coord, "/")
	if code != http.StatusOK || !strings.Contains(body, `id="home-stats"`) || !strings.Contains(body, `id="home-stats-year"`) {
		t.Fatalf("coordinator home: %d %s", code, body)
	}
	code, body = en.get(t, coord, "/stats")
	if code != http.StatusOK {
		t.Fatalf("dashboard: %d %s", code, body)
	}
	if k := catalogueKey.FindString(body); k != "" {
		t.Errorf("the dashboard shows a catalogue key: %q", k)
	}
	for _, want := range []string{`id="stats-year"`, `<svg class="chart chart-line"`, `id="table-status"`, `id="table-occupancy"`, `<desc id="chart-year-d">`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	for _, c := range []struct{ query, field, kept string }{
		{"from=2026-03-01&to=2026-01-31", "to", `value="2026-03-01"`},
		{"from=2026-02-30", "from", `value="2026-02-30"`},
		{"region=atlantis", "region", ""},
		{"region=peje&municipality=Prizren", "municipality", `<option value="Prizren" selected>`},
	} {
		code, body := en.get(t, coord, "/stats?"+c.query)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="err-`+c.field+`"`) || !strings.Contains(body, c.kept) || strings.Contains(body, `stats-panel`) {
			t.Errorf("%s: %d, want 400 beside %s with the value kept", c.query, code, c.field)
		}
	}
	code, body = en.get(t, analyst, "/stats")
	if code != http.StatusOK || !strings.Contains(body, `id="stats-protected"`) {
		t.Fatalf("analyst dashboard: %d", code)
	}
	// Until disclosure control is merged no table can be protected: the
	// analyst then sees none, never a raw one.
	if strings.Contains(body, "stats.protection_unavailable") || (!strings.Contains(body, "data-suppressed") && strings.Contains(body, `id="table-status"`) && !strings.Contains(body, "class=\"empty\"")) {
		t.Errorf("analyst sees a table that was not protected")
	}
	if code, _ := en.get(t, analyst, "/stats/quality"); code != http.StatusForbidden {
		t.Errorf("analyst quality page: %d, want 403", code)
	}
	if code, body := en.get(t, coord, "/stats/quality"); code != http.StatusOK || !strings.Contains(body, `id="quality-no_exploitation"`) {
		t.Errorf("coordinator quality page: %d", code)
	}
	code, body = en.get(t, coord, "/stats/reports?from=2026-01-01&to=2026-06-30")
	if code != http.StatusOK || !strings.Contains(body, `href="/stats/reports/eurostat/xlsx?from=2026-01-01&amp;to=2026-06-30"`) {
		t.Errorf("reports page: %d", code)
	}
	// A report file: written once the writers are merged, until then a
	// clear refusal (never a 500 or a partial file).
	code, _ = en.get(t, coord, "/stats/reports/greta/csv?from=2026-01-01&to=2026-06-30")
	if code != http.StatusOK && code != http.StatusServiceUnavailable {
		t.Errorf("greta CSV: %d", code)
	}
	if code, _ := en.get(t, coord, "/stats/reports/greta/csv?from=2026-06-01&to=2026-01-01"); code != http.StatusBadRequest {
		t.Errorf("greta CSV over a reversed period: %d, want 400", code)
	}
	if code, _ := en.get(t, analyst, "/stats/reports/greta/csv?protection=none"); code != http.StatusBadRequest {
		t.Errorf("raw report for the analyst: %d, want 400", code)
	}
}

// catalogueKey is a key shown instead of its text (a missing translation).
var catalogueKey = regexp.MustCompile(`[>"\s](stats|case|htcds|service|task|referrals)\.[a-z_]+\.[A-Za-z0-9_.+-]+`)
