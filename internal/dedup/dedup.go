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
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

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

	popMu sync.Mutex
	pop   int       // cached size of the register, for the prior of Likely
	popAt time.Time // when pop was counted
}

// registerSize is the number of unmerged persons, counted at most every
// ten minutes: it only sets the order of magnitude of the prior, and a
// count per registration would scan the persons table each time.
func (s *Service) registerSize(ctx context.Context, q store.Querier) (int, error) {
	s.popMu.Lock()
	defer s.popMu.Unlock()
	if !s.popAt.IsZero() && time.Since(s.popAt) < 10*time.Minute {
		return s.pop, nil
	}
	n, err := cases.CountUnmergedPersons(ctx, q)
	if err != nil {
		return 0, err
	}
	s.pop, s.popAt = n, time.Now()
	return n, nil
}

// Candidate is one case of a person likely the same as the one being
// registered (an alias of the case file's type, so Service satisfies
// cases.LikelyFinder).
type Candidate = cases.LikelyCase

// Likely returns the cases of persons likely the same as p, best score
// first. Each person found through the blocking keys is decrypted in memory
// and scored against p alone with the engine's documented default weights
// (two records are too few to fit any), the prior set for a register of
// this instance's size. A merged person found
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
	n, err := s.registerSize(ctx, q)
	if err != nil {
		return nil, err
	}
	newRec := Record("new", p)
	score := map[string]float64{} // survivor person id → best score
	for _, lp := range persons {
		pairs := linkage.Dedup([]linkage.Record{newRec, lp.record}, linkage.Options{Threshold: s.Config.Threshold, RegisterSize: n + 1})
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

// loadPersons decrypts the given persons in memory, through the case file
// (which seals them). A person whose data key was destroyed (erased) is
// skipped: there is nothing left to match.
func (s *Service) loadPersons(ctx context.Context, q store.Querier, ids []string) ([]loadedPerson, error) {
	opened, err := cases.OpenPersons(ctx, q, s.Vault, ids)
	if err != nil {
		return nil, err
	}
	out := make([]loadedPerson, 0, len(opened))
	for _, x := range opened {
		out = append(out, loadedPerson{id: x.ID, mergedInto: x.MergedInto, record: Record(x.ID, x.Person)})
	}
	return out, nil
}

// casesOf turns scored persons into their cases, best score first.
func (s *Service) casesOf(ctx context.Context, q store.Querier, score map[string]float64) ([]Candidate, error) {
	if len(score) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	list, err := cases.CasesOfPersons(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(list))
	for _, c := range list {
		out = append(out, Candidate{PersonID: c.PersonID, CaseID: c.CaseID, Reference: c.Reference, Score: score[c.PersonID]})
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

// engineWarning passes the engine's warnings (a fitted model replaced by
// the default weights) to the log; they never hold personal data.
func engineWarning(msg string) { slog.Warn("dedup: " + msg) }
