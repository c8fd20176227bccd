package casenotes

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

var errNoteNotFound = errs.E(errs.NotFound, "note.not_found")

func noteAAD(id string) vault.AAD { return vault.AAD{Table: "case_notes", Row: id, Field: "body"} }

// AddNote writes a note on a case. Notes are never edited: a correction is
// a new note, so what the team read stays what was written.
func (s *Service) AddNote(ctx context.Context, actor access.Actor, caseID string, in NoteInput) (*Note, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	n := &Note{ID: store.NewID(), Visibility: in.Visibility, Category: in.Category, AuthorID: actor.UserID,
		AuthorOrg: actor.OrgID, AuthorRole: string(actor.Role), Body: in.Body, CreatedAt: now}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.NoteWrite)
		if err != nil {
			return err
		}
		n.CaseID = ref.ID
		enc, err := s.Vault.SealString(ctx, tx, ref.KeyID, noteAAD(n.ID), n.Body)
		if err != nil {
			return errs.Internalf("seal note: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_notes (id, case_id, visibility, category, author_id, author_org,
			author_role, body_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, n.ID, ref.ID, string(n.Visibility),
			n.Category, n.AuthorID, n.AuthorOrg, n.AuthorRole, enc, store.T(now)); err != nil {
			return errs.Internalf("insert note: %w", err)
		}
		if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "note.create", ObjectType: "note",
			ObjectID: n.ID, Detail: "case=" + ref.Reference + ",visibility=" + string(n.Visibility)}); err != nil {
			return errs.Internalf("audit note: %w", err)
		}
		return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "note", ActorID: actor.UserID,
			ActorOrg: actor.OrgID, RefTable: "case_notes", RefID: n.ID, Visibility: timelineVisibility(n.Visibility, actor.OrgID),
			Summary: "note.added:" + n.Category + ";v=2"})
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return n, nil
}

const noteColumns = `id, case_id, visibility, category, author_id, author_org, author_role, body_enc, created_at`

func (s *Service) scanNote(ctx context.Context, q store.Querier, row interface{ Scan(...any) error }, keyID string) (*Note, error) {
	var n Note
	var vis string
	var enc []byte
	var created store.Time
	if err := row.Scan(&n.ID, &n.CaseID, &vis, &n.Category, &n.AuthorID, &n.AuthorOrg, &n.AuthorRole, &enc, &created); err != nil {
		return nil, err
	}
	n.Visibility, n.CreatedAt = Visibility(vis), created.Time
	body, err := s.Vault.OpenString(ctx, q, keyID, noteAAD(n.ID), enc)
	if err != nil {
		return nil, errs.Internalf("open note: %w", err)
	}
	n.Body = body
	return &n, nil
}

// Notes returns the notes of a case the actor may read, newest first. The
// list is audited as one read of the case's notes with their count: notes
// are append-only, so which notes a reader saw at a time can be rebuilt
// from the audit event's time and the reader's organisation and role.
func (s *Service) Notes(ctx context.Context, actor access.Actor, caseID string) ([]*Note, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.NoteRead)
	if err != nil {
		return nil, err
	}
	if err := s.Vault.Warm(ctx, q, ref.KeyID); err != nil {
		return nil, errs.Internalf("notes key: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+noteColumns+` FROM case_notes WHERE case_id = $1 AND `+visibleSQL+`
		ORDER BY created_at DESC, id`, ref.ID, actor.OrgID, string(actor.Role))
	if err != nil {
		return nil, errs.Internalf("notes: %w", err)
	}
	defer rows.Close()
	var out []*Note
	for rows.Next() {
		n, err := s.scanNote(ctx, q, rows, ref.KeyID)
		if err != nil {
			return nil, errs.As(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("notes: %w", err)
	}
	if err := s.auditRead(ctx, actor, "note.read", "case", ref.Reference, "count="+strconv.Itoa(len(out))); err != nil {
		return nil, err
	}
	return out, nil
}

// Note returns one note, or NotFound when it does not exist, its case is
// out of the actor's reach, or its class hides it from the actor.
func (s *Service) Note(ctx context.Context, actor access.Actor, noteID string) (*Note, error) {
	q := s.DB.Read()
	var caseID string
	err := q.QueryRowContext(ctx, `SELECT case_id FROM case_notes WHERE id = $1 AND `+visibleSQL, noteID,
		actor.OrgID, string(actor.Role)).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoteNotFound
	}
	if err != nil {
		return nil, errs.Internalf("note: %w", err)
	}
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.NoteRead)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errNoteNotFound
		}
		return nil, err
	}
	n, err := s.scanNote(ctx, q, q.QueryRowContext(ctx, `SELECT `+noteColumns+` FROM case_notes WHERE id = $1`, noteID), ref.KeyID)
	if err != nil {
		return nil, errs.As(err)
	}
	if err := s.auditRead(ctx, actor, "note.read", "note", n.ID, "case="+ref.Reference); err != nil {
		return nil, err
	}
	return n, nil
}
