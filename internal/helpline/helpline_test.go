package helpline_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// env is a whole Ura with a helpline, two police units, a coordinator and
// an analyst.
type env struct {
	a                                        *app.App
	clk                                      *clock.Fake
	op, op2, police, otherPolice, coord, ana access.Actor
	policeOrg                                string
}

func newEnv(t *testing.T, e store.Engine) *env {
	t.Helper()
	ctx := context.Background()
	a, clk := apptest.Open(t, e)
	en := &env{a: a, clk: clk}
	mk := func(orgName, typ string, users ...struct {
		role access.Role
		dst  *access.Actor
	}) string {
		org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: orgName, Type: access.OrgType(typ)})
		if err != nil {
			t.Fatal(err)
		}
		for i, u := range users {
			us, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: strings.ReplaceAll(orgName, " ", "") +
				string(rune('a'+i)) + "@test.invalid", Name: "User", Role: u.role, OrgID: org.ID, Password: "helpline test passphrase 1"})
			if err != nil {
				t.Fatal(err)
			}
			*u.dst = us.Actor()
		}
		return org.ID
	}
	type u = struct {
		role access.Role
		dst  *access.Actor
	}
	mk("Helpline", "helpline", u{access.Helpline, &en.op})
	mk("Other line", "helpline", u{access.Helpline, &en.op2})
	en.policeOrg = mk("Police THB", "police", u{access.Police, &en.police})
	mk("Police elsewhere", "police", u{access.Police, &en.otherPolice})
	mk("Coordinator", "coordinator", u{access.Coordinator, &en.coord}, u{access.Analyst, &en.ana})
	return en
}

func call() helpline.Input {
	return helpline.Input{DurationMin: 7, Channel: "phone", CallerType: "anonymous", Language: "sq",
		Municipality: "Prizren", Topic: "migration.job_offer", Actions: []string{"information"},
		Note: "Offer of waitress work in a café abroad; the agent keeps passports."}
}

func TestLogContact(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			in := call()
			in.CallerCode = "  Blue-Bird7 "
			in.KeepPersonal, in.CallerName, in.CallerPhone = true, "Drita Fictional", "+383 44 000 111"
			c, err := en.a.Helpline.Log(ctx, en.op, in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.Reference, "HL-2026-") {
				t.Errorf("reference %q", c.Reference)
			}
			got, err := en.a.Helpline.Find(ctx, en.op, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Note != in.Note || got.CallerName != "Drita Fictional" || got.CallerPhone != "+383 44 000 111" || !got.HasCallerCode {
				t.Errorf("read back: %+v", got)
			}
			// Nothing personal in clear in the database: the note, the name,
			// the phone and the caller code are sealed or blind-indexed.
			raw := dump(t, en.a.DB, c.ID)
			for _, s := range []string{"waitress", "Drita", "383 44", "blue-bird7", "Blue-Bird7"} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%q stored in clear", s)
				}
			}
			// A repeat call with the same code (typed differently) is linked.
			in2 := call()
			in2.CallerCode = "BLUE-BIRD7"
			c2, err := en.a.Helpline.Log(ctx, en.op, in2)
			if err != nil {
				t.Fatal(err)
			}
			earlier, err := en.a.Helpline.Earlier(ctx, en.op, c2)
			if err != nil || len(earlier) != 1 || earlier[0].ID != c.ID {
				t.Errorf("earlier contacts: %v, %v", earlier, err)
			}
			found, err := en.a.Helpline.FindByCallerCode(ctx, en.op, "blue-bird7")
			if err != nil || len(found) != 2 {
				t.Errorf("by caller code: %d, %v", len(found), err)
			}
			// Another helpline organisation sees none of it.
			if _, err := en.a.Helpline.Find(ctx, en.op2, c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("other line reads the contact: %v", err)
			}
			if list, _ := en.a.Helpline.FindByCallerCode(ctx, en.op2, "blue-bird7"); len(list) != 0 {
				t.Errorf("other line finds the caller: %d", len(list))
			}
			// The coordinator sees counts, never a contact; the police only the urgent ones alerted to them.
			for name, a := range map[string]access.Actor{"coordinator": en.coord, "analyst": en.ana} {
				if _, err := en.a.Helpline.Find(ctx, a, c.ID); !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s reads a contact: %v", name, err)
				}
				if _, err := en.a.Helpline.Log(ctx, a, call()); !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s logs a contact: %v", name, err)
				}
			}
			if _, err := en.a.Helpline.Find(ctx, en.police, c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("police reads a contact not alerted to them: %v", err)
			}
		})
	}
}

// dump returns every stored column of a contact, as bytes.
func dump(t *testing.T, db *store.DB, id string) []byte {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT * FROM helpline_contacts WHERE id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []byte
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch x := v.(type) {
			case []byte:
				out = append(out, x...)
			case string:
				out = append(out, x...)
			}
			out = append(out, 0)
		}
	}
	return out
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM helpline_contacts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLogContactBadInput(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			now := en.clk.Now()
			tests := []struct {
				name  string
				edit  func(*helpline.Input)
				field string
			}{
				{"UnknownChannel", func(in *helpline.Input) { in.Channel = "pigeon" }, "channel"},
				{"UnknownCaller", func(in *helpline.Input) { in.CallerType = "<script>" }, "caller_type"},
				{"UnknownLanguage", func(in *helpline.Input) { in.Language = "xx" }, "language"},
				{"UnknownTopic", func(in *helpline.Input) { in.Topic = "trafficking.nonsense" }, "topic"},
				{"CategoryWithoutSub", func(in *helpline.Input) { in.Topic = "trafficking" }, "topic"},
				{"UnknownMunicipality", func(in *helpline.Input) { in.Municipality = "Atlantis" }, "municipality"},
				{"UnknownAction", func(in *helpline.Input) { in.Actions = []string{"teleport"} }, "actions"},
				{"NegativeDuration", func(in *helpline.Input) { in.DurationMin = -1 }, "duration_min"},
				{"EndlessDuration", func(in *helpline.Input) { in.DurationMin = 10_000 }, "duration_min"},
				{"StartInFuture", func(in *helpline.Input) { in.StartedAt = now.Add(time.Hour).Format(time.RFC3339) }, "started_at"},
				{"StartGarbage", func(in *helpline.Input) { in.StartedAt = "yesterday" }, "started_at"},
				{"CallbackInPast", func(in *helpline.Input) {
					in.Actions = []string{"callback"}
					in.CallbackDue = now.Add(-time.Hour).Format(time.RFC3339)
				}, "callback_due"},
				{"CallbackWithoutTime", func(in *helpline.Input) { in.Actions = []string{"callback"} }, "callback_due"},
				{"CallbackTimeUnticked", func(in *helpline.Input) { in.CallbackDue = now.Add(time.Hour).Format(time.RFC3339) }, "callback_due"},
				{"OversizedNote", func(in *helpline.Input) { in.Note = strings.Repeat("x", helpline.MaxNote+1) }, "note"},
				{"NulInNote", func(in *helpline.Input) { in.Note = "a\x00b" }, "note"},
				{"NameWithoutConsent", func(in *helpline.Input) { in.CallerName = "Drita" }, "keep_personal"},
				{"ConsentWithoutName", func(in *helpline.Input) { in.KeepPersonal = true }, "caller_name"},
				{"BadPhone", func(in *helpline.Input) { in.KeepPersonal, in.CallerPhone = true, "call me maybe" }, "caller_phone"},
				{"OversizedName", func(in *helpline.Input) { in.KeepPersonal, in.CallerName = true, strings.Repeat("n", 201) }, "caller_name"},
				{"ShortCallerCode", func(in *helpline.Input) { in.CallerCode = "ab" }, "caller_code"},
				{"CallerCodeWithSpace", func(in *helpline.Input) { in.CallerCode = "blue bird" }, "caller_code"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					in := call()
					tt.edit(&in)
					_, err := en.a.Helpline.Log(ctx, en.op, in)
					if got := errs.As(err); err == nil || got.Code != errs.Invalid || got.Field != tt.field {
						t.Errorf("got %v, want invalid %s", err, tt.field)
					}
				})
			}
			if n := count(t, en.a.DB); n != 0 {
				t.Errorf("%d contacts stored from bad input", n)
			}
			// A script in the note is stored as typed (pages escape it) and
			// a call-back ahead is accepted and listed.
			in := call()
			in.Note = `<script>alert(1)</script> =HYPERLINK("x")`
			in.Actions = []string{"callback", "information", "callback"}
			in.CallbackDue = now.Add(3 * time.Hour).In(en.a.Helpline.Loc).Format("2006-01-02T15:04")
			c, err := en.a.Helpline.Log(ctx, en.op, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Actions) != 2 {
				t.Errorf("actions %v, want each once", c.Actions)
			}
			cbs, err := en.a.Helpline.Callbacks(ctx, en.op)
			if err != nil || len(cbs) != 1 || !cbs[0].CallbackDue.Equal(now.Add(3*time.Hour).Truncate(time.Minute)) {
				t.Fatalf("call-backs: %v, %v", cbs, err)
			}
			if err := en.a.Helpline.CallbackDone(ctx, en.op2, c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("another line marks the call-back: %v", err)
			}
			if err := en.a.Helpline.CallbackDone(ctx, en.op, c.ID); err != nil {
				t.Fatal(err)
			}
			if cbs, _ := en.a.Helpline.Callbacks(ctx, en.op); len(cbs) != 0 {
				t.Errorf("call-back still open after done")
			}
		})
	}
}

func TestUrgentContactAlertsPolice(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			if err := en.a.Helpline.SetAlertOrg(ctx, en.op, en.policeOrg); !errs.Is(err, errs.Forbidden) {
				t.Errorf("an operator sets the alert: %v", err)
			}
			if err := en.a.Helpline.SetAlertOrg(ctx, access.SystemActor, en.policeOrg); err != nil {
				t.Fatal(err)
			}
			in := call()
			in.ImmediateDanger, in.Topic, in.Municipality = true, "trafficking.sexual", "Pejë"
			in.Note = "Locked in a flat above the bar on the main road."
			c, err := en.a.Helpline.Log(ctx, en.op, in)
			if err != nil {
				t.Fatal(err)
			}
			items, err := en.a.Notify.List(ctx, en.police, false)
			if err != nil || len(items) != 1 || items[0].Kind != "helpline.urgent" || items[0].Link != "/helpline/contacts/"+c.ID {
				t.Fatalf("police notifications: %+v, %v", items, err)
			}
			got, err := en.a.Helpline.Find(ctx, en.police, c.ID)
			if err != nil || got.Note != in.Note {
				t.Errorf("police read the urgent contact: %+v, %v", got, err)
			}
			if items, _ := en.a.Notify.List(ctx, en.otherPolice, false); len(items) != 0 {
				t.Errorf("the other police unit was alerted")
			}
			if _, err := en.a.Helpline.Find(ctx, en.otherPolice, c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("other police unit reads it: %v", err)
			}
		})
	}
}

func TestOpenCaseFromContact(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			in := call()
			in.Topic, in.CallerType, in.CallerIsVictim = "trafficking.labour", "possible_victim", true
			c, err := en.a.Helpline.Log(ctx, en.op, in)
			if err != nil {
				t.Fatal(err)
			}
			ci := helpline.CaseInput{GivenName: "Arta", Sex: "female", BirthYear: "1999", Consent: true, ReferFor: "accommodation"}
			if _, err := en.a.Helpline.OpenCase(ctx, en.op, c.ID, ci); errs.As(err).Field != "screening_id" {
				t.Fatalf("trafficking without a screening: %v", err)
			}
			sc, err := en.a.Screenings.Record(ctx, en.op, identify.RecordInput{Input: identify.Input{Profile: identify.AdultLabour,
				Indicators: []string{}}})
			if err != nil {
				t.Fatal(err)
			}
			ci.ScreeningID = sc.ID
			noConsent := ci
			noConsent.Consent = false
			if _, err := en.a.Helpline.OpenCase(ctx, en.op, c.ID, noConsent); errs.As(err).Field != "consent" {
				t.Fatalf("without consent: %v", err)
			}
			if _, err := en.a.Helpline.OpenCase(ctx, en.op2, c.ID, ci); !errs.Is(err, errs.NotFound) {
				t.Errorf("another line opens the case: %v", err)
			}
			reg, err := en.a.Helpline.OpenCase(ctx, en.op, c.ID, ci)
			if err != nil {
				t.Fatal(err)
			}
			got, err := en.a.Helpline.Find(ctx, en.op, c.ID)
			if err != nil || got.CaseID != reg.ID || got.CaseRef != reg.Reference {
				t.Errorf("contact not linked: %+v, %v", got, err)
			}
			tl, err := en.a.Cases.Timeline(ctx, en.op, reg.ID)
			if err != nil {
				t.Fatal(err)
			}
			var named bool
			for _, e := range tl {
				named = named || e.Kind == "helpline" && strings.Contains(e.Summary, "contact="+c.Reference)
			}
			if !named {
				t.Errorf("timeline does not name the contact: %+v", tl)
			}
			ledger, err := en.a.Consent.List(ctx, en.op, reg.ID)
			if err != nil || len(ledger) != 2 {
				t.Errorf("consent ledger: %d entries, %v; want the service grant and processing", len(ledger), err)
			}
			if sc2, err := en.a.Screenings.Find(ctx, en.op, sc.ID); err != nil || sc2.CaseID != reg.ID {
				t.Errorf("screening not attached: %+v, %v", sc2, err)
			}
			if _, err := en.a.Helpline.OpenCase(ctx, en.op, c.ID, ci); !errs.Is(err, errs.Conflict) {
				t.Errorf("second case from one contact: %v", err)
			}
		})
	}
}

func TestFigures(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			ctx := context.Background()
			for i, ch := range []string{"phone", "phone", "chat"} {
				in := call()
				in.Channel = ch
				if i == 2 {
					in.Municipality = ""
				}
				if _, err := en.a.Helpline.Log(ctx, en.op, in); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := en.a.Helpline.Log(ctx, en.op2, call()); err != nil {
				t.Fatal(err)
			}
			from, to := en.clk.Now().AddDate(0, -1, 0), en.clk.Now().Add(time.Hour)
			f, err := en.a.Helpline.Figures(ctx, en.coord, from, to)
			if err != nil || f.Total != 4 {
				t.Fatalf("coordinator figures: %+v, %v", f, err)
			}
			if got := f.By["channel"]; len(got) != 2 || got[0] != (helpline.Count{Value: "phone", Count: 3}) {
				t.Errorf("by channel %v", got)
			}
			if got := f.By["month"]; len(got) != 1 || got[0].Value != en.clk.Now().Format("2006-01") {
				t.Errorf("by month %v", got)
			}
			own, err := en.a.Helpline.Figures(ctx, en.op, from, to)
			if err != nil || own.Total != 3 {
				t.Errorf("operator figures: %+v, %v", own, err)
			}
			if _, err := en.a.Helpline.Figures(ctx, en.police, from, to); !errs.Is(err, errs.Forbidden) {
				t.Errorf("police figures: %v", err)
			}
		})
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "-x": "'-x", "@SUM": "'@SUM", "\tx": "'\tx",
		"Prizren": "Prizren", "": ""} {
		if got := helpline.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTaxonomy(t *testing.T) {
	if helpline.Topics.Version == "" || len(helpline.Topics.Codes()) < 20 {
		t.Fatalf("taxonomy %v", helpline.Topics)
	}
	if !helpline.TraffickingSuspected("trafficking.begging") || helpline.TraffickingSuspected("information.rights") {
		t.Error("trafficking suspicion")
	}
	if len(helpline.Municipalities) != 38 {
		t.Errorf("%d municipalities, want 38", len(helpline.Municipalities))
	}
}
