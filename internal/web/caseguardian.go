package web

import (
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
)

// guardianSection is a child's guardian on the case page: the guardians
// recorded (the current one first) and the form to record one.
type guardianSection struct {
	Guardians []cases.Guardian
	CanRecord bool
	Kinds     []string
}

// loadGuardian shows the section on a child's case, or wherever a guardian
// was recorded.
func (s *server) loadGuardian(a access.Actor, c *cases.Case, d *caseRecords) {
	if !c.IsChild && len(c.Guardians) == 0 {
		return
	}
	d.Guardian = &guardianSection{Guardians: c.Guardians, CanRecord: c.IsChild && access.Can(a, access.GuardianRecord),
		Kinds: cases.GuardianKinds}
}

func (s *server) handleGuardianRecord(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	f := r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	_, err := s.app.Cases.AppointGuardian(r.Context(), st.user.Actor(), r.PathValue("id"), cases.GuardianInput{
		Kind: get("kind"), Name: get("name"), Phone: get("phone"), Authority: get("authority"),
		DecisionRef: get("decision_ref"), DecisionDate: get("decision_date")})
	s.recordResult(w, r, "guardian", "guardian", err, "flash.guardian_recorded")
}
