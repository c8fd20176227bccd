// Package referral is the referral mechanism's directory of services and the
// referrals between organisations: who offers what to whom (the directory,
// with eligibility and shelter capacity kept true by admissions and
// discharges), which services fit a case (placement rules, as data), and
// the referral of a case to one of them — consent-gated, answered within a
// deadline, and the only way a receiver joins a case team by referral.
//
// A referral shares a summary, not the file (DESIGN §4): the receiver sees
// the case's statistical fields and the urgency until it accepts; accepting
// adds it to the case team (cases.AddTeamMember, via "referral"), and from
// then on the policy's field classes decide what its role sees. Free text (a
// referral's reason, a decline's reason) is sealed with the case's key and
// never enters an audit event, a timeline entry or a notification.
package referral

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Notifier delivers notifications in the transaction of the change that
// caused them, so nothing is announced that was rolled back. The referral
// package depends on this interface only; internal/notify implements it.
type Notifier interface {
	Notify(ctx context.Context, tx *store.Tx, n Notification) error
}

// Notification is what a notifier needs: whom (an organisation, optionally
// one user of it), what kind, which referral, and the case's pseudonymous
// reference. It never carries free text or personal values.
type Notification struct {
	OrgID      string
	UserID     string
	Kind       string
	ObjectType string
	ObjectID   string
	CaseRef    string
}

// The notification kinds.
const (
	NotifyReceived = "referral.received"
	NotifyAccepted = "referral.accepted"
	NotifyDeclined = "referral.declined"
	NotifyOverdue  = "referral.overdue"
)

// Config holds the response deadlines of the three urgencies. Routine
// deadlines count working days (Monday to Friday, UTC; public holidays are
// not modelled).
type Config struct {
	Emergency          time.Duration
	Within24h          time.Duration
	RoutineWorkingDays int
}

// DefaultConfig is 2 hours, 24 hours and 5 working days (the UK NRM's
// five-working-day target for a first decision, DOMAIN §3.3, is the model
// for a routine answer).
func DefaultConfig() Config {
	return Config{Emergency: 2 * time.Hour, Within24h: 24 * time.Hour, RoutineWorkingDays: 5}
}

// Service runs the directory, capacity, placement and referral use cases.
// Every method takes the acting user explicitly.
type Service struct {
	DB      *store.DB
	Vault   *vault.Vault
	Clock   clock.Clock
	Cases   *cases.Service
	Consent *consent.Service
	// Notifier may be nil: no notifications are sent.
	Notifier Notifier
	Config   Config
	// ProviderGate, when set (internal/app sets licensing.Gate), is asked
	// inside a referral's transaction whether the service's provider may
	// receive referrals (R3.1: a licence in force, when the instance
	// requires one); its error, beside the service field, refuses it.
	ProviderGate func(ctx context.Context, tx *store.Tx, orgID string) error
	// LicenceStatus, when set (licensing.StatusOf), gives the directory
	// each provider's licence status on a day: active, suspended,
	// expired, revoked or none.
	LicenceStatus func(ctx context.Context, q store.Querier, orgIDs []string, day string) (map[string]string, error)
	// Dependants knows the dependants of a case (internal/gbv); nil
	// admits no dependants.
	Dependants DependantSource
	// MaxStay is a shelter stay's maximum before an extension; zero is
	// DefaultMaxStay.
	MaxStay time.Duration

	cache *directoryCache
}

// New returns a service with the default deadlines.
func New(db *store.DB, v *vault.Vault, c clock.Clock, cs *cases.Service, cons *consent.Service) *Service {
	return &Service{DB: db, Vault: v, Clock: c, Cases: cs, Consent: cons, Config: DefaultConfig(), cache: &directoryCache{}}
}

// The urgencies of a referral.
const (
	UrgencyEmergency = "emergency"
	Urgency24h       = "24h"
	UrgencyRoutine   = "routine"
)

// Urgencies lists them, most urgent first.
var Urgencies = []string{UrgencyEmergency, Urgency24h, UrgencyRoutine}

// Deadline is when a referral made at t with urgency u must be answered.
func (c Config) Deadline(t time.Time, u string) time.Time {
	switch u {
	case UrgencyEmergency:
		return t.Add(c.Emergency)
	case Urgency24h:
		return t.Add(c.Within24h)
	}
	d := t.UTC()
	for n := 0; n < c.RoutineWorkingDays; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return d
}

// notify sends n when a notifier is wired.
func (s *Service) notify(ctx context.Context, tx *store.Tx, n Notification) error {
	if s.Notifier == nil || n.OrgID == "" {
		return nil
	}
	n.ObjectType = "referral"
	if err := s.Notifier.Notify(ctx, tx, n); err != nil {
		return errs.As(err)
	}
	return nil
}

// record appends an audit event in tx. Detail holds codes and ids only.
func record(ctx context.Context, tx *store.Tx, a access.Actor, action, objType, objID, purpose, detail string) error {
	_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(a), Action: action,
		ObjectType: objType, ObjectID: objID, Purpose: purpose, Detail: detail})
	if err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

// timeline writes a referral line on the case timeline (codes only).
func timeline(ctx context.Context, tx *store.Tx, a access.Actor, caseID, table, id, summary string) error {
	e := cases.TimelineEntry{CaseID: caseID, Kind: "referral", ActorID: a.UserID, ActorOrg: a.OrgID,
		RefTable: table, RefID: id, Summary: summary}
	if a.System {
		e.ActorID, e.ActorOrg = "system", ""
	}
	return cases.AppendTimeline(ctx, tx, e)
}

// contains reports whether list holds v.
func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// splitList reads a comma-separated column.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func itoa(n int) string { return strconv.Itoa(n) }

var errNotFound = errs.E(errs.NotFound, "referral.not_found")
