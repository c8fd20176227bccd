package referral

import (
	"context"
	"sync"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// directoryCache keeps the directory's rows in memory between proposals:
// reading 5,000 services with 30 columns costs some 20 ms on SQLite, far
// more than ranking them. The cache is keyed by the count, versions and
// latest change of services and organisations, read in one query before
// every use, so an edit on any node is seen at once; occupancy is never
// cached (two grouped counts over open stays and accepted referrals).
type directoryCache struct {
	mu   sync.Mutex
	key  string
	list []Offering
}

// directory returns a private copy of every service with live occupancy.
func (s *Service) directory(ctx context.Context, q store.Querier) ([]Offering, error) {
	var n, versions int
	var svcAt string
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(version), 0), COALESCE(MAX(updated_at), '')
		FROM services`).Scan(&n, &versions, &svcAt); err != nil {
		return nil, errs.Internalf("directory key: %w", err)
	}
	orgAt, orgsActive, err := auth.OrgsVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	// Every change of a service bumps its version and its updated_at;
	// a provider's (de)activation changes the active count.
	key := svcAt + "|" + orgAt + "|" + itoa(n) + "|" + itoa(versions) + "|" + itoa(orgsActive)
	c := s.cache
	if c == nil {
		c = &directoryCache{}
	}
	c.mu.Lock()
	if c.key != key {
		list, err := s.loadDirectory(ctx, q)
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		c.key, c.list = key, list
	}
	out := make([]Offering, len(c.list))
	copy(out, c.list)
	c.mu.Unlock()
	occupied, err := countBy(ctx, q, `SELECT service_id, SUM(beds) FROM stays WHERE discharged_at IS NULL GROUP BY service_id`)
	if err != nil {
		return nil, err
	}
	// A reservation is an accepted referral to a shelter whose person has
	// not been admitted yet (admitted_at is set at admission): the partial
	// index referrals_reserved holds exactly those, however many accepted
	// referrals the years accumulate. Its condition is written out the
	// same here, so both engines see the index applies; the type list is
	// IsShelter's (TestShelterTypesInQueries).
	reserved, err := countBy(ctx, q, `SELECT service_id, COUNT(*) FROM referrals WHERE state = 'accepted' AND admitted_at IS NULL
		AND service_type IN ('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility') GROUP BY service_id`)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].BedsOccupied, out[i].BedsReserved = occupied[out[i].ID], reserved[out[i].ID]
	}
	return out, nil
}

func (s *Service) loadDirectory(ctx context.Context, q store.Querier) ([]Offering, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services s`)
	if err != nil {
		return nil, errs.Internalf("read directory: %w", err)
	}
	var read []*Offering
	for rows.Next() {
		o, err := scanService(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf("read directory: %w", err)
		}
		o.locationKey, o.locationEnc = "", nil
		read = append(read, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read directory: %w", err)
	}
	if err := nameProviders(ctx, q, read); err != nil {
		return nil, err
	}
	list := make([]Offering, len(read))
	for i, o := range read {
		list[i] = *o
	}
	return list, nil
}

func countBy(ctx context.Context, q store.Querier, query string) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, errs.Internalf("occupancy: %w", err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, errs.Internalf("occupancy: %w", err)
		}
		m[id] = n
	}
	return m, rows.Err()
}
