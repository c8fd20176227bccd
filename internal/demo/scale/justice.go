package scale

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Criminal cases at scale (internal/justice). One victim case in
// CasesPerCriminal has a criminal case (a million victim cases, a hundred
// thousand criminal cases: the proportion issue 18 measures), with the
// attrition DOMAIN-2 §1.9 and the US TIP narratives describe: most reports
// lead to an investigation, about half of those to an indictment, most
// indictments to a first-instance judgment, mostly convictions, many of
// them below the statutory minimum, some charges downgraded from
// trafficking to a lesser offence. Each criminal case has one to three
// defendants (sealed under the case's own data key, as the service does),
// its events in legal order, the victim's hearings, protective measures
// and compensation claims, and one audit event.

// CasesPerCriminal is how many victim cases a load writes per criminal case.
const CasesPerCriminal = 10

var (
	defNationality = []weighted[string]{{"XK", 78}, {"AL", 10}, {"RS", 5}, {"MK", 3}, {"ME", 2}, {"TR", 2}}
	defRoles       = []weighted[string]{{"RECRUITER", 35}, {"EXPLOITER", 35}, {"TRANSPORTER", 12}, {"USER_OF_SERVICES", 8}, {"OTHER", 10}}
	downgrades     = []weighted[string]{{"FACILITATING_PROSTITUTION", 0}, {"SMUGGLING_MIGRANTS", 3}, {"CHILD_MALTREATMENT_BEGGING", 4}, {"USE_SERVICES_VICTIM", 3}}
	givenNames     = []string{"Arben", "Besnik", "Dritan", "Fatmir", "Gent", "Ilir", "Luan", "Milan", "Nenad", "Dragan", "Valon", "Edona", "Teuta"}
	familyNames    = []string{"Gashi", "Krasniqi", "Berisha", "Morina", "Hoxha", "Shala", "Jovanović", "Petrović", "Kelmendi", "Bytyqi"}
)

func justiceTables() []*table {
	return []*table{
		{name: "data_keys", cols: []string{"id", "purpose", "master_version", "wrapped", "created_at"}},
		{name: "criminal_cases", cols: []string{"id", "jurisdiction", "offence_code", "offence_date", "criminal_law", "stage", "status",
			"owner_org", "key_id", "created_by", "created_at", "updated_at", "version"}},
		{name: "criminal_case_orgs", cols: []string{"criminal_case_id", "org_id"}},
		{name: "criminal_case_refs", cols: []string{"id", "criminal_case_id", "system", "instance", "number", "created_at"}},
		{name: "criminal_case_victims", cols: []string{"criminal_case_id", "case_id", "created_at"}},
		{name: "criminal_events", cols: []string{"id", "criminal_case_id", "seq", "type", "event_date", "outcome", "detention", "created_by", "created_at"}},
		{name: "criminal_defendants", cols: []string{"id", "criminal_case_id", "name_enc", "details_enc", "sex", "nationality", "roles", "official", "created_at"}},
		{name: "criminal_charges", cols: []string{"id", "criminal_case_id", "defendant_id", "stage", "offence_code", "criminal_law", "article",
			"replaces_id", "current", "created_at"}},
		{name: "criminal_sentences", cols: []string{"id", "criminal_case_id", "charge_id", "event_id", "outcome", "imprisonment_months",
			"suspended", "fine_eur", "below_minimum", "final", "created_at"}},
		{name: "criminal_victim_records", cols: []string{"id", "criminal_case_id", "case_id", "event_id", "kind", "code", "status", "lang",
			"record_date", "due_date", "decided_date", "present", "advocate_present", "claimed_eur", "awarded_eur", "created_by", "created_at"}},
	}
}

type victimCase struct {
	id     string
	opened time.Time
}

// criminal writes a criminal case for every CasesPerCriminal-th victim case.
func (w *writer) criminal(ctx context.Context, batch int, seed uint64, now time.Time) (int, error) {
	police, prosecution := w.byType["police"], w.byType["prosecution"]
	if len(police) == 0 {
		return 0, nil
	}
	rows, err := w.db.Read().QueryContext(ctx, `SELECT id, created_at FROM cases ORDER BY created_at, id`)
	if err != nil {
		return 0, fmt.Errorf("scale: victim cases: %w", err)
	}
	var victims []victimCase
	i := 0
	for rows.Next() {
		var v victimCase
		var at store.Time
		if err := rows.Scan(&v.id, &at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("scale: victim cases: %w", err)
		}
		if i%CasesPerCriminal == 0 {
			v.opened = at.Time
			victims = append(victims, v)
		}
		i++
	}
	rows.Close()
	rng := rand.New(rand.NewPCG(seed^0x5eed5, seed))
	cfg := justice.DefaultConfig
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	done := 0
	for done < len(victims) {
		k := min(batch, len(victims)-done)
		keys, err := w.a.Vault.BulkKeys(ctx, w.db.Read())
		if err != nil {
			return done, err
		}
		tb := justiceTables()
		byName := map[string]*table{}
		for _, t := range tb {
			byName[t.name] = t
		}
		events := make([]audit.Event, 0, k)
		for _, v := range victims[done : done+k] {
			pol := police[rng.IntN(len(police))]
			id := store.NewID()
			key := keys()
			created := v.opened.Add(time.Duration(1+rng.IntN(30*24)) * time.Hour).UTC().Truncate(time.Second)
			if created.After(now) {
				created = now.Add(-time.Hour)
			}
			offenceDay := v.opened.AddDate(0, -rng.IntN(12), -rng.IntN(28))
			day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
			offence := "THB"
			if rng.IntN(10) == 0 {
				offence = pickW(rng, []weighted[string]{{"SMUGGLING_MIGRANTS", 5}, {"USE_SERVICES_VICTIM", 3}, {"SLAVERY_FORCED_LABOUR", 2}})
			}
			od := justice.Day(day(offenceDay))
			law, ok := cfg.CriminalCodeOn("XK", od)
			if _, okOff := cfg.OffenceOn("XK", offence, od); !ok || !okOff {
				offence, od = "THB", "2019-02-01"
				law, _ = cfg.CriminalCodeOn("XK", od)
			}
			ts := store.FormatTime(created)
			byName["data_keys"].add(key.ID, "criminal_case", key.MasterVersion, key.Wrapped, ts)
			byName["criminal_case_orgs"].add(id, pol.id)
			if len(prosecution) > 0 {
				byName["criminal_case_orgs"].add(id, prosecution[rng.IntN(len(prosecution))].id)
			}
			byName["criminal_case_victims"].add(id, v.id, ts)
			byName["criminal_case_refs"].add(store.NewID(), id, "police", "", fmt.Sprintf("PK-%d-%06d", created.Year(), done+len(events)+1), ts)
			// The events, in legal order, each some weeks after the one before.
			seq := 0
			at := day(created)
			var evs []justice.Event
			add := func(typ, outcome string, gapDays int, det bool) (justice.Event, bool) {
				next := at.AddDate(0, 0, gapDays/2+rng.IntN(gapDays/2+1))
				if next.After(today) {
					return justice.Event{}, false
				}
				at, seq = next, seq+1
				e := justice.Event{ID: store.NewID(), Seq: seq, Type: typ, Date: at, Outcome: outcome, Detention: det}
				evs = append(evs, e)
				return e, true
			}
			add(justice.CriminalReport, "", 0, false)
			var judgment, final justice.Event
			indicted := false
			switch r := rng.IntN(100); {
			case r < 20:
				add(justice.ReportDismissed, "", 40, false)
			default:
				if _, ok := add(justice.RulingInvestigation, "", 40, false); ok {
					for rv := rng.IntN(4); rv > 0; rv-- {
						add(justice.Investigation, "", 180, false)
					}
					if rng.IntN(100) < 55 {
						if _, ok := add(justice.IndictmentFiled, "", 90, rng.IntN(3) == 0); ok {
							indicted = true
							if _, ok := add(justice.InitialHearing, "", 40, false); ok && rng.IntN(100) < 85 {
								if _, ok := add(justice.MainTrial, "", 120, false); ok && rng.IntN(100) < 80 {
									outcome := pickW(rng, []weighted[string]{{"CONVICTION", 80}, {"ACQUITTAL", 15}, {"REJECTION", 5}})
									if e, ok := add(justice.JudgmentFirst, outcome, 90, false); ok {
										judgment = e
										if rng.IntN(100) < 60 {
											add(justice.Appeal, "", 30, false)
										}
										if e, ok := add(justice.FinalJudgment, outcome, 200, false); ok && rng.IntN(100) < 75 {
											final = e
										} else if ok {
											evs, seq = evs[:len(evs)-1], seq-1
										}
									}
								}
							}
						}
					}
				}
			}
			for _, e := range evs {
				byName["criminal_events"].add(e.ID, id, e.Seq, e.Type, justice.Day(e.Date), e.Outcome, store.Bool(e.Detention), pol.user, ts)
			}
			last := evs[len(evs)-1]
			status := "open"
			if last.Type == justice.FinalJudgment {
				status = "closed"
			}
			byName["criminal_cases"].add(id, "XK", offence, od, law.ID, last.Type, status, pol.id, key.ID, pol.user, ts, ts, len(evs))
			// Defendants, their charges and sentences.
			for d := 1 + rng.IntN(3); d > 0; d-- {
				did := store.NewID()
				name := givenNames[rng.IntN(len(givenNames))] + " " + familyNames[rng.IntN(len(familyNames))]
				sex := "male"
				if rng.IntN(5) == 0 {
					sex = "female"
				}
				roles := []string{pickW(rng, defRoles)}
				byName["criminal_defendants"].add(did, id, key.Seal(vault.AAD{Table: "criminal_defendants", Row: did, Field: "name"}, []byte(name)),
					nil, sex, pickW(rng, defNationality), strings.Join(roles, ","), store.Bool(rng.IntN(40) == 0), ts)
				off, _ := cfg.OffenceOn("XK", offence, od)
				chID := store.NewID()
				byName["criminal_charges"].add(chID, id, did, "POLICE", off.Code, off.Law, off.Article, "", store.Bool(!indicted), ts)
				if indicted {
					// A quarter of the trafficking charges are downgraded at the indictment (R1.4.1).
					next := off
					if off.Code == "THB" && rng.IntN(4) == 0 {
						if o, ok := cfg.OffenceOn("XK", pickW(rng, downgrades), od); ok {
							next = o
						}
					}
					prev := chID
					chID = store.NewID()
					byName["criminal_charges"].add(chID, id, did, "INDICTMENT", next.Code, next.Law, next.Article, prev, 1, ts)
					off = next
				}
				for _, j := range []justice.Event{judgment, final} {
					if j.ID == "" {
						continue
					}
					months, fine, below := 0, 0, false
					if j.Outcome == "CONVICTION" {
						// Most trafficking sentences fall below the five-year minimum (TIP 2023, 2024).
						months = 6 + rng.IntN(90)
						if off.MaxMonths > 0 {
							months = min(months, off.MaxMonths)
						}
						fine = 500 * rng.IntN(10)
						below = off.MinMonths > 0 && months < off.MinMonths
					}
					byName["criminal_sentences"].add(store.NewID(), id, chID, j.ID, j.Outcome, months, store.Bool(rng.IntN(10) == 0 && months > 0),
						fine, store.Bool(below), store.Bool(j.Type == justice.FinalJudgment), ts)
				}
			}
			// The victim in the proceedings.
			rec := func(ev, kind, code, status, date, due string, present, adv bool, claimed, awarded int) {
				byName["criminal_victim_records"].add(store.NewID(), id, v.id, ev, kind, code, status, "", date, due, "",
					store.Bool(present), store.Bool(adv), claimed, awarded, pol.user, ts)
			}
			rec("", "rights", "STATUS_INJURED_PARTY", "", justice.Day(evs[0].Date), "", false, false, 0, 0)
			for _, e := range evs {
				if justice.Hearings[e.Type] && rng.IntN(2) == 0 {
					code := ""
					if e.Type == justice.MainTrial {
						code = "TESTIFIED"
						if rng.IntN(100) < 40 {
							rec(e.ID, "measure", pickW(rng, []weighted[string]{{"VIDEO_LINK_TESTIMONY", 4}, {"SCREEN_OR_SEPARATE_ROOM", 3}, {"CLOSED_SESSION", 3}}),
								"GRANTED", justice.Day(e.Date), "", false, false, 0, 0)
						}
					}
					byName["criminal_victim_records"].add(store.NewID(), id, v.id, e.ID, "hearing", code, "", "", justice.Day(e.Date), "", "",
						1, store.Bool(rng.IntN(10) < 7), 0, 0, pol.user, ts)
				}
			}
			if indicted && rng.IntN(10) == 0 {
				route := pickW(rng, []weighted[string]{{"OFFENDER", 6}, {"STATE", 4}})
				claimed := 1500 + 500*rng.IntN(12)
				status, awarded := "PENDING", 0
				if judgment.ID != "" {
					status = pickW(rng, []weighted[string]{{"AWARDED", 3}, {"PARTLY_AWARDED", 2}, {"REJECTED", 3}, {"PENDING", 2}})
					if status == "AWARDED" {
						awarded = claimed
					} else if status == "PARTLY_AWARDED" {
						awarded = claimed / 2
					}
				}
				due := ""
				if route == "STATE" {
					od, _ := time.Parse(time.DateOnly, od)
					due = justice.Day(od.AddDate(0, 6, 0))
				}
				rec("", "compensation", route, status, justice.Day(last.Date), due, false, false, claimed, awarded)
			}
			events = append(events, audit.Event{At: created, Actor: audit.ActorFrom(pol.actor()), Action: "criminal_case.create",
				ObjectType: "criminal_case", ObjectID: id, Detail: "offence=" + offence})
		}
		err = w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
			for _, t := range tb {
				if err := w.insert(ctx, tx, t); err != nil {
					return err
				}
			}
			chain, err := audit.OpenChain(ctx, tx)
			if err != nil {
				return err
			}
			var ev *table
			for _, t := range newTables() {
				if t.name == "audit_events" {
					ev = t
				}
			}
			for i := range events {
				e := &events[i]
				prev, sum, err := chain.Link(e)
				if err != nil {
					return fmt.Errorf("scale: audit event: %w", err)
				}
				ev.add(e.Seq, store.FormatTime(e.At), e.Actor.UserID, e.Actor.OrgID, e.Actor.Role, e.Action, e.ObjectType,
					e.ObjectID, e.Outcome, e.Purpose, e.Detail, e.RequestID, prev, sum)
			}
			if err := w.insert(ctx, tx, ev); err != nil {
				return err
			}
			return chain.Close(ctx, tx)
		})
		if err != nil {
			return done, err
		}
		done += k
	}
	return done, nil
}
