package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/linkage/synth"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// refMark stands for the case reference in audit events until the writer
// has reserved it.
const refMark = "\x00ref"

// batch is the cases of one transaction, sealed and ready for rows.
type batch struct{ cases []*genCase }

// genCase is one generated case with everything that happened in it.
type genCase struct {
	id, personID, ref string
	pkey, ckey        *vault.BulkKey
	opened, updated   time.Time
	closed            time.Time
	owner             *org
	person            cases.Person
	personEnc         []byte
	index             []cases.IndexRow
	dedupKeys         [][]byte
	child             bool
	band              string
	stage             cases.Stage
	status            cases.Status
	risk, exploitCtry string
	municipality      string
	proceedings       string
	closure           string
	detailsEnc        []byte
	version           int
	codes             [][2]string
	team              []teamRow
	timeline          []timelineRow
	decisions         []decisionRow
	notes             []noteRow
	referrals         []referralRow
	stays             []stayRow
	audit             []audit.Event
}

type teamRow struct {
	org *org
	via string
	at  time.Time
}

type timelineRow struct {
	at                         time.Time
	kind, refTable, refID, sum string
	by                         *org
	visibility                 string
}

type decisionRow struct {
	id, status string
	by         *org
	at         time.Time
	enc        []byte
}

type noteRow struct {
	id, visibility, category string
	by                       *org
	at                       time.Time
	enc                      []byte
}

type referralRow struct {
	id, urgency, state, outcome string
	svc                         service
	to                          *org
	by                          *org
	at, answered, completed     time.Time
	admitted                    time.Time
	enc                         []byte
	version                     int
}

type stayRow struct {
	id, referral, exit string
	svc                service
	admitted, discharg time.Time
	by                 *org
}

// generator draws cases; it runs beside the writer, so sealing and
// hashing overlap with the database's work.
type generator struct {
	a    *app.App
	w    *writer
	o    Options
	rng  *rand.Rand
	now  time.Time
	from time.Time
}

func newGenerator(a *app.App, w *writer, o Options) *generator {
	now := a.Clock.Now().UTC()
	return &generator{a: a, w: w, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5ca1e)), now: now,
		from: now.AddDate(-7, 0, 0)}
}

func (g *generator) run(ctx context.Context, out chan<- *batch) error {
	for done := 0; done < g.o.Cases; {
		n := min(g.o.Batch, g.o.Cases-done)
		keys, err := g.a.Vault.BulkKeys(ctx, g.a.DB.Read())
		if err != nil {
			return err
		}
		b := &batch{cases: make([]*genCase, n)}
		for i := range n {
			// Cases are drawn in the order they were opened, over seven years.
			frac := (float64(done+i) + g.rng.Float64()) / float64(g.o.Cases)
			opened := g.from.Add(time.Duration(frac * float64(g.now.Sub(g.from)-24*time.Hour)))
			c, err := g.draw(opened, keys)
			if err != nil {
				return err
			}
			b.cases[i] = c
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		done += n
	}
	return nil
}

// weighted picks a value by weight.
type weighted[T any] struct {
	v T
	w int
}

func pickW[T any](rng *rand.Rand, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	n := rng.IntN(total)
	for _, x := range xs {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return xs[0].v
}

// citizenship of victims, as DOMAIN §6.2 reports them: Kosovo citizens the
// majority, then the neighbours and the countries of origin seen; the name
// language follows, with Serbian and Macedonian often written in Cyrillic.
type origin struct{ country, lang string }

var origins = []weighted[origin]{
	{origin{"XK", "al"}, 62}, {origin{"XK", "sr"}, 6}, {origin{"AL", "al"}, 8}, {origin{"RS", "sr"}, 5},
	{origin{"ME", "bs"}, 3}, {origin{"BA", "bs"}, 2}, {origin{"MK", "mk"}, 2}, {origin{"MD", "ro"}, 6},
	{origin{"RO", "ro"}, 3}, {origin{"TR", "tr"}, 2}, {origin{"UA", "ro"}, 1},
}

// exploitation forms (DOMAIN §6.1: 70–85 % sexual exploitation).
var exploitation = []weighted[string]{
	{"SexualExploitation", 74}, {"ForcedLabour", 9}, {"ForcedBegging", 8}, {"ForcedMarriage", 3},
	{"ForcedCriminality", 2}, {"Servitude", 2}, {"ChildLabour", 1}, {"Other", 1},
}

var municipalities = []string{"Prishtinë", "Prizren", "Pejë", "Gjakovë", "Ferizaj", "Gjilan", "Mitrovicë", "Podujevë",
	"Vushtrri", "Suharekë", "Rahovec", "Drenas", "Lipjan", "Malishevë", "Kamenicë", "Viti", "Deçan", "Istog",
	"Klinë", "Skenderaj", "Dragash", "Graçanicë", "Shtërpcë", "Zveçan"}

// path is where a case went: the stages after signal_received, and the
// identification decision that moved it, if any.
type path struct {
	stages   []cases.Stage
	decision cases.Status // '' or the status decided on the way
	closure  string
}

var (
	sScr  = cases.StageScreening
	sPres = cases.StagePresumed
	sId   = cases.StageIdentified
	sAss  = cases.StageAssistance
)

// recentPaths are for cases opened in the last months; settledPaths for
// older ones, which have mostly reached assistance, return or closure.
var recentPaths = []weighted[path]{
	{path{}, 30}, {path{stages: []cases.Stage{sScr}}, 30}, {path{stages: []cases.Stage{sScr, sPres}}, 25},
	{path{stages: []cases.Stage{sScr, sPres, sId}, decision: cases.StatusIdentified}, 10},
	{path{stages: []cases.Stage{sScr, cases.StageNotIndicated}}, 5},
}

var settledPaths = []weighted[path]{
	{path{stages: []cases.Stage{sScr, sPres}}, 6},
	{path{stages: []cases.Stage{sScr, sPres, sId, sAss}, decision: cases.StatusIdentified}, 22},
	{path{stages: []cases.Stage{sScr, sPres, sId, sAss, cases.StageLongTerm}, decision: cases.StatusIdentified}, 14},
	{path{stages: []cases.Stage{sScr, sPres, sId, cases.StageReturnInProgress, cases.StageReturned, cases.StagePostReturn}, decision: cases.StatusIdentified}, 5},
	{path{stages: []cases.Stage{sScr, cases.StageNotIndicated}}, 12},
	{path{stages: []cases.Stage{sScr, sPres, cases.StageNotVictim}, decision: cases.StatusNotVictim}, 4},
	{path{stages: []cases.Stage{cases.StageReferredElsewhere}}, 3},
	{path{stages: []cases.Stage{sScr, sPres, sId, sAss, cases.StageClosed}, decision: cases.StatusIdentified, closure: "reintegrated"}, 22},
	{path{stages: []cases.Stage{sScr, sPres, sAss, cases.StageClosed}, closure: "lost_contact"}, 6},
	{path{stages: []cases.Stage{sScr, sPres, sId, sAss, cases.StageClosed}, decision: cases.StatusIdentified, closure: "transferred_abroad"}, 3},
	{path{stages: []cases.Stage{sScr, sPres, sAss, cases.StageClosed}, closure: "declined_assistance"}, 3},
}

var narratives = []string{
	"Contacted through a social network with an offer of work abroad; documents taken on arrival.",
	"Brought to a bar in another municipality and kept there; reported by a neighbour.",
	"Begging at a crossroads for an adult who took the money; found by a mobile team.",
	"Promised marriage and a better life; kept in an apartment and forced into prostitution.",
	"Worked without pay at a construction site; passport held by the employer.",
}

var noteTexts = []string{
	"Met at the shelter; she is calmer and asked about school enrolment.",
	"Phone call with the family; they are willing to meet at the Centre for Social Work.",
	"Accompanied to the medical check-up; next appointment in two weeks.",
	"Discussed the risk of contact with the recruiter; safety plan updated.",
	"Legal counselling on the rights of a victim in criminal proceedings.",
	"Vocational training options reviewed together; she prefers hairdressing.",
}

// draw generates one case opened at opened.
func (g *generator) draw(opened time.Time, keys func() *vault.BulkKey) (*genCase, error) {
	rng := g.rng
	c := &genCase{id: store.NewOrderedID(), personID: store.NewOrderedID(), pkey: keys(), ckey: keys(), opened: opened}
	c.owner = g.pickOwner()
	org := pickW(rng, origins)
	female := rng.IntN(100) < 85
	child := rng.IntN(100) < 55
	age := 18 + rng.IntN(27)
	if child {
		age = 9 + rng.IntN(9)
	}
	born := opened.AddDate(-age, -rng.IntN(12), -rng.IntN(28))
	p := &c.person
	p.GivenName, p.FamilyName = synth.Name(rng, org.lang, female, (org.lang == "sr" || org.lang == "mk") && rng.IntN(2) == 0)
	switch r := rng.IntN(10); {
	case r < 8:
		p.BirthDate = born.Format(time.DateOnly)
	case r < 9:
		p.BirthDate = born.Format("2006-01")
	default:
		p.BirthDate, p.BirthDateEstimated = born.Format("2006"), true
	}
	p.Sex = "male"
	if female {
		p.Sex = "female"
	}
	p.Citizenship = org.country
	p.Languages = []string{map[string]string{"al": "sq", "sr": "sr", "bs": "bs", "mk": "mk", "ro": "ro", "tr": "tr"}[org.lang]}
	if rng.IntN(10) < 4 {
		p.Documents = []cases.Document{{Type: []string{"passport", "id_card"}[rng.IntN(2)],
			Number: fmt.Sprintf("DEMO%07d", rng.IntN(10_000_000)), Country: org.country}}
	}
	if rng.IntN(2) == 0 {
		// +383 00 … is not a range Kosovo assigns: no real number.
		p.Contacts = []cases.Contact{{Type: "phone", Value: fmt.Sprintf("+383 00 %03d %03d", rng.IntN(1000), rng.IntN(1000))}}
	}
	c.child = cases.IsChild(p.BirthDate, p.BirthDateEstimated, false, opened)
	c.band = cases.AgeBand(p.BirthDate, p.BirthDateEstimated, opened)
	pdata, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	c.personEnc = c.pkey.Seal(vault.AAD{Table: "persons", Row: c.personID, Field: "data"}, pdata)
	clear(pdata)
	c.index = g.a.Cases.PersonIndex(p)
	c.dedupKeys = g.a.Dedup.BlockingKeys(*p)
	c.municipality = municipalities[rng.IntN(len(municipalities))]
	c.exploitCtry = pickW(rng, []weighted[string]{{"XK", 80}, {"AL", 5}, {"DE", 4}, {"ME", 3}, {"RS", 3}, {"MK", 2}, {"CH", 2}, {"IT", 1}})
	c.risk = []string{"", "low", "medium", "high"}[rng.IntN(4)]
	c.proceedings = "none"
	if rng.IntN(3) > 0 {
		d := cases.Details{ExploitationPlace: c.municipality, Narrative: narratives[rng.IntN(len(narratives))],
			RecruitmentDate: opened.AddDate(0, -1-rng.IntN(12), 0).Format("2006-01")}
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		c.detailsEnc = c.ckey.Seal(vault.AAD{Table: "cases", Row: c.id, Field: "details"}, b)
	}
	c.codes = append(c.codes, [2]string{cases.FieldExploitation, pickW(rng, exploitation)})
	if rng.IntN(2) == 0 {
		c.codes = append(c.codes, [2]string{cases.FieldControl, cases.Picklists[cases.FieldControl][rng.IntN(10)]})
	}
	if rng.IntN(2) == 0 {
		c.codes = append(c.codes, [2]string{cases.FieldRecruitment, cases.Picklists[cases.FieldRecruitment][rng.IntN(9)]})
	}
	g.history(c)
	return c, nil
}

// pickOwner draws the organisation that registered the case: mostly the
// police, then centres for social work, advocates, NGOs and the helpline.
func (g *generator) pickOwner() *org {
	t := pickW(g.rng, []weighted[access.OrgType]{{"police", 60}, {"social_work", 15}, {"victim_advocacy", 10}, {"ngo", 10}, {"helpline", 5}})
	os := g.w.byType[t]
	if len(os) == 0 {
		os = g.w.byType["police"]
	}
	return os[g.rng.IntN(len(os))]
}

// history walks the case along its path: stage changes, the decision,
// notes, referrals and stays, each on the timeline and in the audit trail.
func (g *generator) history(c *genCase) {
	rng := g.rng
	age := g.now.Sub(c.opened)
	var p path
	if age < 120*24*time.Hour {
		p = pickW(rng, recentPaths)
	} else {
		p = pickW(rng, settledPaths)
	}
	at := c.opened
	step := func() time.Time {
		// the next thing happens within a few days, never after now
		next := at.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
		if d := g.now.Add(-time.Minute); next.After(d) {
			next = d
		}
		at = next
		return at
	}
	actor := c.owner.actor()
	c.team = append(c.team, teamRow{org: c.owner, via: "owner", at: c.opened})
	opened := "opened"
	if c.child {
		opened += ",child"
	}
	c.tl(c.opened, "stage", c.owner, "", "", opened+",to="+string(cases.StageSignal))
	c.event(c.opened, actor, "case.create", "case", refMark, fmt.Sprintf("child=%v", c.child))
	c.stage, c.status, c.version = cases.StageSignal, cases.StatusPossible, 1
	for _, to := range p.stages {
		t := step()
		if (to == sId || to == cases.StageNotVictim) && p.decision != "" {
			d := decisionRow{id: store.NewOrderedID(), status: string(p.decision), by: c.owner, at: t}
			d.enc = c.ckey.Seal(vault.AAD{Table: "identification_decisions", Row: d.id, Field: "grounds"},
				[]byte("Indicators of recruitment by deception and of control were assessed with the victim advocate."))
			c.decisions = append(c.decisions, d)
			c.tl(t, "decision", c.owner, "identification_decisions", d.id, "status="+d.status)
			c.event(t, actor, "case.decide", "case", refMark, "status="+d.status+",decision="+d.id)
		}
		sum := "from=" + string(c.stage) + ",to=" + string(to)
		if to == cases.StageClosed {
			sum += ",reason=" + p.closure
			c.closure, c.closed = p.closure, t
		}
		c.tl(t, "stage", c.owner, "", "", sum)
		c.event(t, actor, "case.transition", "case", refMark, sum)
		switch to {
		case sPres:
			c.status = cases.StatusPresumed
		case sId:
			c.status = cases.StatusIdentified
			c.proceedings = []string{"none", "investigation", "indictment", "trial", "verdict"}[rng.IntN(5)]
		case cases.StageNotVictim:
			c.status = cases.StatusNotVictim
		}
		c.stage = to
		c.version++
		if to == sPres || to == sId {
			g.refer(c, step, actor)
		}
	}
	for range rng.IntN(4) {
		t := step()
		n := noteRow{id: store.NewOrderedID(), visibility: "team", category: "general", by: c.owner, at: t}
		if rng.IntN(5) == 0 {
			n.category = []string{"social", "medical", "legal", "safety"}[rng.IntN(4)]
		}
		n.enc = c.ckey.Seal(vault.AAD{Table: "case_notes", Row: n.id, Field: "body"}, []byte(noteTexts[rng.IntN(len(noteTexts))]))
		c.notes = append(c.notes, n)
		c.tlv(t, "note", c.owner, "case_notes", n.id, "note.added:"+n.category, "team")
		c.event(t, actor, "note.create", "note", n.id, "case="+refMark+",visibility=team")
	}
	c.updated = at
	// Reads fill the trail: the team opening the case, now and then.
	for len(c.audit) < g.o.EventsPerCase {
		t := c.opened.Add(time.Duration(rng.Int64N(int64(at.Sub(c.opened)) + int64(time.Hour))))
		if t.After(g.now) {
			t = g.now.Add(-time.Second)
		}
		m := c.team[rng.IntN(len(c.team))].org
		c.event(t, m.actor(), "case.read_personal", "case", refMark, "fields=person")
	}
}

// refer sends the case to a service of another organisation: answered at
// once for older cases (accepted, completed with a stay for shelters, now
// and then declined), left pending for recent ones.
func (g *generator) refer(c *genCase, step func() time.Time, actor access.Actor) {
	rng := g.rng
	if len(g.w.services) == 0 || rng.IntN(10) < 4 {
		return
	}
	s := g.w.services[rng.IntN(len(g.w.services))]
	if s.orgID == c.owner.id {
		return
	}
	to := g.w.orgByID(s.orgID)
	if to == nil {
		return
	}
	t := step()
	r := referralRow{id: store.NewOrderedID(), urgency: []string{referral.UrgencyRoutine, referral.Urgency24h, referral.UrgencyEmergency}[rng.IntN(3)], svc: s, to: to, by: c.owner, at: t, version: 1}
	r.enc = c.ckey.Seal(vault.AAD{Table: "referrals", Row: r.id, Field: "reason"}, []byte("Needs safe accommodation and counselling."))
	c.tl(t, "referral", c.owner, "referrals", r.id, "sent;urgency="+r.urgency+";type="+s.typ+";to="+s.orgID+";consent="+consent.ReasonConsented)
	c.event(t, actor, "referral.create", "referral", r.id, "case="+refMark+",to="+s.orgID+",urgency="+r.urgency+",consent="+consent.ReasonConsented)
	r.state = "pending"
	if g.now.Sub(t) > 30*24*time.Hour {
		ans := step()
		r.answered, r.version = ans, 2
		if rng.IntN(10) == 0 {
			r.state = "declined"
		} else {
			r.state = "accepted"
			c.team = append(c.team, teamRow{org: to, via: "referral", at: ans})
		}
		c.tl(ans, "referral", to, "referrals", r.id, r.state+";type="+s.typ)
		c.event(ans, to.actor(), "referral."+map[string]string{"accepted": "accept", "declined": "decline"}[r.state], "referral", r.id, "case="+refMark)
		if r.state == "accepted" {
			if referral.IsShelter(s.typ) {
				st := stayRow{id: store.NewOrderedID(), referral: r.id, svc: s, admitted: step(), by: to,
					exit: []string{"independent_living", "family", "other_placement"}[rng.IntN(3)]}
				st.discharg = st.admitted.Add(time.Duration(7+rng.IntN(80)) * 24 * time.Hour)
				if st.discharg.After(g.now) {
					st.discharg = g.now.Add(-time.Hour)
				}
				c.stays = append(c.stays, st)
				r.admitted = st.admitted
				c.tl(st.admitted, "stay", to, "stays", st.id, "admitted;service="+s.id)
				c.event(st.admitted, to.actor(), "stay.admit", "stay", st.id, "case="+refMark)
				c.tl(st.discharg, "stay", to, "stays", st.id, "discharged;exit="+st.exit)
				c.event(st.discharg, to.actor(), "stay.discharge", "stay", st.id, "case="+refMark)
			}
			if rng.IntN(2) == 0 {
				r.state, r.outcome, r.completed, r.version = "completed", "delivered", step(), 3
				c.tl(r.completed, "referral", to, "referrals", r.id, "completed;type="+s.typ)
				c.event(r.completed, to.actor(), "referral.complete", "referral", r.id, "case="+refMark)
			}
		}
	}
	c.referrals = append(c.referrals, r)
}

func (w *writer) orgByID(id string) *org {
	for _, os := range w.byType {
		for _, o := range os {
			if o.id == id {
				return o
			}
		}
	}
	return nil
}

func (c *genCase) tl(at time.Time, kind string, by *org, refTable, refID, sum string) {
	c.tlv(at, kind, by, refTable, refID, sum, "team")
}

func (c *genCase) tlv(at time.Time, kind string, by *org, refTable, refID, sum, vis string) {
	c.timeline = append(c.timeline, timelineRow{at: at, kind: kind, by: by, refTable: refTable, refID: refID, sum: sum, visibility: vis})
}

func (c *genCase) event(at time.Time, a access.Actor, action, objType, objID, detail string) {
	c.audit = append(c.audit, audit.Event{At: at, Actor: audit.ActorFrom(a), Action: action, ObjectType: objType,
		ObjectID: objID, Detail: detail})
}

// rows renders the case into the batch's tables; the reference is set.
func (c *genCase) rows(t map[string]*table) {
	ts := store.FormatTime
	t["data_keys"].add(c.pkey.ID, "person", c.pkey.MasterVersion, c.pkey.Wrapped, ts(c.opened))
	t["data_keys"].add(c.ckey.ID, "case", c.ckey.MasterVersion, c.ckey.Wrapped, ts(c.opened))
	t["persons"].add(c.personID, c.pkey.ID, c.personEnc, c.person.Sex, c.band, c.person.Citizenship, store.Bool(c.child), ts(c.opened), ts(c.opened))
	for _, ix := range c.index {
		t["person_index"].add(c.personID, ix.Kind, ix.Value)
	}
	for _, k := range c.dedupKeys {
		t["person_dedup_keys"].add(c.personID, k)
	}
	var closed any
	if !c.closed.IsZero() {
		closed = ts(c.closed)
	}
	nonRemoval := c.status == cases.StatusPresumed || c.status == cases.StatusIdentified
	var details any
	if c.detailsEnc != nil {
		details = c.detailsEnc
	}
	t["cases"].add(c.id, c.ref, c.owner.id, c.personID, c.ckey.ID, string(c.stage), string(c.status), store.Bool(c.child),
		0, c.band, c.person.Sex, c.person.Citizenship, c.risk, c.exploitCtry, c.municipality, c.opened.Format("2006-01"),
		c.proceedings, store.Bool(nonRemoval), c.closure, details, c.version, ts(c.opened), ts(c.updated), closed)
	for _, cd := range c.codes {
		t["case_codes"].add(c.id, cd[0], cd[1])
	}
	seen := map[string]bool{}
	for _, m := range c.team {
		if seen[m.org.id] {
			continue
		}
		seen[m.org.id] = true
		t["case_team"].add(c.id, m.org.id, "", m.via, m.via, ts(m.at), c.owner.user)
	}
	for _, e := range c.timeline {
		t["case_events"].add(store.NewOrderedID(), c.id, ts(e.at), e.kind, e.by.user, e.by.id, e.refTable, e.refID, e.visibility, e.sum)
	}
	for _, d := range c.decisions {
		t["identification_decisions"].add(d.id, c.id, d.status, "Police", d.by.id, d.by.user, "", "", ts(d.at), d.enc, ts(d.at))
	}
	for _, n := range c.notes {
		t["case_notes"].add(n.id, c.id, n.visibility, n.category, n.by.user, n.by.id, string(n.by.role), n.enc, ts(n.at))
	}
	for _, r := range c.referrals {
		var answered, completed any
		answeredBy := ""
		if !r.answered.IsZero() {
			answered, answeredBy = ts(r.answered), r.to.user
		}
		if !r.completed.IsZero() {
			completed = ts(r.completed)
		}
		var admitted any
		if !r.admitted.IsZero() {
			admitted = ts(r.admitted)
		}
		t["referrals"].add(r.id, c.id, c.ref, r.svc.id, r.svc.typ, r.by.id, r.by.user, r.to.id, r.urgency, r.state,
			ts(r.at.Add(72*time.Hour)), consent.ReasonConsented, r.enc, r.outcome, answered, answeredBy, completed, admitted, ts(r.at), r.version)
	}
	for _, s := range c.stays {
		t["stays"].add(s.id, c.id, c.ref, s.svc.id, s.by.id, s.referral, ts(s.admitted), s.by.user, ts(s.discharg), s.by.user, s.exit)
	}
}
