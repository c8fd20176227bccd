package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/plans"
	"github.com/ura-nrm/ura/internal/referral"
)

// The demo's working day: cases that the police, the victim advocate, the
// Centre for Social Work, the shelter, the NGO and the prosecutor work
// together, so that whoever signs in sees something to do. Every step goes
// through the owning package's service as that role would take it — the
// state machine, consent, referrals and their answers, stays, notes, plans
// and tasks — so every record is one Ura could hold. The persons' names
// are invented.

// storyPerson is one invented person of the story.
type storyPerson struct {
	given, family, birth, sex, citizenship string
}

var storyPeople = []storyPerson{
	{"Lirie", "Demoja", "1998-03-14", "female", "XK"},
	{"Mirela", "Provaj", "2001-07-02", "female", "AL"},
	{"Jovana", "Primerić", "1995-11-23", "female", "RS"},
	{"Elona", "Shembulli", "2003-01-30", "female", "XK"},
	{"Ardit", "Testaj", "1990-05-09", "male", "XK"},
	{"Ioana", "Exemplu", "1999-09-17", "female", "RO"},
	{"Dafina", "Demoviq", "1997-12-05", "female", "XK"},
	{"Valmira", "Fiktive", "2000-04-21", "female", "MK"},
	{"Besa", "Imagjinare", "1994-08-11", "female", "XK"},
	{"Sanja", "Izmišljena", "1996-02-27", "female", "BA"},
	{"Fitore", "Provaja", "2002-10-08", "female", "XK"},
	{"Nora", "Shpikur", "1993-06-19", "female", "AL"},
}

// storyChildren are the two children of the story: one whose guardian is
// appointed, one still waiting for a guardian.
var storyChildren = []storyPerson{
	{"Erza", "Fëmija", "2012-05-03", "female", "XK"},
	{"Ana", "Detetović", "2011-09-15", "female", "RS"},
}

// storyServices are the directory entries the advocate's office and the
// Centre for Social Work keep, so that referrals reach them too.
var storyServices = []demoService{
	{org: "Demo Victim Advocacy Office", in: referral.ServiceInput{
		Name: "Demo Victim Advocacy Counselling", Type: "victim_advocacy", Municipality: "Prishtinë",
		Description: "Information on rights, accompaniment to hearings, compensation claims.", Hours: "Mon–Fri 08:00–16:00"}},
	{org: "Demo Centre for Social Work", in: referral.ServiceInput{
		Name: "Demo Family Support Gjakovë", Type: "social_work", Municipality: "Gjakovë",
		Description: "Family assessment, guardianship for children, social assistance.", Hours: "Mon–Fri 08:00–16:00"}},
}

// StoryCaseCount is how many cases LoadStory opens.
var StoryCaseCount = len(storyPeople) + len(storyChildren) + storyHelplineCases

type story struct {
	ctx      context.Context
	a        *app.App
	now      time.Time
	users    map[access.Role]access.Actor
	orgs     map[string]string // organisation name → id
	services map[string]string // service name → id
}

// LoadStory plays the demo's working day once: on a store where the demo
// victim advocate sees no case yet. It returns how many cases it opened.
func LoadStory(ctx context.Context, a *app.App) (int, error) {
	if a.Referral == nil || a.Consent == nil || a.Plans == nil || a.Notes == nil || a.Clocks == nil {
		return 0, nil
	}
	s := &story{ctx: ctx, a: a, now: a.Clock.Now(), users: map[access.Role]access.Actor{}, orgs: map[string]string{}, services: map[string]string{}}
	for _, acc := range accounts {
		u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, Email(acc.role))
		if err != nil {
			return 0, fmt.Errorf("the demo story needs the demo accounts: %w", err)
		}
		s.users[acc.role] = u.Actor()
	}
	if _, total, err := a.Cases.FindCases(ctx, s.users[access.Advocate], cases.CaseFilter{Limit: 1}); err != nil || total > 0 {
		return 0, err
	}
	if err := s.directory(); err != nil {
		return 0, err
	}
	if err := s.play(); err != nil {
		return 0, fmt.Errorf("demo story: %w", err)
	}
	return StoryCaseCount, nil
}

// directory finds the organisations and services the story uses, adding
// the advocate's and the Centre's services.
func (s *story) directory() error {
	sys := access.SystemActor
	for _, o := range append(append([]demoOrg(nil), orgs...), serviceOrgs...) {
		found, err := s.a.Auth.FindOrgByName(s.ctx, sys, o.name)
		if err != nil {
			return err
		}
		s.orgs[o.name] = found.ID
	}
	for _, ds := range storyServices {
		in := ds.in
		in.Organisation = s.orgs[ds.org]
		if _, err := s.a.Referral.CreateService(s.ctx, sys, in); err != nil {
			return fmt.Errorf("demo service %s: %w", in.Name, err)
		}
	}
	list, _, err := s.a.Referral.FindServices(s.ctx, sys, referral.ServiceFilter{})
	if err != nil {
		return err
	}
	for _, sv := range list {
		s.services[sv.Name] = sv.ID
	}
	return nil
}

func (s *story) open(by access.Role, p storyPerson, municipality, exploitation string) (string, error) {
	reg, err := s.a.Cases.Open(s.ctx, s.users[by], cases.Input{
		Person:       cases.Person{GivenName: p.given, FamilyName: p.family, BirthDate: p.birth, Sex: p.sex, Citizenship: p.citizenship},
		Exploitation: []string{exploitation}, Municipality: municipality})
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	return reg.ID, nil
}

func (s *story) version(by access.Role, id string) (int, error) {
	c, err := s.a.Cases.FindCaseByID(s.ctx, s.users[by], id)
	if err != nil {
		return 0, err
	}
	return c.Version, nil
}

// move takes the case through the stages, each by the role given.
func (s *story) move(id string, steps ...any) error {
	for i := 0; i < len(steps); i += 2 {
		by, to := steps[i].(access.Role), steps[i+1].(cases.Stage)
		v, err := s.version(by, id)
		if err != nil {
			return err
		}
		switch to {
		case cases.StageIdentified, cases.StageNotVictim:
			status := cases.StatusIdentified
			if to == cases.StageNotVictim {
				status = cases.StatusNotVictim
			}
			if _, err := s.a.Cases.Decide(s.ctx, s.users[by], id, cases.DecisionInput{Status: status, Version: v,
				Grounds: "Demo: the indicators and the interview were assessed together with the victim advocate."}); err != nil {
				return fmt.Errorf("decide %s: %w", to, err)
			}
		default:
			in := cases.TransitionInput{To: to, Version: v}
			if to == cases.StageClosed {
				in.Reason = "reintegrated"
			}
			if err := s.a.Cases.Transition(s.ctx, s.users[by], id, in); err != nil {
				return fmt.Errorf("to %s: %w", to, err)
			}
		}
	}
	return nil
}

func (s *story) team(id string, orgNames ...string) error {
	for _, n := range orgNames {
		if err := s.a.Cases.AddToTeam(s.ctx, s.users[access.Police], id, s.orgs[n], ""); err != nil {
			return fmt.Errorf("team: %w", err)
		}
	}
	return nil
}

// consent records the person's consent to processing and to sharing with
// the organisations named, as the role given (a guardian's for a child).
func (s *story) consent(by access.Role, id string, child bool, orgNames ...string) error {
	grant := func(scope consent.Scope, target string) error {
		in := consent.GrantInput{Scope: scope, Target: target, GivenBy: consent.ByPerson, Language: "sq",
			Informed: consent.Informed{Purpose: true, DataUse: true, StorageDuration: true, AccessRight: true, Withdrawal: true}}
		if child {
			in.GivenBy, in.ChildView = consent.ByGuardian, consent.ChildAgrees
		}
		_, err := s.a.Consent.Record(s.ctx, s.users[by], id, in)
		return err
	}
	if err := grant(consent.ScopeDataProcessing, ""); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	for _, n := range orgNames {
		if err := grant(consent.ScopeOrganisation, s.orgs[n]); err != nil {
			return fmt.Errorf("consent: %w", err)
		}
	}
	return nil
}

func (s *story) refer(by access.Role, id, service, urgency, reason string) (string, error) {
	r, err := s.a.Referral.Create(s.ctx, s.users[by], id, referral.ReferralInput{ServiceID: s.services[service], Urgency: urgency, Reason: reason})
	if err != nil {
		return "", fmt.Errorf("refer to %s: %w", service, err)
	}
	return r.ID, nil
}

func (s *story) note(by access.Role, id, body string) error {
	_, err := s.a.Notes.AddNote(s.ctx, s.users[by], id, casenotes.NoteInput{Visibility: casenotes.Team, Body: body})
	return err
}

// plan records an assistance plan whose review falls due on due: a task
// of the role's organisation, overdue when due has passed.
func (s *story) plan(by access.Role, id string, starts, due time.Time) error {
	_, err := s.a.Plans.CreatePlan(s.ctx, s.users[by], id, plans.PlanInput{
		StartsOn: starts.Format("2006-01-02"), ReviewDueOn: due.UTC().Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	return nil
}

func (s *story) play() error {
	const (
		police, advocate, social = access.Police, access.Advocate, access.SocialWorker
		shelter, ngo             = access.Shelter, access.NGO
	)
	pros, adv, cent, drita, ngoOrg := "Demo Basic Prosecution Office", "Demo Victim Advocacy Office", "Demo Centre for Social Work",
		"Demo Shelter Drita", "Demo NGO Ura e Re"
	ids := make([]string, len(storyPeople))
	mun := []string{"Prishtinë", "Prizren", "Pejë", "Gjakovë", "Ferizaj", "Mitrovicë"}
	expl := []string{"SexualExploitation", "SexualExploitation", "ForcedLabour", "SexualExploitation", "ForcedLabour", "ForcedBegging"}
	for i, p := range storyPeople {
		id, err := s.open(police, p, mun[i%len(mun)], expl[i%len(expl)])
		if err != nil {
			return err
		}
		ids[i] = id
		// The advocate's office and the prosecution are on most teams.
		teamOrgs := []string{adv}
		if i%2 == 0 {
			teamOrgs = append(teamOrgs, pros)
		}
		if err := s.team(id, teamOrgs...); err != nil {
			return err
		}
	}
	S := func(st cases.Stage) cases.Stage { return st }
	toIdentified := []any{police, S(cases.StageScreening), police, S(cases.StagePresumed), police, S(cases.StageIdentified)}
	toAssistance := append(append([]any(nil), toIdentified...), police, S(cases.StageAssistance))
	steps := [][]any{
		toIdentified, // 0: identified, referred to the shelter (pending)
		toAssistance, // 1: assistance, in the shelter
		append(append([]any(nil), toAssistance...), advocate, S(cases.StageLongTerm)),                                       // 2
		append(append([]any(nil), toAssistance...), police, S(cases.StageReturnInProgress)),                                 // 3
		append(append([]any(nil), toAssistance...), police, S(cases.StageReturnInProgress), police, S(cases.StageReturned)), // 4
		append(append([]any(nil), toAssistance...), police, S(cases.StageReturnInProgress), police, S(cases.StageReturned),
			advocate, S(cases.StagePostReturn)), // 5
		{police, S(cases.StageScreening), police, S(cases.StageNotIndicated)},                              // 6
		{police, S(cases.StageReferredElsewhere)},                                                          // 7
		{police, S(cases.StageScreening), police, S(cases.StagePresumed), police, S(cases.StageNotVictim)}, // 8
		append(append([]any(nil), toAssistance...), advocate, S(cases.StageClosed)),                        // 9
		{police, S(cases.StageScreening), police, S(cases.StagePresumed)},                                  // 10: presumed, referred to the advocate
		toAssistance, // 11: assistance, referral declined by the shelter
	}
	for i, st := range steps {
		if err := s.move(ids[i], st...); err != nil {
			return fmt.Errorf("case %d: %w", i, err)
		}
	}
	// Consent and referrals: one pending at the shelter, one accepted and
	// admitted, one declined; one waiting at the advocate's office.
	for _, i := range []int{0, 1, 11} {
		if err := s.consent(police, ids[i], false, drita, adv, ngoOrg); err != nil {
			return err
		}
	}
	if err := s.consent(police, ids[10], false, adv); err != nil {
		return err
	}
	if _, err := s.refer(police, ids[0], "Demo Shelter Drita", referral.Urgency24h,
		"Identified victim without a safe place to stay; agrees to the shelter."); err != nil {
		return err
	}
	if _, err := s.refer(police, ids[0], "Demo Counselling Ura e Re", referral.UrgencyRoutine,
		"Asks for counselling in Albanian once a week."); err != nil {
		return err
	}
	r1, err := s.refer(police, ids[1], "Demo Shelter Drita", referral.Urgency24h, "Needs safe accommodation and counselling.")
	if err != nil {
		return err
	}
	if _, err := s.a.Referral.Accept(s.ctx, s.users[shelter], r1); err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	if _, err := s.a.Referral.Admit(s.ctx, s.users[shelter], ids[1], s.services["Demo Shelter Drita"]); err != nil {
		return fmt.Errorf("admit: %w", err)
	}
	r2, err := s.refer(police, ids[11], "Demo Shelter Drita", referral.UrgencyRoutine, "Asks for a place near her family in Prishtinë.")
	if err != nil {
		return err
	}
	if _, err := s.a.Referral.Decline(s.ctx, s.users[shelter], r2, referral.DeclineInput{Code: "no_capacity",
		Reason: "All rooms for women with children are taken this month; the Transit House Shpresa has room."}); err != nil {
		return fmt.Errorf("decline: %w", err)
	}
	if _, err := s.refer(police, ids[10], "Demo Victim Advocacy Counselling", referral.UrgencyRoutine,
		"Presumed victim, needs information on her rights before the interview."); err != nil {
		return err
	}
	// The prosecution has opened proceedings in two cases.
	for i, step := range map[int]string{0: "investigation", 2: "indictment"} {
		v, err := s.version(access.Prosecutor, ids[i])
		if err != nil {
			return err
		}
		if err := s.a.Cases.Update(s.ctx, s.users[access.Prosecutor], ids[i], cases.UpdateInput{Version: v, Proceedings: &step}); err != nil {
			return fmt.Errorf("proceedings: %w", err)
		}
	}
	// Notes of the team.
	for i, body := range map[int]string{
		0: "Interview held with an interpreter; she wants to stay in Kosovo for now.",
		1: "Admitted to the shelter; first counselling session next week.",
		3: "Return requested by the person; the embassy has been contacted.",
	} {
		if err := s.note(police, ids[i], body); err != nil {
			return fmt.Errorf("note: %w", err)
		}
	}
	if err := s.note(advocate, ids[2], "Vocational training in tailoring starts next month."); err != nil {
		return fmt.Errorf("note: %w", err)
	}
	// Tasks: the advocate's plan review is overdue, the shelter's falls
	// due later today.
	day := 24 * time.Hour
	if err := s.plan(advocate, ids[2], s.now.Add(-120*day), s.now.Add(-3*day)); err != nil {
		return err
	}
	today := s.now.Add(2 * time.Hour)
	if end := s.now.UTC().Truncate(day).Add(day - time.Minute); end.After(s.now) && today.After(end) {
		today = end
	}
	if err := s.plan(shelter, ids[1], s.now.Add(-7*day), today); err != nil {
		return err
	}
	// The children: the Centre for Social Work opens both; one gets her
	// guardian appointed, the other waits for one; the first is placed in
	// the NGO's children's house.
	var kids []string
	for i, p := range storyChildren {
		id, err := s.open(social, p, "Gjakovë", []string{"ForcedBegging", "SexualExploitation"}[i])
		if err != nil {
			return err
		}
		if err := s.a.Cases.AddToTeam(s.ctx, s.users[social], id, s.orgs[adv], ""); err != nil {
			return fmt.Errorf("team: %w", err)
		}
		kids = append(kids, id)
	}
	// Recording the guardian with the Centre's decision ends the
	// appointment task and lets the guardian consent for the child.
	if _, err := s.a.Cases.AppointGuardian(s.ctx, s.users[social], kids[0], cases.GuardianInput{Kind: cases.GuardianCSWOfficer,
		Name: "Mimoza Rexhepi", Authority: "Demo Centre for Social Work", DecisionRef: "QPS-GJ 41/2026",
		DecisionDate: s.now.Add(-2 * day).Format(time.DateOnly)}); err != nil {
		return fmt.Errorf("guardian appointed: %w", err)
	}
	if err := s.consent(social, kids[0], true, ngoOrg); err != nil {
		return err
	}
	rk, err := s.refer(social, kids[0], "Demo Children's House Ura e Re", referral.Urgency24h,
		"Child found begging; guardian appointed; needs residential care.")
	if err != nil {
		return err
	}
	if _, err := s.a.Referral.Accept(s.ctx, s.users[ngo], rk); err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	if _, err := s.a.Referral.Admit(s.ctx, s.users[ngo], kids[0], s.services["Demo Children's House Ura e Re"]); err != nil {
		return fmt.Errorf("admit: %w", err)
	}
	if err := s.plan(ngo, kids[0], s.now.Add(-30*day), s.now.Add(-1*day)); err != nil {
		return err
	}
	// A referral waiting at the Centre: the advocate asks for family support.
	if err := s.a.Cases.AddToTeam(s.ctx, s.users[advocate], ids[2], s.orgs[cent], ""); err != nil {
		return fmt.Errorf("team: %w", err)
	}
	if err := s.consent(advocate, ids[2], false, cent); err != nil {
		return err
	}
	if _, err := s.refer(advocate, ids[2], "Demo Family Support Gjakovë", referral.UrgencyRoutine,
		"Her mother asks for support to take her home after the long-term programme."); err != nil {
		return err
	}
	// The auditor's day: an emergency access by the coordinator and a
	// mistyped password.
	c, err := s.a.Cases.FindCaseByID(s.ctx, s.users[access.Coordinator], ids[1])
	if err != nil {
		return err
	}
	if s.a.BreakGlass != nil {
		if _, err := s.a.BreakGlass.Open(s.ctx, s.users[access.Coordinator], "case", c.Reference,
			"Demo: the shelter reported a threat at night and could not reach the police unit."); err != nil {
			return fmt.Errorf("break-glass: %w", err)
		}
	}
	if _, _, err := s.a.Auth.SignIn(s.ctx, Email(access.Shelter), "a mistyped password", auth.Client{IP: "192.0.2.10"}); err == nil {
		return fmt.Errorf("a wrong password signed in")
	}
	return s.helpline()
}
