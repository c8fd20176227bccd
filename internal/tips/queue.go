package tips

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

var errNotFound = errs.E(errs.NotFound, "tip.not_found")

// PageSize is how many tips the queue shows at a time.
const PageSize = 50

const tipColumns = `id, key_id, state, municipality, lang, what_enc, where_enc, when_enc, contact_enc, case_ref, close_reason,
	additions, version, created_at, updated_at`

func (s *Service) scan(ctx context.Context, q store.Querier, row interface{ Scan(...any) error }) (*Tip, error) {
	var t Tip
	var keyID, state string
	var enc [4][]byte
	var created, updated store.Time
	if err := row.Scan(&t.ID, &keyID, &state, &t.Municipality, &t.Lang, &enc[0], &enc[1], &enc[2], &enc[3], &t.CaseRef,
		&t.CloseReason, &t.AddedCount, &t.Version, &created, &updated); err != nil {
		return nil, err
	}
	t.State, t.CreatedAt, t.UpdatedAt = State(state), created.Time, updated.Time
	for i, f := range []struct {
		name string
		dst  *string
	}{{"what", &t.What}, {"where", &t.Where}, {"when", &t.When}, {"contact", &t.Contact}} {
		if enc[i] == nil {
			continue
		}
		v, err := s.Vault.OpenString(ctx, q, keyID, aad(t.ID, f.name), enc[i])
		if err != nil {
			return nil, errs.Internalf("open tip: %w", err)
		}
		*f.dst = v
	}
	return &t, nil
}

// Filter selects the queue's tips.
type Filter struct {
	State  State  // empty: every open tip (not closed)
	All    bool   // with the closed ones too
	Before string // a cursor: the created_at|id of the last tip of the page before
}

// Queue returns a page of tips, newest first, and the cursor of the next
// page ("" at the end). The read is audited with the ids shown.
func (s *Service) Queue(ctx context.Context, actor access.Actor, f Filter) ([]*Tip, string, error) {
	if err := access.Check(actor, access.TipRead); err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	add := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	switch {
	case f.State != "":
		if !valid(f.State) {
			return nil, "", errs.InvalidField("state", "validation.invalid_choice")
		}
		where = append(where, "state = "+add(string(f.State)))
	case !f.All:
		where = append(where, "state <> 'closed'")
	}
	if f.Before != "" {
		at, id, ok := strings.Cut(f.Before, "|")
		if _, err := store.ParseTime(at); !ok || err != nil || len(id) > 64 {
			return nil, "", errs.InvalidField("before", "validation.invalid")
		}
		where = append(where, "(created_at < "+add(at)+" OR (created_at = "+add(at)+" AND id < "+add(id)+"))")
	}
	query := `SELECT ` + tipColumns + ` FROM tips`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(PageSize+1)
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", errs.Internalf("tips: %w", err)
	}
	defer rows.Close()
	var out []*Tip
	for rows.Next() {
		t, err := s.scan(ctx, q, rows)
		if err != nil {
			return nil, "", errs.As(err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Internalf("tips: %w", err)
	}
	next := ""
	if len(out) > PageSize {
		out = out[:PageSize]
		last := out[len(out)-1]
		next = store.FormatTime(last.CreatedAt) + "|" + last.ID
	}
	if err := s.auditRead(ctx, actor, "tips", "count="+strconv.Itoa(len(out))); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

func (s *Service) auditRead(ctx context.Context, actor access.Actor, id, detail string) error {
	_, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "tip.read",
		ObjectType: "tip", ObjectID: id, Detail: detail})
	if err != nil {
		return errs.Internalf("audit tip read: %w", err)
	}
	return nil
}

// Tip returns one tip with what was added to it, audited.
func (s *Service) Tip(ctx context.Context, actor access.Actor, id string) (*Tip, error) {
	if err := access.Check(actor, access.TipRead); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 64 {
		return nil, errNotFound
	}
	q := s.DB.Read()
	t, err := s.scan(ctx, q, q.QueryRowContext(ctx, `SELECT `+tipColumns+` FROM tips WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.As(err)
	}
	var keyID string
	if err := q.QueryRowContext(ctx, `SELECT key_id FROM tips WHERE id = $1`, id).Scan(&keyID); err != nil {
		return nil, errs.Internalf("tip key: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, body_enc, created_at FROM tip_additions WHERE tip_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("additions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var addID string
		var enc []byte
		var at store.Time
		if err := rows.Scan(&addID, &enc, &at); err != nil {
			return nil, errs.Internalf("additions: %w", err)
		}
		body, err := s.Vault.OpenString(ctx, q, keyID, vault.AAD{Table: "tip_additions", Row: addID, Field: "body"}, enc)
		if err != nil {
			return nil, errs.Internalf("open addition: %w", err)
		}
		t.Additions = append(t.Additions, Addition{Body: body, CreatedAt: at.Time})
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("additions: %w", err)
	}
	if err := s.auditRead(ctx, actor, t.ID, ""); err != nil {
		return nil, err
	}
	return t, nil
}

// Mark is a triage decision on a tip.
type Mark struct {
	State   State
	CaseRef string // for Linked: the case's reference
	Reason  string // for Closed: one of CloseReasons
	Version int    // the version the form was read at
}

// SetState moves a tip to another state, audited. Linking checks the case
// reference through the case file, in the actor's scope.
func (s *Service) SetState(ctx context.Context, actor access.Actor, id string, m Mark) (*Tip, error) {
	if err := access.Check(actor, access.TipTriage); err != nil {
		return nil, err
	}
	if !valid(m.State) {
		return nil, errs.InvalidField("state", "validation.invalid_choice")
	}
	m.CaseRef = strings.ToUpper(strings.TrimSpace(m.CaseRef))
	m.Reason = strings.TrimSpace(m.Reason)
	switch m.State {
	case Linked:
		if m.CaseRef == "" {
			return nil, errs.InvalidField("case_ref", "validation.required")
		}
		if len(m.CaseRef) > 40 {
			return nil, errs.InvalidField("case_ref", "tip.case_not_found")
		}
		ref := m.CaseRef
		found, _, err := s.Cases.FindCases(ctx, actor, cases.CaseFilter{Reference: &ref, Limit: 1})
		if err != nil && !errs.Is(err, errs.Invalid) {
			return nil, err
		}
		if len(found) == 0 {
			return nil, errs.InvalidField("case_ref", "tip.case_not_found")
		}
		m.CaseRef = found[0].Reference
		m.Reason = ""
	case Closed:
		if !validReason(m.Reason) {
			return nil, errs.InvalidField("reason", "validation.required")
		}
		m.CaseRef = ""
	default:
		m.CaseRef, m.Reason = "", ""
	}
	now := s.Clock.Now()
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var from string
		var version int
		err := tx.QueryRowContext(ctx, `SELECT state, version FROM tips WHERE id = $1`, id).Scan(&from, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("tip: %w", err)
		}
		if m.Version != 0 && m.Version != version {
			return errs.E(errs.Conflict, "tip.changed")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tips SET state = $2, case_ref = $3, close_reason = $4, version = version + 1,
			updated_at = $5 WHERE id = $1`, id, string(m.State), m.CaseRef, m.Reason, store.T(now)); err != nil {
			return errs.Internalf("update tip: %w", err)
		}
		detail := "from=" + from + ",to=" + string(m.State)
		if m.CaseRef != "" {
			detail += ",case=" + m.CaseRef
		}
		if m.Reason != "" {
			detail += ",reason=" + m.Reason
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "tip.state", ObjectType: "tip",
			ObjectID: id, Detail: detail})
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Tip(ctx, actor, id)
}

// Count is one cell of the tip figures.
type Count struct {
	Month        string // YYYY-MM, in UTC
	State        State
	Municipality string // "" when the tipster gave none
	Lang         string // the portal language the tip was written in
	N            int
}

// Counts returns the tips received in [from, to) by month, state,
// municipality and portal language, for the statistics' source registry. Counts only: no text
// is opened.
func (s *Service) Counts(ctx context.Context, from, to time.Time) ([]Count, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT SUBSTR(created_at, 1, 7), state, municipality, lang, COUNT(*) FROM tips
		WHERE created_at >= $1 AND created_at < $2 GROUP BY SUBSTR(created_at, 1, 7), state, municipality, lang
		ORDER BY 1, 2, 3, 4`, store.FormatTime(from), store.FormatTime(to))
	if err != nil {
		return nil, errs.Internalf("tip counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		var st string
		if err := rows.Scan(&c.Month, &st, &c.Municipality, &c.Lang, &c.N); err != nil {
			return nil, errs.Internalf("tip counts: %w", err)
		}
		c.State = State(st)
		out = append(out, c)
	}
	return out, rows.Err()
}
