package dedup

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// The job rescans everyone while the register is small. Past
// Config.FullScanLimit persons a full rescan every hour would cost more
// than it finds (at a million persons: all decrypted, every block
// compared), so the job then looks only at the persons registered or
// changed since its previous run began — the watermark in settings — and
// compares each with the persons sharing its blocking keys, like the
// registration check does. Pairs among the unchanged were found by earlier
// runs.

// clockMargin is how far before the watermark an incremental run looks.
const clockMargin = 10 * time.Minute

// settingScanned holds the start of the last complete run (store time).
const settingScanned = "dedup.scanned_from"

// ScannedThrough records that every person unchanged since t has been
// compared: the job's next run looks only at later changes. A bulk load of
// fictional data calls it after writing its persons with their keys.
func ScannedThrough(ctx context.Context, tx *store.Tx, t time.Time) error {
	if err := store.PutSetting(ctx, tx, settingScanned, store.FormatTime(t)); err != nil {
		return errs.Internalf("dedup watermark: %w", err)
	}
	return nil
}

// watermark returns the start of the last complete run, if any.
func (s *Service) watermark(ctx context.Context) (string, bool, error) {
	v, ok, err := store.Setting(ctx, s.DB.Read(), settingScanned)
	if err != nil {
		return "", false, errs.Internalf("dedup watermark: %w", err)
	}
	return v, ok, nil
}

// population counts the persons not merged into another.
func (s *Service) population(ctx context.Context) (int, error) {
	return cases.CountUnmergedPersons(ctx, s.DB.Read())
}

// scanChanged is the incremental run: re-key the persons changed since
// the watermark and score each against its blocking candidates.
func (s *Service) scanChanged(ctx context.Context, now time.Time, since string) (Report, error) {
	var rep Report
	// Nodes' clocks differ a little: look back a margin before the
	// watermark (comparing a few persons twice is harmless).
	from, err := store.ParseTime(since)
	if err != nil {
		return rep, errs.Internalf("dedup watermark: %w", err)
	}
	changed, err := cases.UnmergedPersonsChangedSince(ctx, s.DB.Read(), store.FormatTime(from.Add(-clockMargin)))
	if err != nil {
		return rep, err
	}
	population, err := s.population(ctx)
	if err != nil {
		return rep, err
	}
	var pairs []linkage.Pair
	recs := map[string]linkage.Record{}
	for lo := 0; lo < len(changed); lo += s.Config.Batch {
		ids := changed[lo:min(lo+s.Config.Batch, len(changed))]
		batch, keys, rekeyed, err := s.rekey(ctx, now, ids)
		if err != nil {
			return rep, err
		}
		rep.Persons += len(batch)
		rep.Rekeyed += rekeyed
		for _, r := range batch {
			recs[r.ID] = r
			cands, err := s.blockCandidates(ctx, s.DB.Read(), keys[r.ID])
			if err != nil {
				return rep, err
			}
			others, err := s.loadPersons(ctx, s.DB.Read(), cands)
			if err != nil {
				return rep, err
			}
			for _, o := range others {
				if o.id == r.ID || o.mergedInto != "" {
					continue
				}
				found := linkage.Dedup([]linkage.Record{r, o.record}, linkage.Options{Threshold: s.Config.Threshold, RegisterSize: population})
				if len(found) == 0 {
					continue
				}
				p := found[0]
				if p.A > p.B {
					p.A, p.B = p.B, p.A
				}
				recs[o.id] = o.record
				pairs = append(pairs, p)
			}
		}
	}
	rep.Pairs = len(pairs)
	n, err := s.storePairs(ctx, now, pairs, recs)
	rep.New = n
	return rep, err
}
