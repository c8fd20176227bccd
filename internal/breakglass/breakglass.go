// Package breakglass lets the national coordinator open a record outside
// their normal scope — in an emergency, with a written reason — and makes
// every such opening visible: the grant is short-lived, audited, and waits
// in the auditor's review list until someone has looked at it. The reason is
// free text that may name a person, so it is stored encrypted and never put
// into the audit event itself (the event carries the grant's id).
package breakglass

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Duration is how long a grant lasts: enough to handle an emergency, short
// enough that it is not a standing permission.
const Duration = time.Hour

// Reason length bounds, in characters: a reason must say something.
const (
	MinReason = 20
	MaxReason = 2000
)

// Service records and checks break-glass grants.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
}

// Grant is an open or past break-glass access.
type Grant struct {
	ID, UserID           string
	ObjectType, ObjectID string
	CreatedAt, ExpiresAt time.Time
	Reviewed             bool
	ReviewedBy           string
	Reason               string // only filled for reviewers
}

// Open grants the actor access to one object for Duration, with a reason.
func (s *Service) Open(ctx context.Context, actor access.Actor, objectType, objectID, reason string) (*Grant, error) {
	if err := access.Check(actor, access.BreakGlassUse); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case !utf8.ValidString(reason):
		return nil, errs.InvalidField("reason", "validation.invalid")
	case n < MinReason:
		return nil, errs.InvalidField("reason", "breakglass.reason_short").With(map[string]any{"min": MinReason})
	case n > MaxReason:
		return nil, errs.InvalidField("reason", "validation.too_long").With(map[string]any{"max": MaxReason})
	}
	if objectType == "" || objectID == "" {
		return nil, errs.E(errs.Invalid, "validation.required")
	}
	now := s.Clock.Now()
	g := &Grant{ID: store.NewID(), UserID: actor.UserID, ObjectType: objectType, ObjectID: objectID,
		CreatedAt: now, ExpiresAt: now.Add(Duration)}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		keyID, err := s.Vault.NewDataKey(ctx, tx, "breakglass")
		if err != nil {
			return err
		}
		enc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "break_glass", Row: g.ID, Field: "reason"}, reason)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO break_glass (id, user_id, object_type, object_id, key_id, reason_enc, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, g.ID, g.UserID, objectType, objectID, keyID, enc, store.T(now), store.T(g.ExpiresAt)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "breakglass.open",
			ObjectType: objectType, ObjectID: objectID, Purpose: "break_glass:" + g.ID})
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return g, nil
}

// Active returns the actor's unexpired grant for an object, or NotFound.
func (s *Service) Active(ctx context.Context, actor access.Actor, objectType, objectID string) (*Grant, error) {
	if !access.Can(actor, access.BreakGlassUse) {
		return nil, errs.E(errs.NotFound, "breakglass.none")
	}
	now := s.Clock.Now()
	var g Grant
	var created, expires store.Time
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, created_at, expires_at FROM break_glass
		WHERE user_id = $1 AND object_type = $2 AND object_id = $3 AND expires_at > $4
		ORDER BY expires_at DESC LIMIT 1`, actor.UserID, objectType, objectID, store.T(now)).Scan(&g.ID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "breakglass.none")
	}
	if err != nil {
		return nil, errs.Internalf("break-glass lookup: %w", err)
	}
	g.UserID, g.ObjectType, g.ObjectID, g.CreatedAt, g.ExpiresAt = actor.UserID, objectType, objectID, created.Time, expires.Time
	return &g, nil
}

// FindForReview lists grants for the auditor, unreviewed first, with their
// reasons decrypted; the reading itself is audited.
func (s *Service) FindForReview(ctx context.Context, actor access.Actor, onlyOpen bool, limit int) ([]*Grant, error) {
	if err := access.Check(actor, access.BreakGlassReview); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT id, user_id, object_type, object_id, key_id, reason_enc, created_at, expires_at, reviewed_at, COALESCE(reviewed_by, '')
		FROM break_glass`
	if onlyOpen {
		q += ` WHERE reviewed_at IS NULL`
	}
	q += ` ORDER BY reviewed_at IS NOT NULL, created_at DESC LIMIT $1`
	rows, err := s.DB.Read().QueryContext(ctx, q, limit)
	if err != nil {
		return nil, errs.Internalf("break-glass list: %w", err)
	}
	defer rows.Close()
	var out []*Grant
	for rows.Next() {
		var g Grant
		var keyID string
		var enc []byte
		var created, expires, reviewed store.Time
		if err := rows.Scan(&g.ID, &g.UserID, &g.ObjectType, &g.ObjectID, &keyID, &enc, &created, &expires, &reviewed, &g.ReviewedBy); err != nil {
			return nil, errs.Internalf("break-glass scan: %w", err)
		}
		g.CreatedAt, g.ExpiresAt, g.Reviewed = created.Time, expires.Time, reviewed.Valid
		if g.Reason, err = s.Vault.OpenString(ctx, s.DB.Read(), keyID, vault.AAD{Table: "break_glass", Row: g.ID, Field: "reason"}, enc); err != nil {
			if !errors.Is(err, vault.ErrShredded) {
				return nil, errs.Internalf("break-glass reason: %w", err)
			}
		}
		out = append(out, &g)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("break-glass list: %w", err)
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "breakglass.review_list",
		ObjectType: "break_glass"}); err != nil {
		return nil, err
	}
	return out, nil
}

// Review marks a grant as looked at by the auditor.
func (s *Service) Review(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.BreakGlassReview); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE break_glass SET reviewed_at = $1, reviewed_by = $2 WHERE id = $3 AND reviewed_at IS NULL`,
			store.T(now), actor.UserID, id)
		if err != nil {
			return errs.Internalf("break-glass review: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.NotFound, "breakglass.none")
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "breakglass.review",
			ObjectType: "break_glass", ObjectID: id})
		return err
	})
}

// Reason is a grant's reason as the auditor reads it beside an event.
type Reason struct {
	Text     string // empty when the reason was shredded
	Reviewed bool
}

// Reasons returns the reasons of the grants among ids (unknown ids are left
// out), decrypted for an auditor. Reading them is audited
// (breakglass.read_reason, one event naming how many), and nothing is
// returned if that event cannot be written.
func (s *Service) Reasons(ctx context.Context, actor access.Actor, ids []string) (map[string]Reason, error) {
	if err := access.Check(actor, access.BreakGlassReview); err != nil {
		return nil, err
	}
	out := map[string]Reason{}
	seen := map[string]bool{}
	var args []any
	var marks []string
	for _, id := range ids {
		if id == "" || seen[id] || len(id) > 64 || len(args) == 200 {
			continue
		}
		seen[id] = true
		args = append(args, id)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	if len(args) == 0 {
		return out, nil
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, key_id, reason_enc, reviewed_at FROM break_glass WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("break-glass reasons: %w", err)
	}
	type sealed struct {
		id, keyID string
		enc       []byte
		reviewed  bool
	}
	var list []sealed
	for rows.Next() {
		var r sealed
		var reviewed store.Time
		if err := rows.Scan(&r.id, &r.keyID, &r.enc, &reviewed); err != nil {
			rows.Close()
			return nil, errs.Internalf("break-glass reasons: %w", err)
		}
		r.reviewed = reviewed.Valid
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("break-glass reasons: %w", err)
	}
	if len(list) == 0 {
		return out, nil
	}
	// Audit first: if the event cannot be committed, no reason is shown.
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "breakglass.read_reason",
		ObjectType: "break_glass", Detail: "count=" + strconv.Itoa(len(list))}); err != nil {
		return nil, err
	}
	for _, r := range list {
		text, err := s.Vault.OpenString(ctx, q, r.keyID, vault.AAD{Table: "break_glass", Row: r.id, Field: "reason"}, r.enc)
		if err != nil && !errors.Is(err, vault.ErrShredded) {
			return nil, errs.Internalf("break-glass reason: %w", err)
		}
		out[r.id] = Reason{Text: text, Reviewed: r.reviewed}
	}
	return out, nil
}
