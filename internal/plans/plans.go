// Package plans keeps what the team knows and intends for a person: risk
// assessments (the level drives placement and access restrictions; the
// threats are sealed), needs assessments, the individual assistance and
// reintegration plan with its HTCDS spl_* items, and case reviews. Each
// assessment and review schedules the next one as a dated task (clocks), so
// a plan that is never reviewed shows up as overdue instead of being
// forgotten.
package plans

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Level is a risk level.
type Level string

// The risk levels.
const (
	Low    Level = "low"
	Medium Level = "medium"
	High   Level = "high"
)

// reassessAfter is when the next risk assessment falls due by default: the
// higher the risk, the sooner.
var reassessAfter = map[Level]time.Duration{High: 30 * 24 * time.Hour, Medium: 90 * 24 * time.Hour, Low: 180 * 24 * time.Hour}

// SupportTypes are the HTCDS spl_Type values of plan items.
var SupportTypes = []string{"Education", "Financial", "Health", "LabourExploitationRehabilitation", "Legal",
	"Livelihood", "RightsBasedTraining", "SexualExploitationRehabilitation", "SocialCare"}

// Needs are the codes of a needs assessment (CETS 197 Art. 12).
var Needs = []string{"accommodation", "subsistence", "medical", "psychological", "interpretation", "legal",
	"education", "vocational_training", "employment", "financial", "family_tracing", "childcare", "documents", "return"}

// Progress values of a plan item.
var Progress = []string{"planned", "in_progress", "done", "cancelled"}

// CaseAccess is what plans need from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// Scheduler is what plans need from the clocks (clocks.Service).
type Scheduler interface {
	RiskReassessment(ctx context.Context, tx *store.Tx, caseID, assessmentID string, due time.Time, org string) (*clocks.Task, error)
	PlanReview(ctx context.Context, tx *store.Tx, caseID, planID string, due time.Time, org string) (*clocks.Task, error)
}

// OrgFinder tells whether an organisation exists (auth.Service).
type OrgFinder interface {
	FindOrgByID(ctx context.Context, actor access.Actor, id string) (*auth.Org, error)
}

// Service records assessments, plans and reviews.
type Service struct {
	DB     *store.DB
	Vault  *vault.Vault
	Clock  clock.Clock
	Cases  CaseAccess
	Clocks Scheduler
	Orgs   OrgFinder
	// SetRiskLevel mirrors the latest level on the case's statistical column
	// (cases.risk_level, owned by the case file), in the same transaction.
	// Nil leaves the column alone.
	SetRiskLevel func(ctx context.Context, tx *store.Tx, caseID string, level string) error
}

// The text limits, in characters.
const (
	MaxText = 20_000
)

func checkText(field string, s *string, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*s) > MaxText:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": MaxText})
	}
	return nil
}

// parseDate reads YYYY-MM-DD (or RFC 3339) and refuses impossible dates and
// years outside 1900–2200, naming field. Empty gives def.
func parseDate(field, s string, def time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if def.IsZero() {
			return time.Time{}, errs.InvalidField(field, "validation.required")
		}
		return def, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, errs.InvalidField(field, "validation.date")
	}
	return t.UTC(), nil
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
	return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "plan", ActorID: actor.UserID,
		ActorOrg: actor.OrgID, RefTable: table, RefID: id, Visibility: cases.VisibleTeam, Summary: summary + ";v=2"})
}

func seal(ctx context.Context, v *vault.Vault, tx *store.Tx, ref *cases.Ref, table, id, field, text string) ([]byte, error) {
	b, err := v.SealString(ctx, tx, ref.KeyID, vault.AAD{Table: table, Row: id, Field: field}, text)
	if err != nil {
		return nil, errs.Internalf("seal %s.%s: %w", table, field, err)
	}
	return b, nil
}
