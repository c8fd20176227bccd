package justice_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// World is a victim case worked by police, prosecution, a victim advocate,
// a shelter, an NGO and the helpline, and one criminal case on it.
type World struct {
	A                                                  *app.App
	Police, Prosecutor, Advocate, Shelter, NGO, Helpln access.Actor
	Coordinator, Analyst, OtherPolice                  access.Actor
	CaseID, CaseRef                                    string
}

func user(t testing.TB, a *app.App, r access.Role, typ string) access.Actor {
	t.Helper()
	ctx := context.Background()
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + store.NewID()[:8], Type: access.OrgType(typ)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: store.NewID() + "@justice.invalid", Name: "User",
		Role: r, OrgID: org.ID, Password: "justice test passphrase 1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func world(t testing.TB, e store.Engine) *World {
	a, _ := apptest.Open(t, e)
	w := &World{A: a}
	w.Police = user(t, a, access.Police, "police")
	w.Prosecutor = user(t, a, access.Prosecutor, "prosecution")
	w.Advocate = user(t, a, access.Advocate, "victim_advocacy")
	w.Shelter = user(t, a, access.Shelter, "shelter")
	w.NGO = user(t, a, access.NGO, "ngo")
	w.Helpln = user(t, a, access.Helpline, "helpline")
	w.Coordinator = user(t, a, access.Coordinator, "coordinator")
	w.Analyst = user(t, a, access.Analyst, "coordinator")
	w.OtherPolice = user(t, a, access.Police, "police")
	ctx := context.Background()
	reg, err := a.Cases.Open(ctx, w.Police, cases.Input{Person: cases.Person{GivenName: "Drita", FamilyName: "Krasniqi",
		BirthDate: "1998-03-04", Sex: "female", Citizenship: "XK"}})
	if err != nil {
		t.Fatal(err)
	}
	w.CaseID, w.CaseRef = reg.ID, reg.Reference
	for _, o := range []access.Actor{w.Advocate, w.Shelter, w.NGO, w.Helpln} {
		if err := a.Cases.AddToTeam(ctx, w.Police, reg.ID, o.OrgID, ""); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if e := errs.As(err); err == nil || e.Code != errs.Invalid || e.Field != field {
		t.Fatalf("got %v, want an error on %q", err, field)
	}
}

// TestCriminalTrack: a police officer files a criminal report linked to a
// victim case and sends it to a prosecution office; the prosecutor opens
// an investigation, indicts, the hearings are held with the victim's
// protective measures and the advocate present; the first-instance
// conviction is below the statutory minimum; the victim's compensation is
// claimed. Bad input changes nothing.
func TestCriminalTrack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			w := world(t, e)
			j := w.A.Justice
			in := justice.CreateInput{VictimCaseIDs: []string{w.CaseID}, OffenceCode: "THB", OffenceDate: "2026-01-10",
				ReportDate: "2026-02-01", ProsecutionOrgID: w.Prosecutor.OrgID,
				References: []justice.Reference{{System: "police", Number: "PK-2026-0042"}}}
			// Bad input first: nothing is written.
			bad := in
			bad.OffenceCode = "FACILITATING_PROSTITUTION" // not an offence under the code in force in 2026
			_, err := j.Create(ctx, w.Police, bad)
			wantField(t, err, "offence_code")
			bad = in
			bad.VictimCaseIDs = []string{"nosuchcase"}
			_, err = j.Create(ctx, w.Police, bad)
			wantField(t, err, "victim_case_ids")
			bad = in
			bad.ProsecutionOrgID = w.Shelter.OrgID
			_, err = j.Create(ctx, w.Police, bad)
			wantField(t, err, "prosecution_org_id")
			bad = in
			bad.References = []justice.Reference{{System: "court", Instance: "moon", Number: "P 1/26"}}
			_, err = j.Create(ctx, w.Police, bad)
			wantField(t, err, "references")
			if _, err := j.Create(ctx, w.OtherPolice, in); !errs.Is(err, errs.Invalid) {
				t.Fatalf("police outside the victim's team linked the case: %v", err)
			}
			if _, err := j.Create(ctx, w.Shelter, in); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("shelter filed a criminal case: %v", err)
			}
			if list, _ := j.ForVictimCase(ctx, w.Police, w.CaseID); len(list) != 0 {
				t.Fatalf("refused filings left %d criminal cases", len(list))
			}

			id, err := j.Create(ctx, w.Police, in)
			if err != nil {
				t.Fatal(err)
			}
			ev := func(a access.Actor, typ, d, outcome string) *justice.Event {
				t.Helper()
				x, err := j.RecordEvent(ctx, a, id, justice.EventInput{Type: typ, Date: d, Outcome: outcome})
				if err != nil {
					t.Fatalf("%s: %v", typ, err)
				}
				return x
			}
			_, err = j.RecordEvent(ctx, w.Prosecutor, id, justice.EventInput{Type: "JUDGMENT_FIRST_INSTANCE", Date: "2026-03-01", Outcome: "CONVICTION"})
			wantField(t, err, "type") // a judgment before its indictment
			ev(w.Prosecutor, "RULING_INITIATION_INVESTIGATION", "2026-02-10", "")
			_, err = j.RecordEvent(ctx, w.Prosecutor, id, justice.EventInput{Type: "INVESTIGATION", Date: "2026-02-05"})
			wantField(t, err, "date") // before the ruling
			ev(w.Prosecutor, "INVESTIGATION", "2026-04-30", "")
			ev(w.Prosecutor, "INDICTMENT_FILED", "2026-05-02", "")
			hearing := ev(w.Prosecutor, "INITIAL_HEARING", "2026-05-20", "") // scheduled ahead
			trial := ev(w.Prosecutor, "MAIN_TRIAL", "2026-05-25", "")

			def, err := j.AddDefendant(ctx, w.Police, id, justice.DefendantInput{Name: "Arben Gashi", Details: "born 1980, Prizren",
				Sex: "male", Nationality: "AL", Roles: []string{"RECRUITER", "EXPLOITER"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := j.AddDefendant(ctx, w.Advocate, id, justice.DefendantInput{Name: "X", Sex: "male", Nationality: "AL", Roles: []string{"OTHER"}}); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("advocate added a defendant: %v", err)
			}
			if _, err := j.AddDefendant(ctx, w.OtherPolice, id, justice.DefendantInput{Name: "X", Sex: "male", Nationality: "AL", Roles: []string{"OTHER"}}); !errs.Is(err, errs.NotFound) {
				t.Fatalf("a defendant attached to a criminal case the user cannot see: %v", err)
			}
			_, err = j.AddDefendant(ctx, w.Police, id, justice.DefendantInput{Name: "X", Sex: "male", Nationality: "QQ", Roles: []string{"OTHER"}})
			wantField(t, err, "nationality")
			police, err := j.AddCharge(ctx, w.Police, id, justice.ChargeInput{DefendantID: def, OffenceCode: "THB", Stage: "POLICE"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = j.AddCharge(ctx, w.Prosecutor, id, justice.ChargeInput{DefendantID: def, OffenceCode: "FACILITATING_PROSTITUTION", Stage: "INDICTMENT"})
			wantField(t, err, "offence_code") // a code not in force on the offence date
			ind, err := j.AddCharge(ctx, w.Prosecutor, id, justice.ChargeInput{DefendantID: def, OffenceCode: "THB", Stage: "INDICTMENT", ReplacesID: police})
			if err != nil {
				t.Fatal(err)
			}
			_, err = j.AddCharge(ctx, w.Prosecutor, id, justice.ChargeInput{DefendantID: def, OffenceCode: "THB", Stage: "POLICE", ReplacesID: ind})
			wantField(t, err, "stage")

			// The victim in proceedings.
			rec := func(a access.Actor, v justice.VictimInput) {
				t.Helper()
				v.CaseID = w.CaseID
				if _, err := j.RecordVictim(ctx, a, id, v); err != nil {
					t.Fatalf("%s: %v", v.Kind, err)
				}
			}
			rec(w.Police, justice.VictimInput{Kind: justice.KindRights, Code: "STATUS_INJURED_PARTY", Lang: "sq", Date: "2026-02-01"})
			rec(w.Advocate, justice.VictimInput{Kind: justice.KindMeasure, Code: "VIDEO_LINK_TESTIMONY", Status: "REQUESTED", Date: "2026-05-03"})
			rec(w.Prosecutor, justice.VictimInput{Kind: justice.KindMeasure, Code: "VIDEO_LINK_TESTIMONY", Status: "GRANTED", Date: "2026-05-04", EventID: trial.ID})
			rec(w.Advocate, justice.VictimInput{Kind: justice.KindHearing, EventID: hearing.ID, Date: "2026-05-20", Present: true, AdvocatePresent: true})
			rec(w.Advocate, justice.VictimInput{Kind: justice.KindHearing, EventID: trial.ID, Date: "2026-05-25", Present: true, AdvocatePresent: true, Testified: true})
			// The testimony date reminds the advocate and the shelter, without criminal detail.
			for _, a := range []access.Actor{w.Advocate, w.Shelter} {
				tasks, err := w.A.Clocks.DueFor(ctx, a)
				found := false
				for _, tk := range tasks {
					found = found || tk.Kind == clocks.AccompanyAppointment && tk.CaseID == w.CaseID && justice.Day(tk.DueAt) == "2026-05-25"
				}
				if err != nil || !found {
					t.Errorf("%s has no reminder of the testimony date (%v)", a.Role, err)
				}
			}
			_, err = j.RecordVictim(ctx, w.Advocate, id, justice.VictimInput{CaseID: w.CaseID, Kind: justice.KindHearing, EventID: "nosuch", Date: "2026-05-25"})
			wantField(t, err, "event_id")
			if _, err := j.RecordVictim(ctx, w.Shelter, id, justice.VictimInput{CaseID: w.CaseID, Kind: justice.KindRights}); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("shelter recorded in the criminal file: %v", err)
			}

			w.A.Clock.(interface{ Set(time.Time) }).Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
			judgment := ev(w.Prosecutor, "JUDGMENT_FIRST_INSTANCE", "2026-08-28", "CONVICTION")
			_, err = j.RecordSentence(ctx, w.Prosecutor, id, justice.SentenceInput{ChargeID: ind, EventID: judgment.ID, Outcome: "CONVICTION", ImprisonmentMonths: 200})
			wantField(t, err, "imprisonment_months") // above the offence table's maximum
			_, err = j.RecordSentence(ctx, w.Prosecutor, id, justice.SentenceInput{ChargeID: police, EventID: judgment.ID, Outcome: "CONVICTION", ImprisonmentMonths: 30})
			wantField(t, err, "charge_id") // requalified, no longer current
			x, err := j.RecordSentence(ctx, w.Prosecutor, id, justice.SentenceInput{ChargeID: ind, EventID: judgment.ID, Outcome: "CONVICTION", ImprisonmentMonths: 30})
			if err != nil {
				t.Fatal(err)
			}
			if !x.BelowMinimum || x.Final {
				t.Errorf("30 months for THB: below minimum %v, final %v", x.BelowMinimum, x.Final)
			}
			// The judgment requalifies the count: initially trafficking, finally smuggling (R1.4.1).
			if _, err := j.AddCharge(ctx, w.Prosecutor, id, justice.ChargeInput{DefendantID: def, OffenceCode: "SMUGGLING_MIGRANTS", Stage: "JUDGMENT", ReplacesID: ind}); err != nil {
				t.Fatal(err)
			}
			if err := j.AddAsset(ctx, w.Prosecutor, id, justice.AssetInput{DefendantID: def, Measure: "CONFISCATION", ValueEUR: 25000, Date: "2026-08-28"}); err != nil {
				t.Fatal(err)
			}
			rec(w.Advocate, justice.VictimInput{Kind: justice.KindCompensation, Code: "STATE", Status: "PENDING", ClaimedEUR: 5000, Date: "2026-08-30"})
			_, err = j.RecordVictim(ctx, w.Advocate, id, justice.VictimInput{CaseID: w.CaseID, Kind: justice.KindCompensation, Code: "OFFENDER", Status: "AWARDED", ClaimedEUR: 5000, AwardedEUR: 6000, Date: "2026-08-30"})
			wantField(t, err, "awarded_eur")

			cc, err := j.Get(ctx, w.Prosecutor, id)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Stage != "JUDGMENT_FIRST_INSTANCE" || len(cc.Events) != 7 || len(cc.Charges) != 3 || len(cc.Sentences) != 1 || len(cc.Assets) != 1 {
				t.Errorf("criminal case: stage %s, %d events, %d charges, %d sentences, %d assets", cc.Stage, len(cc.Events), len(cc.Charges), len(cc.Sentences), len(cc.Assets))
			}
			if !cc.Personal || cc.Defendants[0].Name != "Arben Gashi" || len(cc.Victims) != 1 || cc.Victims[0].CaseID != w.CaseID ||
				cc.Victims[0].Reference != "" {
				t.Errorf("defendants %+v victims %+v (the prosecutor is not on the victim's team: no reference)", cc.Defendants, cc.Victims)
			}
			if pc, err := j.Get(ctx, w.Police, id); err != nil || pc.Victims[0].Reference != w.CaseRef {
				t.Errorf("police: victims %+v (%v)", pc.Victims, err)
			}
			var comp *justice.VictimRecord
			for i := range cc.VictimRecords {
				if cc.VictimRecords[i].Kind == justice.KindCompensation {
					comp = &cc.VictimRecords[i]
				}
			}
			if comp == nil || justice.Day(comp.Due) != "2026-07-10" || comp.DueHard {
				t.Errorf("state compensation deadline = %+v, want 2026-07-10 as a warning", comp)
			}
			// The statistics (R1.3.2), from the source registered in the app.
			src := j.StatsSource()
			for _, c := range []struct {
				measure string
				by      []string
				want    map[string]float64
			}{
				{justice.MeasureInvestigations, []string{"offence"}, map[string]float64{"THB": 1}},
				{justice.MeasureProsecutions, nil, map[string]float64{"": 1}},
				{justice.MeasureJudgments, []string{"instance", "outcome"}, map[string]float64{"JUDGMENT_FIRST_INSTANCE|CONVICTION": 1}},
				{justice.MeasureDefendants, []string{"sex", "nationality"}, map[string]float64{"male|AL": 1}},
				{justice.MeasureSentences, []string{"sentence_band", "below_minimum", "final"}, map[string]float64{"12_35|yes|no": 1}},
				{justice.MeasureRequalified, []string{"initial_offence", "offence"}, map[string]float64{"THB|SMUGGLING_MIGRANTS": 1}}, // police THB → indictment THB is no requalification
				{justice.MeasureTestified, []string{"protective_measure"}, map[string]float64{"yes": 1}},
				{justice.MeasureCompensation, []string{"route", "comp_outcome"}, map[string]float64{"STATE|PENDING": 1}},
				{justice.MeasureCompClaimed, []string{"route"}, map[string]float64{"STATE": 5000}},
				{justice.MeasureCompAwarded, nil, map[string]float64{"": 0}},
			} {
				rows, err := src.Answer(ctx, stats.Query{Measure: c.measure, By: c.by, From: "2026-01", To: "2026-12"})
				if err != nil {
					t.Fatalf("%s: %v", c.measure, err)
				}
				got := map[string]float64{}
				for _, r := range rows {
					got[strings.Join(r.Keys, "|")] += r.Value
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s by %v = %v, want %v", c.measure, c.by, got, c.want)
				}
			}
			// The advocate follows the proceedings, without the defendants' identity.
			adv, err := j.Get(ctx, w.Advocate, id)
			if err != nil {
				t.Fatal(err)
			}
			if adv.Personal || adv.Defendants[0].Name != "" || adv.Defendants[0].Details != "" || adv.CanRecord || !adv.CanVictim {
				t.Errorf("advocate sees %+v (personal %v, record %v)", adv.Defendants, adv.Personal, adv.CanRecord)
			}
		})
	}
}

// TestSeparation: the criminal file never reaches the roles that serve only
// the victim's assistance — a check per role and field class (the criminal
// case and its events, the defendants' identity, the victim in
// proceedings, recording, the dashboard); the defendants' identity reaches
// the coordinator only by break-glass; the assistance file's secret notes
// never appear in the criminal file, whoever reads it.
func TestSeparation(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			w := world(t, e)
			j := w.A.Justice
			const secret = "SECRET-PSYCHOLOGIST-SESSION-7731"
			if _, err := w.A.Notes.AddNote(ctx, w.Shelter, w.CaseID, casenotes.NoteInput{Visibility: casenotes.Org, Body: secret}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.A.Notes.AddNote(ctx, w.Advocate, w.CaseID, casenotes.NoteInput{Visibility: casenotes.Org, Body: secret}); err != nil {
				t.Fatal(err)
			}
			id, err := j.Create(ctx, w.Police, justice.CreateInput{VictimCaseIDs: []string{w.CaseID}, OffenceCode: "THB", OffenceDate: "2026-01-10",
				ProsecutionOrgID: w.Prosecutor.OrgID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := j.AddDefendant(ctx, w.Police, id, justice.DefendantInput{Name: "Secret Suspect", Sex: "male", Nationality: "XK", Roles: []string{"EXPLOITER"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := j.RecordVictim(ctx, w.Police, id, justice.VictimInput{CaseID: w.CaseID, Kind: justice.KindRights, Code: "LEGAL_AID", Lang: "sq", Date: "2026-05-01"}); err != nil {
				t.Fatal(err)
			}
			type classes struct{ view, identity, victim, record, dashboard bool }
			for _, tc := range []struct {
				who  string
				a    access.Actor
				want classes
			}{
				{"police", w.Police, classes{true, true, true, true, true}},
				{"prosecutor", w.Prosecutor, classes{true, true, true, true, true}},
				{"advocate", w.Advocate, classes{true, false, true, false, false}},
				{"coordinator", w.Coordinator, classes{true, false, true, false, false}},
				{"shelter", w.Shelter, classes{}},
				{"ngo", w.NGO, classes{}},
				{"helpline", w.Helpln, classes{}},
				{"analyst", w.Analyst, classes{}},
				{"police of another unit", w.OtherPolice, classes{false, false, false, false, true}},
			} {
				t.Run(tc.who, func(t *testing.T) {
					cc, err := j.Get(ctx, tc.a, id)
					if tc.want.view != (err == nil) {
						t.Fatalf("read the criminal case: %v", err)
					}
					list, err := j.ForVictimCase(ctx, tc.a, w.CaseID)
					if err != nil || (len(list) == 1) != tc.want.view {
						t.Errorf("criminal cases on the victim case: %d (%v)", len(list), err)
					}
					if cc != nil {
						if got := cc.Defendants[0].Name != ""; got != tc.want.identity {
							t.Errorf("defendant's identity shown: %v", got)
						}
						if got := len(cc.VictimRecords) > 0; got != tc.want.victim {
							t.Errorf("victim in proceedings shown: %v", got)
						}
						if b, _ := json.Marshal(cc); strings.Contains(string(b), secret) {
							t.Errorf("the criminal file carries a secret note")
						}
					}
					_, err = j.RecordEvent(ctx, tc.a, id, justice.EventInput{Type: "POLICE_INITIAL_STEPS", Date: "2026-05-04"})
					if (err == nil) != tc.want.record {
						t.Errorf("record an event: %v", err)
					}
					if _, err := j.Dashboard(ctx, tc.a); (err == nil) != tc.want.dashboard {
						t.Errorf("dashboard: %v", err)
					}
				})
			}
			// A second victim in the same proceedings, accompanied by another
			// advocate: each advocate sees their own victim's records only.
			adv2 := user(t, w.A, access.Advocate, "victim_advocacy")
			reg2, err := w.A.Cases.Open(ctx, w.Police, cases.Input{Person: cases.Person{GivenName: "Arta", FamilyName: "Rama",
				BirthDate: "2001-05-06", Sex: "female", Citizenship: "XK"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.A.Cases.AddToTeam(ctx, w.Police, reg2.ID, adv2.OrgID, ""); err != nil {
				t.Fatal(err)
			}
			if err := j.LinkVictim(ctx, w.Police, id, reg2.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := j.RecordVictim(ctx, adv2, id, justice.VictimInput{CaseID: reg2.ID, Kind: justice.KindRights, Code: "LEGAL_AID", Lang: "sq", Date: "2026-05-02"}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				a      access.Actor
				caseID string
			}{{w.Advocate, w.CaseID}, {adv2, reg2.ID}} {
				got, err := j.Get(ctx, c.a, id)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range got.VictimRecords {
					if r.CaseID != c.caseID {
						t.Errorf("an advocate sees the record of another victim (%s)", r.Kind)
					}
				}
				if len(got.VictimRecords) != 1 {
					t.Errorf("an advocate sees %d victim records, want their victim's 1", len(got.VictimRecords))
				}
			}
			if got, _ := j.Get(ctx, w.Prosecutor, id); len(got.VictimRecords) != 2 {
				t.Errorf("the prosecutor sees %d victim records, want 2", len(got.VictimRecords))
			}
			// The coordinator with break-glass on this criminal case.
			if _, err := w.A.BreakGlass.Open(ctx, w.Coordinator, justice.BreakGlassObject, id, "Victim in danger, suspect at large"); err != nil {
				t.Fatal(err)
			}
			cc, err := j.Get(ctx, w.Coordinator, id)
			if err != nil {
				t.Fatal(err)
			}
			if !cc.Personal || cc.Defendants[0].Name != "Secret Suspect" || cc.BreakGlass == "" {
				t.Errorf("coordinator with break-glass: %+v", cc.Defendants)
			}
		})
	}
}
