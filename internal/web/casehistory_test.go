package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
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
			// The citizenship is a country's name in the reader's language, not its code.
			if !strings.Contains(body, "<dd>Kosovo</dd>") || strings.Contains(body, "<dd>XK</dd>") {
				t.Error("the case page shows the citizenship as a code")
			}
			if _, sq := en.get(t, police, casePath+"?lang=sq"); !strings.Contains(sq, "<dd>Kosova</dd>") {
				t.Error("the Albanian case page does not name Kosovo in Albanian")
			}
			hist := section(t, body, `<section class="card history" id="history"`)
			if n := strings.Count(hist, `<li class="history-item`); n != 15 {
				t.Errorf("case page shows %d entries, want the newest 15", n)
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

// TestHistoryOfRealActions works a child's case through the pages (stage,
// consent given and withdrawn, risk, needs, a note, the team, a plan, a
// task done) and reads its history: each action by its writer today reads
// as its own sentence, with nothing left out and no code.
func TestHistoryOfRealActions(t *testing.T) {
	en := newEnv(t, store.SQLite)
	police, pcsrf := en.session(t, access.Police)
	birth := en.clk.Now().AddDate(-14, 0, 0).Format("2006-01-02")
	rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Arbër"}, "family_name": {"Krasniqi"},
		"birth_date": {birth}, "sex": {"male"}, "citizenship": {"XK"}, "exploitation": {"ForcedLabour"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("register: %d", rec.Code)
	}
	casePath := rec.Header().Get("Location")
	ok := func(what string, rec *httptest.ResponseRecorder) {
		t.Helper()
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d", what, rec.Code)
		}
	}
	_, body := en.get(t, police, casePath)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
	if version == nil {
		t.Fatal("no version")
	}
	ok("transition", en.post(t, police, casePath+"/transitions", url.Values{"csrf": {pcsrf}, "to": {"screening"}, "version": {version[1]}}))
	ok("guardian", en.post(t, police, casePath+"/guardians", url.Values{"csrf": {pcsrf}, "kind": {"relative"}, "name": {"Besa Kujdestare"},
		"authority": {"CSW Prizren"}, "decision_ref": {"12/2026"}, "decision_date": {"2026-01-05"}}))
	ok("consent", en.post(t, police, casePath+"/consent", url.Values{"csrf": {pcsrf}, "scope": {"data_processing"}, "language": {"sq"},
		"given_by": {"guardian"}, "child_view": {"agrees"}, "informed_purpose": {"1"}, "informed_data_use": {"1"},
		"informed_storage_duration": {"1"}, "informed_access_right": {"1"}, "informed_withdrawal": {"1"}}))
	_, body = en.get(t, police, casePath)
	id := regexp.MustCompile(`/consent/([a-z2-9]{26})/withdraw`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no withdraw form")
	}
	ok("withdraw", en.post(t, police, casePath+"/consent/"+id[1]+"/withdraw", url.Values{"csrf": {pcsrf}, "given_by": {"guardian"}}))
	ok("risk", en.post(t, police, casePath+"/risk", url.Values{"csrf": {pcsrf}, "level": {"high"}, "threats": {"Recruiter knows the family."}}))
	ok("needs", en.post(t, police, casePath+"/needs", url.Values{"csrf": {pcsrf}, "needs": {"medical"}}))
	ok("note", en.post(t, police, casePath+"/notes", url.Values{"csrf": {pcsrf}, "body": {"Met at the border crossing."}, "visibility": {"team"}, "category": {"medical"}}))
	ok("team", en.post(t, police, casePath+"/team", url.Values{"csrf": {pcsrf}, "org": {en.users[access.Advocate].OrgID}}))
	adv, acsrf := en.session(t, access.Advocate)
	ok("plan", en.post(t, adv, casePath+"/plan", url.Values{"csrf": {acsrf}}))
	ok("item", en.post(t, adv, casePath+"/plan/items", url.Values{"csrf": {acsrf}, "type": {"Health"}, "goals": {"Regular check-ups"},
		"actions": {"Register with a family doctor"}, "responsible_org": {en.users[access.Advocate].OrgID},
		"due_on": {en.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")}}))
	_, body = en.get(t, adv, casePath)
	item := regexp.MustCompile(`/plan/items/([a-z2-9]{26})/progress`).FindStringSubmatch(body)
	if item == nil {
		t.Fatal("no progress form")
	}
	ok("progress", en.post(t, adv, casePath+"/plan/items/"+item[1]+"/progress", url.Values{"csrf": {acsrf}, "progress": {"in_progress"}}))
	_, body = en.get(t, police, "/")
	task := regexp.MustCompile(`action="/tasks/([a-z2-9]{26})/done"`).FindStringSubmatch(body)
	if task == nil {
		t.Fatal("no task to mark done")
	}
	ok("task", en.post(t, police, "/tasks/"+task[1]+"/done", url.Values{"csrf": {pcsrf}}))

	code, body := en.get(t, police, casePath+"/history")
	if code != http.StatusOK {
		t.Fatalf("history: %d", code)
	}
	text := visibleText(section(t, body, `<section class="card history"`))
	wantIn(t, "history of real actions", text,
		"Case of a child registered",
		"Stage changed from “Signal received” to “Screening”",
		"Consent recorded: Processing of personal data",
		"Consent withdrawn: Processing of personal data",
		"Risk assessed: High",
		"Needs assessed",
		"Note added (Medical)",
		"Org advocate was added to the team",
		"Assistance plan drawn up",
		"Added to the assistance plan: Health",
		"Assistance plan item updated: In progress",
		"Task set: Appoint a guardian for the child",
		"Task done: ",
		"User police (Org police)",
		"Victim advocate, Org advocate", // the advocate's name is not the police's to see
		"Ura (automatic)")
	if m := rawCode.FindString(text); m != "" {
		t.Errorf("history shows the raw code %q", m)
	}
	if strings.Contains(text, "User advocate") {
		t.Error("the police see the advocate's name")
	}
}
