// Package notify tells people that something in Ura awaits them: an in-app
// notification per recipient, and an e-mail that says only that — a generic
// subject and text in the recipient's language and a link into Ura, never a
// name, a case reference or a reason, because e-mail leaves Ura's protection
// (mail servers, phones, forwarded inboxes).
//
// Notify is called inside the caller's transaction, so a notification exists
// exactly when the referral (or whatever caused it) does. The e-mail goes into
// a durable outbox in the same transaction and is sent later by Deliver, a
// background job that retries with backoff; the outbox names the user, not the
// address, which is decrypted in memory only when the message is sent.
package notify

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Kind is what happened. Each kind has its own generic e-mail subject.
type Kind string

// The kinds; referral.Notification uses the same strings.
const (
	ReferralReceived Kind = "referral.received"
	ReferralAccepted Kind = "referral.accepted"
	ReferralDeclined Kind = "referral.declined"
	ReferralOverdue  Kind = "referral.overdue"
	// An account change waits for approval (to the approvers and the
	// auditors), or was decided (to the requester and the auditors):
	// auth.ChangeNotice uses the same strings.
	UserChangeRequested Kind = "user_change.requested"
	UserChangeDecided   Kind = "user_change.decided"
	// An urgent helpline contact (immediate danger), to the police unit
	// on duty that the helpline's setting names.
	HelplineUrgent Kind = "helpline.urgent"
	// Coordination (internal/coord): an activity past its deadline, a
	// quarter's report not made, a report returned by the secretariat.
	CoordOverdue  Kind = "coord.overdue"
	CoordLate     Kind = "coord.late_report"
	CoordReturned Kind = "coord.returned"
	// A provider's licence expires within 60 days or has expired, and a
	// grant report is due within 30 days or overdue (internal/licensing,
	// internal/grants), to the provider's organisation.
	LicenceExpiring Kind = "licence.expiring"
	GrantReportDue  Kind = "grant.report_due"
	// A domestic-violence risk assessment came out high, to the
	// organisations the GBV setting names (the police, the coordinator).
	GBVHighRisk Kind = "gbv.high_risk"
)

// Kinds lists every kind (tests, the catalogue check).
var Kinds = []Kind{ReferralReceived, ReferralAccepted, ReferralDeclined, ReferralOverdue, UserChangeRequested, UserChangeDecided,
	HelplineUrgent, CoordOverdue, CoordLate, CoordReturned, LicenceExpiring, GrantReportDue, GBVHighRisk}

// Notification is one event to tell an organisation (or one of its users)
// about. Its fields have the names of referral.Notification's, so adapting
// one is a struct conversion.
type Notification struct {
	OrgID string
	// UserID names one recipient; empty means every active user of OrgID
	// whose role may act on the kind (see Service.Actions).
	UserID     string
	Kind       string
	ObjectType string
	ObjectID   string
	// CaseRef is shown in the page to those who may see it; never e-mailed.
	CaseRef string
}

// Directory gives a recipient's address at send time; *auth.Service is
// one. The recipients themselves are found through auth.ActiveMembers in
// the caller's transaction: notify never reads the users table itself.
type Directory interface {
	FindUserByID(ctx context.Context, actor access.Actor, id string) (*auth.User, error)
}

// DefaultActions says which action a role needs to receive an
// organisation-wide notification of each kind: a new referral goes to those
// who may answer it, news of one to those who follow the organisation's
// referrals. Service.Actions overrides a line.
var DefaultActions = map[Kind]access.Action{
	ReferralReceived: access.ReferralAnswer,
	ReferralAccepted: access.ReferralView,
	ReferralDeclined: access.ReferralView,
	ReferralOverdue:  access.ReferralView,
	// Account changes are addressed to one user each; a named user who has
	// left falls back to those of the organisation who see the changes.
	UserChangeRequested: access.UserChangeView,
	UserChangeDecided:   access.UserChangeView,
	HelplineUrgent:      access.HelplineRead,
	CoordOverdue:        access.CoordView,
	CoordLate:           access.CoordView,
	CoordReturned:       access.CoordReport,
	LicenceExpiring:     access.LicenceView,
	GrantReportDue:      access.GrantApply,
	GBVHighRisk:         access.CaseView,
}

// Service keeps notifications and sends their e-mails.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	Users Directory
	// Mailer sends e-mail; nil means SMTP is not configured and the outbox waits.
	Mailer Mailer
	// From is the envelope and header sender.
	From string
	// PublicURL is where links in e-mails point (config.PublicURL, no trailing /).
	PublicURL string
	// Actions overrides DefaultActions per kind.
	Actions map[Kind]access.Action
	Log     *slog.Logger

	// Tuning (zero means the default); tests shorten them.
	Batch    int           // rows claimed per Deliver round; default 20
	Lease    time.Duration // how long a claim lasts; default 10 min
	GiveUp   time.Duration // age after which a row fails for good; default 72 h
	Backoffs []time.Duration

	warnOnce sync.Once
}

var safeToken = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
var safeID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (n *Notification) validate() error {
	switch {
	case n.OrgID == "":
		return errs.InvalidField("org_id", "validation.required")
	case !slices.Contains(Kinds, Kind(n.Kind)):
		return errs.InvalidField("kind", "notify.invalid")
	case !safeToken.MatchString(n.ObjectType):
		return errs.InvalidField("object_type", "notify.invalid")
	case !safeID.MatchString(n.ObjectID):
		return errs.InvalidField("object_id", "notify.invalid")
	case len(n.CaseRef) > 64:
		return errs.InvalidField("case_ref", "notify.invalid")
	}
	return nil
}

// Notify records n for its recipients in the caller's transaction: one
// notification and one outbox row each. No recipient (an organisation with
// no active staff for this kind) is logged, not an error: the event itself is
// already stored by the caller and must not be undone for want of a reader.
func (s *Service) Notify(ctx context.Context, tx *store.Tx, n Notification) error {
	if err := n.validate(); err != nil {
		return err
	}
	users, err := s.recipients(ctx, tx, n)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		s.log().Warn("notification has no recipient", "kind", n.Kind, "org", n.OrgID)
		return nil
	}
	for _, uid := range users {
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications
			(id, user_id, org_id, kind, object_type, object_id, case_ref, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, uid, n.OrgID, n.Kind, n.ObjectType, n.ObjectID, n.CaseRef, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert notification: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox
			(id, notification_id, user_id, next_at, created_at) VALUES ($1, $2, $3, $4, $4)`,
			store.NewID(), id, uid, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert outbox: %w", err)
		}
	}
	return nil
}

// recipients returns the user ids to notify: the named user when active and
// in the organisation, otherwise (a named user who has left, or none named)
// the organisation's active users whose role may act on the kind, so a
// referral addressed to a departed colleague still reaches the organisation.
func (s *Service) recipients(ctx context.Context, tx *store.Tx, n Notification) ([]string, error) {
	// Read through tx: the caller holds locks (a service row, the audit
	// chain head) and must not wait for a second pooled connection.
	if n.UserID != "" {
		u, err := auth.MemberByID(ctx, tx, n.UserID)
		switch {
		case err == nil && u.Active && u.OrgID == n.OrgID:
			return []string{u.ID}, nil
		case err != nil && !errs.Is(err, errs.NotFound):
			return nil, err
		}
	}
	users, err := auth.ActiveMembers(ctx, tx, n.OrgID)
	if err != nil {
		return nil, err
	}
	act := s.actionFor(Kind(n.Kind))
	var ids []string
	for _, u := range users {
		if access.Can(access.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}, act) {
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

func (s *Service) actionFor(k Kind) access.Action {
	if a, ok := s.Actions[k]; ok {
		return a
	}
	return DefaultActions[k]
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }
