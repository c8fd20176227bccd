package dedup

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The states of a candidate pair.
const (
	StateOpen      = "open"
	StateMerged    = "merged"
	StateDismissed = "dismissed"
)

// Pair is a candidate pair as the coordinator reviews it: case references,
// the score and the evidence codes — no name, no date. To compare the
// persons themselves the coordinator opens each case with break-glass,
// which is audited and reviewed like any other.
type Pair struct {
	ID       string    `json:"id"`
	Score    float64   `json:"score"`
	Evidence string    `json:"evidence"`
	State    string    `json:"state"`
	FoundAt  time.Time `json:"found_at"`
	SeenAt   time.Time `json:"seen_at"`
	A        Side      `json:"a"`
	B        Side      `json:"b"`
	// MergeID is the merge to undo, for a merged pair.
	MergeID string `json:"merge_id,omitempty"`
}

// Side is one person of a pair: its id and the references of its cases.
type Side struct {
	PersonID string   `json:"person_id"`
	Cases    []string `json:"cases"`
}

// MaxList bounds one page of pairs.
const MaxList = 200

// List returns the pairs in state (open by default), best score first. An
// open pair whose person has since been merged elsewhere is left out: it
// would merge a record that no longer stands alone. The read is audited.
func (s *Service) List(ctx context.Context, actor access.Actor, state string) ([]Pair, error) {
	if err := access.Check(actor, access.DuplicateReview); err != nil {
		return nil, err
	}
	if state == "" {
		state = StateOpen
	}
	if state != StateOpen && state != StateMerged && state != StateDismissed {
		return nil, errs.InvalidField("state", "dedup.state_invalid")
	}
	q := s.DB.Read()
	out, err := s.listPairs(ctx, q, state)
	if err != nil {
		return nil, err
	}
	if err := s.fillCases(ctx, q, out); err != nil {
		return nil, err
	}
	_, err = audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "duplicate.list",
		Detail: "state=" + state + ",count=" + itoa(len(out))})
	if err != nil {
		return nil, errs.Internalf("audit duplicate.list: %w", err)
	}
	return out, nil
}

// listPairs reads up to MaxList pairs in state, best score first. Open
// pairs whose person is merged elsewhere (the case file says which) are
// skipped, reading on until the page is full or the pairs run out.
func (s *Service) listPairs(ctx context.Context, q store.Querier, state string) ([]Pair, error) {
	var out []Pair
	for offset := 0; ; offset += MaxList {
		rows, err := q.QueryContext(ctx, `SELECT d.id, d.person_a, d.person_b, d.score, d.evidence, d.state, d.found_at, d.seen_at,
			COALESCE((SELECT m.id FROM person_merges m WHERE m.candidate_id = d.id AND m.undone_at IS NULL), '')
			FROM duplicate_candidates d WHERE d.state = $1
			ORDER BY d.score DESC, d.id LIMIT $2 OFFSET $3`, state, MaxList, offset)
		if err != nil {
			return nil, errs.Internalf("list pairs: %w", err)
		}
		var page []Pair
		var persons []string
		for rows.Next() {
			var p Pair
			var found, seen store.Time
			if err := rows.Scan(&p.ID, &p.A.PersonID, &p.B.PersonID, &p.Score, &p.Evidence, &p.State, &found, &seen, &p.MergeID); err != nil {
				rows.Close()
				return nil, errs.Internalf("list pairs: %w", err)
			}
			p.FoundAt, p.SeenAt = found.Time, seen.Time
			page = append(page, p)
			persons = append(persons, p.A.PersonID, p.B.PersonID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Internalf("list pairs: %w", err)
		}
		merged := map[string]bool{}
		if state == StateOpen {
			if merged, err = cases.MergedPersons(ctx, q, persons); err != nil {
				return nil, err
			}
		}
		for _, p := range page {
			if !merged[p.A.PersonID] && !merged[p.B.PersonID] && len(out) < MaxList {
				out = append(out, p)
			}
		}
		if len(page) < MaxList || len(out) >= MaxList {
			return out, nil
		}
	}
}

// fillCases adds each side's case references (a merged person's cases now
// belong to the survivor, so after a merge they are listed there).
func (s *Service) fillCases(ctx context.Context, q store.Querier, pairs []Pair) error {
	if len(pairs) == 0 {
		return nil
	}
	var ids []string
	for _, p := range pairs {
		ids = append(ids, p.A.PersonID, p.B.PersonID)
	}
	list, err := cases.CasesOfPersons(ctx, q, ids)
	if err != nil {
		return err
	}
	refs := map[string][]string{}
	for _, c := range list {
		refs[c.PersonID] = append(refs[c.PersonID], c.Reference)
	}
	for i := range pairs {
		pairs[i].A.Cases = nonNil(refs[pairs[i].A.PersonID])
		pairs[i].B.Cases = nonNil(refs[pairs[i].B.PersonID])
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Dismiss records the coordinator's judgement that a pair is two people;
// the job will not propose it again.
func (s *Service) Dismiss(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.DuplicateReview); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		c, err := lockCandidate(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.state != StateOpen {
			return errs.E(errs.Conflict, "dedup.not_open")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duplicate_candidates SET state = $2, decided_at = $3, decided_by = $4
			WHERE id = $1`, id, StateDismissed, store.T(tx.Now), actor.UserID); err != nil {
			return errs.Internalf("dismiss pair: %w", err)
		}
		return appendAudit(ctx, tx, actor, "duplicate.dismiss", "duplicate_candidate", id, "")
	})
}

type candidate struct{ id, a, b, state string }

// lockCandidate reads a pair for a change, locking its row on PostgreSQL.
func lockCandidate(ctx context.Context, tx *store.Tx, id string) (*candidate, error) {
	if id == "" || len(id) > 64 {
		return nil, errNotFound
	}
	c := &candidate{id: id}
	err := tx.QueryRowContext(ctx, `SELECT person_a, person_b, state FROM duplicate_candidates WHERE id = $1`+tx.ForUpdate(),
		id).Scan(&c.a, &c.b, &c.state)
	if notFound(err) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read pair: %w", err)
	}
	return c, nil
}

func appendAudit(ctx context.Context, tx *store.Tx, actor access.Actor, action, objType, objID, detail string) error {
	_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: action,
		ObjectType: objType, ObjectID: objID, Detail: detail})
	if err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

func (s *Service) inTx(ctx context.Context, f func(tx *store.Tx) error) error {
	if err := s.DB.InTx(ctx, s.Clock.Now(), f); err != nil {
		return errs.As(err)
	}
	return nil
}
