package coord

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The readable history of the coordination: every change the secretariat
// makes is one entry of codes (an event, the item's own code or title, the
// changed fields), which the pages render as a translated sentence with the
// organisation's name — never an id.

// History topics.
const (
	TopicPlan            = "plan"
	TopicRecommendations = "recommendations"
	TopicTrainings       = "trainings"
)

// HistoryEvents are the events an entry may carry; the label of each is
// "coord.history.<event>" in the catalogues.
var HistoryEvents = []string{"plan_create", "plan_edit", "plan_import", "objective_add", "objective_edit", "activity_add",
	"activity_edit", "activity_delete", "indicator_add", "indicator_edit", "indicator_delete", "indicator_value", "monitor_add",
	"assessment_add", "recommendation_add", "recommendation_link", "recommendation_edit", "training_add", "participant_add",
	"training_edit", "campaign_add", "campaign_event", "campaign_edit"}

// HistoryLimit is how many entries a page shows, newest first.
const HistoryLimit = 15

// HistoryEntry is one change.
type HistoryEntry struct {
	At             time.Time
	OrgName, Event string
	Subject        string
	Fields         []string
}

// history appends one entry inside tx.
func (s *Service) history(ctx context.Context, tx *store.Tx, a access.Actor, topic, planID, event, subject string, fields []string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO coord_history (id, topic, plan_id, at, org_id, user_id, event, subject, fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, store.NewID(), topic, planID, store.T(tx.Now), a.OrgID, a.UserID, event,
		subject, strings.Join(fields, ",")); err != nil {
		return errs.Internalf("history: %w", err)
	}
	return nil
}

// History returns the newest entries of a topic (a plan's: planID).
func (s *Service) History(ctx context.Context, actor access.Actor, topic, planID string) ([]*HistoryEntry, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	if topic == TopicPlan {
		if err := canSee(ctx, q, actor, planID); err != nil {
			return nil, err
		}
	} else if access.ScopeOf(actor, access.CoordView) != access.All {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT at, org_id, event, subject, fields FROM coord_history WHERE topic = $1 AND plan_id = $2
		ORDER BY at DESC, id DESC LIMIT $3`, topic, planID, HistoryLimit)
	if err != nil {
		return nil, errs.Internalf("read history: %w", err)
	}
	defer rows.Close()
	var out []*HistoryEntry
	var orgIDs []string
	var orgOf []string
	for rows.Next() {
		var e HistoryEntry
		var at store.Time
		var org, fields string
		if err := rows.Scan(&at, &org, &e.Event, &e.Subject, &fields); err != nil {
			return nil, errs.Internalf("read history: %w", err)
		}
		e.At = at.Time
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		out = append(out, &e)
		orgIDs = append(orgIDs, org)
		orgOf = append(orgOf, org)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read history: %w", err)
	}
	rows.Close()
	orgs, err := auth.OrgsByID(ctx, q, orgIDs)
	if err != nil {
		return nil, err
	}
	for i, e := range out {
		if o := orgs[orgOf[i]]; o != nil {
			e.OrgName = o.Name
		}
	}
	return out, nil
}

// changed lists the names whose old and new values differ.
func changed(pairs ...string) []string {
	var out []string
	for i := 0; i+2 < len(pairs)+1; i += 3 {
		if pairs[i+1] != pairs[i+2] {
			out = append(out, pairs[i])
		}
	}
	return out
}
