package loadgen

import (
	"math/rand/v2"

	"github.com/ura-nrm/ura/internal/access"
)

// The actions of the report. Each names one kind of request; the mix's
// choices are among them (sign-in and the shelter board are only steps of
// other actions).
const (
	ActSignIn        = "signin"          // GET /signin, POST /signin, GET and POST /signin/totp
	ActDashboard     = "dashboard"       // GET /
	ActCaseList      = "case_list"       // GET /cases (and refresh the known cases)
	ActCaseOpen      = "case_open"       // GET /cases/{id}
	ActTimeline      = "case_timeline"   // GET /cases/{id}, reading its timeline
	ActSearch        = "case_search"     // POST /cases/search by name, birth date or reference
	ActNote          = "note_add"        // POST /cases/{id}/notes
	ActRefer         = "referral_create" // POST /cases/{id}/referrals (after GET /cases/{id})
	ActInbox         = "referral_inbox"  // GET /referrals
	ActAnswer        = "referral_answer" // POST /referrals/{id}/accept|decline (after GET /referrals)
	ActShelters      = "shelter_board"   // GET /shelters, before accepting a place in a shelter
	ActNotifications = "notifications"   // GET /notifications
)

// Weighted is one choice of a mix and its relative weight.
type Weighted struct {
	Action string
	Weight int
}

// needs lists the policy actions an action of the mix takes: a role gets the
// action only if the policy allows it every one of them. Referring is
// always an emergency referral here (no consent is recorded by the load),
// so it needs the right to override a missing consent too.
var needs = map[string][]access.Action{
	ActDashboard:     {access.DashboardView},
	ActCaseList:      {access.CaseList},
	ActCaseOpen:      {access.CaseList, access.CaseView},
	ActTimeline:      {access.CaseList, access.CaseView},
	ActSearch:        {access.CaseList, access.CaseViewPersonal},
	ActNote:          {access.CaseList, access.CaseView, access.NoteWrite},
	ActRefer:         {access.CaseList, access.CaseView, access.ReferralCreate, access.ConsentOverride},
	ActInbox:         {access.ReferralView},
	ActAnswer:        {access.ReferralView, access.ReferralAnswer, access.ServiceView},
	ActNotifications: {access.NotificationRead},
}

// needsCase marks the actions that work on a case the user knows.
var needsCase = map[string]bool{ActCaseOpen: true, ActTimeline: true, ActNote: true, ActRefer: true}

// LoadRoles are the roles load accounts are given, in turn: the roles that
// work cases, the coordinator who follows them, and the analyst who reads
// the statistics.
var LoadRoles = []access.Role{access.Police, access.SocialWorker, access.Shelter, access.NGO, access.Advocate,
	access.Prosecutor, access.Coordinator, access.Helpline, access.Analyst}

// roleMix is how often each role does what, per hundred actions: the front
// line opens and reads cases and writes notes; the police and social
// workers refer; providers watch and answer their inbox; the coordinator
// follows lists and the dashboard; the analyst reads statistics.
var roleMix = map[access.Role][]Weighted{
	access.Police: {{ActCaseOpen, 25}, {ActTimeline, 10}, {ActSearch, 12}, {ActNote, 10}, {ActRefer, 10},
		{ActInbox, 8}, {ActDashboard, 15}, {ActCaseList, 5}, {ActNotifications, 5}},
	access.SocialWorker: {{ActCaseOpen, 20}, {ActTimeline, 10}, {ActSearch, 10}, {ActNote, 10}, {ActRefer, 8},
		{ActInbox, 7}, {ActAnswer, 5}, {ActDashboard, 15}, {ActCaseList, 10}, {ActNotifications, 5}},
	access.Shelter: {{ActCaseOpen, 15}, {ActTimeline, 5}, {ActSearch, 5}, {ActNote, 10}, {ActInbox, 15},
		{ActAnswer, 15}, {ActDashboard, 15}, {ActCaseList, 15}, {ActNotifications, 5}},
	access.NGO: {{ActCaseOpen, 15}, {ActTimeline, 5}, {ActSearch, 5}, {ActNote, 10}, {ActInbox, 15},
		{ActAnswer, 15}, {ActDashboard, 15}, {ActCaseList, 15}, {ActNotifications, 5}},
	access.Advocate: {{ActCaseOpen, 20}, {ActTimeline, 10}, {ActSearch, 10}, {ActNote, 10}, {ActInbox, 10},
		{ActAnswer, 5}, {ActDashboard, 15}, {ActCaseList, 15}, {ActNotifications, 5}},
	access.Prosecutor: {{ActCaseOpen, 25}, {ActTimeline, 15}, {ActSearch, 15}, {ActNote, 5}, {ActInbox, 5},
		{ActDashboard, 15}, {ActCaseList, 15}, {ActNotifications, 5}},
	access.Helpline: {{ActCaseOpen, 15}, {ActTimeline, 5}, {ActSearch, 20}, {ActNote, 10}, {ActInbox, 5},
		{ActDashboard, 20}, {ActCaseList, 20}, {ActNotifications, 5}},
	access.Coordinator: {{ActCaseOpen, 25}, {ActTimeline, 10}, {ActCaseList, 20}, {ActInbox, 15},
		{ActDashboard, 25}, {ActNotifications, 5}},
	access.Analyst: {{ActDashboard, 80}, {ActNotifications, 20}},
}

// Allowed reports whether the policy lets role do every step of action.
func Allowed(role access.Role, action string) bool {
	steps, ok := needs[action]
	if !ok {
		return false
	}
	a := access.Actor{Role: role}
	for _, act := range steps {
		if !access.Can(a, act) {
			return false
		}
	}
	return true
}

// Mix returns role's weighted actions, leaving out any the policy does not
// allow the role (so a change of policy can never make the load do what the
// role may not). A role without a mix gets the dashboard only.
func Mix(role access.Role) []Weighted {
	src, ok := roleMix[role]
	if !ok {
		src = []Weighted{{ActDashboard, 1}}
	}
	var out []Weighted
	for _, w := range src {
		if w.Weight > 0 && Allowed(role, w.Action) {
			out = append(out, w)
		}
	}
	return out
}

// Choose draws an action from mix with probability proportional to its
// weight, among the actions avail accepts (nil: all). ok is false when none
// is available.
func Choose(rng *rand.Rand, mix []Weighted, avail func(action string) bool) (action string, ok bool) {
	total := 0
	for _, w := range mix {
		if w.Weight > 0 && (avail == nil || avail(w.Action)) {
			total += w.Weight
		}
	}
	if total == 0 {
		return "", false
	}
	n := rng.IntN(total)
	for _, w := range mix {
		if w.Weight <= 0 || (avail != nil && !avail(w.Action)) {
			continue
		}
		if n < w.Weight {
			return w.Action, true
		}
		n -= w.Weight
	}
	panic("unreachable")
}
