package notify

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Item is one notification as its recipient sees it.
type Item struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	ObjectType string     `json:"object_type"`
	ObjectID   string     `json:"object_id"`
	CaseRef    string     `json:"case_ref,omitempty"`
	Link       string     `json:"link"` // path inside Ura, e.g. /referrals/{id}
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
}

// ListLimit caps List: a notification is a nudge, not an archive; the
// referrals and tasks pages hold the record.
const ListLimit = 200

// Link is the path inside Ura of what a notification is about: its page when
// there is one, the dashboard otherwise.
func Link(objectType, objectID string) string {
	switch objectType {
	case "referral":
		return "/referrals/" + objectID
	case "case":
		return "/cases/" + objectID
	case "user_change":
		return "/admin/approvals"
	case "helpline_contact":
		return "/helpline/contacts/" + objectID
	case "coord_plan":
		return "/coord/plans/" + objectID
	case "licence":
		return "/licensing#licences"
	case "grant_contract":
		return "/grants/contracts/" + objectID + "#reports"
	}
	return "/"
}

// List returns the actor's own notifications, newest first (at most
// ListLimit). There is no filter by user: every actor reads only their own,
// so the scope is the WHERE clause itself.
func (s *Service) List(ctx context.Context, actor access.Actor, unreadOnly bool) ([]Item, error) {
	items, _, err := s.ListPage(ctx, actor, unreadOnly, Cursor{}, ListLimit)
	return items, err
}

// Cursor marks where a page of notifications ends: the next page holds those
// strictly older (by creation time, then id). The zero Cursor is the newest.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// IsZero reports whether c is the start (the newest notifications).
func (c Cursor) IsZero() bool { return c.ID == "" }

// String is the cursor as a URL parameter ("2026-12-03T07:00:00.000000Z~ID").
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return store.FormatTime(c.CreatedAt) + "~" + c.ID
}

// ParseCursor reads a Cursor.String; anything else is the start, so a
// tampered or stale link shows the newest notifications rather than an error.
func ParseCursor(v string) Cursor {
	at, id, ok := strings.Cut(v, "~")
	if !ok || !safeID.MatchString(id) {
		return Cursor{}
	}
	t, err := store.ParseTime(at)
	if err != nil {
		return Cursor{}
	}
	return Cursor{CreatedAt: t, ID: id}
}

// ListPage returns up to limit of the actor's notifications older than
// after, newest first, and the cursor of the next (older) page, zero when
// there is none. It seeks by (created_at, id) rather than skipping rows
// (keyset paging), so every page costs the same however many there are.
func (s *Service) ListPage(ctx context.Context, actor access.Actor, unreadOnly bool, after Cursor, limit int) ([]Item, Cursor, error) {
	if err := access.Check(actor, access.NotificationRead); err != nil {
		return nil, Cursor{}, err
	}
	if limit <= 0 || limit > ListLimit {
		limit = ListLimit
	}
	where := `user_id = $1`
	args := []any{actor.UserID}
	if unreadOnly {
		where += ` AND read_at IS NULL`
	}
	if !after.IsZero() {
		// created_at <= $2 bounds the index range; the OR only breaks ties.
		where += ` AND created_at <= $2 AND (created_at < $2 OR id < $3)`
		args = append(args, store.T(after.CreatedAt), after.ID)
	}
	// One row more than the page tells whether an older page exists.
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, kind, object_type, object_id, case_ref, created_at, read_at
		FROM notifications WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT `+itoa(limit+1), args...)
	if err != nil {
		return nil, Cursor{}, errs.Internalf("list notifications: %w", err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		var it Item
		var created, read store.Time
		if err := rows.Scan(&it.ID, &it.Kind, &it.ObjectType, &it.ObjectID, &it.CaseRef, &created, &read); err != nil {
			return nil, Cursor{}, errs.Internalf("scan notification: %w", err)
		}
		it.CreatedAt = created.Time
		if read.Valid {
			t := read.Time
			it.ReadAt = &t
		}
		it.Link = Link(it.ObjectType, it.ObjectID)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, Cursor{}, errs.Internalf("list notifications: %w", err)
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return out, next, nil
}

// UnreadCount is the number in the page header.
func (s *Service) UnreadCount(ctx context.Context, actor access.Actor) (int, error) {
	if err := access.Check(actor, access.NotificationRead); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications
		WHERE user_id = $1 AND read_at IS NULL`, actor.UserID).Scan(&n)
	if err != nil {
		return 0, errs.Internalf("count notifications: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the actor's notifications read. Someone else's is
// not found, as if it did not exist; marking twice keeps the first time.
func (s *Service) MarkRead(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.NotificationRead); err != nil {
		return err
	}
	if !safeID.MatchString(id) || strings.TrimSpace(actor.UserID) == "" {
		return errs.E(errs.NotFound, "error.not_found")
	}
	return s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		var read store.Time
		err := tx.QueryRowContext(ctx, `SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2`+tx.ForUpdate(),
			id, actor.UserID).Scan(&read)
		if err != nil {
			if isNoRows(err) {
				return errs.E(errs.NotFound, "error.not_found")
			}
			return errs.Internalf("find notification: %w", err)
		}
		if read.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE id = $2`, store.T(tx.Now), id); err != nil {
			return errs.Internalf("mark read: %w", err)
		}
		return nil
	})
}
