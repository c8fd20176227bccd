// Package dedup finds the same person registered twice within one Ura
// instance — by the police and by an NGO, in Latin and in Cyrillic, with
// "ë" typed as "e", with day and month swapped — and lets the national
// coordinator merge the two records and undo the merge.
//
// Duplicates split a victim's history, double-count statistics and can put
// her at risk, yet the database holds no name in clear. So candidates are
// found through blind-indexed blocking keys (keys.go: keyed HMACs of the
// linkage engine's phonetic codes and dates, table person_dedup_keys), the
// few persons they point at are decrypted in memory only, and the linkage
// engine (internal/linkage) scores them. Three uses:
//
//   - Likely: at registration the case file asks for likely duplicates of
//     the person being registered (cases.LikelyFinder); the case file then
//     shows the user only the cases she may see and tells the coordinator
//     of the others.
//   - Scan: a periodic job compares every person with the engine's blocking
//     and EM-fitted weights and stores the pairs above the threshold in
//     duplicate_candidates for the coordinator's review.
//   - Merge and Unmerge: the merged person's cases are re-pointed to the
//     survivor, with the old values kept in the merge record, so an undo
//     restores every row exactly.
package dedup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Config tunes the duplicate detection; the zero value is not valid, use
// DefaultConfig.
type Config struct {
	// Threshold is the match probability from which a pair is a likely
	// duplicate, at registration and in the job. The engine's default (0.9)
	// kept twins and siblings apart on the synthetic regional set.
	Threshold float64
	// MaxBlock skips a blocking key shared by more persons than this at
	// registration (a common surname in a common year): like the engine's
	// own cap, the other keys still bring a true duplicate in.
	MaxBlock int
	// MaxCandidates bounds the persons decrypted for one registration check,
	// those sharing the most keys first, so the check stays fast however
	// large the register grows.
	MaxCandidates int
	// Batch is how many persons the job decrypts and re-keys per read.
	Batch int
	// FullScanLimit is the register size up to which the job compares
	// everyone every run; above it, only persons changed since the last
	// run (incremental.go).
	FullScanLimit int
}

// DefaultConfig returns the recommended settings.
func DefaultConfig() Config {
	return Config{Threshold: linkage.DefaultThreshold, MaxBlock: linkage.DefaultMaxBlockSize, MaxCandidates: 200, Batch: 500, FullScanLimit: 50000}
}

// Validate checks the settings.
func (c Config) Validate() error {
	switch {
	case c.Threshold <= 0 || c.Threshold > 1:
		return errors.New("dedup: threshold must be in (0, 1]")
	case c.MaxBlock < 2 || c.MaxCandidates < 1 || c.Batch < 1 || c.FullScanLimit < 0:
		return errors.New("dedup: block, candidate and batch sizes must be positive")
	}
	return nil
}

// Service finds, lists and merges duplicate persons.
type Service struct {
	DB     *store.DB
	Vault  *vault.Vault
	Clock  clock.Clock
	Config Config
}

// Candidate is one case of a person likely the same as the one being
// registered (an alias of the case file's type, so Service satisfies
// cases.LikelyFinder).
type Candidate = cases.LikelyCase

// Likely returns the cases of persons likely the same as p, best score
// first. Each person found through the blocking keys is decrypted in memory
// and scored against p alone with the engine's weights (two records: its
// hand-set model, the same for every registration). A merged person found
// by an old spelling stands for the person it was merged into. Likely does
// not decide visibility: the caller (the case file) does.
func (s *Service) Likely(ctx context.Context, q store.Querier, p cases.Person) ([]Candidate, error) {
	keys := s.hashedKeys(p)
	if len(keys) == 0 {
		return nil, nil
	}
	ids, err := s.blockCandidates(ctx, q, keys)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	persons, err := s.loadPersons(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	newRec := Record("new", p)
	score := map[string]float64{} // survivor person id → best score
	for _, lp := range persons {
		pairs := linkage.Dedup([]linkage.Record{newRec, lp.record}, linkage.Options{Threshold: s.Config.Threshold})
		if len(pairs) == 0 {
			continue
		}
		target := lp.id
		if lp.mergedInto != "" {
			target = lp.mergedInto
		}
		score[target] = max(score[target], pairs[0].Score)
	}
	return s.casesOf(ctx, q, score)
}

// blockCandidates returns the persons sharing at least one usable key with
// the query, those sharing most first, at most MaxCandidates.
func (s *Service) blockCandidates(ctx context.Context, q store.Querier, keys [][]byte) ([]string, error) {
	marks := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		marks[i], args[i] = "$"+itoa(i+1), k
	}
	rows, err := q.QueryContext(ctx, `SELECT value, person_id FROM person_dedup_keys WHERE value IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("dedup blocking: %w", err)
	}
	defer rows.Close()
	blocks := map[string][]string{}
	for rows.Next() {
		var v []byte
		var id string
		if err := rows.Scan(&v, &id); err != nil {
			return nil, errs.Internalf("dedup blocking: %w", err)
		}
		blocks[string(v)] = append(blocks[string(v)], id)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("dedup blocking: %w", err)
	}
	shared := map[string]int{}
	for _, ids := range blocks {
		if len(ids) <= s.Config.MaxBlock {
			for _, id := range ids {
				shared[id]++
			}
		}
	}
	out := make([]string, 0, len(shared))
	for id := range shared {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool {
		if shared[out[i]] != shared[out[j]] {
			return shared[out[i]] > shared[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > s.Config.MaxCandidates {
		out = out[:s.Config.MaxCandidates]
	}
	return out, nil
}

// loadedPerson is a person decrypted for matching: only what the engine
// compares is kept.
type loadedPerson struct {
	id, mergedInto string
	record         linkage.Record
}

// loadPersons decrypts the given persons in memory. A person whose data key
// was destroyed (erased) is skipped: there is nothing left to match.
func (s *Service) loadPersons(ctx context.Context, q store.Querier, ids []string) ([]loadedPerson, error) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+itoa(i+1), id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, key_id, data_enc, COALESCE(merged_into, '') FROM persons
		WHERE id IN (`+strings.Join(marks, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, errs.Internalf("dedup persons: %w", err)
	}
	type sealed struct {
		id, key, merged string
		enc             []byte
	}
	var list []sealed
	for rows.Next() {
		var x sealed
		if err := rows.Scan(&x.id, &x.key, &x.enc, &x.merged); err != nil {
			rows.Close()
			return nil, errs.Internalf("dedup persons: %w", err)
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("dedup persons: %w", err)
	}
	out := make([]loadedPerson, 0, len(list))
	for _, x := range list {
		p, err := s.openPerson(ctx, q, x.id, x.key, x.enc)
		if errors.Is(err, vault.ErrShredded) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, loadedPerson{id: x.id, mergedInto: x.merged, record: Record(x.id, p)})
	}
	return out, nil
}

// openPerson decrypts one person; the plaintext JSON is wiped once parsed.
func (s *Service) openPerson(ctx context.Context, q store.Querier, id, keyID string, enc []byte) (cases.Person, error) {
	var p cases.Person
	b, err := s.Vault.Open(ctx, q, keyID, vault.AAD{Table: "persons", Row: id, Field: "data"}, enc)
	if err != nil {
		if errors.Is(err, vault.ErrShredded) {
			return p, err
		}
		return p, errs.Internalf("open person: %w", err)
	}
	err = json.Unmarshal(b, &p)
	clear(b)
	if err != nil {
		return p, errs.Internalf("person json: %w", err)
	}
	return p, nil
}

// casesOf turns scored persons into their cases, best score first.
func (s *Service) casesOf(ctx context.Context, q store.Querier, score map[string]float64) ([]Candidate, error) {
	if len(score) == 0 {
		return nil, nil
	}
	var marks []string
	var args []any
	for id := range score {
		args = append(args, id)
		marks = append(marks, "$"+itoa(len(args)))
	}
	rows, err := q.QueryContext(ctx, `SELECT person_id, id, reference FROM cases WHERE person_id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("dedup cases: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.PersonID, &c.CaseID, &c.Reference); err != nil {
			return nil, errs.Internalf("dedup cases: %w", err)
		}
		c.Score = score[c.PersonID]
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("dedup cases: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Reference < out[j].Reference
	})
	return out, nil
}

var errNotFound = errs.E(errs.NotFound, "dedup.not_found")

func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
