package cases

import "github.com/ura-nrm/ura/internal/access"

// Stage is where a case stands in the referral mechanism (DOMAIN §3.2, §3.4).
type Stage string

// The stages, in the order of the mechanism.
const (
	StageSignal            Stage = "signal_received"
	StageScreening         Stage = "screening"
	StagePresumed          Stage = "presumed_victim"
	StageIdentified        Stage = "identified_victim"
	StageAssistance        Stage = "assistance_active"
	StageLongTerm          Stage = "long_term_inclusion"
	StageReturnInProgress  Stage = "return_in_progress"
	StageReturned          Stage = "returned"
	StagePostReturn        Stage = "post_return_monitoring"
	StageNotIndicated      Stage = "not_indicated"
	StageReferredElsewhere Stage = "referred_elsewhere"
	StageNotVictim         Stage = "not_a_victim"
	StageClosed            Stage = "closed"
)

// Stages lists every stage in order.
var Stages = []Stage{StageSignal, StageScreening, StagePresumed, StageIdentified, StageAssistance,
	StageLongTerm, StageReturnInProgress, StageReturned, StagePostReturn, StageNotIndicated,
	StageReferredElsewhere, StageNotVictim, StageClosed}

// ParseStage returns the stage named s.
func ParseStage(s string) (Stage, bool) {
	for _, st := range Stages {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Role groups used by the transition table.
var (
	firstResponders = []access.Role{access.Police, access.Advocate, access.SocialWorker, access.Shelter, access.NGO, access.Helpline}
	identifiers     = []access.Role{access.Police, access.Advocate, access.SocialWorker}
	assisters       = []access.Role{access.Police, access.Advocate, access.SocialWorker, access.Shelter, access.NGO}
	caseManagers    = []access.Role{access.Advocate, access.SocialWorker, access.Shelter, access.NGO}
	returners       = []access.Role{access.Police, access.Advocate, access.SocialWorker}
)

// transition is one line of the state machine: the roles that may move a
// case from one stage to another. ByDecision transitions are made only by
// recording an identification decision (Service.Decide), which checks who
// decided; Transition refuses them.
type transition struct {
	From, To   Stage
	Roles      []access.Role
	ByDecision bool
}

// transitions is THE state machine, read as a table (DOMAIN §3.4). Every
// stage but closed may also be closed (closers), with a reason.
var transitions = []transition{
	{StageSignal, StageScreening, firstResponders, false},
	{StageSignal, StageNotIndicated, firstResponders, false},
	{StageSignal, StageReferredElsewhere, firstResponders, false},
	{StageScreening, StagePresumed, identifiers, false},
	{StageScreening, StageNotIndicated, firstResponders, false},
	{StageScreening, StageReferredElsewhere, firstResponders, false},
	{StagePresumed, StageIdentified, []access.Role{access.Police, access.Advocate}, true},
	{StagePresumed, StageNotVictim, []access.Role{access.Police, access.Advocate}, true},
	{StageIdentified, StageAssistance, assisters, false},
	{StageAssistance, StageLongTerm, caseManagers, false},
	{StageAssistance, StageReturnInProgress, returners, false},
	{StageLongTerm, StageReturnInProgress, returners, false},
	{StageReturnInProgress, StageAssistance, returners, false}, // return abandoned
	{StageReturnInProgress, StageReturned, returners, false},
	{StageReturned, StagePostReturn, []access.Role{access.Advocate, access.SocialWorker, access.NGO}, false},
}

// closers may close a case: the case-managing roles from every stage, and
// every first responder once the case ended without identification.
var closers = []access.Role{access.Police, access.Advocate, access.SocialWorker}

// earlyEnds are the stages a first responder may close itself.
var earlyEnds = map[Stage]bool{StageNotIndicated: true, StageReferredElsewhere: true, StageNotVictim: true}

// lookup returns the transition from → to, or false when the machine has no
// such edge.
func lookup(from, to Stage) (transition, bool) {
	if to == StageClosed && from != StageClosed {
		roles := closers
		if earlyEnds[from] {
			roles = firstResponders
		}
		return transition{From: from, To: to, Roles: roles}, true
	}
	for _, t := range transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return transition{}, false
}

func hasRole(rs []access.Role, r access.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// CanTransition reports whether role may move a case from → to with
// Transition (decision edges answer false: they go through Decide).
func CanTransition(role access.Role, from, to Stage) bool {
	t, ok := lookup(from, to)
	return ok && !t.ByDecision && hasRole(t.Roles, role)
}

// NextStages lists the stages role may move a case to from stage with
// Transition, in the order of Stages.
func NextStages(role access.Role, from Stage) []Stage {
	var out []Stage
	for _, to := range Stages {
		if CanTransition(role, from, to) {
			out = append(out, to)
		}
	}
	return out
}

// CaseStatus is the HTCDS cas_Status of a stage: Active, FollowUp, Closed
// or ClosedReferred.
func CaseStatus(st Stage) string {
	switch st {
	case StagePostReturn:
		return "FollowUp"
	case StageReferredElsewhere:
		return "ClosedReferred"
	case StageClosed, StageNotIndicated, StageNotVictim:
		return "Closed"
	}
	return "Active"
}

// ClosureReasons are the reasons a case may be closed with (DOMAIN §3.4).
var ClosureReasons = []string{"reintegrated", "transferred_abroad", "referred_other_service",
	"declined_assistance", "lost_contact", "not_a_victim", "deceased", "other"}

// Proceedings are the steps of the criminal-proceedings track, which runs in
// parallel to the stages.
var Proceedings = []string{"none", "investigation", "indictment", "trial", "verdict", "compensation"}

// RiskLevels are the joint risk assessment's outcomes (” = not assessed).
var RiskLevels = []string{"low", "medium", "high"}
