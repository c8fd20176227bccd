// Package access decides who may do what, in one place. The policy is a table a
// person can read (policy.go); everything not in it is denied. Checks are pure
// functions of the actor, so they are tested as a matrix without HTTP, and the
// same scope decides the SQL filter of every list (scope.go).
package access

import (
	"github.com/ura-nrm/ura/internal/errs"
)

// Role is what a user does in the referral mechanism (DESIGN §1).
type Role string

// The roles.
const (
	Coordinator  Role = "coordinator"
	Police       Role = "police"
	Prosecutor   Role = "prosecutor"
	Advocate     Role = "advocate"
	SocialWorker Role = "social_worker"
	Shelter      Role = "shelter"
	NGO          Role = "ngo"
	Helpline     Role = "helpline"
	Analyst      Role = "analyst"
	// Monitor is a civil-society organisation that monitors plans
	// (internal/coord): it sees and comments on the plans it monitors and
	// nothing of any case.
	Monitor Role = "monitor"
	Auditor Role = "auditor"
	Admin   Role = "admin"
	// Funding and licensing (internal/grants, internal/licensing): an
	// evaluator scores the applications assigned to them, a provider's
	// staff apply for grants and report on contracts, a funder reads
	// aggregated reports. None of them ever sees a person's data.
	Evaluator Role = "evaluator"
	Provider  Role = "provider"
	Funder    Role = "funder"
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{Coordinator, Police, Prosecutor, Advocate, SocialWorker, Shelter, NGO, Helpline, Analyst, Monitor, Auditor, Admin,
	Evaluator, Provider, Funder}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// OrgType is the kind of an organisation.
type OrgType string

// The organisation types.
var OrgTypes = []OrgType{"police", "prosecution", "victim_advocacy", "social_work", "shelter", "ngo", "helpline", "coordinator"}

// ParseOrgType returns the organisation type named s.
func ParseOrgType(s string) (OrgType, bool) {
	for _, t := range OrgTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// Actor is who acts: every capability takes one explicitly.
type Actor struct {
	UserID string
	OrgID  string
	Role   Role
	// System marks Ura's own jobs and the command line run by an operator on
	// the server; it passes every check but is audited as "system".
	System bool
	// BreakGlass is the id of an open break-glass grant, if any.
	BreakGlass string
}

// SystemActor acts for background jobs and administrative commands.
var SystemActor = Actor{UserID: "system", Role: Admin, System: true}

// SeesPersonalData tells whether a role can ever see a person's data; such
// roles must sign in with a second factor. Analysts and funders see
// aggregates only. Evaluators and providers see no case either, but they
// read confidential applications and contracts: they sign in with a second
// factor too.
func SeesPersonalData(r Role) bool { return r != Analyst && r != Funder && r != "" }

// Scope is how far an allowed action reaches, ordered from nothing to all.
type Scope int

// The scopes.
const (
	None Scope = iota
	// Own: records the actor made or is (their own account, tokens).
	Own
	// Team: cases whose case team includes the actor or the actor's organisation.
	Team
	// Org: everything of the actor's organisation.
	Org
	// Stats: every record, but statistical fields only.
	Stats
	// All: every record.
	All
)

var scopeNames = [...]string{"none", "own", "team", "org", "stats", "all"}

func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return "?"
}

// ScopeOf returns the scope the policy grants the actor for an action.
func ScopeOf(a Actor, act Action) Scope {
	if a.System {
		return All
	}
	return policyIndex[a.Role][act]
}

// Can reports whether the actor may do act at all (in some scope).
func Can(a Actor, act Action) bool { return ScopeOf(a, act) > None }

// Check returns a forbidden error unless the policy allows act.
func Check(a Actor, act Action) error {
	if Can(a, act) {
		return nil
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}

// CheckOrg allows act on a record of organisation orgID: with Org scope only in
// the actor's own organisation, with All anywhere. Own and Team scopes need the
// record itself and are checked by the capability.
func CheckOrg(a Actor, act Action, orgID string) error {
	switch s := ScopeOf(a, act); {
	case s == All:
		return nil
	case s == Org && orgID == a.OrgID:
		return nil
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}

// CheckRoute is the gate of a page or API route: the policy must allow the
// action, or it must be one an open break-glass grant can unlock for this
// actor. In the second case the capability decides per record (with
// breakglass.Active) and answers not found when no grant covers it, so the
// gate never turns the coordinator away before the grant is looked at.
func CheckRoute(a Actor, act Action) error {
	if Can(a, act) || BreakGlassOpens(a, act) {
		return nil
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}
