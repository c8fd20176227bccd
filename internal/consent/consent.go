// Package consent keeps a case's consent ledger: what the person (or, for a
// child, the guardian — with the child's own view beside it) agreed to, when,
// how they were informed, and every withdrawal. The ledger is append-only: a
// withdrawal is a new entry naming the grant it ends, so the history of what
// was allowed at any moment can always be read back.
//
// Every later share of the case — a referral to an organisation, a service,
// a transnational exchange — asks Check first. Sharing without consent is
// possible only through Override, which needs a written reason and leaves a
// flagged trace in the audit trail and on the case timeline.
//
// The content of an entry (target, checklist, language, remarks, reasons) is
// sealed with the case's data key; only the entry type, scope, dates and the
// recording user are plain, so the raw database says nothing about whom a
// victim allowed to know what.
package consent

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Scope is what a grant covers. The four share kinds of Check are scopes too.
type Scope string

// The scopes (HTCDS con_Consent and CETS 197 Art. 11: data processing,
// sharing with named organisations or countries, each service type, the
// transnational exchange of the case).
const (
	ScopeDataProcessing Scope = "data_processing"
	ScopeOrganisation   Scope = "organisation"
	ScopeCountry        Scope = "country"
	ScopeService        Scope = "service"
	ScopeExchange       Scope = "exchange"
)

// Scopes lists the scopes in the order forms show them.
var Scopes = []Scope{ScopeDataProcessing, ScopeOrganisation, ScopeCountry, ScopeService, ScopeExchange}

// EntryType says what an entry does to the ledger.
type EntryType string

// The entry types.
const (
	TypeGrant      EntryType = "grant"
	TypeWithdrawal EntryType = "withdrawal"
	TypeOverride   EntryType = "override"
)

// Who gave (or withdrew) consent.
const (
	ByPerson   = "person"
	ByGuardian = "guardian"
)

// The child's own view, recorded beside the guardian's consent.
const (
	ChildAgrees       = "agrees"
	ChildObjects      = "objects"
	ChildNotExpressed = "not_expressed" // too young, or did not wish to say
)

// Informed is the HTCDS con_Consent checklist: what the person was told
// before agreeing. A grant needs the five required items; ResearchUse
// (non-identifying research) is optional.
type Informed struct {
	Purpose         bool `json:"purpose"`
	DataUse         bool `json:"data_use"`
	StorageDuration bool `json:"storage_duration"`
	AccessRight     bool `json:"access_right"`
	Withdrawal      bool `json:"withdrawal"`
	ResearchUse     bool `json:"research_use"`
}

// content is the sealed part of an entry.
type content struct {
	Target      string   `json:"target,omitempty"`
	GivenBy     string   `json:"given_by,omitempty"`
	Guardian    string   `json:"guardian,omitempty"`
	ChildView   string   `json:"child_view,omitempty"`
	Language    string   `json:"language,omitempty"`
	Interpreter bool     `json:"interpreter,omitempty"`
	Informed    Informed `json:"informed"`
	Remarks     string   `json:"remarks,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// Entry is one line of the ledger as pages and the API show it: codes, ids
// and times, plus the free text (remarks, an override's reason) for those
// allowed to read it.
type Entry struct {
	ID      string    `json:"id"`
	CaseID  string    `json:"case_id"`
	Type    EntryType `json:"type"`
	Scope   Scope     `json:"scope"`
	Target  string    `json:"target,omitempty"`
	GivenBy string    `json:"given_by,omitempty"`
	// Guardian is the recorded guardian (cases.Guardian id) who gave or
	// withdrew consent, when GivenBy is the guardian.
	Guardian    string   `json:"guardian,omitempty"`
	ChildView   string   `json:"child_view,omitempty"`
	Language    string   `json:"language,omitempty"`
	Interpreter bool     `json:"interpreter"`
	Informed    Informed `json:"informed"`
	Remarks     string   `json:"remarks,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	// Withdraws is the grant a withdrawal ends; WithdrawnBy the withdrawal
	// that ended this grant (filled by List).
	Withdraws   string    `json:"withdraws,omitempty"`
	WithdrawnBy string    `json:"withdrawn_by,omitempty"`
	Active      bool      `json:"active"`
	EffectiveAt time.Time `json:"effective_at"`
	RecordedAt  time.Time `json:"recorded_at"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedOrg string    `json:"recorded_org"`
}

// CaseAccess is what the ledger needs from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// OrgFinder tells whether an organisation exists (auth.Service); optional.
type OrgFinder interface {
	FindOrgByID(ctx context.Context, actor access.Actor, id string) (*auth.Org, error)
}

// Service records and checks consent.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
	Cases CaseAccess
	// Orgs, when set, makes a grant naming an unknown organisation invalid.
	Orgs OrgFinder
}

func aad(id string) vault.AAD {
	return vault.AAD{Table: "consent_entries", Row: id, Field: "content"}
}

// timeline writes the ledger change on the case timeline, visible to the
// team: that consent changed is team knowledge, what it says is not shown.
func timeline(ctx context.Context, tx *store.Tx, actor access.Actor, caseID, id, summary string) error {
	e := cases.TimelineEntry{CaseID: caseID, Kind: "consent", ActorID: actor.UserID, ActorOrg: actor.OrgID,
		RefTable: "consent_entries", RefID: id, Visibility: cases.VisibleTeam, Summary: summary}
	if actor.System {
		e.ActorID, e.ActorOrg = "system", ""
	}
	return cases.AppendTimeline(ctx, tx, e)
}
