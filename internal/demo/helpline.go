package demo

import (
	"fmt"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/helpline"
)

// The helpline's part of the demo day: the police THB directorate is the
// unit alerted for urgent contacts, and the operator has logged a few
// contacts — an anonymous call about a job offer abroad with a call-back
// due today, an urgent chat, a relative's call about a child begging, an
// information request, and a possible victim's call carried into a case
// (the one case the story's helpline opens). Every note is invented.

// storyHelplineCases is how many cases the helpline's part opens.
const storyHelplineCases = 1

func (s *story) helpline() error {
	h := s.a.Helpline
	if h == nil {
		return nil
	}
	if err := h.SetAlertOrg(s.ctx, access.SystemActor, s.orgs["Demo Police THB Directorate"]); err != nil {
		return err
	}
	// A high domestic-violence risk alerts the police directorate and the
	// coordinator's office.
	if g := s.a.GBV; g != nil {
		if err := g.SetAlertOrgs(s.ctx, access.SystemActor, []string{s.orgs["Demo Police THB Directorate"],
			s.orgs["Demo National Coordinator's Office"]}, s.a.Auth); err != nil {
			return err
		}
	}
	op := s.users[access.Helpline]
	// Today's call-back: a few hours from now, still today in the instance's zone where possible.
	due := s.now.Add(2 * time.Hour)
	if h.Loc != nil {
		end := time.Date(s.now.In(h.Loc).Year(), s.now.In(h.Loc).Month(), s.now.In(h.Loc).Day(), 23, 0, 0, 0, h.Loc)
		if due.After(end) && end.After(s.now.Add(10*time.Minute)) {
			due = end
		}
	}
	contacts := []helpline.Input{
		{StartedAt: s.now.Add(-3 * time.Hour).Format(time.RFC3339), DurationMin: 9, Channel: "phone", CallerType: "anonymous",
			Language: "sq", Municipality: "Prizren", Topic: "migration.job_offer", Actions: []string{"information", "callback"},
			CallbackDue: due.Format(time.RFC3339), CallerCode: "demo-lulja",
			Note: "Demo: offered work as a waitress in a café abroad; the agency asks for her passport and a fee. Calls back after speaking to her sister."},
		{StartedAt: s.now.Add(-26 * time.Hour).Format(time.RFC3339), DurationMin: 14, Channel: "chat", CallerType: "possible_victim",
			Language: "en", Municipality: "Pejë", Topic: "trafficking.sexual", ImmediateDanger: true, CallerIsVictim: true,
			Actions: []string{"police"}, Note: "Demo: says she is kept in a flat above a bar and cannot leave; the police unit was alerted."},
		{StartedAt: s.now.Add(-50 * time.Hour).Format(time.RFC3339), DurationMin: 6, Channel: "phone", CallerType: "relative_friend",
			Language: "rom", Topic: "trafficking.begging", ChildInvolved: true, Actions: []string{"csw"},
			Note: "Demo: an aunt worries about a boy of ten sent to beg at the bus station every day."},
		{StartedAt: s.now.Add(-75 * time.Hour).Format(time.RFC3339), DurationMin: 4, Channel: "email", CallerType: "professional",
			Language: "sr", Topic: "information.services", Actions: []string{"information"}},
		{StartedAt: s.now.Add(-5 * time.Hour).Format(time.RFC3339), DurationMin: 18, Channel: "phone", CallerType: "possible_victim",
			Language: "sq", Municipality: "Ferizaj", Topic: "domestic_violence.physical", CallerIsVictim: true,
			Actions: []string{"shelter"}, KeepPersonal: true, CallerName: "Drita Demoja", CallerPhone: "+383 44 000 000",
			Note: "Demo: beaten by her husband again; agrees to a case and to be sent to a shelter."},
	}
	var last *helpline.Contact
	for _, in := range contacts {
		c, err := h.Log(s.ctx, op, in)
		if err != nil {
			return fmt.Errorf("helpline contact: %w", err)
		}
		last = c
	}
	if _, err := h.OpenCase(s.ctx, op, last.ID, helpline.CaseInput{GivenName: "Drita", FamilyName: "Demoja", Sex: "female",
		BirthYear: "1991", Consent: true, ReferFor: "accommodation"}); err != nil {
		return fmt.Errorf("helpline case: %w", err)
	}
	return nil
}
