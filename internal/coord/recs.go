package coord

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Assessment is an outside assessment (a GRETA report, the US TIP report…).
type Assessment struct {
	ID, Issuer, Title, URL string
	Year                   int
	Recommendations        []*Recommendation
}

// Recommendation is one recommendation of an assessment, with the
// activities that answer it.
type Recommendation struct {
	ID, AssessmentID, Code, Body, Priority, FollowUp string
	Issuer                                           string
	Year                                             int
	Activities                                       []LinkedActivity
}

// LinkedActivity is an activity answering a recommendation.
type LinkedActivity struct {
	ID, PlanID, Code, Description string
	// Answers counts the recommendations this activity answers.
	Answers int
}

// AssessmentInput is a new assessment.
type AssessmentInput struct{ Issuer, Title, Year, URL string }

// AddAssessment records an outside assessment (the secretariat).
func (s *Service) AddAssessment(ctx context.Context, actor access.Actor, in AssessmentInput) (string, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return "", err
	}
	if err := choice("issuer", in.Issuer, Issuers); err != nil {
		return "", err
	}
	if err := text("title", &in.Title, MaxTitle, true); err != nil {
		return "", err
	}
	y, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || y < 1990 || y > s.Clock.Now().Year()+1 {
		return "", errs.InvalidField("year", "coord.year_invalid")
	}
	if err := text("url", &in.URL, 500, false); err != nil {
		return "", err
	}
	if in.URL != "" && !strings.HasPrefix(in.URL, "https://") && !strings.HasPrefix(in.URL, "http://") {
		return "", errs.InvalidField("url", "coord.url_invalid")
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_assessments (id, issuer, title, year, url, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, in.Issuer, in.Title, y, in.URL, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert assessment: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicRecommendations, "", "assessment_add", in.Title, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.assessment_add", "assessment", id)
	})
	return id, asErr(err)
}

// RecommendationInput is a new recommendation.
type RecommendationInput struct{ AssessmentID, Code, Body, Priority string }

// AddRecommendation records a recommendation of an assessment.
func (s *Service) AddRecommendation(ctx context.Context, actor access.Actor, in RecommendationInput) (string, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return "", err
	}
	if err := text("code", &in.Code, MaxCode, false); err != nil {
		return "", err
	}
	if err := text("body", &in.Body, MaxText, true); err != nil {
		return "", err
	}
	if in.Priority == "" {
		in.Priority = "medium"
	}
	if err := choice("priority", in.Priority, Priority); err != nil {
		return "", err
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_assessments WHERE id = $1`, in.AssessmentID).Scan(&n); err != nil {
			return errs.Internalf("read assessment: %w", err)
		}
		if n == 0 {
			return errs.InvalidField("assessment", "validation.invalid_choice")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_recommendations (id, assessment_id, code, body, priority, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, in.AssessmentID, in.Code, in.Body, in.Priority, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert recommendation: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicRecommendations, "", "recommendation_add", in.Code, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.recommendation_add", "recommendation", id)
	})
	return id, asErr(err)
}

// LinkActivities links a recommendation to activities, named by their plan
// and code ("1.2.3"), and sets its follow-up status.
func (s *Service) LinkActivities(ctx context.Context, actor access.Actor, recID, planID string, codes []string, followUp string) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	if followUp != "" {
		if err := choice("follow_up", followUp, FollowUp); err != nil {
			return err
		}
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_recommendations WHERE id = $1`, recID).Scan(&n); err != nil {
			return errs.Internalf("read recommendation: %w", err)
		}
		if n == 0 {
			return errNotFound
		}
		var ids []string
		for _, c := range codes {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM coord_activities WHERE plan_id = $1 AND code = $2`, planID, c).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.InvalidField("activities", "coord.activity_unknown").With(map[string]any{"code": c})
			}
			if err != nil {
				return errs.Internalf("read activity: %w", err)
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 && followUp == "" {
			return errs.InvalidField("activities", "validation.required")
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO coord_rec_links (recommendation_id, activity_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, recID, id); err != nil {
				return errs.Internalf("link: %w", err)
			}
		}
		if followUp != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE coord_recommendations SET follow_up = $2 WHERE id = $1`, recID, followUp); err != nil {
				return errs.Internalf("follow-up: %w", err)
			}
		}
		if err := s.history(ctx, tx, actor, TopicRecommendations, "", "recommendation_link", strings.Join(codes, ", "), nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.recommendation_link", "recommendation", recID)
	})
	return asErr(err)
}

// Tracker is every assessment with its recommendations and their
// activities; Unanswered are the recommendations no activity answers, and
// Several the activities that answer more than one.
type Tracker struct {
	Assessments []*Assessment
	Unanswered  []*Recommendation
	Several     []LinkedActivity
}

// Tracker returns the recommendation tracker.
func (s *Service) Tracker(ctx context.Context, actor access.Actor) (*Tracker, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	return tracker(ctx, s.DB.Read())
}

func tracker(ctx context.Context, q store.Querier) (*Tracker, error) {
	t := &Tracker{}
	rows, err := q.QueryContext(ctx, `SELECT id, issuer, title, year, url FROM coord_assessments ORDER BY year DESC, issuer, title`)
	if err != nil {
		return nil, errs.Internalf("read assessments: %w", err)
	}
	byID := map[string]*Assessment{}
	for rows.Next() {
		var a Assessment
		if err := rows.Scan(&a.ID, &a.Issuer, &a.Title, &a.Year, &a.URL); err != nil {
			rows.Close()
			return nil, errs.Internalf("read assessments: %w", err)
		}
		byID[a.ID] = &a
		t.Assessments = append(t.Assessments, &a)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, assessment_id, code, body, priority, follow_up FROM coord_recommendations ORDER BY created_at, id`)
	if err != nil {
		return nil, errs.Internalf("read recommendations: %w", err)
	}
	recs := map[string]*Recommendation{}
	var order []*Recommendation
	for rows.Next() {
		var r Recommendation
		if err := rows.Scan(&r.ID, &r.AssessmentID, &r.Code, &r.Body, &r.Priority, &r.FollowUp); err != nil {
			rows.Close()
			return nil, errs.Internalf("read recommendations: %w", err)
		}
		if a := byID[r.AssessmentID]; a != nil {
			r.Issuer, r.Year = a.Issuer, a.Year
			a.Recommendations = append(a.Recommendations, &r)
		}
		recs[r.ID] = &r
		order = append(order, &r)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT l.recommendation_id, a.id, a.plan_id, a.code, a.description,
		(SELECT COUNT(*) FROM coord_rec_links m WHERE m.activity_id = a.id)
		FROM coord_rec_links l JOIN coord_activities a ON a.id = l.activity_id ORDER BY a.code`)
	if err != nil {
		return nil, errs.Internalf("read links: %w", err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var rid string
		var la LinkedActivity
		if err := rows.Scan(&rid, &la.ID, &la.PlanID, &la.Code, &la.Description, &la.Answers); err != nil {
			rows.Close()
			return nil, errs.Internalf("read links: %w", err)
		}
		if r := recs[rid]; r != nil {
			r.Activities = append(r.Activities, la)
		}
		if la.Answers > 1 && !seen[la.ID] {
			seen[la.ID] = true
			t.Several = append(t.Several, la)
		}
	}
	rows.Close()
	for _, r := range order {
		if len(r.Activities) == 0 {
			t.Unanswered = append(t.Unanswered, r)
		}
	}
	return t, nil
}

// now is the clock's time, for reports.
func (s *Service) now() time.Time { return s.Clock.Now() }
