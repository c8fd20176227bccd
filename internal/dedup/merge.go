package dedup

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Reason length bounds, in characters, as for break-glass: a merge changes
// whose history a case tells, so the coordinator must say why.
const (
	MinReason = 20
	MaxReason = 2000
)

// MergeInput is the coordinator's decision on a pair.
type MergeInput struct {
	// Survivor is the person id that remains (one of the pair); empty
	// keeps the one registered first.
	Survivor string `json:"survivor,omitempty"`
	Reason   string `json:"reason"`
}

// Merge makes the two persons of an open pair one: the cases of the merged
// person are re-pointed to the survivor (each case's old person kept in
// person_merge_cases), the merged person is marked merged_into and keeps
// its row and sealed data, and the pair becomes merged. Both histories
// stay: every case keeps its timeline, and each gets a timeline entry and
// an audit event naming the merge. The reason is sealed with the
// survivor's data key. Unmerge undoes it exactly.
func (s *Service) Merge(ctx context.Context, actor access.Actor, candidateID string, in MergeInput) (string, error) {
	if err := access.Check(actor, access.DuplicateMerge); err != nil {
		return "", err
	}
	reason, err := checkReason(in.Reason)
	if err != nil {
		return "", err
	}
	mergeID := store.NewID()
	err = s.inTx(ctx, func(tx *store.Tx) error {
		c, err := lockCandidate(ctx, tx, candidateID)
		if err != nil {
			return err
		}
		if c.state != StateOpen {
			return errs.E(errs.Conflict, "dedup.not_open")
		}
		survivor, merged, err := s.chooseSurvivor(ctx, tx, c, in.Survivor)
		if err != nil {
			return err
		}
		var keyID string
		if err := tx.QueryRowContext(ctx, `SELECT key_id FROM persons WHERE id = $1`, survivor).Scan(&keyID); err != nil {
			return errs.Internalf("survivor key: %w", err)
		}
		enc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "person_merges", Row: mergeID, Field: "reason"}, reason)
		if err != nil {
			return errs.Internalf("seal reason: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_merges (id, candidate_id, survivor_id, merged_id, key_id, reason_enc,
			merged_by, merged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, mergeID, c.id, survivor, merged, keyID, enc,
			actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert merge: %w", err)
		}
		survivorCases, err := casesOfPerson(ctx, tx, survivor)
		if err != nil {
			return err
		}
		moved, err := casesOfPerson(ctx, tx, merged)
		if err != nil {
			return err
		}
		for _, mc := range moved {
			if _, err := tx.ExecContext(ctx, `INSERT INTO person_merge_cases (merge_id, case_id, old_person_id) VALUES ($1, $2, $3)`,
				mergeID, mc.id, merged); err != nil {
				return errs.Internalf("merge case: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET person_id = $2 WHERE id = $1`, mc.id, survivor); err != nil {
				return errs.Internalf("merge case: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET merged_into = $2 WHERE id = $1`, merged, survivor); err != nil {
			return errs.Internalf("merge person: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duplicate_candidates SET state = $2, decided_at = $3, decided_by = $4 WHERE id = $1`,
			c.id, StateMerged, store.T(tx.Now), actor.UserID); err != nil {
			return errs.Internalf("merge pair: %w", err)
		}
		if err := noteCases(ctx, tx, actor, "merge", mergeID, survivorCases, moved); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "duplicate.merge", "person_merge", mergeID,
			"candidate="+c.id+",cases="+itoa(len(moved)))
	})
	if err != nil {
		return "", err
	}
	return mergeID, nil
}

// Unmerge undoes a merge exactly: each re-pointed case goes back to its old
// person, the merged person stands alone again, and the pair is open again
// (as it was when merged). The merge record stays, marked undone with the
// sealed reason of the undo. A merge whose survivor has since been merged
// into a third person is refused until that later merge is undone: undoing
// out of order could not restore the cases exactly.
func (s *Service) Unmerge(ctx context.Context, actor access.Actor, mergeID, reason string) error {
	if err := access.Check(actor, access.DuplicateMerge); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	if mergeID == "" || len(mergeID) > 64 {
		return errNotFound
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		var candidateID, survivor, merged, keyID string
		var undone store.Time
		err := tx.QueryRowContext(ctx, `SELECT candidate_id, survivor_id, merged_id, key_id, undone_at FROM person_merges
			WHERE id = $1`+tx.ForUpdate(), mergeID).Scan(&candidateID, &survivor, &merged, &keyID, &undone)
		if notFound(err) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read merge: %w", err)
		}
		if undone.Valid {
			return errs.E(errs.Conflict, "dedup.already_undone")
		}
		var survivorMerged string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(merged_into, '') FROM persons WHERE id = $1`, survivor).Scan(&survivorMerged); err != nil {
			return errs.Internalf("read survivor: %w", err)
		}
		if survivorMerged != "" {
			return errs.E(errs.Conflict, "dedup.undo_order")
		}
		moved, err := movedCases(ctx, tx, mergeID)
		if err != nil {
			return err
		}
		for _, mc := range moved {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET person_id = $2 WHERE id = $1 AND person_id = $3`,
				mc.id, mc.oldPerson, survivor); err != nil {
				return errs.Internalf("unmerge case: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET merged_into = NULL WHERE id = $1`, merged); err != nil {
			return errs.Internalf("unmerge person: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duplicate_candidates SET state = $2, decided_at = NULL, decided_by = ''
			WHERE id = $1`, candidateID, StateOpen); err != nil {
			return errs.Internalf("unmerge pair: %w", err)
		}
		enc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "person_merges", Row: mergeID, Field: "undo_reason"}, reason)
		if err != nil {
			return errs.Internalf("seal reason: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE person_merges SET undone_at = $2, undone_by = $3, undo_reason_enc = $4 WHERE id = $1`,
			mergeID, store.T(tx.Now), actor.UserID, enc); err != nil {
			return errs.Internalf("undo merge: %w", err)
		}
		survivorCases, err := casesOfPerson(ctx, tx, survivor)
		if err != nil {
			return err
		}
		if err := noteCases(ctx, tx, actor, "unmerge", mergeID, survivorCases, moved); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "duplicate.unmerge", "person_merge", mergeID, "cases="+itoa(len(moved)))
	})
}

// checkReason trims a reason and checks its length.
func checkReason(r string) (string, error) {
	r = strings.TrimSpace(r)
	switch n := utf8.RuneCountInString(r); {
	case !utf8.ValidString(r):
		return "", errs.InvalidField("reason", "validation.invalid")
	case n < MinReason:
		return "", errs.InvalidField("reason", "dedup.reason_short").With(map[string]any{"min": MinReason})
	case n > MaxReason:
		return "", errs.InvalidField("reason", "dedup.reason_long").With(map[string]any{"max": MaxReason})
	}
	return r, nil
}

// chooseSurvivor returns the survivor and the merged person of a pair:
// want if given (it must be one of the two), else the one registered first.
// Neither may already be merged into someone else.
func (s *Service) chooseSurvivor(ctx context.Context, tx *store.Tx, c *candidate, want string) (string, string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(merged_into, '') FROM persons WHERE id IN ($1, $2)
		ORDER BY created_at, id`, c.a, c.b)
	if err != nil {
		return "", "", errs.Internalf("read pair persons: %w", err)
	}
	defer rows.Close()
	var order []string
	for rows.Next() {
		var id, into string
		if err := rows.Scan(&id, &into); err != nil {
			return "", "", errs.Internalf("read pair persons: %w", err)
		}
		if into != "" {
			return "", "", errs.E(errs.Conflict, "dedup.already_merged")
		}
		order = append(order, id)
	}
	if err := rows.Err(); err != nil || len(order) != 2 {
		return "", "", errs.Internalf("read pair persons: %v", err)
	}
	switch want {
	case "", order[0]:
		return order[0], order[1], nil
	case order[1]:
		return order[1], order[0], nil
	}
	return "", "", errs.InvalidField("survivor", "dedup.survivor_invalid")
}

type caseRow struct{ id, ref, oldPerson string }

// casesOfPerson lists the cases of a person, locking them on PostgreSQL.
func casesOfPerson(ctx context.Context, tx *store.Tx, personID string) ([]caseRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, reference, person_id FROM cases WHERE person_id = $1 ORDER BY reference`+tx.ForUpdate(), personID)
	if err != nil {
		return nil, errs.Internalf("person cases: %w", err)
	}
	return scanCases(rows)
}

// movedCases lists the cases a merge re-pointed, with their old person.
func movedCases(ctx context.Context, tx *store.Tx, mergeID string) ([]caseRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.reference, m.old_person_id FROM person_merge_cases m
		JOIN cases c ON c.id = m.case_id WHERE m.merge_id = $1 ORDER BY c.reference`, mergeID)
	if err != nil {
		return nil, errs.Internalf("merged cases: %w", err)
	}
	return scanCases(rows)
}

func scanCases(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]caseRow, error) {
	defer rows.Close()
	var out []caseRow
	for rows.Next() {
		var c caseRow
		if err := rows.Scan(&c.id, &c.ref, &c.oldPerson); err != nil {
			return nil, errs.Internalf("cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("cases: %w", err)
	}
	return out, nil
}

// noteCases writes a timeline entry and an audit event on every case the
// merge (or its undo) touched, naming the merge and the case's side, so
// each team sees in its own history why the person changed.
func noteCases(ctx context.Context, tx *store.Tx, actor access.Actor, kind, mergeID string, survivor, merged []caseRow) error {
	for _, side := range []struct {
		role string
		list []caseRow
	}{{"survivor", survivor}, {"merged", merged}} {
		for _, c := range side.list {
			detail := "merge=" + mergeID + ",role=" + side.role
			if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: c.id, Kind: kind, ActorID: actor.UserID,
				ActorOrg: actor.OrgID, RefTable: "person_merges", RefID: mergeID, Summary: kind + ";v=2;role=" + side.role}); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, actor, "case.person_"+kind, "case", c.ref, detail); err != nil {
				return err
			}
		}
	}
	return nil
}
