package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// rawCode matches what must never be shown to a person: a dotted code with
// a colon, a key=value pair, or a 26-character id.
var rawCode = regexp.MustCompile(`\w+\.\w+:|\b\w+=\w+|\b[a-z2-9]{26}\b`)

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// visibleText is the text of an HTML fragment as a reader sees it.
func visibleText(s string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(s, " "))
}

// section returns the HTML from the first occurrence of start to the end of
// its section.
func section(t *testing.T, body, start string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("page lacks %q", start)
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		t.Fatalf("section %q not closed", start)
	}
	return body[i : i+j]
}

// TestCaseHistoryPages fills a case with 200 history entries of every kind,
// and reads the case page (newest 50, under 50 KB) and the history page
// (all, audited), with names as the viewer may see them.
func TestCaseHistoryPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			en := newEnv(t, e)
			police, pcsrf := en.session(t, access.Police)
			rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Fjolla"}, "family_name": {"Gashi"},
				"birth_date": {"1999-02-03"}, "sex": {"female"}, "citizenship": {"XK"}, "exploitation": {"SexualExploitation"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("register: %d", rec.Code)
			}
			casePath := rec.Header().Get("Location")
			caseID := strings.TrimPrefix(casePath, "/cases/")
			pu, su := en.users[access.Police], en.users[access.Shelter]
			kinds := []cases.TimelineEntry{
				{Kind: "referral", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "sent;urgency=24h;type=thb_shelter;to=" + su.OrgID + ";consent=consented"},
				{Kind: "referral", ActorID: su.ID, ActorOrg: su.OrgID, Summary: "accepted;type=thb_shelter"},
				{Kind: "team", ActorID: su.ID, ActorOrg: su.OrgID, Summary: "org=" + su.OrgID + ",via=referral"},
				{Kind: "task", ActorID: "system", Summary: "task.created:reflection_end"},
				{Kind: "stage", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "from=screening,to=presumed_victim"},
				{Kind: "consent", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "consent.grant:data_processing"},
				{Kind: "note", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "note.added:medical"},
				{Kind: "plan", ActorID: pu.ID, ActorOrg: pu.OrgID, Summary: "risk.assessed:high"},
			}
			start := en.clk.Now()
			err := en.app.DB.InTx(ctx, start, func(tx *store.Tx) error {
				for i := range 199 {
					e := kinds[i%len(kinds)]
					e.CaseID, e.At = caseID, start.Add(time.Duration(i+1)*time.Minute)
					if err := cases.AppendTimeline(ctx, tx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			code, body := en.get(t, police, casePath)
			if code != http.StatusOK {
				t.Fatalf("case page: %d", code)
			}
			if len(body) > 50_000 {
				t.Errorf("case page with 200 history entries is %d bytes, want under 50 KB", len(body))
			}
			t.Logf("case page with 200 history entries: %d bytes", len(body))
			hist := section(t, body, `<section class="card history" id="history"`)
			if n := strings.Count(hist, `<li class="history-item`); n != 50 {
				t.Errorf("case page shows %d entries, want the newest 50", n)
			}
			wantIn(t, "case history", hist, `href="/cases/`+caseID+`/history"`, "Show the whole history (200 entries)")
			text := visibleText(hist)
			if m := rawCode.FindString(text); m != "" {
				t.Errorf("case history shows the raw code %q", m)
			}
			wantIn(t, "case history", text, "Referred to Org shelter for Trafficking shelter",
				"User police (Org police)",   // a colleague: by name
				"Shelter staff, Org shelter", // another organisation's user: role and organisation
				"Org shelter joined the team through a referral",
				"Ura (automatic)")
			if strings.Contains(text, "User shelter") {
				t.Error("a police officer sees the name of a shelter worker")
			}

			// The whole history, in Albanian.
			code, body = en.get(t, police, casePath+"/history?lang=sq")
			if code != http.StatusOK {
				t.Fatalf("history page: %d", code)
			}
			all := section(t, body, `<section class="card history"`)
			if n := strings.Count(all, `<li class="history-item`); n != 200 {
				t.Errorf("history page shows %d entries, want 200", n)
			}
			if m := rawCode.FindString(visibleText(all)); m != "" {
				t.Errorf("history page shows the raw code %q", m)
			}
			wantIn(t, "history page", visibleText(body), "U caktua detyra", "Kthehuni te rasti", "Rasti u regjistrua")
			events, _, err := audit.Find(ctx, en.app.DB.Read(), audit.Filter{Action: ptr("case.read_history"), ActorID: &pu.ID})
			if err != nil || len(events) != 1 {
				t.Errorf("history read audited %d times (%v), want once", len(events), err)
			}

			// Someone outside the case team gets not found, and an unknown case too.
			shelter, _ := en.session(t, access.Shelter)
			if code, _ := en.get(t, shelter, casePath+"/history"); code != http.StatusNotFound {
				t.Errorf("shelter outside the team: %d, want 404", code)
			}
			if code, _ := en.get(t, police, "/cases/"+strings.Repeat("a", 26)+"/history"); code != http.StatusNotFound {
				t.Errorf("unknown case: %d, want 404", code)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
