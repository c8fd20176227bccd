package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
)

// rawCode matches what must never reach a person: a dotted code with a
// colon, a key=value pair, or a 26-character id.
var rawCode = regexp.MustCompile(`\w+\.\w+:|\b\w+=\w+|\b[a-z2-9]{26}\b`)

const (
	histOrgPolice  = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	histOrgShelter = "bbbbbbbbbbbbbbbbbbbbbbbbbb"
	histOrgCSW     = "cccccccccccccccccccccccccc"
	histUser       = "dddddddddddddddddddddddddd"
	histHidden     = "eeeeeeeeeeeeeeeeeeeeeeeeee"
	histGone       = "ffffffffffffffffffffffffff"
	histRef        = "gggggggggggggggggggggggggg"
)

func testHistoryNames() historyNames {
	orgs := map[string]string{histOrgPolice: "Police Directorate Prishtina", histOrgShelter: "Shelter Drita", histOrgCSW: "CSW Prizren"}
	users := map[string]string{histUser: "Arta Krasniqi (Police Directorate Prishtina)", histHidden: "Shelter staff, Shelter Drita"}
	return historyNames{Org: func(id string) string { return orgs[id] }, User: func(id string) string { return users[id] }}
}

// historyCase is one stored summary and what its English sentence says.
type historyCase struct {
	kind, summary string
	key           string // the catalogue key it must render with
	en            string // the English sentence
}

// historyCases covers every writer of the timeline, in the rows they store
// today (version 1, including the bulk generator's) and in version 2.
var historyCases = []historyCase{
	// cases: registration, stage changes, decisions, team, updates, duplicates
	{"stage", "opened,to=signal_received", "history.opened", "Case registered"},
	{"stage", "opened,child,to=signal_received", "history.opened_child", "Case of a child registered"},
	{"stage", "from=screening,to=presumed_victim", "history.stage", "Stage changed from “Screening” to “Presumed victim”"},
	{"stage", "from=assistance_active,to=closed,reason=reintegrated", "history.closed_reason", "Case closed: Reintegrated"},
	{"stage", "from=x,to=closed", "history.closed", "Case closed"},
	{"stage", "moved;v=2;from=screening;to=identified_victim", "history.stage", "Stage changed from “Screening” to “Identified victim”"},
	{"stage", "moved;v=2;from=assistance_active;to=closed;reason=lost_contact", "history.closed_reason", "Case closed: Contact lost"},
	{"stage", "opened;v=2;child;to=signal_received", "history.opened_child", "Case of a child registered"},
	{"stage", "opened;v=2;to=signal_received", "history.opened", "Case registered"},
	{"decision", "decided;v=2;status=identified", "history.decision", "Decision recorded: Identified victim"},
	{"duplicate", "suspected;v=2;by_org=" + histOrgShelter + ";new=XK-2026-0042", "history.duplicate_org", "Shelter Drita registered a case that may be a duplicate of this one"},
	{"team", "joined;v=2;org=" + histOrgShelter + ";via=owner", "history.team.owner", "Shelter Drita is responsible for the case"},
	{"decision", "status=presumed", "history.decision", "Decision recorded: Presumed victim (reasonable grounds)"},
	{"decision", "status=", "history.decision_any", "Decision on victim status recorded"},
	{"gbv", "case_type.set:both", "history.gbv.case_type_to", "Case type set: Trafficking and domestic or gender-based violence"},
	{"gbv", "case_type.set:nonsense", "history.gbv.case_type_set", "Case type changed"},
	{"duplicate", "by_org=" + histOrgShelter + ",new=XK-2026-0042", "history.duplicate_org", "Shelter Drita registered a case that may be a duplicate of this one"},
	{"duplicate", "by_org=" + histGone, "history.duplicate", "A possible duplicate of this case was registered"},
	{"team", "org=" + histOrgShelter + ",via=referral", "history.team.referral", "Shelter Drita joined the team through a referral"},
	{"team", "org=" + histOrgPolice + ",via=assigned,user=" + histUser, "history.team_user.assigned", "Arta Krasniqi (Police Directorate Prishtina) was added to the team for Police Directorate Prishtina"},
	{"team", "org=" + histGone + ",via=assigned", "history.team", "The team changed"},
	{"update", "fields=risk_level;municipality;person;exploitation", "history.update_fields", "Changed: risk level, municipality, the person's details, forms of exploitation"},
	{"update", "fields=details_enc", "history.update_fields", "Changed: investigation details"},
	{"update", "fields=", "history.update", "Case record changed"},
	{"update", "updated;v=2;fields=control/recruitment", "history.update_fields", "Changed: means of control, recruitment"},
	// plans
	{"plan", "risk.assessed:high", "history.risk_assessed", "Risk assessed: High"},
	{"plan", "needs.assessed", "history.needs_assessed", "Needs assessed"},
	{"plan", "plan.created", "history.plan_created", "Assistance plan drawn up"},
	{"plan", "plan.item_added:Health", "history.plan_item", "Added to the assistance plan: Health"},
	{"plan", "plan.progress:done", "history.plan_progress", "Assistance plan item updated: Done"},
	{"plan", "review.held", "history.review_held", "Case review held"},
	{"plan", "risk.assessed:low;v=2", "history.risk_assessed", "Risk assessed: Low"},
	{"plan", "plan.item_added:Legal;v=2", "history.plan_item", "Added to the assistance plan: Legal"},
	// identify
	{"screening", "attached", "history.screening_attached", "Screening attached to the case"},
	{"screening", "attached;v=2", "history.screening_attached", "Screening attached to the case"},
	// notes and documents
	{"note", "note.added:medical", "history.note_added", "Note added (Medical)"},
	{"note", "note.added:nonsense", "history.note_added_any", "Note added"},
	{"note", "note.added:legal;v=2", "history.note_added", "Note added (Legal)"},
	{"document", "document.added", "history.document_added", "Document added"},
	{"document", "document.added;v=2", "history.document_added", "Document added"},
	// dedup
	{"merge", "merge=" + histRef + ",role=survivor", "history.merge.survivor", "Another record of the same person was merged into this case"},
	{"merge", "merge=" + histRef + ",role=merged", "history.merge.merged", "The person in this case was merged with another record of the same person"},
	{"unmerge", "merge=" + histRef + ",role=survivor", "history.unmerge.survivor", "A merge of person records was undone"},
	{"unmerge", "merge=" + histRef + ",role=merged", "history.unmerge.merged", "The person in this case was separated again from the other record"},
	{"merge", "merge;v=2;role=merged", "history.merge.merged", "The person in this case was merged with another record of the same person"},
	{"unmerge", "unmerge;v=2;role=survivor", "history.unmerge.survivor", "A merge of person records was undone"},
	// clocks
	{"task", "task.created:reflection_end", "history.task.created", "Task set: End of the recovery and reflection period"},
	{"task", "task.due:guardian_appointment", "history.task.due", "Task due soon: Appoint a guardian for the child"},
	{"task", "task.overdue:plan_review", "history.task.overdue", "Task overdue: Review the assistance plan"},
	{"task", "task.done:risk_reassessment", "history.task.done", "Task done: Re-assess the risk"},
	{"task", "task.done:unknown_kind", "history.task_any.done", "Task done"},
	{"task", "task.overdue:reflection_end;v=2", "history.task.overdue", "Task overdue: End of the recovery and reflection period"},
	// consent
	{"consent", "consent.grant:data_processing", "history.consent.grant", "Consent recorded: Processing of personal data"},
	{"consent", "consent.withdrawal:service", "history.consent.withdrawal", "Consent withdrawn: A service"},
	{"consent", "consent.override:organisation", "history.consent.override", "Shared without consent (under review): Sharing with an organisation"},
	{"consent", "consent.grant:service;v=2", "history.consent.grant", "Consent recorded: A service"},
	// referral
	{"referral", "sent;urgency=24h;type=thb_shelter;to=" + histOrgShelter + ";consent=consented", "history.referral.sent_to", "Referred to Shelter Drita for Trafficking shelter"},
	{"referral", "sent;urgency=24h;type=thb_shelter;to=" + histGone + ";consent=consented", "history.referral.sent_type", "Referred for Trafficking shelter"},
	{"referral", "accepted;type=legal_aid", "history.referral.accepted", "Referral for Legal aid accepted"},
	{"referral", "declined;type=medical;code=no_capacity", "history.referral.declined_code", "Referral for Medical care declined: No capacity"},
	{"referral", "withdrawn;type=medical", "history.referral.withdrawn", "Referral for Medical care withdrawn"},
	{"referral", "completed;type=medical;outcome=partly;delivered=2", "history.referral.completed_outcome", "Referral for Medical care completed: service partly delivered"},
	{"referral", "completed;type=medical", "history.referral.completed", "Referral for Medical care completed"},
	{"referral", "csw_informed=" + histOrgCSW, "history.referral.csw", "The Centre for Social Work was informed of the referral: CSW Prizren"},
	{"referral", "csw_informed=none", "history.referral.csw_none", "No Centre for Social Work on the team to inform of the referral"},
	{"referral", "overdue;urgency=emergency", "history.referral.overdue", "Referral not answered in time (Emergency (answer within 2 hours))"},
	{"referral", "admitted;type=thb_shelter", "history.stay.admitted", "Admitted: Trafficking shelter"},
	{"referral", "admitted;type=thb_shelter;overflow=1", "history.stay.admitted_overflow", "Admitted beyond capacity as an emergency overflow: Trafficking shelter"},
	{"referral", "discharged;type=thb_shelter;exit=family", "history.stay.discharged_exit", "Left the shelter (Trafficking shelter) for: Family"},
	{"referral", "exit_approved;role=prosecutor", "history.stay.exit_approved", "Exit from the secure facility approved by: Prosecutor"},
	{"referral", "sent;v=2;urgency=routine;type=legal_aid;to=" + histOrgPolice + ";consent=consented", "history.referral.sent_to", "Referred to Police Directorate Prishtina for Legal aid"},
	// the helpline: a case opened from a contact names the contact
	{"helpline", "from_contact;v=2;contact=HL-2026-0042;channel=phone", "history.helpline.from_contact", "Opened from helpline contact HL-2026-0042 (Phone)"},
	{"helpline", "from_contact;v=2;contact=<x>;channel=pigeon", "history.helpline.any", "Opened from a helpline contact"},
	{"referral", "declined;v=2;type=legal_aid;code=security", "history.referral.declined_code", "Referral for Legal aid declined: Security"},
	{"referral", "csw_informed;v=2;org=" + histOrgCSW, "history.referral.csw", "The Centre for Social Work was informed of the referral: CSW Prizren"},
	{"referral", "csw_informed;v=2;org=none", "history.referral.csw_none", "No Centre for Social Work on the team to inform of the referral"},
	{"referral", "overdue;v=2;urgency=routine", "history.referral.overdue", "Referral not answered in time (Routine (5 working days))"},
	{"referral", "admitted;v=2;type=dv_shelter;overflow=1", "history.stay.admitted_overflow", "Admitted beyond capacity as an emergency overflow: Domestic-violence shelter"},
	{"referral", "discharged;v=2;type=dv_shelter;exit=left", "history.stay.discharged_exit", "Left the shelter (Domestic-violence shelter) for: Left"},
	{"referral", "exit_approved;v=2;role=police", "history.stay.exit_approved", "Exit from the secure facility approved by: Police officer"},
	// the bulk generator's rows (internal/demo/scale)
	{"referral", "pending;type=legal_aid", "history.referral.sent_type", "Referred for Legal aid"},
	{"stay", "admitted;service=" + histRef, "history.stay.admitted_any", "Admitted to a shelter"},
	{"stay", "discharged;exit=returned_abroad", "history.stay.discharged_exit_any", "Left the shelter for: Returned abroad"},
	// unknown kinds and summaries still read as sentences
	{"clock", "whatever=1", "history.other", "Recorded: Time limit"},
	{"newkind", "x=y", "history.unknown", "Recorded on the case"},
}

func TestHistorySentences(t *testing.T) {
	n := testHistoryNames()
	en := i18n.For(i18n.English)
	for _, c := range historyCases {
		got := historySentence(en.T, c.kind, c.summary, n)
		if got.Key != c.key {
			t.Errorf("%s %q: key %s, want %s", c.kind, c.summary, got.Key, c.key)
		}
		if s := en.T(got.Key, got.Args...); s != c.en {
			t.Errorf("%s %q:\n got %q\nwant %q", c.kind, c.summary, s, c.en)
		}
	}
}

// Every entry reads as a sentence in every language: translated (not the
// key, no placeholder left) and with no code or id in it.
func TestHistorySentencesAllLanguages(t *testing.T) {
	n := testHistoryNames()
	for _, l := range i18n.Supported {
		p := i18n.For(l)
		for _, c := range historyCases {
			got := historySentence(p.T, c.kind, c.summary, n)
			s := p.T(got.Key, got.Args...)
			if s == got.Key || s == "" || strings.Contains(s, "{") {
				t.Errorf("%s: %s %q renders %q", l, c.kind, c.summary, s)
			}
			if m := rawCode.FindString(s); m != "" {
				t.Errorf("%s: %s %q renders %q with the raw code %q", l, c.kind, c.summary, s, m)
			}
			if l != i18n.English && s == i18n.For(i18n.English).T(got.Key, got.Args...) && !strings.Contains(c.en, "Shelter Drita") {
				t.Errorf("%s: %s %q is not translated: %q", l, c.kind, c.summary, s)
			}
		}
	}
}

// Every kind the timeline is written with has a case above.
func TestHistoryCoversEveryKind(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range historyCases {
		seen[c.kind] = true
	}
	for _, k := range historyKinds {
		if !seen[k] {
			t.Errorf("kind %q has no history test case", k)
		}
	}
}

// Who made an entry: the user as far as the viewer may see them, the
// organisation for a user unknown here, Ura for automatic entries.
func TestHistoryWho(t *testing.T) {
	n := testHistoryNames()
	for _, l := range i18n.Supported {
		p := i18n.For(l)
		lines := renderHistory(p.T, []historyEntry{
			{At: time.Now(), Kind: "note", Summary: "note.added:general", ActorID: histUser, ActorOrg: histOrgPolice},
			{At: time.Now(), Kind: "task", Summary: "task.created:reflection_end", ActorID: "system"},
			{At: time.Now(), Kind: "note", Summary: "note.added:general", ActorID: histGone, ActorOrg: histOrgShelter},
			{At: time.Now(), Kind: "note", Summary: "note.added:general", ActorID: histGone, ActorOrg: histGone},
			{At: time.Now(), Kind: "Bad Kind!", Summary: "x"},
		}, n)
		want := []string{"Arta Krasniqi (Police Directorate Prishtina)", p.T("history.by_system"), "Shelter Drita", p.T("history.by_unknown"), p.T("history.by_system")}
		for i, w := range want {
			if lines[i].Who != w {
				t.Errorf("%s: line %d by %q, want %q", l, i, lines[i].Who, w)
			}
			for _, s := range []string{lines[i].Text, lines[i].Who, lines[i].KindLabel} {
				if rawCode.MatchString(s) {
					t.Errorf("%s: line %d shows %q", l, i, s)
				}
			}
		}
		if lines[4].Kind != "other" {
			t.Errorf("a malformed kind is used as a CSS class: %q", lines[4].Kind)
		}
	}
}
