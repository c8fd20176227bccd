package consent

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Share is a disclosure about to happen: Kind is organisation, country,
// service or exchange; Target the organisation id, ISO country code or
// service type.
type Share struct {
	Kind   Scope
	Target string
}

// Decision is the ledger's answer to a share. EntryID is the grant (or
// override) that allows it; Reason is a code for pages and the audit trail.
type Decision struct {
	Allowed bool
	EntryID string
	Reason  string
}

// The reasons of a Decision.
const (
	ReasonConsented        = "consented"
	ReasonNoConsent        = "no_consent"
	ReasonWithdrawn        = "withdrawn"
	ReasonNoProcessing     = "no_processing_consent"
	ReasonGuardianRequired = "guardian_consent_required"
	ReasonChildObjects     = "child_objects"
	ReasonOverride         = "override"
)

func (sh Share) validate() error {
	switch sh.Kind {
	case ScopeOrganisation, ScopeService:
	case ScopeCountry, ScopeExchange:
	default:
		return errs.InvalidField("kind", "validation.invalid_choice")
	}
	if strings.TrimSpace(sh.Target) == "" {
		return errs.InvalidField("target", "validation.required")
	}
	return nil
}

// Check tells whether the ledger of a case allows share now. It is called by
// the capability about to share (referral, exchange) after it has authorized
// its own actor, usually inside its transaction (q), so the ledger it reads
// is the one its share commits against. Check reads no personal value out.
func (s *Service) Check(ctx context.Context, q store.Querier, caseID string, share Share) (Decision, error) {
	if err := share.validate(); err != nil {
		return Decision{}, err
	}
	ref, err := s.Cases.Authorize(ctx, q, access.SystemActor, caseID, access.ConsentRead)
	if err != nil {
		return Decision{}, err
	}
	entries, err := s.load(ctx, q, ref)
	if err != nil {
		return Decision{}, err
	}
	return Decide(entries, ref.IsChild, share), nil
}

// Decide is the rule of Check over a loaded ledger, pure so it is tested
// cell by cell. A share needs two grants in force: consent to the
// processing of the person's data at all, and a grant naming this share's
// kind and target. In a child's case both must be the guardian's, and a
// child who objects to a share stops it: sharing over a child's objection
// is a decision someone must take and justify (Override), not a default.
func Decide(entries []*Entry, isChild bool, share Share) Decision {
	target := normTarget(share.Kind, share.Target)
	withdrawn := map[string]bool{}
	for _, e := range entries {
		if e.Type == TypeWithdrawal {
			withdrawn[e.Withdraws] = true
		}
	}
	var processing, wrongGiver, objects, wasWithdrawn bool
	var match string
	for _, e := range entries {
		if e.Type != TypeGrant {
			continue
		}
		isTarget := e.Scope == share.Kind && normTarget(e.Scope, e.Target) == target
		if withdrawn[e.ID] {
			wasWithdrawn = wasWithdrawn || isTarget
			continue
		}
		if isChild && e.GivenBy != ByGuardian {
			wrongGiver = wrongGiver || isTarget || e.Scope == ScopeDataProcessing
			continue
		}
		switch {
		case e.Scope == ScopeDataProcessing:
			processing = true
		case isTarget && isChild && e.ChildView == ChildObjects:
			objects = true
		case isTarget:
			match = e.ID
		}
	}
	switch {
	case match != "" && processing:
		return Decision{Allowed: true, EntryID: match, Reason: ReasonConsented}
	case objects:
		return Decision{Reason: ReasonChildObjects}
	case wrongGiver:
		return Decision{Reason: ReasonGuardianRequired}
	case match != "":
		return Decision{Reason: ReasonNoProcessing}
	case wasWithdrawn:
		return Decision{Reason: ReasonWithdrawn}
	}
	return Decision{Reason: ReasonNoConsent}
}

func normTarget(kind Scope, t string) string {
	t = strings.TrimSpace(t)
	if kind == ScopeCountry || kind == ScopeExchange {
		return strings.ToUpper(t)
	}
	return t
}

// Override records, in the caller's transaction, that share goes ahead
// without the consent Check asked for — a danger to life, a court order —
// with the actor's written reason. The reason is sealed; the audit event is
// flagged for review (purpose consent_override:<id>, detail flag=review) and
// the timeline shows the override to the whole team. It allows this one
// share: later Checks still answer from the ledger.
func (s *Service) Override(ctx context.Context, tx *store.Tx, actor access.Actor, caseID string, share Share, reason string) (Decision, error) {
	if err := share.validate(); err != nil {
		return Decision{}, err
	}
	if err := checkText("reason", &reason, MinReason, MaxReason); err != nil {
		return Decision{}, err
	}
	ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.ConsentOverride)
	if err != nil {
		return Decision{}, err
	}
	c := content{Target: normTarget(share.Kind, share.Target), Reason: reason}
	e, err := s.insert(ctx, tx, actor, ref, TypeOverride, share.Kind, "", tx.Now, c)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: true, EntryID: e.ID, Reason: ReasonOverride}, nil
}
