// Package cases is the case file: the record of one person's way through the
// National Referral Mechanism, from the first signal to safety, shared by the
// organisations on the case team, each seeing the fields its role needs.
//
// A case is named everywhere (lists, URLs, e-mails, audit events) by its
// pseudonymous reference (XK-2026-0042). Personal values are sealed with the
// record's data key; only statistical values are plain columns, so lists and
// statistics never decrypt anything. Who may see which case is decided in one
// place (scope.go): the same SQL fragment scopes lists and single-record
// checks (Authorize), so a list can never show a case its page would refuse.
//
// Other capabilities (screening, consent, notes, plans, clocks, referrals)
// hang their records off a case: they call Authorize before touching one,
// seal with Ref.KeyID, and write to the timeline with AppendTimeline in their
// own transaction.
package cases

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Service runs the use cases of the case file. Every method takes the acting
// user explicitly; none keeps state between calls, so copies are harmless.
type Service struct {
	DB         *store.DB
	Vault      *vault.Vault
	Clock      clock.Clock
	BreakGlass *breakglass.Service
	// Country is the ISO 3166-1 alpha-2 prefix of case references (config).
	Country string
	// OnChange hooks run inside the transaction of every registration and
	// stage change (see Change): the clocks capability starts the reflection
	// period and creates the child tasks from here. An error rolls back the
	// change.
	OnChange []Hook
	// OnGuardian hooks run in the transaction that records a child's
	// guardian (the clocks capability closes the appointment task).
	OnGuardian []func(ctx context.Context, tx *store.Tx, ref Ref) error
	// OnTeamJoin hooks run in the transaction that adds an organisation to
	// a case team (the clocks capability gives a child's guardian
	// appointment task to a Centre for Social Work that joins).
	OnTeamJoin []func(ctx context.Context, tx *store.Tx, ref Ref, orgID string) error
	// Likely, when set, adds likely duplicates (fuzzy matching) to the
	// exact check of registration (likely.go).
	Likely LikelyFinder
	// CountLimit bounds the totals of case lists; 0 means DefaultCountLimit.
	CountLimit int
	// BrowseByTeam: see DefaultBrowseByTeam.
	BrowseByTeam int
}

// Hook is called in the transaction that changed a case.
type Hook func(ctx context.Context, tx *store.Tx, c Change) error

// Change says what just happened to a case: a registration (Opened, From
// empty) or a stage change. Tasks lists RequiredTasks at that moment.
type Change struct {
	Ref    Ref
	Opened bool
	From   Stage
	To     Stage
	Actor  access.Actor
	Tasks  []string
	// ScreeningID is the screening to attach, on registration only.
	ScreeningID string
}

// New returns a service over the given parts.
func New(db *store.DB, v *vault.Vault, c clock.Clock, bg *breakglass.Service, country string) *Service {
	if country == "" {
		country = "XK"
	}
	return &Service{DB: db, Vault: v, Clock: c, BreakGlass: bg, Country: country}
}

// Ref is what other capabilities need to know about a case to work on it:
// its ids, owner, child flag, stage and victim status, and its data key
// (KeyID) to seal their own case records with.
type Ref struct {
	ID, Reference, OwnerOrg string
	IsChild                 bool
	Stage                   Stage
	Status                  Status
	KeyID                   string
}

// Status is the victim status (HTCDS vic_TraffickingStatus, with the
// possible/presumed split of CETS 197 Art. 10(2)).
type Status string

// The victim statuses.
const (
	StatusPossible   Status = "possible"   // a signal, not yet assessed
	StatusPresumed   Status = "presumed"   // reasonable grounds: protections apply
	StatusIdentified Status = "identified" // formally identified
	StatusNotVictim  Status = "not_a_victim"
)

// Statuses lists the statuses in order.
var Statuses = []Status{StatusPossible, StatusPresumed, StatusIdentified, StatusNotVictim}

// HTCDS returns the HTCDS vic_TraffickingStatus code of s.
func (s Status) HTCDS() string {
	switch s {
	case StatusIdentified:
		return "ActualVictimOfTrafficking"
	case StatusNotVictim:
		return "NotAVictimOfTrafficking"
	}
	return "PossibleVictimOfTrafficking"
}

// record appends an audit event about a case in tx.
func record(ctx context.Context, tx *store.Tx, a access.Actor, action, ref, detail string) error {
	_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(a), Action: action,
		ObjectType: "case", ObjectID: ref, Detail: detail})
	if err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

// recordRead appends an audit event for a read, committed before the data
// is shown (audit.AppendNow); purpose names a break-glass grant when one
// opened the record.
func (s *Service) recordRead(ctx context.Context, a access.Actor, action, ref, purpose, detail string) error {
	_, err := audit.AppendNow(ctx, s.DB, s.now(), audit.Event{Actor: audit.ActorFrom(a), Action: action,
		ObjectType: "case", ObjectID: ref, Purpose: purpose, Detail: detail})
	if err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

func (s *Service) now() time.Time { return s.Clock.Now() }

func (s *Service) inTx(ctx context.Context, f func(tx *store.Tx) error) error {
	if err := s.DB.InTx(ctx, s.now(), f); err != nil {
		return errs.As(err)
	}
	return nil
}

var errNotFound = errs.E(errs.NotFound, "case.not_found")
