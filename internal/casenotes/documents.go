package casenotes

import (
	"context"
	"database/sql"
	"errors"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

var errDocNotFound = errs.E(errs.NotFound, "document.not_found")

func docAAD(id, field string) vault.AAD {
	return vault.AAD{Table: "case_documents", Row: id, Field: field}
}

// Document is an attachment's description; its content is returned only by
// OpenDocument.
type Document struct {
	ID          string     `json:"id"`
	CaseID      string     `json:"case_id"`
	Visibility  Visibility `json:"visibility"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	MediaType   MediaType  `json:"media_type"`
	Size        int64      `json:"size"`
	AuthorID    string     `json:"author_id"`
	AuthorOrg   string     `json:"author_org"`
	AuthorRole  string     `json:"author_role"`
	CreatedAt   time.Time  `json:"created_at"`
}

// DocumentInput is an upload: the file name and claimed type as the client
// sent them, and the content.
type DocumentInput struct {
	Visibility  Visibility
	Name        string
	Description string
	ClaimedType string
	Data        []byte
}

// cleanName keeps the last element of a client's file name, without
// control or formatting characters (a right-to-left override can make
// "gpj.exe" look like "exe.jpg").
func cleanName(name string) (string, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	switch {
	case name == "" || name == "." || name == "/":
		return "", errs.InvalidField("file", "validation.required")
	case len([]rune(name)) > MaxName:
		return "", errs.InvalidField("file", "validation.too_long").With(map[string]any{"max": MaxName})
	}
	return name, nil
}

// AddDocument checks and stores an attachment. Nothing is stored unless the
// size is within the limit and the content is what its name and claimed
// type say (Sniff).
func (s *Service) AddDocument(ctx context.Context, actor access.Actor, caseID string, in DocumentInput) (*Document, error) {
	if int64(len(in.Data)) > s.Limit() {
		return nil, errs.E(errs.TooLarge, "attachment.too_large").With(map[string]any{"max": s.Limit() >> 20})
	}
	name, err := cleanName(in.Name)
	if err != nil {
		return nil, err
	}
	mt, err := Sniff(in.Data, name, in.ClaimedType)
	if err != nil {
		return nil, err
	}
	switch in.Visibility {
	case "":
		in.Visibility = Team
	case Team, Org:
	default:
		return nil, errs.InvalidField("visibility", "validation.invalid_choice")
	}
	in.Description = strings.TrimSpace(in.Description)
	if len([]rune(in.Description)) > 2000 {
		return nil, errs.InvalidField("description", "validation.too_long").With(map[string]any{"max": 2000})
	}
	now := s.Clock.Now()
	d := &Document{ID: store.NewID(), Visibility: in.Visibility, Name: name, Description: in.Description, MediaType: mt,
		Size: int64(len(in.Data)), AuthorID: actor.UserID, AuthorOrg: actor.OrgID, AuthorRole: string(actor.Role), CreatedAt: now}
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.DocumentWrite)
		if err != nil {
			return err
		}
		d.CaseID = ref.ID
		nameEnc, err := s.Vault.SealString(ctx, tx, ref.KeyID, docAAD(d.ID, "name"), d.Name)
		if err != nil {
			return errs.Internalf("seal document: %w", err)
		}
		var descEnc []byte
		if d.Description != "" {
			if descEnc, err = s.Vault.SealString(ctx, tx, ref.KeyID, docAAD(d.ID, "description"), d.Description); err != nil {
				return errs.Internalf("seal document: %w", err)
			}
		}
		content, err := s.Vault.Seal(ctx, tx, ref.KeyID, docAAD(d.ID, "content"), in.Data)
		if err != nil {
			return errs.Internalf("seal document: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_documents (id, case_id, visibility, author_id, author_org, author_role,
			media_type, size, name_enc, description_enc, content_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			d.ID, ref.ID, string(d.Visibility), d.AuthorID, d.AuthorOrg, d.AuthorRole, string(mt), d.Size, nameEnc, descEnc, content,
			store.T(now)); err != nil {
			return errs.Internalf("insert document: %w", err)
		}
		if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "document.create", ObjectType: "document",
			ObjectID: d.ID, Detail: "case=" + ref.Reference + ",size=" + strconv.FormatInt(d.Size, 10)}); err != nil {
			return errs.Internalf("audit document: %w", err)
		}
		return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "document", ActorID: actor.UserID,
			ActorOrg: actor.OrgID, RefTable: "case_documents", RefID: d.ID, Visibility: timelineVisibility(d.Visibility, actor.OrgID),
			Summary: "document.added;v=2"})
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return d, nil
}

const docColumns = `id, case_id, visibility, author_id, author_org, author_role, media_type, size, name_enc, description_enc, created_at`

func (s *Service) scanDoc(ctx context.Context, q store.Querier, row interface{ Scan(...any) error }, keyID string) (*Document, error) {
	var d Document
	var vis, mt string
	var nameEnc, descEnc []byte
	var created store.Time
	if err := row.Scan(&d.ID, &d.CaseID, &vis, &d.AuthorID, &d.AuthorOrg, &d.AuthorRole, &mt, &d.Size, &nameEnc, &descEnc, &created); err != nil {
		return nil, err
	}
	d.Visibility, d.MediaType, d.CreatedAt = Visibility(vis), MediaType(mt), created.Time
	var err error
	if d.Name, err = s.Vault.OpenString(ctx, q, keyID, docAAD(d.ID, "name"), nameEnc); err != nil {
		return nil, errs.Internalf("open document: %w", err)
	}
	if descEnc != nil {
		if d.Description, err = s.Vault.OpenString(ctx, q, keyID, docAAD(d.ID, "description"), descEnc); err != nil {
			return nil, errs.Internalf("open document: %w", err)
		}
	}
	return &d, nil
}

// Documents lists the attachments of a case the actor may read, newest
// first, without their content; audited like Notes.
func (s *Service) Documents(ctx context.Context, actor access.Actor, caseID string) ([]*Document, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.DocumentRead)
	if err != nil {
		return nil, err
	}
	if err := s.Vault.Warm(ctx, q, ref.KeyID); err != nil {
		return nil, errs.Internalf("documents key: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+docColumns+` FROM case_documents WHERE case_id = $1 AND `+visibleSQL+`
		ORDER BY created_at DESC, id`, ref.ID, actor.OrgID, string(actor.Role))
	if err != nil {
		return nil, errs.Internalf("documents: %w", err)
	}
	defer rows.Close()
	var out []*Document
	for rows.Next() {
		d, err := s.scanDoc(ctx, q, rows, ref.KeyID)
		if err != nil {
			return nil, errs.As(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("documents: %w", err)
	}
	if err := s.auditRead(ctx, actor, "document.list", "case", ref.Reference, "count="+strconv.Itoa(len(out))); err != nil {
		return nil, err
	}
	return out, nil
}

// OpenDocument returns an attachment and its content, audited first.
func (s *Service) OpenDocument(ctx context.Context, actor access.Actor, docID string) (*Document, []byte, error) {
	q := s.DB.Read()
	var caseID string
	err := q.QueryRowContext(ctx, `SELECT case_id FROM case_documents WHERE id = $1 AND `+visibleSQL, docID,
		actor.OrgID, string(actor.Role)).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errDocNotFound
	}
	if err != nil {
		return nil, nil, errs.Internalf("document: %w", err)
	}
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.DocumentRead)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, nil, errDocNotFound
		}
		return nil, nil, err
	}
	d, err := s.scanDoc(ctx, q, q.QueryRowContext(ctx, `SELECT `+docColumns+` FROM case_documents WHERE id = $1`, docID), ref.KeyID)
	if err != nil {
		return nil, nil, errs.As(err)
	}
	var enc []byte
	if err := q.QueryRowContext(ctx, `SELECT content_enc FROM case_documents WHERE id = $1`, docID).Scan(&enc); err != nil {
		return nil, nil, errs.Internalf("document content: %w", err)
	}
	data, err := s.Vault.Open(ctx, q, ref.KeyID, docAAD(d.ID, "content"), enc)
	if err != nil {
		return nil, nil, errs.Internalf("open document: %w", err)
	}
	if err := s.auditRead(ctx, actor, "document.read", "document", d.ID, "case="+ref.Reference); err != nil {
		return nil, nil, err
	}
	return d, data, nil
}
