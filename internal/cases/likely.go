package cases

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// LikelyFinder is the fuzzy duplicate check of registration (internal/dedup):
// the exact check on name and birth date misses the same woman registered
// by the police as "Đorđević Milica" and by an NGO as "Djordjevic Milica"
// with day and month swapped. The finder only finds; which of the cases the
// registering user may see is decided here, by scopeSQL, like everywhere
// else.
type LikelyFinder interface {
	// Likely returns the cases of persons likely the same as p, best first.
	Likely(ctx context.Context, q store.Querier, p Person) ([]LikelyCase, error)
	// IndexPerson writes the blocking keys of a newly registered person in
	// the registration's transaction, so the next registration finds her.
	IndexPerson(ctx context.Context, tx *store.Tx, personID string, p Person) error
}

// LikelyCase is one case of a person likely the same as the one being
// registered, with the engine's match probability.
type LikelyCase struct {
	PersonID  string
	CaseID    string
	Reference string
	Score     float64
}

// findAllDuplicates is the registration's duplicate check: exact matches on
// the name_birthdate index, then the likely ones from s.Likely, each case
// once, with whether the actor may see it.
func (s *Service) findAllDuplicates(ctx context.Context, actor access.Actor, p *Person, entries []indexEntry) ([]dupHit, error) {
	hits, err := s.findDuplicates(ctx, s.DB.Read(), actor, entries)
	if err != nil || s.Likely == nil {
		return hits, err
	}
	likely, err := s.Likely.Likely(ctx, s.DB.Read(), *p)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, h := range hits {
		seen[h.id] = true
	}
	var ids []string
	for _, l := range likely {
		if !seen[l.CaseID] {
			seen[l.CaseID] = true
			ids = append(ids, l.CaseID)
		}
	}
	if len(ids) == 0 {
		return hits, nil
	}
	var a args
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = a.add(id)
	}
	see := scopeSQL(actor, access.CaseView, &a)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT c.id, c.reference, CASE WHEN `+see+` THEN 1 ELSE 0 END
		FROM cases c WHERE c.id IN (`+strings.Join(marks, ", ")+`) ORDER BY c.reference`, a.list...)
	if err != nil {
		return nil, errs.Internalf("likely duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h dupHit
		var vis int
		if err := rows.Scan(&h.id, &h.ref, &vis); err != nil {
			return nil, errs.Internalf("likely duplicates: %w", err)
		}
		h.visible = vis == 1
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("likely duplicates: %w", err)
	}
	return hits, nil
}

// writePersonIndexes writes the blind indexes of a new person and, when a
// LikelyFinder is set, its blocking keys.
func (s *Service) writePersonIndexes(ctx context.Context, tx *store.Tx, personID string, p *Person, entries []indexEntry) error {
	if err := s.writeIndex(ctx, tx, personID, entries); err != nil {
		return err
	}
	if s.Likely == nil {
		return nil
	}
	return s.Likely.IndexPerson(ctx, tx, personID, *p)
}
