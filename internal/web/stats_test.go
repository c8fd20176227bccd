package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
)

// TestStatsPages: the coordinator's dashboard draws its charts beside their
// tables and its home shows the headline with a link; a period that ends
// before it starts, an unknown region or a municipality outside the region
// is refused beside the form with the values kept; the analyst never sees
// a raw table; the data quality page is the coordinator's.
func TestStatsPages(t *testing.T) {
	en := newEnv(t, "sqlite")
	en.clk.Advance(200 * 24 * time.Hour) // into December
	// Three victims: counts a table for the analyst must never show.
	police := en.users[access.Police].Actor()
	for _, p := range []cases.Person{
		{GivenName: "Drita", FamilyName: "Provaj", BirthDate: "2009-02-03", Sex: "female", Citizenship: "XK"},
		{GivenName: "Lule", FamilyName: "Provaj", BirthDate: "2001-07-08", Sex: "female", Citizenship: "AL"},
		{GivenName: "Arben", FamilyName: "Testi", BirthDate: "1995-11-12", Sex: "male", Citizenship: "XK"},
	} {
		if _, err := en.app.Cases.Open(context.Background(), police, cases.Input{Person: p, Municipality: "Prizren", ConfirmDuplicate: true}); err != nil {
			t.Fatal(err)
		}
	}
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
	// The period in effect is in the form even when none was asked for.
	if y := en.clk.Now().Format("2006"); !strings.Contains(body, `name="from" type="date" value="`+y+`-01-01"`) {
		t.Errorf("the dashboard does not show the default period's start %s-01-01", y)
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
	// Every figure the analyst sees is protected: no table withheld as
	// unprotectable, and each cell shown is zero, at least the threshold
	// (10) or marked suppressed — never a raw small count.
	if strings.Contains(body, `<p class="empty">`) {
		t.Errorf("analyst dashboard withholds a table it could not protect")
	}
	cells := analystCell.FindAllStringSubmatch(body, -1)
	if len(cells) == 0 {
		t.Fatalf("analyst dashboard shows no table cell")
	}
	suppressed := 0
	for _, c := range cells {
		if c[1] != "" {
			suppressed++
			continue
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, c[2])
		if n, err := strconv.Atoi(digits); err == nil && n > 0 && n < 10 && !strings.ContainsAny(c[2], ".,") {
			t.Errorf("analyst sees a raw small count %q", c[2])
		}
	}
	if suppressed == 0 {
		t.Errorf("analyst dashboard over a handful of cases suppresses no cell")
	}
	// The text summaries say only what the protected tables show: this
	// year's three cases are not told by the year's summary either.
	if m := yearSummary.FindStringSubmatch(body); m == nil || strings.Contains(m[1], ": 3") || !strings.Contains(m[1], ": –") {
		t.Errorf("analyst's year summary %q", m)
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
	// Report files in every format, named and typed for a download.
	for _, c := range []struct{ format, ctype, start string }{
		{"csv", "text/csv", "\ufeff"}, {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"}, {"pdf", "application/pdf", "%PDF-"},
	} {
		rec := en.send(t, "GET", "/stats/reports/greta/"+c.format+"?from=2026-01-01&to=2026-06-30", coord, "", nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") || !strings.HasPrefix(rec.Body.String(), c.start) {
			t.Errorf("greta %s: %d %q %q", c.format, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
		}
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

// analystCell is a dashboard table's data cell: whether it is marked
// suppressed, and the text it shows.
var analystCell = regexp.MustCompile(`<td data-label="[^"]*"( data-suppressed="true")?>([^<]*)</td>`)

// yearSummary is the year-against-last chart's description.
var yearSummary = regexp.MustCompile(`<desc id="chart-year-d">([^<]*)</desc>`)
