// Package gbv keeps the records of domestic and gender-based violence cases
// (docs/gbv.md): incidents classified by the GBVIMS rule, the DV risk
// assessment (a versioned question set) and safety plans, protection orders
// and their violations, the survivor's dependants, and the perpetrator —
// only what protection needs, sealed, shown only to the roles that need it
// and never exported. A GBV case is a case of the case file (cases.Service)
// whose type is gbv or both; everything else of the case file — person,
// consent, team, notes, clocks, referrals, audit — serves it unchanged.
package gbv

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// CaseAccess is what GBV records need from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// Scheduler is what GBV records need from the clocks (clocks.Service).
type Scheduler interface {
	Schedule(ctx context.Context, tx *store.Tx, caseID string, kind clocks.Kind, table, id string, due time.Time, org string) (*clocks.Task, error)
	RemindOnce(ctx context.Context, tx *store.Tx, caseID string, kind clocks.Kind, table, id string, due time.Time, org string) (*clocks.Task, error)
}

// Notifier writes notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(ctx context.Context, tx *store.Tx, n notify.Notification) error
}

// Service records and reads the GBV records of cases.
type Service struct {
	DB     *store.DB
	Vault  *vault.Vault
	Clock  clock.Clock
	Cases  CaseAccess
	Clocks Scheduler
	Notify Notifier
	// Questions is the DV risk question set in use; nil means DefaultQuestions.
	Questions *QuestionSet
}

// AlertSetting names the setting that lists, comma-separated, the
// organisations alerted when a DV risk assessment comes out high (the
// police unit and the coordinator's office). Empty alerts no one.
const AlertSetting = "gbv.high_risk_alert_orgs"

// MaxText bounds free text, in characters.
const MaxText = 20_000

func checkText(field string, s *string, required bool, max int) error {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*s) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	return nil
}

// parseDate reads YYYY-MM-DD and refuses impossible dates and years outside
// 1900–2200, naming field; empty is required.
func parseDate(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errs.InvalidField(field, "validation.required")
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, errs.InvalidField(field, "validation.date")
	}
	return t.UTC(), nil
}

// notAfterToday refuses a date after now's day.
func notAfterToday(field string, t, now time.Time) error {
	if t.After(now.UTC().Truncate(24 * time.Hour)) {
		return errs.InvalidField(field, "validation.date_future")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// written audits a change and puts it on the timeline, in tx.
func written(ctx context.Context, tx *store.Tx, actor access.Actor, ref *cases.Ref, action, table, id, summary string) error {
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: action, ObjectType: "case",
		ObjectID: ref.Reference, Detail: table + "=" + id}); err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "gbv", ActorID: actor.UserID,
		ActorOrg: actor.OrgID, RefTable: table, RefID: id, Visibility: cases.VisibleTeam, Summary: summary + ";v=2"})
}

func (s *Service) seal(ctx context.Context, tx *store.Tx, ref *cases.Ref, table, id, field string, b []byte) ([]byte, error) {
	enc, err := s.Vault.Seal(ctx, tx, ref.KeyID, vault.AAD{Table: table, Row: id, Field: field}, b)
	if err != nil {
		return nil, errs.Internalf("seal %s.%s: %w", table, field, err)
	}
	return enc, nil
}

// markGBV makes the case a GBV case (gbv, or both for a trafficking case),
// in tx, when it is not one yet.
func markGBV(ctx context.Context, tx *store.Tx, caseID string) error {
	t, err := cases.CaseType(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if cases.IsGBV(t) {
		return nil
	}
	return cases.SetCaseType(ctx, tx, caseID, cases.WithGBV(t))
}

func (s *Service) inTx(ctx context.Context, f func(tx *store.Tx) error) error {
	if err := s.DB.InTx(ctx, s.Clock.Now(), f); err != nil {
		return errs.As(err)
	}
	return nil
}
