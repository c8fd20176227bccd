// Package casenotes keeps a case's notes and attachments, sealed with the
// case's data key. Each carries a visibility class: team (the case team) or
// org, the secret class — psychological sessions, witness protection — that
// only users of the author's organisation and role may read, and that
// break-glass does not open. Attachments are checked by their content
// (Sniff) before anything is stored, and every read of a note or an
// attachment is audited before it is returned.
package casenotes

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Visibility is who may read a note or attachment.
type Visibility string

// The visibility classes.
const (
	Team Visibility = "team"
	Org  Visibility = "org" // the author's organisation and role only
)

// Categories of notes. The secret ones are always of class Org.
var Categories = []string{"general", "social", "medical", "legal", "safety", "psychological", "witness_protection"}

var secretCategory = map[string]bool{"psychological": true, "witness_protection": true}

// Limits.
const (
	MaxNote = 100_000 // characters
	MaxName = 255     // characters of a file name
	// DefaultMaxAttachment is the attachment size limit unless configured.
	DefaultMaxAttachment = 10 << 20
)

// CaseAccess is what notes need from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// Service records and reads notes and attachments.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
	Cases CaseAccess
	// MaxAttachment caps an attachment's size in bytes; 0 means DefaultMaxAttachment.
	MaxAttachment int64
}

// Limit returns the attachment size limit in force.
func (s *Service) Limit() int64 {
	if s.MaxAttachment > 0 {
		return s.MaxAttachment
	}
	return DefaultMaxAttachment
}

// Note is a case note as pages show it.
type Note struct {
	ID         string     `json:"id"`
	CaseID     string     `json:"case_id"`
	Visibility Visibility `json:"visibility"`
	Category   string     `json:"category"`
	AuthorID   string     `json:"author_id"`
	AuthorOrg  string     `json:"author_org"`
	AuthorRole string     `json:"author_role"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
}

// NoteInput is what an author writes.
type NoteInput struct {
	Visibility Visibility `json:"visibility"`
	Category   string     `json:"category"`
	Body       string     `json:"body"`
}

// Validate normalises in: the category defaults to general, a secret
// category forces class org (a psychologist who forgets to tick "secret"
// must not publish a session to the team), and the body must be text.
func (in *NoteInput) Validate() error {
	if in.Category == "" {
		in.Category = "general"
	}
	ok := false
	for _, c := range Categories {
		ok = ok || c == in.Category
	}
	if !ok {
		return errs.InvalidField("category", "validation.invalid_choice")
	}
	// An unknown visibility is refused before the category's rule applies:
	// a sensitive category used to turn any value at all into "org".
	if in.Visibility != "" && in.Visibility != Team && in.Visibility != Org {
		return errs.InvalidField("visibility", "validation.invalid_choice")
	}
	if secretCategory[in.Category] {
		if in.Visibility == Team {
			return errs.InvalidField("visibility", "note.secret_category")
		}
		in.Visibility = Org
	}
	if in.Visibility == "" {
		in.Visibility = Team
	}
	return checkText("body", &in.Body, MaxNote)
}

func checkText(field string, s *string, max int) error {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *s == "":
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*s) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	return nil
}

// visibleSQL is the one rule of who reads what, as SQL over a row with
// visibility, author_org and author_role: team rows for the team, org rows
// for the author's organisation and role only. $2 and $3 are the actor's
// organisation and role.
const visibleSQL = `(visibility = 'team' OR (visibility = 'org' AND author_org = $2 AND author_role = $3))`

// Visible is visibleSQL in Go, for a single loaded row.
func Visible(actor access.Actor, v Visibility, authorOrg, authorRole string) bool {
	return v == Team || v == Org && authorOrg == actor.OrgID && authorRole == string(actor.Role) && actor.OrgID != ""
}

// timelineVisibility keeps a secret record's timeline line within its
// organisation.
func timelineVisibility(v Visibility, org string) string {
	if v == Org {
		return cases.VisibleOrg(org)
	}
	return cases.VisibleTeam
}

// auditRead records a read before anything is returned: the caller shows
// nothing when it fails.
func (s *Service) auditRead(ctx context.Context, actor access.Actor, action, objType, objID, detail string) error {
	_, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: action,
		ObjectType: objType, ObjectID: objID, Detail: detail})
	if err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}
