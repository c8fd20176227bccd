package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// A child's guardian (CETS 197 Art. 10(4)) is recorded on the case with the
// decision that appointed them. Until one is, nobody can consent "as the
// guardian" (internal/consent asks CurrentGuardian), and the guardian
// appointment task stays open (the OnGuardian hooks close it).

// The kinds of guardian.
const (
	GuardianCSWOfficer = "csw_officer" // an officer of the Centre for Social Work
	GuardianRelative   = "relative"
	GuardianOther      = "other"
)

// GuardianKinds lists the kinds, for picklists.
var GuardianKinds = []string{GuardianCSWOfficer, GuardianRelative, GuardianOther}

// GuardianInput is a guardian's appointment as the decision states it.
type GuardianInput struct {
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Phone        string `json:"phone,omitempty"`
	Authority    string `json:"authority"`     // who appointed: "Centre for Social Work Prizren"
	DecisionRef  string `json:"decision_ref"`  // the decision's number
	DecisionDate string `json:"decision_date"` // YYYY-MM-DD
}

// Guardian is a recorded guardian. Name, Phone and Authority are personal
// (sealed) and set only for a reader of personal data.
type Guardian struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Name         string     `json:"name,omitempty"`
	Phone        string     `json:"phone,omitempty"`
	Authority    string     `json:"authority,omitempty"`
	DecisionRef  string     `json:"decision_ref"`
	DecisionDate string     `json:"decision_date"`
	RecordedAt   time.Time  `json:"recorded_at"`
	RecordedBy   string     `json:"recorded_by"`
	RecordedOrg  string     `json:"recorded_org"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
}

// guardianPerson is the sealed part of a guardian row.
type guardianPerson struct {
	Name      string `json:"name"`
	Phone     string `json:"phone,omitempty"`
	Authority string `json:"authority"`
}

// Validate checks an appointment at time now.
func (in *GuardianInput) Validate(now time.Time) error {
	in.Name, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	in.Authority, in.DecisionRef = strings.TrimSpace(in.Authority), strings.TrimSpace(in.DecisionRef)
	in.DecisionDate = strings.TrimSpace(in.DecisionDate)
	for _, f := range []struct {
		field, v string
		max      int
	}{{"name", in.Name, maxName}, {"authority", in.Authority, maxShort}, {"decision_ref", in.DecisionRef, maxName}} {
		switch {
		case f.v == "":
			return errs.InvalidField(f.field, "validation.required")
		case utf8.RuneCountInString(f.v) > f.max || !utf8.ValidString(f.v):
			return errs.InvalidField(f.field, "validation.too_long").With(map[string]any{"max": f.max})
		}
	}
	if utf8.RuneCountInString(in.Phone) > maxName {
		return errs.InvalidField("phone", "validation.too_long").With(map[string]any{"max": maxName})
	}
	switch {
	case in.Kind == "":
		return errs.InvalidField("kind", "validation.required")
	case !slices.Contains(GuardianKinds, in.Kind):
		return errs.InvalidField("kind", "validation.invalid_choice")
	}
	d, err := time.Parse(time.DateOnly, in.DecisionDate)
	switch {
	case in.DecisionDate == "":
		return errs.InvalidField("decision_date", "validation.required")
	case err != nil:
		return errs.InvalidField("decision_date", "validation.date")
	case d.Year() < 1900 || d.After(now.Add(24*time.Hour)):
		return errs.InvalidField("decision_date", "case.guardian_date_future")
	}
	return nil
}

func guardianAAD(id string) vault.AAD {
	return vault.AAD{Table: "case_guardians", Row: id, Field: "person"}
}

// AppointGuardian records the guardian of a child's case with the decision
// that appointed them, ending the previous guardian's appointment, and runs
// the OnGuardian hooks (the appointment task is done).
func (s *Service) AppointGuardian(ctx context.Context, actor access.Actor, caseID string, in GuardianInput) (*Guardian, error) {
	if err := access.Check(actor, access.GuardianRecord); err != nil {
		return nil, err
	}
	var out *Guardian
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Authorize(ctx, tx, actor, caseID, access.GuardianRecord)
		if err != nil {
			return err
		}
		if !ref.IsChild {
			return errs.E(errs.Invalid, "case.guardian_not_child")
		}
		if err := in.Validate(tx.Now); err != nil {
			return err
		}
		g := &Guardian{ID: store.NewID(), Kind: in.Kind, Name: in.Name, Phone: in.Phone, Authority: in.Authority,
			DecisionRef: in.DecisionRef, DecisionDate: in.DecisionDate, RecordedAt: tx.Now,
			RecordedBy: actor.UserID, RecordedOrg: actor.OrgID}
		b, err := json.Marshal(guardianPerson{Name: in.Name, Phone: in.Phone, Authority: in.Authority})
		if err != nil {
			return errs.Internalf("guardian: %w", err)
		}
		enc, err := s.Vault.Seal(ctx, tx, ref.KeyID, guardianAAD(g.ID), b)
		clear(b)
		if err != nil {
			return errs.Internalf("seal guardian: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_guardians SET ended_at = $1, ended_reason = 'replaced'
			WHERE case_id = $2 AND ended_at IS NULL`, store.T(tx.Now), ref.ID); err != nil {
			return errs.Internalf("end guardian: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_guardians (id, case_id, kind, decision_ref, decision_date,
			person_enc, recorded_at, recorded_by, recorded_org) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			g.ID, ref.ID, g.Kind, g.DecisionRef, g.DecisionDate, enc, store.T(tx.Now), actor.UserID, actor.OrgID); err != nil {
			return errs.Internalf("insert guardian: %w", err)
		}
		if err := AppendTimeline(ctx, tx, timelineEntry(actor, ref.ID, "guardian", "appointed;v=1;kind="+g.Kind)); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, "case.guardian_appoint", ref.Reference, "kind="+g.Kind); err != nil {
			return err
		}
		for _, h := range s.OnGuardian {
			if err := h(ctx, tx, *ref); err != nil {
				return err
			}
		}
		out = g
		return nil
	})
	return out, err
}

// CurrentGuardian returns the id of the case's current guardian, if one is
// recorded, in the caller's querier and without an access check (the
// consent ledger asks it, having checked its own).
func CurrentGuardian(ctx context.Context, q store.Querier, caseID string) (string, bool, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM case_guardians WHERE case_id = $1 AND ended_at IS NULL`, caseID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, errs.Internalf("read guardian: %w", err)
	}
	return id, true, nil
}

// guardians reads a case's guardians, current first then newest; the sealed
// part only when personal is true.
func (s *Service) guardians(ctx context.Context, q store.Querier, caseID, keyID string, personal bool) ([]Guardian, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, decision_ref, decision_date, person_enc, recorded_at, recorded_by,
		recorded_org, ended_at FROM case_guardians WHERE case_id = $1 ORDER BY recorded_at DESC, id DESC`, caseID)
	if err != nil {
		return nil, errs.Internalf("read guardians: %w", err)
	}
	var out []Guardian
	var encs [][]byte
	for rows.Next() {
		var g Guardian
		var enc []byte
		var at store.Time
		var ended store.Time
		if err := rows.Scan(&g.ID, &g.Kind, &g.DecisionRef, &g.DecisionDate, &enc, &at, &g.RecordedBy, &g.RecordedOrg, &ended); err != nil {
			rows.Close()
			return nil, errs.Internalf("read guardians: %w", err)
		}
		g.RecordedAt = at.Time
		if ended.Valid {
			t := ended.Time
			g.EndedAt = &t
		}
		out = append(out, g)
		encs = append(encs, enc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read guardians: %w", err)
	}
	if personal {
		for i := range out {
			var p guardianPerson
			if err := s.openJSON(ctx, q, keyID, guardianAAD(out[i].ID), encs[i], &p); err != nil {
				return nil, err
			}
			out[i].Name, out[i].Phone, out[i].Authority = p.Name, p.Phone, p.Authority
		}
	}
	return out, nil
}

// TeamOrgIDs lists the organisations on a case's team, in the caller's
// querier and without an access check (the clocks capability looks for the
// Centre for Social Work).
func TeamOrgIDs(ctx context.Context, q store.Querier, caseID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT org_id FROM case_team WHERE case_id = $1 ORDER BY org_id`, caseID)
	if err != nil {
		return nil, errs.Internalf("read team: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("read team: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
