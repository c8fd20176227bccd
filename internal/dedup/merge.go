package dedup

import (
	"context"
	"sort"
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
		keyID, err := cases.PersonKeyID(ctx, tx, survivor)
		if err != nil {
			return err
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
		movedIDs := make([]string, len(moved))
		for i, mc := range moved {
			if _, err := tx.ExecContext(ctx, `INSERT INTO person_merge_cases (merge_id, case_id, old_person_id) VALUES ($1, $2, $3)`,
				mergeID, mc.id, merged); err != nil {
				return errs.Internalf("merge case: %w", err)
			}
			movedIDs[i] = mc.id
		}
		// The case file re-points the cases and marks the person merged.
		if err := cases.MergePersons(ctx, tx, survivor, merged, movedIDs); err != nil {
			return err
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
		survivorMerged, err := cases.PersonMergedInto(ctx, tx, survivor)
		if err != nil {
			return err
		}
		if survivorMerged != "" {
			return errs.E(errs.Conflict, "dedup.undo_order")
		}
		moved, err := movedCases(ctx, tx, mergeID)
		if err != nil {
			return err
		}
		moves := make([]cases.CaseMove, len(moved))
		for i, mc := range moved {
			moves[i] = cases.CaseMove{CaseID: mc.id, OldPersonID: mc.oldPerson}
		}
		if err := cases.UnmergePersons(ctx, tx, survivor, merged, moves); err != nil {
			return err
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
	pair, err := cases.PersonsInOrder(ctx, tx, c.a, c.b)
	if err != nil {
		return "", "", err
	}
	var order []string
	for _, p := range pair {
		if p.MergedInto != "" {
			return "", "", errs.E(errs.Conflict, "dedup.already_merged")
		}
		order = append(order, p.ID)
	}
	if len(order) != 2 {
		return "", "", errs.Internalf("read pair persons: %d of 2", len(order))
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

// casesOfPerson lists the cases of a person, locked on PostgreSQL, through
// the case file.
func casesOfPerson(ctx context.Context, tx *store.Tx, personID string) ([]caseRow, error) {
	list, err := cases.LockPersonCases(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]caseRow, len(list))
	for i, c := range list {
		out[i] = caseRow{id: c.CaseID, ref: c.Reference, oldPerson: c.PersonID}
	}
	return out, nil
}

// movedCases lists the cases a merge re-pointed, with their old person, by
// reference (the references read from the case file).
func movedCases(ctx context.Context, tx *store.Tx, mergeID string) ([]caseRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT case_id, old_person_id FROM person_merge_cases WHERE merge_id = $1`, mergeID)
	if err != nil {
		return nil, errs.Internalf("merged cases: %w", err)
	}
	var list []caseRow
	var ids []string
	for rows.Next() {
		var c caseRow
		if err := rows.Scan(&c.id, &c.oldPerson); err != nil {
			rows.Close()
			return nil, errs.Internalf("merged cases: %w", err)
		}
		list = append(list, c)
		ids = append(ids, c.id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("merged cases: %w", err)
	}
	refs, err := cases.CaseReferences(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, c := range list {
		if ref, ok := refs[c.id]; ok {
			c.ref = ref
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref < out[j].ref })
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
