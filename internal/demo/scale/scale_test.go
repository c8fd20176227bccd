package scale_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestLoadReadsBackThroughTheServices generates cases in several batches
// and reads them back the way users do: every case opens with its person
// decrypted, its notes open, it is found by name, the audit chain verifies,
// and the next registration continues the reference numbers.
func TestLoadReadsBackThroughTheServices(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, _ := apptest.Open(t, e)
			if _, err := demo.Load(ctx, a); err != nil {
				t.Fatal(err)
			}
			const n = 400
			res, err := scale.Load(ctx, a, scale.Options{Cases: n, Batch: 90, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if res.Cases != n || res.Persons != n || res.AuditEvents < 10*n || res.Notes == 0 || res.Referrals == 0 || res.Stays == 0 {
				t.Fatalf("result %+v: want %d cases and persons, ≥%d audit events, some notes, referrals and stays", res, n, 10*n)
			}
			u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Coordinator))
			if err != nil {
				t.Fatal(err)
			}
			coord := u.Actor()
			// The staff of each organisation, who see its cases' personal data.
			staff := map[string]access.Actor{}
			for _, r := range []access.Role{access.Police, access.SocialWorker, access.Advocate, access.NGO, access.Helpline} {
				u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(r))
				if err != nil {
					t.Fatal(err)
				}
				staff[u.OrgID] = u.Actor()
			}
			for i := 1; ; i++ {
				u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, fmt.Sprintf("staff-%02d@scale.ura.invalid", i))
				if err != nil {
					break
				}
				staff[u.OrgID] = u.Actor()
			}
			var list []*cases.Summary
			for off := 0; off < n; off += cases.MaxLimit {
				page, total, err := a.Cases.FindCases(ctx, coord, cases.CaseFilter{Limit: cases.MaxLimit, Offset: off})
				if err != nil || total != n {
					t.Fatalf("FindCases: %d, %v; want %d", total, err, n)
				}
				list = append(list, page...)
			}
			women, children, stages, refs := 0, 0, map[cases.Stage]int{}, map[string]bool{}
			for i, s := range list {
				stages[s.Stage]++
				if refs[s.Reference] {
					t.Fatalf("reference %s twice", s.Reference)
				}
				refs[s.Reference] = true
				if i%10 != 0 {
					continue
				}
				owner, ok := staff[s.OwnerOrg]
				if !ok {
					t.Fatalf("%s: owned by an organisation without staff", s.Reference)
				}
				c, err := a.Cases.FindCaseByID(ctx, owner, s.ID)
				if err != nil {
					t.Fatalf("open %s: %v", s.Reference, err)
				}
				if c.Person == nil || c.Person.GivenName == "" || c.Person.BirthDate == "" {
					t.Fatalf("%s: person not decrypted: %+v", s.Reference, c.Person)
				}
				if c.Person.Sex == "female" {
					women++
				}
				if c.IsChild {
					children++
				}
				if len(c.Timeline) == 0 || c.Timeline[len(c.Timeline)-1].Kind != "stage" {
					t.Errorf("%s: timeline %v: want it to begin with the opening", s.Reference, c.Timeline)
				}
				if len(c.Codes[cases.FieldExploitation]) == 0 {
					t.Errorf("%s: no form of exploitation", s.Reference)
				}
				notes, err := a.Notes.Notes(ctx, owner, s.ID)
				if err != nil {
					t.Fatalf("%s: notes: %v", s.Reference, err)
				}
				for _, nt := range notes {
					if nt.Body == "" {
						t.Errorf("%s: empty note", s.Reference)
					}
				}
				// The owner finds it by name, in the other order and without diacritics.
				name := c.Person.FamilyName + " " + c.Person.GivenName
				found, _, err := a.Cases.FindCases(ctx, owner, cases.CaseFilter{Name: &name, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				hit := false
				for _, f := range found {
					hit = hit || f.ID == s.ID
				}
				if !hit {
					t.Errorf("%s: not found by its person's name", s.Reference)
				}
			}
			if len(stages) < 8 {
				t.Errorf("stages %v: want cases in most stages", stages)
			}
			if women*10 < len(list)/10*6 || children == 0 {
				t.Errorf("%d women and %d children of %d opened: want mostly women and some children", women, children, len(list)/10)
			}
			rep, err := audit.Verify(ctx, a.DB, a.Keyring.AuditPublicKeys())
			if err != nil || rep.Problem != nil {
				t.Fatalf("audit verify: %+v, %v", rep.Problem, err)
			}
			if rep.Events < int64(10*n) {
				t.Errorf("audit chain holds %d events, want ≥ %d", rep.Events, 10*n)
			}
			// The duplicate job starts after the generated persons: nothing
			// to compare until someone registers.
			a.Dedup.Config.FullScanLimit = 10
			if rep, err := a.Dedup.Scan(ctx, a.Clock.Now()); err != nil || rep.Persons != 0 {
				t.Errorf("duplicate job after the load: %+v, %v; want nobody to compare", rep, err)
			}
			var keys int
			if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(DISTINCT person_id) FROM person_dedup_keys`).Scan(&keys); err != nil || keys != n {
				t.Errorf("%d persons with blocking keys, %v; want %d", keys, err, n)
			}
			// A registration after the load continues this year's numbers.
			p, _ := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Police))
			reg, err := a.Cases.Open(ctx, p.Actor(), cases.Input{Person: cases.Person{GivenName: "Zana", FamilyName: "Testaj", Sex: "female", BirthDate: "2001-02-03"},
				Exploitation: []string{"ForcedLabour"}})
			if err != nil {
				t.Fatal(err)
			}
			if refs[reg.Reference] || !strings.HasPrefix(reg.Reference, a.Cases.Country+"-") {
				t.Errorf("new case got reference %s, already used or malformed", reg.Reference)
			}
			// GBV cases: about 3 in 32 with an incident each, counted by the
			// GBV statistics source.
			if res.Incidents == 0 || res.Incidents > n/4 {
				t.Errorf("%d GBV incidents for %d cases", res.Incidents, n)
			}
			gbvRows, err := a.GBV.StatsSource().Answer(ctx, stats.Query{Measure: gbv.MeasureIncidents, By: []string{"gbv_type"}})
			total := 0.0
			for _, r := range gbvRows {
				total += r.Value
			}
			if err != nil || int(total) != res.Incidents {
				t.Errorf("GBV statistics after the load: %v incidents, %v; want %d", total, err, res.Incidents)
			}
			// The helpline's contacts: counted for the coordinator, listed and
			// opened by the operator, and a contact logged after the load
			// continues the numbers.
			if res.Contacts != n*scale.ContactsPerCase {
				t.Errorf("%d contacts, want %d", res.Contacts, n*scale.ContactsPerCase)
			}
			fig, err := a.Helpline.Figures(ctx, coord, a.Clock.Now().AddDate(-8, 0, 0), a.Clock.Now().Add(time.Hour))
			if err != nil || fig.Total != res.Contacts || len(fig.By["channel"]) < 3 || len(fig.By["month"]) < 12 {
				t.Errorf("figures after the load: %+v, %v", fig, err)
			}
			hl, _ := a.Auth.FindUserByEmail(ctx, access.SystemActor, demo.Email(access.Helpline))
			recent, err := a.Helpline.Recent(ctx, hl.Actor())
			if err != nil || len(recent) == 0 {
				t.Fatalf("recent contacts: %d, %v", len(recent), err)
			}
			if _, err := a.Helpline.Find(ctx, hl.Actor(), recent[0].ID); err != nil {
				t.Errorf("open a generated contact: %v", err)
			}
			c, err := a.Helpline.Log(ctx, hl.Actor(), helpline.Input{DurationMin: 3, Channel: "phone", CallerType: "anonymous",
				Language: "sq", Topic: "information.rights"})
			if err != nil {
				t.Fatalf("a contact after the load: %v", err)
			}
			if c.Reference <= recent[0].Reference && strings.HasPrefix(recent[0].Reference, c.Reference[:8]) {
				t.Errorf("contact after the load got %s, the latest generated is %s", c.Reference, recent[0].Reference)
			}
			// The criminal cases: one per CasesPerCriminal victim cases, read
			// back through the service (defendants' names open with the
			// service's key and AAD), each event sequence valid for the state
			// machine, and counted by the statistics source.
			if want := (n + scale.CasesPerCriminal - 1) / scale.CasesPerCriminal; res.Criminal != want {
				t.Errorf("%d criminal cases, want %d", res.Criminal, want)
			}
			var ccID string
			a.DB.Read().QueryRowContext(ctx, `SELECT criminal_case_id FROM criminal_defendants ORDER BY id LIMIT 1`).Scan(&ccID)
			cc, err := a.Justice.Get(ctx, access.SystemActor, ccID)
			if err != nil || len(cc.Defendants) == 0 || cc.Defendants[0].Name == "" || len(cc.Events) == 0 {
				t.Fatalf("generated criminal case: %+v, %v", cc, err)
			}
			for i := range cc.Events {
				if err := justice.CheckNext(cc.Events[:i], cc.Events[i], a.Clock.Now()); err != nil {
					t.Errorf("generated event %d (%s) refused by the state machine: %v", i, cc.Events[i].Type, err)
				}
			}
			rows, err := a.Justice.StatsSource().Answer(ctx, stats.Query{Measure: justice.MeasureInvestigations, From: "2015-01", To: "2030-12"})
			if err != nil || len(rows) != 1 || rows[0].Value == 0 {
				t.Errorf("investigations after the load: %v, %v", rows, err)
			}
		})
	}
}

// TestLoadRefusesRealData: generated data never mixes with real records.
func TestLoadRefusesRealData(t *testing.T) {
	ctx := context.Background()
	a, _ := apptest.Open(t, storetest.Engines(t)[0])
	if _, err := demo.Load(ctx, a); err != nil {
		t.Fatal(err)
	}
	o, err := a.Auth.FindOrgByName(ctx, access.SystemActor, "Demo Helpline")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "real@example.invalid", Name: "Real Account",
		Role: access.Helpline, OrgID: o.ID, Password: "correct horse battery staple 42"}); err != nil {
		t.Fatal(err)
	}
	if _, err := scale.Load(ctx, a, scale.Options{Cases: 10}); err != scale.ErrRealData {
		t.Fatalf("Load on a store with a real account = %v, want ErrRealData", err)
	}
}
