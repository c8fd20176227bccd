package referral

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Availability is one shelter on the live availability board.
type Availability struct {
	ServiceID        string `json:"service_id"`
	Name             string `json:"name"`
	Type             string `json:"type"`
	OrgID            string `json:"organisation"`
	Municipality     string `json:"municipality,omitempty"`
	BedsTotal        int    `json:"beds_total"`
	BedsOccupied     int    `json:"beds_occupied"`
	BedsReserved     int    `json:"beds_reserved"`
	BedsOutOfService int    `json:"beds_out_of_service"`
	BedsFree         int    `json:"beds_free"`
	// OverCapacity warns that more beds are taken than the shelter has.
	OverCapacity bool `json:"over_capacity"`
}

// shelterTypes is the SQL list of residential types.
const shelterTypes = `('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility')`

// Availability is the live board of active shelters' beds, computed from
// open stays and accepted referrals at the moment of asking, in one query.
func (s *Service) Availability(ctx context.Context, actor access.Actor) ([]Availability, error) {
	if err := access.Check(actor, access.ServiceView); err != nil {
		return nil, err
	}
	var args []any
	add := func(v any) string { args = append(args, v); return "$" + itoa(len(args)) }
	providers, err := activeProviderSQL(ctx, s.DB.Read(), "s.org_id", add)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT s.id, s.name, s.type, s.org_id, s.municipality, s.beds_total,
		s.beds_out_of_service, `+occupancySQL+` FROM services s
		WHERE s.type IN `+shelterTypes+` AND s.active = 1 AND `+providers+` ORDER BY s.type, s.name, s.id`, args...)
	if err != nil {
		return nil, errs.Internalf("availability: %w", err)
	}
	defer rows.Close()
	out := []Availability{}
	for rows.Next() {
		var a Availability
		if err := rows.Scan(&a.ServiceID, &a.Name, &a.Type, &a.OrgID, &a.Municipality, &a.BedsTotal, &a.BedsOutOfService,
			&a.BedsOccupied, &a.BedsReserved); err != nil {
			return nil, errs.Internalf("availability: %w", err)
		}
		used := a.BedsOccupied + a.BedsReserved + a.BedsOutOfService
		a.BedsFree, a.OverCapacity = max(0, a.BedsTotal-used), used > a.BedsTotal
		out = append(out, a)
	}
	return out, rows.Err()
}

// Snapshot is one day's occupancy of a shelter, for statistics.
type Snapshot struct {
	ServiceID        string `json:"service_id"`
	Day              string `json:"day"`
	BedsTotal        int    `json:"beds_total"`
	BedsOutOfService int    `json:"beds_out_of_service"`
	BedsOccupied     int    `json:"beds_occupied"`
	BedsReserved     int    `json:"beds_reserved"`
	Overflow         int    `json:"overflow"`
}

// History returns a shelter's daily snapshots between two days (inclusive).
func (s *Service) History(ctx context.Context, actor access.Actor, serviceID, from, to string) ([]Snapshot, error) {
	if err := access.Check(actor, access.ServiceView); err != nil {
		return nil, err
	}
	if !dateRE.MatchString(from) || !dateRE.MatchString(to) {
		return nil, errs.InvalidField("from", "validation.date")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT service_id, day, beds_total, beds_out_of_service, beds_occupied,
		beds_reserved, overflow FROM occupancy_snapshots WHERE service_id = $1 AND day >= $2 AND day <= $3 ORDER BY day`,
		serviceID, from, to)
	if err != nil {
		return nil, errs.Internalf("history: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var sn Snapshot
		if err := rows.Scan(&sn.ServiceID, &sn.Day, &sn.BedsTotal, &sn.BedsOutOfService, &sn.BedsOccupied, &sn.BedsReserved,
			&sn.Overflow); err != nil {
			return nil, errs.Internalf("history: %w", err)
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

// SweepResult says what one sweep did.
type SweepResult struct {
	Overdue   int
	Snapshots int
}

// Sweep marks pending referrals past their deadline overdue (each once: a
// conditional update), alerting the sender and the coordinator, and writes
// today's occupancy snapshot of every shelter. It is idempotent; the jobs
// runner calls it on one node at a time.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id FROM referrals WHERE state = 'pending' AND overdue = 0
		AND deadline < $1 ORDER BY deadline LIMIT 1000`, store.T(now))
	if err != nil {
		return res, errs.Internalf("sweep: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, errs.Internalf("sweep: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
			r, err := s.lockReferral(ctx, tx, access.SystemActor, id)
			if err != nil {
				return err
			}
			up, err := tx.ExecContext(ctx, `UPDATE referrals SET overdue = 1, overdue_at = $1 WHERE id = $2 AND state = 'pending'
				AND overdue = 0`, store.T(now), id)
			if err != nil {
				return errs.Internalf("mark overdue: %w", err)
			}
			if n, _ := up.RowsAffected(); n == 0 {
				return nil
			}
			res.Overdue++
			if err := timeline(ctx, tx, access.SystemActor, r.CaseID, "referrals", r.ID, "overdue;v=2;urgency="+r.Urgency); err != nil {
				return err
			}
			if err := record(ctx, tx, access.SystemActor, "referral.overdue", "referral", r.ID, "", "case="+r.CaseRef); err != nil {
				return err
			}
			n := Notification{OrgID: r.FromOrg, UserID: r.FromUser, Kind: NotifyOverdue, ObjectID: r.ID, CaseRef: r.CaseRef}
			if err := s.notify(ctx, tx, n); err != nil {
				return err
			}
			return s.notifyCoordinators(ctx, tx, n)
		})
		if err != nil {
			return res, err
		}
	}
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO occupancy_snapshots (service_id, day, beds_total, beds_out_of_service,
			beds_occupied, beds_reserved, overflow, taken_at)
			SELECT s.id, $1, s.beds_total, s.beds_out_of_service, `+occupancySQL+`,
				(SELECT COUNT(*) FROM stays sx WHERE sx.service_id = s.id AND sx.discharged_at IS NULL AND sx.emergency_overflow = 1), $2
			FROM services s WHERE s.type IN `+shelterTypes+`
			ON CONFLICT (service_id, day) DO UPDATE SET beds_total = excluded.beds_total,
				beds_out_of_service = excluded.beds_out_of_service, beds_occupied = excluded.beds_occupied,
				beds_reserved = excluded.beds_reserved, overflow = excluded.overflow, taken_at = excluded.taken_at`,
			now.UTC().Format("2006-01-02"), store.T(now))
		if err != nil {
			return errs.Internalf("snapshot: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Snapshots = int(n)
		return nil
	})
	return res, err
}

// notifyCoordinators sends n to every active coordinator organisation.
func (s *Service) notifyCoordinators(ctx context.Context, tx *store.Tx, n Notification) error {
	if s.Notifier == nil {
		return nil
	}
	orgs, err := auth.ActiveOrgIDs(ctx, tx, "coordinator")
	if err != nil {
		return err
	}
	for _, org := range orgs {
		c := n
		c.OrgID, c.UserID = org, ""
		if err := s.notify(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}
