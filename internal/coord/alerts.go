package coord

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The kinds of alert (notify.Kind strings).
const (
	KindOverdue  = "coord.overdue"     // an activity's deadline passed, not completed
	KindLate     = "coord.late_report" // a quarter's report was not made by its due day
	KindReturned = "coord.returned"    // the secretariat returned a report
)

// Notifier tells an organisation's users that something about a plan awaits
// them (internal/notify through internal/app), in the caller's transaction.
// objectID names the plan.
type Notifier interface {
	Tell(ctx context.Context, tx *store.Tx, orgID, kind, objectID string) error
}

// Alert sends, once each, the alerts due today: every activity past its
// deadline and not completed or cancelled, and every activity without a
// report for the last quarter whose due day passed, to the lead institution
// and to the coordinator's office (organisations of type coordinator). It
// is run by a daily job and returns how many alerts it sent.
func (s *Service) Alert(ctx context.Context) (int, error) {
	if s.Notifier == nil {
		return 0, nil
	}
	now := s.Clock.Now().UTC()
	today := now.Format(dateLayout)
	sent := 0
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM coord_plans WHERE status <> 'replaced' AND period_start <= $1`, today)
		if err != nil {
			return errs.Internalf("alerts: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return errs.Internalf("alerts: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		secretariat, err := auth.ActiveOrgIDs(ctx, tx, access.OrgType("coordinator"))
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := loadPlan(ctx, tx, id, false)
			if err != nil {
				return err
			}
			latest, reported := map[string]*Progress{}, map[string]bool{}
			rs, err := reports(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, r := range rs {
				reported[r.ActivityID+"|"+r.Period] = true
				if l := latest[r.ActivityID]; l == nil || r.Period > l.Period {
					latest[r.ActivityID] = r
				}
			}
			// The last quarter whose reports are due by now.
			var due *Quarter
			for _, q := range p.Quarters() {
				if q.Due().Format(dateLayout) < today {
					q := q
					due = &q
				}
			}
			for _, a := range p.Activities {
				a.Latest = latest[a.ID]
				var kind, key string
				switch {
				case a.Overdue(today):
					kind, key = KindOverdue, "overdue|"+a.ID
				case due != nil && !reported[a.ID+"|"+due.String()] && a.Due >= due.Start().Format(dateLayout) &&
					(a.Latest == nil || (a.Latest.Status != "completed" && a.Latest.Status != "cancelled")):
					kind, key = KindLate, "late|"+a.ID+"|"+due.String()
				default:
					continue
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO coord_alerts (alert_key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
					key, store.T(tx.Now))
				if err != nil {
					return errs.Internalf("alerts: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				for _, org := range append([]string{a.Lead.ID}, secretariat...) {
					if strings.TrimSpace(org) == "" {
						continue
					}
					if err := s.Notifier.Tell(ctx, tx, org, kind, p.ID); err != nil {
						return err
					}
				}
				sent++
			}
		}
		return nil
	})
	return sent, asErr(err)
}
