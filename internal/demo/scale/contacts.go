package scale

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/store"
)

// The helpline's contacts at scale. A helpline hears of far more than ever
// becomes a case — information requests, worried relatives, job offers
// checked in time, domestic violence — so a load writes ContactsPerCase
// contacts per case, spread over the same seven years, with the mix of
// channels, callers, languages and topics a national line plausibly has.
// They are anonymous and carry no note (the statistical columns are what
// the figures and the pages at scale read); one in twenty has a caller
// code, one in forty a call-back (made, but for half of those due this
// week and those still ahead). Each is audited as
// the console's logging is, on the same chain.

// ContactsPerCase is how many helpline contacts a load writes per case.
const ContactsPerCase = 2

var (
	contactChannels = []weighted[string]{{"phone", 70}, {"chat", 12}, {"email", 6}, {"sms", 7}, {"walk_in", 5}}
	contactCallers  = []weighted[string]{{"anonymous", 35}, {"possible_victim", 25}, {"relative_friend", 22},
		{"witness", 8}, {"professional", 10}}
	contactLanguages = []weighted[string]{{"sq", 70}, {"sr", 12}, {"en", 5}, {"tr", 3}, {"rom", 3}, {"bs", 2},
		{"ar", 2}, {"fa", 1}, {"ps", 1}, {"ro", 1}}
	contactCategories = []weighted[string]{{"information", 30}, {"domestic_violence", 25}, {"trafficking", 12},
		{"migration", 12}, {"gbv", 8}, {"child_at_risk", 8}, {"other", 5}}
)

// contacts writes n contacts in transactions of batch rows.
func (w *writer) contacts(ctx context.Context, n, batch int, seed uint64, from, now time.Time) (int, error) {
	lines := w.byType["helpline"]
	if len(lines) == 0 || n <= 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(seed^0xc0ffee, seed))
	subs := map[string][]string{}
	for _, c := range helpline.Topics.Categories {
		for _, s := range c.Subs {
			subs[c.Code] = append(subs[c.Code], c.Code+"."+s.Code)
		}
	}
	counters := map[int]int{}
	rows, err := w.db.Read().QueryContext(ctx, `SELECT year, last FROM helpline_counters`)
	if err != nil {
		return 0, fmt.Errorf("scale: contact counters: %w", err)
	}
	for rows.Next() {
		var y, last int
		if err := rows.Scan(&y, &last); err != nil {
			rows.Close()
			return 0, fmt.Errorf("scale: contact counters: %w", err)
		}
		counters[y] = last
	}
	rows.Close()
	cols := []string{"id", "reference", "org_id", "operator_id", "started_at", "month", "duration_min", "channel", "caller_type",
		"language", "municipality", "taxonomy_version", "category", "topic", "immediate_danger", "child_involved",
		"caller_is_victim", "did_information", "did_police", "did_shelter", "did_csw", "did_service", "did_callback",
		"caller_idx", "personal_consent", "callback_due", "callback_done_at", "created_at"}
	span := now.Sub(from) - time.Hour
	done := 0
	for done < n {
		k := min(batch, n-done)
		t := &table{name: "helpline_contacts", cols: cols}
		events := make([]audit.Event, 0, k)
		for i := range k {
			frac := (float64(done+i) + rng.Float64()) / float64(n)
			at := from.Add(time.Duration(frac * float64(span))).Truncate(time.Minute).UTC()
			line := lines[rng.IntN(len(lines))]
			counters[at.Year()]++
			ref := fmt.Sprintf("HL-%d-%04d", at.Year(), counters[at.Year()])
			cat := pickW(rng, contactCategories)
			topic := subs[cat][rng.IntN(len(subs[cat]))]
			mun := ""
			if rng.IntN(10) < 6 {
				mun = helpline.Municipalities[rng.IntN(len(helpline.Municipalities))]
			}
			danger := store.Bool(rng.IntN(50) == 0)
			child := store.Bool(cat == "child_at_risk" || rng.IntN(12) == 0)
			caller := pickW(rng, contactCallers)
			victim := store.Bool(caller == "possible_victim")
			did := [6]int{}
			did[0] = store.Bool(cat == "information" || rng.IntN(3) == 0)
			did[1] = store.Bool(danger == 1 || cat == "trafficking" && rng.IntN(3) == 0)
			did[2] = store.Bool(cat == "domestic_violence" && rng.IntN(4) == 0)
			did[3] = store.Bool(child == 1 && rng.IntN(2) == 0)
			did[4] = store.Bool(rng.IntN(10) == 0)
			var idx []byte
			if rng.IntN(20) == 0 {
				idx = w.a.Vault.BlindIndex("helpline.caller_code", fmt.Sprintf("scale-%d", rng.IntN(n/4+1)))
			}
			var due, doneAt store.Time
			if rng.IntN(40) == 0 {
				did[5] = 1
				due = store.T(at.Add(time.Duration(2+rng.IntN(70)) * time.Hour))
				// Call-backs are made: those due more than a week ago all
				// were, half of the more recent ones.
				if due.Time.Before(now.AddDate(0, 0, -7)) || due.Time.Before(now) && rng.IntN(2) == 0 {
					doneAt = due
				}
			}
			id := store.NewOrderedID()
			t.add(id, ref, line.id, line.user, store.FormatTime(at), at.Format("2006-01"), 2+rng.IntN(25),
				pickW(rng, contactChannels), caller, pickW(rng, contactLanguages), mun, helpline.Topics.Version, cat, topic,
				danger, child, victim, did[0], did[1], did[2], did[3], did[4], did[5], idx, 0, due, doneAt, store.FormatTime(at))
			events = append(events, audit.Event{At: at, Actor: audit.ActorFrom(line.actor()), Action: "helpline.contact.log",
				ObjectType: "helpline_contact", ObjectID: id, Detail: "ref=" + ref + ";channel=generated;topic=" + topic})
		}
		err := w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
			if err := w.insert(ctx, tx, t); err != nil {
				return err
			}
			chain, err := audit.OpenChain(ctx, tx)
			if err != nil {
				return err
			}
			var ev *table
			for _, tb := range newTables() {
				if tb.name == "audit_events" {
					ev = tb
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
	return done, w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
		for y, last := range counters {
			if _, err := tx.ExecContext(ctx, `INSERT INTO helpline_counters (year, last) VALUES ($1, $2)
				ON CONFLICT (year) DO UPDATE SET last = excluded.last`, y, last); err != nil {
				return fmt.Errorf("scale: contact counters: %w", err)
			}
		}
		return nil
	})
}
