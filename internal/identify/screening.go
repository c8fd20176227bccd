package identify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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

// MaxNote bounds a screening's note, in characters.
const MaxNote = 4000

// Service stores screenings. Catalogue is the indicator catalogue (Default
// when nil).
type Service struct {
	DB        *store.DB
	Vault     *vault.Vault
	Clock     clock.Clock
	Catalogue *Catalogue
	// Cases is the case file, for attaching a screening to an existing case
	// (AttachToCase) and for the stage of a case registered from a
	// screening (OnCaseChange); nil leaves the stage as registered.
	Cases *cases.Service
}

// RecordInput is a screening to store: the observations and an optional note.
type RecordInput struct {
	Input
	Note string
}

// Screening is a stored screening. CaseID is empty until a case file attaches
// it; Note is filled by Find only.
type Screening struct {
	ID, OrgID, UserID string
	At                time.Time
	CaseID            string
	Indicators        []string
	Note              string
	Result
}

func (s *Service) catalogue() *Catalogue {
	if s.Catalogue != nil {
		return s.Catalogue
	}
	return Default()
}

// storedDimension is one element of the dimensions column.
type storedDimension struct {
	Positive   bool     `json:"positive"`
	Clause     Clause   `json:"clause"`
	Strong     int      `json:"strong"`
	Medium     int      `json:"medium"`
	Weak       int      `json:"weak"`
	Indicators []string `json:"indicators"`
}

// Record assesses the input and stores it with the result, in the actor's
// organisation, audited in the same transaction. Bad input stores nothing.
func (s *Service) Record(ctx context.Context, actor access.Actor, in RecordInput) (*Screening, error) {
	if err := access.Check(actor, access.ScreeningRecord); err != nil {
		return nil, err
	}
	res, err := s.catalogue().Assess(in.Input)
	if err != nil {
		return nil, err
	}
	note := strings.TrimSpace(in.Note)
	if !utf8.ValidString(note) {
		return nil, errs.InvalidField("note", "validation.invalid")
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return nil, errs.InvalidField("note", "validation.too_long").With(map[string]any{"max": MaxNote})
	}
	now := s.Clock.Now()
	sc := &Screening{ID: store.NewID(), OrgID: actor.OrgID, UserID: actor.UserID, At: now,
		Indicators: append([]string{}, in.Indicators...), Note: note, Result: res}
	ids, _ := json.Marshal(sc.Indicators)
	dims := map[string]storedDimension{}
	for _, d := range res.Dimensions {
		dims[d.Dimension.String()] = storedDimension{d.Positive, d.Clause, d.Strong, d.Medium, d.Weak, nonNil(d.Indicators)}
	}
	dimJSON, _ := json.Marshal(dims)
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var keyID sql.NullString
		var enc []byte
		if note != "" {
			id, err := s.Vault.NewDataKey(ctx, tx, "screening")
			if err != nil {
				return err
			}
			keyID = sql.NullString{String: id, Valid: true}
			if enc, err = s.Vault.SealString(ctx, tx, id, noteAAD(sc.ID), note); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO screenings (id, profile, catalogue_version, indicators,
			recruitment_act, result, trafficking_indicated, dimensions, org_id, user_id, at, key_id, note_enc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			sc.ID, string(res.Profile), res.Version, string(ids), store.Bool(res.RecruitmentAct), string(res.Outcome),
			store.Bool(res.Indicated), string(dimJSON), actor.OrgID, actor.UserID, store.T(now), keyID, enc); err != nil {
			return fmt.Errorf("insert screening: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "screening.record",
			ObjectType: "screening", ObjectID: sc.ID,
			Detail: "profile=" + string(res.Profile) + ";outcome=" + string(res.Outcome) + ";version=" + res.Version})
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return sc, nil
}

func noteAAD(id string) vault.AAD { return vault.AAD{Table: "screenings", Row: id, Field: "note"} }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// visible is the SQL condition and argument that limit screenings to what the
// actor may read: everything with All scope (the coordinator), the own
// organisation's with Org scope, nothing otherwise.
func visible(actor access.Actor, argN int) (string, []any) {
	switch access.ScopeOf(actor, access.ScreeningRead) {
	case access.All:
		return "1 = 1", nil
	case access.Org:
		return fmt.Sprintf("org_id = $%d", argN), []any{actor.OrgID}
	}
	return "1 = 0", nil
}

const columns = `id, profile, catalogue_version, indicators, recruitment_act, result, trafficking_indicated,
	dimensions, org_id, user_id, at, case_id, key_id, note_enc`

// Find returns one screening with its note, if the actor may read it (own
// organisation, or every organisation for the coordinator); otherwise, and
// when it does not exist, NotFound. The read is audited before the note is
// returned.
func (s *Service) Find(ctx context.Context, actor access.Actor, id string) (*Screening, error) {
	cond, args := visible(actor, 2)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM screenings WHERE id = $1 AND `+cond,
		append([]any{id}, args...)...)
	if err != nil {
		return nil, errs.Internalf("find screening: %w", err)
	}
	list, err := scanScreenings(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.E(errs.NotFound, "screening.error.not_found")
	}
	sc := list[0]
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor),
		Action: "screening.read", ObjectType: "screening", ObjectID: sc.ID}); err != nil {
		return nil, errs.Internalf("audit screening read: %w", err)
	}
	if sc.keyID != "" {
		note, err := s.Vault.OpenString(ctx, s.DB.Read(), sc.keyID, noteAAD(sc.ID), sc.noteEnc)
		if err != nil {
			return nil, errs.Internalf("open screening note: %w", err)
		}
		sc.Note = note
	}
	return &sc.Screening, nil
}

// FindUnattached lists the actor's own organisation's screenings that no case
// holds yet, newest first, without notes: the case file offers them to attach.
func (s *Service) FindUnattached(ctx context.Context, actor access.Actor) ([]*Screening, error) {
	if err := access.Check(actor, access.ScreeningRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM screenings
		WHERE org_id = $1 AND case_id IS NULL ORDER BY at DESC, id LIMIT 500`, actor.OrgID)
	if err != nil {
		return nil, errs.Internalf("find screenings: %w", err)
	}
	list, err := scanScreenings(rows)
	if err != nil {
		return nil, err
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor),
		Action: "screening.list", ObjectType: "screening", Detail: fmt.Sprintf("unattached;count=%d", len(list))}); err != nil {
		return nil, errs.Internalf("audit screening list: %w", err)
	}
	out := make([]*Screening, len(list))
	for i := range list {
		out[i] = &list[i].Screening
	}
	return out, nil
}

// Attach links a screening to a case inside the caller's transaction (the
// case file's), audited there, so case and link commit together. Attaching it
// again to the same case does nothing; to another case is a Conflict. A
// screening the actor may not read is NotFound.
func (s *Service) Attach(ctx context.Context, tx *store.Tx, actor access.Actor, screeningID, caseID string) error {
	_, _, err := s.attach(ctx, tx, actor, screeningID, caseID)
	return err
}

// attach is Attach that also tells whether the screening indicated
// trafficking and whether it was already attached to this case.
func (s *Service) attach(ctx context.Context, tx *store.Tx, actor access.Actor, screeningID, caseID string) (indicated, already bool, err error) {
	if caseID == "" {
		return false, false, errs.InvalidField("case_id", "validation.required")
	}
	cond, args := visible(actor, 2)
	var current sql.NullString
	var ind int
	err = tx.QueryRowContext(ctx, `SELECT case_id, trafficking_indicated FROM screenings WHERE id = $1 AND `+cond+tx.ForUpdate(),
		append([]any{screeningID}, args...)...).Scan(&current, &ind)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, errs.E(errs.NotFound, "screening.error.not_found")
	}
	if err != nil {
		return false, false, errs.Internalf("attach screening: %w", err)
	}
	switch {
	case current.Valid && current.String == caseID:
		return ind == 1, true, nil
	case current.Valid:
		return false, false, errs.E(errs.Conflict, "screening.error.attached")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screenings SET case_id = $1, attached_at = $2 WHERE id = $3`,
		caseID, store.T(tx.Now), screeningID); err != nil {
		return false, false, errs.Internalf("attach screening: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "screening.attach",
		ObjectType: "screening", ObjectID: screeningID, Detail: "case=" + caseID})
	return ind == 1, false, err
}
