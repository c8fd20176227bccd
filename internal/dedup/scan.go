package dedup

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// Report says what one Scan did.
type Report struct {
	Persons int // persons compared (not merged, not erased)
	Rekeyed int // persons whose blocking keys were missing or stale
	Pairs   int // pairs at or above the threshold
	New     int // of which found for the first time
}

// Scan is the periodic job: it reads every person that is not merged in
// batches of Config.Batch, decrypts each in memory, refreshes its blocking
// keys when they are missing or stale (a person registered before this
// capability existed, or edited since: the case file rebuilds only its own
// index), and then runs the engine over all of them: its blocking keeps the
// comparisons far below n², and its weights are fitted by EM on this
// instance's own data. Pairs at or above the threshold are upserted into
// duplicate_candidates in batches: a pair found again gets its new score
// and seen_at, a decided pair (merged, dismissed) is never reopened.
//
// Scan is idempotent, and resumable in the sense that matters here: every
// batch commits on its own, so an interrupted run leaves complete batches
// (keys refreshed, pairs stored) and the next run redoes only the
// comparison, skipping what is already stored. Only the engine's input —
// names, birth date, sex, citizenship, one document, address and phone per
// person — is held in memory, and only for the run.
func (s *Service) Scan(ctx context.Context, now time.Time) (Report, error) {
	if since, ok, err := s.watermark(ctx); err != nil {
		return Report{}, err
	} else if ok {
		n, err := s.population(ctx)
		if err != nil {
			return Report{}, err
		}
		if n > s.Config.FullScanLimit {
			rep, err := s.scanChanged(ctx, now, since)
			if err != nil {
				return rep, err
			}
			return rep, s.finish(ctx, now, rep, "changed")
		}
	}
	var rep Report
	var recs []linkage.Record
	keys := map[string][][]byte{}
	after := ""
	for {
		batch, last, rekeyed, err := s.scanBatch(ctx, now, after, keys)
		if err != nil {
			return rep, err
		}
		recs = append(recs, batch...)
		rep.Rekeyed += rekeyed
		if last == "" {
			break
		}
		after = last
	}
	rep.Persons = len(recs)
	// The engine fits its weights to this register (u from random pairs,
	// m by bounded EM, checked and replaced by its documented defaults if
	// they fail a sanity check), with or without addresses.
	pairs := linkage.Dedup(recs, linkage.Options{Threshold: s.Config.Threshold, Warn: engineWarning})
	rep.Pairs = len(pairs)
	var err error
	byID := make(map[string]linkage.Record, len(recs))
	for _, r := range recs {
		byID[r.ID] = r
	}
	if rep.New, err = s.storePairs(ctx, now, pairs, byID); err != nil {
		return rep, err
	}
	return rep, s.finish(ctx, now, rep, "full")
}

// finish moves the watermark to the start of this complete run and records
// the run in the audit trail.
func (s *Service) finish(ctx context.Context, now time.Time, rep Report, mode string) error {
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error { return ScannedThrough(ctx, tx, now) })
	if err != nil {
		return errs.As(err)
	}
	_, err = audit.AppendNow(ctx, s.DB, now, audit.Event{Actor: audit.ActorFrom(access.SystemActor), Action: "dedup.scan",
		Detail: fmt.Sprintf("mode=%s,persons=%d,rekeyed=%d,pairs=%d,new=%d", mode, rep.Persons, rep.Rekeyed, rep.Pairs, rep.New)})
	if err != nil {
		return errs.Internalf("audit dedup.scan: %w", err)
	}
	return nil
}

// storePairs upserts the pairs found, a batch per transaction, and says
// how many are new.
func (s *Service) storePairs(ctx context.Context, now time.Time, pairs []linkage.Pair, byID map[string]linkage.Record) (int, error) {
	n := 0
	for lo := 0; lo < len(pairs); lo += s.Config.Batch {
		hi := min(lo+s.Config.Batch, len(pairs))
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			for _, p := range pairs[lo:hi] {
				isNew, err := upsertPair(ctx, tx, p, evidence(byID[p.A], byID[p.B]))
				if err != nil {
					return err
				}
				if isNew {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, errs.As(err)
		}
	}
	return n, nil
}

// scanBatch reads and decrypts the next batch of persons after id after,
// refreshes their keys in one transaction, and returns their records and
// the last id read ("" when the batch was the last).
func (s *Service) scanBatch(ctx context.Context, now time.Time, after string, all map[string][][]byte) ([]linkage.Record, string, int, error) {
	ids, err := cases.UnmergedPersonsAfter(ctx, s.DB.Read(), after, s.Config.Batch)
	if err != nil || len(ids) == 0 {
		return nil, "", 0, err
	}
	persons, keys, rekeyed, err := s.rekey(ctx, now, ids)
	if err != nil {
		return nil, "", 0, err
	}
	for id, k := range keys {
		all[id] = k
	}
	last := ids[len(ids)-1]
	if len(ids) < s.Config.Batch {
		last = ""
	}
	return persons, last, rekeyed, nil
}

// rekey decrypts the given persons, refreshes their stored blocking keys
// where they changed, and returns their records and keys.
func (s *Service) rekey(ctx context.Context, now time.Time, ids []string) ([]linkage.Record, map[string][][]byte, int, error) {
	persons, keys, err := s.loadForScan(ctx, ids)
	if err != nil {
		return nil, nil, 0, err
	}
	stored, err := s.storedKeys(ctx, ids)
	if err != nil {
		return nil, nil, 0, err
	}
	var stale []string
	for _, id := range ids {
		if _, ok := keys[id]; ok && !sameKeys(keys[id], stored[id]) {
			stale = append(stale, id)
		}
	}
	if len(stale) > 0 {
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			for _, id := range stale {
				if _, err := tx.ExecContext(ctx, `DELETE FROM person_dedup_keys WHERE person_id = $1`, id); err != nil {
					return errs.Internalf("dedup rekey: %w", err)
				}
				for _, k := range keys[id] {
					if _, err := tx.ExecContext(ctx, `INSERT INTO person_dedup_keys (person_id, value) VALUES ($1, $2)
						ON CONFLICT DO NOTHING`, id, k); err != nil {
						return errs.Internalf("dedup rekey: %w", err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, 0, errs.As(err)
		}
	}
	return persons, keys, len(stale), nil
}

// loadForScan decrypts a batch and computes each person's keys.
func (s *Service) loadForScan(ctx context.Context, ids []string) ([]linkage.Record, map[string][][]byte, error) {
	opened, err := cases.OpenPersons(ctx, s.DB.Read(), s.Vault, ids)
	if err != nil {
		return nil, nil, err
	}
	recs := make([]linkage.Record, 0, len(opened))
	keys := make(map[string][][]byte, len(opened))
	for _, x := range opened {
		r := Record(x.ID, x.Person)
		if x.Municipality != "" {
			if r.Extra == nil {
				r.Extra = map[string]string{}
			}
			r.Extra["municipality"] = x.Municipality
		}
		recs = append(recs, r)
		keys[x.ID] = s.hashedKeys(x.Person)
	}
	return recs, keys, nil
}

// storedKeys returns the blocking keys stored for the given persons.
func (s *Service) storedKeys(ctx context.Context, ids []string) (map[string][][]byte, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT person_id, value FROM person_dedup_keys
		WHERE person_id IN (`+placeholders(len(ids), 1)+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("dedup keys: %w", err)
	}
	defer rows.Close()
	out := map[string][][]byte{}
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return nil, errs.Internalf("dedup keys: %w", err)
		}
		out[id] = append(out[id], v)
	}
	return out, rows.Err()
}

// sameKeys compares two key sets regardless of order.
func sameKeys(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	sortKeys := func(k [][]byte) [][]byte {
		c := append([][]byte(nil), k...)
		sort.Slice(c, func(i, j int) bool { return bytes.Compare(c[i], c[j]) < 0 })
		return c
	}
	a, b = sortKeys(a), sortKeys(b)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// upsertPair stores one pair found by the job and reports whether it is new.
// A decided pair keeps its state: a dismissal is not undone by the next run.
func upsertPair(ctx context.Context, tx *store.Tx, p linkage.Pair, ev string) (bool, error) {
	var found, seen string
	err := tx.QueryRowContext(ctx, `INSERT INTO duplicate_candidates (id, person_a, person_b, score, evidence, state, found_at, seen_at)
		VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)
		ON CONFLICT (person_a, person_b) DO UPDATE SET score = excluded.score, evidence = excluded.evidence, seen_at = excluded.seen_at
		RETURNING found_at, seen_at`, store.NewID(), p.A, p.B, p.Score, ev, store.T(tx.Now)).Scan(&found, &seen)
	if err != nil {
		return false, errs.Internalf("store pair: %w", err)
	}
	return found == seen, nil
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(n, from int) string {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + itoa(from+i))
	}
	return b.String()
}
