package cases

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// The persons and cases tables are the case file's. Duplicate detection
// (internal/dedup) reads persons and merges them through the functions
// below, in its own querier or transaction: the case file alone knows how a
// person is sealed (its associated data) and what a merge changes.

// PersonCase is one case of a person.
type PersonCase struct {
	PersonID  string
	CaseID    string
	Reference string
}

// OpenedPerson is a person decrypted in memory for matching, with the
// person it was merged into (if any) and the first municipality of its
// cases (empty without one).
type OpenedPerson struct {
	ID           string
	MergedInto   string
	Municipality string
	Person       Person
}

func idMarks(ids []string, from int) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(from+i), id
	}
	return strings.Join(marks, ", "), args
}

// OpenPersons decrypts the given persons in memory, in id order. A person
// whose data key was destroyed (erased) is left out: nothing is left to
// match. The plaintext JSON is wiped once parsed.
func OpenPersons(ctx context.Context, q store.Querier, v *vault.Vault, ids []string) ([]OpenedPerson, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := idMarks(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.key_id, p.data_enc, COALESCE(p.merged_into, ''),
		COALESCE((SELECT MIN(c.municipality) FROM cases c WHERE c.person_id = p.id), '')
		FROM persons p WHERE p.id IN (`+marks+`) ORDER BY p.id`, args...)
	if err != nil {
		return nil, errs.Internalf("read persons: %w", err)
	}
	type sealed struct {
		OpenedPerson
		key string
		enc []byte
	}
	var list []sealed
	for rows.Next() {
		var x sealed
		if err := rows.Scan(&x.ID, &x.key, &x.enc, &x.MergedInto, &x.Municipality); err != nil {
			rows.Close()
			return nil, errs.Internalf("read persons: %w", err)
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read persons: %w", err)
	}
	out := make([]OpenedPerson, 0, len(list))
	for _, x := range list {
		b, err := v.Open(ctx, q, x.key, vault.AAD{Table: "persons", Row: x.ID, Field: "data"}, x.enc)
		if errors.Is(err, vault.ErrShredded) {
			continue
		}
		if err != nil {
			return nil, errs.Internalf("open person: %w", err)
		}
		err = json.Unmarshal(b, &x.Person)
		clear(b)
		if err != nil {
			return nil, errs.Internalf("person json: %w", err)
		}
		out = append(out, x.OpenedPerson)
	}
	return out, nil
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, what string) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("%s: %w", what, err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("%s: %w", what, err)
	}
	return out, nil
}

// UnmergedPersonsAfter returns up to limit ids of persons not merged into
// another, after id after, in id order.
func UnmergedPersonsAfter(ctx context.Context, q store.Querier, after string, limit int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM persons WHERE merged_into IS NULL AND id > $1
		ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, errs.Internalf("read persons: %w", err)
	}
	return scanIDs(rows, "read persons")
}

// UnmergedPersonsChangedSince returns the ids of the persons not merged
// into another whose record changed at or after from (store time), in id
// order.
func UnmergedPersonsChangedSince(ctx context.Context, q store.Querier, from string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM persons WHERE merged_into IS NULL AND updated_at >= $1 ORDER BY id`, from)
	if err != nil {
		return nil, errs.Internalf("read changed persons: %w", err)
	}
	return scanIDs(rows, "read changed persons")
}

// CountUnmergedPersons counts the persons not merged into another.
func CountUnmergedPersons(ctx context.Context, q store.Querier) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE merged_into IS NULL`).Scan(&n); err != nil {
		return 0, errs.Internalf("count persons: %w", err)
	}
	return n, nil
}

// MergedPersons returns which of the given persons are merged into another.
func MergedPersons(ctx context.Context, q store.Querier, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := idMarks(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT id FROM persons WHERE id IN (`+marks+`) AND merged_into IS NOT NULL`, args...)
	if err != nil {
		return nil, errs.Internalf("read merged persons: %w", err)
	}
	merged, err := scanIDs(rows, "read merged persons")
	for _, id := range merged {
		out[id] = true
	}
	return out, err
}

// CasesOfPersons lists the cases of the given persons, by reference.
func CasesOfPersons(ctx context.Context, q store.Querier, personIDs []string) ([]PersonCase, error) {
	if len(personIDs) == 0 {
		return nil, nil
	}
	marks, args := idMarks(personIDs, 1)
	rows, err := q.QueryContext(ctx, `SELECT person_id, id, reference FROM cases WHERE person_id IN (`+marks+`)
		ORDER BY reference`, args...)
	if err != nil {
		return nil, errs.Internalf("read person cases: %w", err)
	}
	return scanPersonCases(rows)
}

func scanPersonCases(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]PersonCase, error) {
	defer rows.Close()
	var out []PersonCase
	for rows.Next() {
		var c PersonCase
		if err := rows.Scan(&c.PersonID, &c.CaseID, &c.Reference); err != nil {
			return nil, errs.Internalf("read person cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read person cases: %w", err)
	}
	return out, nil
}

// LockPersonCases lists the cases of one person by reference, locking them
// on PostgreSQL for the caller's transaction.
func LockPersonCases(ctx context.Context, tx *store.Tx, personID string) ([]PersonCase, error) {
	rows, err := tx.QueryContext(ctx, `SELECT person_id, id, reference FROM cases WHERE person_id = $1
		ORDER BY reference`+tx.ForUpdate(), personID)
	if err != nil {
		return nil, errs.Internalf("person cases: %w", err)
	}
	return scanPersonCases(rows)
}

// CaseReferences returns the references of the given cases, by case id.
func CaseReferences(ctx context.Context, q store.Querier, caseIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	marks, args := idMarks(caseIDs, 1)
	rows, err := q.QueryContext(ctx, `SELECT id, reference FROM cases WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("read references: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return nil, errs.Internalf("read references: %w", err)
		}
		out[id] = ref
	}
	return out, rows.Err()
}

// PairState is one person of a pair: its id and the person it was merged
// into (empty when it stands alone).
type PairState struct{ ID, MergedInto string }

// PersonsInOrder returns the given persons in the order they were
// registered (then by id), with whom each was merged into.
func PersonsInOrder(ctx context.Context, q store.Querier, ids ...string) ([]PairState, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := idMarks(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(merged_into, '') FROM persons WHERE id IN (`+marks+`)
		ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, errs.Internalf("read persons: %w", err)
	}
	defer rows.Close()
	var out []PairState
	for rows.Next() {
		var p PairState
		if err := rows.Scan(&p.ID, &p.MergedInto); err != nil {
			return nil, errs.Internalf("read persons: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read persons: %w", err)
	}
	return out, nil
}

// PersonKeyID returns the data key of a person (to seal a record about her
// with her key, so erasing her erases it too).
func PersonKeyID(ctx context.Context, q store.Querier, personID string) (string, error) {
	var keyID string
	if err := q.QueryRowContext(ctx, `SELECT key_id FROM persons WHERE id = $1`, personID).Scan(&keyID); err != nil {
		return "", errs.Internalf("person key: %w", err)
	}
	return keyID, nil
}

// MergePersons makes merged one with survivor in the caller's transaction:
// each of the given cases of merged is re-pointed to survivor and merged is
// marked merged into survivor; its row and sealed data stay. The caller
// (duplicate detection) records what to restore and notes the cases.
func MergePersons(ctx context.Context, tx *store.Tx, survivor, merged string, caseIDs []string) error {
	for _, id := range caseIDs {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET person_id = $2 WHERE id = $1`, id, survivor); err != nil {
			return errs.Internalf("merge case: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET merged_into = $2 WHERE id = $1`, merged, survivor); err != nil {
		return errs.Internalf("merge person: %w", err)
	}
	return nil
}

// CaseMove is one case a merge re-pointed, with its person before.
type CaseMove struct{ CaseID, OldPersonID string }

// UnmergePersons undoes MergePersons in the caller's transaction: each case
// still pointing at survivor goes back to its old person, and merged
// stands alone again.
func UnmergePersons(ctx context.Context, tx *store.Tx, survivor, merged string, moves []CaseMove) error {
	for _, m := range moves {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET person_id = $2 WHERE id = $1 AND person_id = $3`,
			m.CaseID, m.OldPersonID, survivor); err != nil {
			return errs.Internalf("unmerge case: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET merged_into = NULL WHERE id = $1`, merged); err != nil {
		return errs.Internalf("unmerge person: %w", err)
	}
	return nil
}

// PersonMergedInto returns whom the person was merged into ("" when she
// stands alone).
func PersonMergedInto(ctx context.Context, q store.Querier, personID string) (string, error) {
	var into string
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(merged_into, '') FROM persons WHERE id = $1`, personID).Scan(&into); err != nil {
		return "", errs.Internalf("read person: %w", err)
	}
	return into, nil
}
