package coord

import (
	"context"
	"database/sql"
	"errors"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Progress is an institution's report on one activity for one quarter.
type Progress struct {
	ID, ActivityID, PlanID string
	Period                 string // YYYY-Qn
	OrgID                  string
	Status                 string
	Percent                int
	Narrative              string
	ExpenditureEUR         int64
	Obstacles              string
	// State: submitted, validated (by the secretariat) or returned with a comment.
	State         string
	ReviewComment string
	SubmittedAt   time.Time
	ReviewedAt    time.Time
	Version       int
	Evidence      []*Evidence
}

// The states of a report.
const (
	Submitted = "submitted"
	Validated = "validated"
	Returned  = "returned"
)

// Evidence is a document attached to a progress report.
type Evidence struct {
	ID, ProgressID, Name, MediaType string
	Size                            int
}

const progressColumns = `p.id, p.activity_id, p.plan_id, p.period, p.org_id, p.status, p.percent, p.narrative, p.expenditure_eur,
	p.obstacles, p.state, p.review_comment, p.submitted_at, p.reviewed_at, p.version`

func scanProgress(row interface{ Scan(...any) error }) (*Progress, error) {
	var r Progress
	var sub, rev store.Time
	if err := row.Scan(&r.ID, &r.ActivityID, &r.PlanID, &r.Period, &r.OrgID, &r.Status, &r.Percent, &r.Narrative, &r.ExpenditureEUR,
		&r.Obstacles, &r.State, &r.ReviewComment, &sub, &rev, &r.Version); err != nil {
		return nil, errs.Internalf("read progress: %w", err)
	}
	r.SubmittedAt, r.ReviewedAt = sub.Time, rev.Time
	return &r, nil
}

// File is an uploaded evidence document.
type File struct {
	Name, ClaimedType string
	Data              []byte
}

// ProgressInput is what an institution reports.
type ProgressInput struct {
	Period, Status, Percent, Narrative, Expenditure, Obstacles string
	Evidence                                                   []File
}

// MaxEvidence is how many documents one report may carry.
const MaxEvidence = 5

// Limit is the largest evidence document accepted.
func (s *Service) Limit() int64 {
	if s.EvidenceLimit > 0 {
		return s.EvidenceLimit
	}
	return 10 << 20
}

func (in *ProgressInput) validate(p *Plan, limit int64) (*Progress, error) {
	q, ok := ParseQuarter(in.Period)
	if !ok {
		return nil, errs.InvalidField("period", "coord.period_invalid")
	}
	inPlan := false
	for _, pq := range p.Quarters() {
		inPlan = inPlan || pq == q
	}
	if !inPlan {
		return nil, errs.InvalidField("period", "coord.period_outside").With(map[string]any{"start": p.Start, "end": p.End})
	}
	if err := choice("status", in.Status, Statuses); err != nil {
		return nil, err
	}
	pct, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Percent), "%")))
	if err != nil || pct < 0 || pct > 100 {
		return nil, errs.InvalidField("percent", "coord.percent_invalid")
	}
	if err := text("narrative", &in.Narrative, MaxNarrative, true); err != nil {
		return nil, err
	}
	exp, err := parseMoney("expenditure", in.Expenditure)
	if err != nil {
		return nil, err
	}
	if err := text("obstacles", &in.Obstacles, MaxText, false); err != nil {
		return nil, err
	}
	if len(in.Evidence) > MaxEvidence {
		return nil, errs.InvalidField("evidence", "coord.evidence_too_many").With(map[string]any{"max": MaxEvidence})
	}
	for i := range in.Evidence {
		f := &in.Evidence[i]
		if int64(len(f.Data)) > limit {
			return nil, errs.InvalidField("evidence", "attachment.too_large").With(map[string]any{"max": limit >> 20})
		}
		f.Name = path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		if !utf8.ValidString(f.Name) || f.Name == "" || utf8.RuneCountInString(f.Name) > 200 {
			return nil, errs.InvalidField("evidence", "validation.invalid")
		}
	}
	return &Progress{Period: q.String(), Status: in.Status, Percent: pct, Narrative: in.Narrative, ExpenditureEUR: exp,
		Obstacles: in.Obstacles}, nil
}

// Report records the actor's institution's progress on one of its own
// activities for one quarter. A report already validated cannot be changed;
// one submitted or returned is replaced (its evidence is kept, new evidence
// added).
func (s *Service) Report(ctx context.Context, actor access.Actor, activityID string, in ProgressInput) (*Progress, error) {
	if err := access.Check(actor, access.CoordReport); err != nil {
		return nil, err
	}
	var out *Progress
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var planID, lead string
		err := tx.QueryRowContext(ctx, `SELECT plan_id, lead_org_id FROM coord_activities WHERE id = $1`, activityID).Scan(&planID, &lead)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read activity: %w", err)
		}
		if err := access.CheckOrg(actor, access.CoordReport, lead); err != nil {
			return errs.E(errs.Forbidden, "coord.not_your_activity")
		}
		p, err := loadPlan(ctx, tx, planID, false)
		if err != nil {
			return err
		}
		r, err := in.validate(p, s.Limit())
		if err != nil {
			return err
		}
		types := make([]casenotes.MediaType, len(in.Evidence))
		for i, f := range in.Evidence {
			if types[i], err = casenotes.Sniff(f.Data, f.Name, f.ClaimedType); err != nil {
				return errs.InvalidField("evidence", errs.As(err).Key)
			}
		}
		r.ActivityID, r.PlanID, r.OrgID, r.State = activityID, planID, lead, Submitted
		var id, state string
		err = tx.QueryRowContext(ctx, `SELECT id, state FROM coord_progress WHERE activity_id = $1 AND period = $2`+tx.ForUpdate(),
			activityID, r.Period).Scan(&id, &state)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r.ID = store.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO coord_progress (id, activity_id, plan_id, period, org_id, status, percent,
				narrative, expenditure_eur, obstacles, state, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
				'submitted', $11, $12)`, r.ID, activityID, planID, r.Period, lead, r.Status, r.Percent, r.Narrative, r.ExpenditureEUR,
				r.Obstacles, actor.UserID, store.T(tx.Now)); err != nil {
				return errs.Internalf("insert progress: %w", err)
			}
		case err != nil:
			return errs.Internalf("read progress: %w", err)
		case state == Validated:
			return errs.InvalidField("period", "coord.progress_validated")
		default:
			r.ID = id
			if _, err := tx.ExecContext(ctx, `UPDATE coord_progress SET status = $2, percent = $3, narrative = $4, expenditure_eur = $5,
				obstacles = $6, state = 'submitted', submitted_by = $7, submitted_at = $8, version = version + 1 WHERE id = $1`,
				id, r.Status, r.Percent, r.Narrative, r.ExpenditureEUR, r.Obstacles, actor.UserID, store.T(tx.Now)); err != nil {
				return errs.Internalf("update progress: %w", err)
			}
		}
		if len(in.Evidence) > 0 {
			var keyID string
			err := tx.QueryRowContext(ctx, `SELECT key_id FROM coord_evidence WHERE progress_id = $1 LIMIT 1`, r.ID).Scan(&keyID)
			if errors.Is(err, sql.ErrNoRows) {
				if keyID, err = s.Vault.NewDataKey(ctx, tx, "coord_evidence"); err != nil {
					return errs.Internalf("evidence key: %w", err)
				}
			} else if err != nil {
				return errs.Internalf("read evidence: %w", err)
			}
			for i, f := range in.Evidence {
				eid := store.NewID()
				enc, err := s.Vault.Seal(ctx, tx, keyID, vault.AAD{Table: "coord_evidence", Row: eid, Field: "body"}, f.Data)
				if err != nil {
					return errs.Internalf("seal evidence: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO coord_evidence (id, progress_id, key_id, name, media_type, size, body_enc,
					created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, eid, r.ID, keyID, f.Name, string(types[i]), len(f.Data), enc,
					store.T(tx.Now)); err != nil {
					return errs.Internalf("insert evidence: %w", err)
				}
			}
		}
		out = r
		return s.record(ctx, tx, actor, "coord.progress_report", "progress", r.ID)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// Review validates a submitted report, or returns it with a comment (the
// secretariat).
func (s *Service) Review(ctx context.Context, actor access.Actor, progressID string, validate bool, comment string) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	if err := text("comment", &comment, MaxText, !validate); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var state, orgID, planID string
		err := tx.QueryRowContext(ctx, `SELECT state, org_id, plan_id FROM coord_progress WHERE id = $1`+tx.ForUpdate(), progressID).
			Scan(&state, &orgID, &planID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read progress: %w", err)
		}
		if state != Submitted {
			return errs.InvalidField("comment", "coord.progress_not_submitted")
		}
		next, action := Validated, "coord.progress_validate"
		if !validate {
			next, action = Returned, "coord.progress_return"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE coord_progress SET state = $2, review_comment = $3, reviewed_by = $4, reviewed_at = $5,
			version = version + 1 WHERE id = $1`, progressID, next, comment, actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("review progress: %w", err)
		}
		if !validate && s.Notifier != nil {
			if err := s.Notifier.Tell(ctx, tx, orgID, KindReturned, planID); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, actor, action, "progress", progressID)
	})
	return asErr(err)
}

// Reports lists a plan's progress reports, newest period first, each with
// its evidence (names only).
func (s *Service) Reports(ctx context.Context, actor access.Actor, planID string) ([]*Progress, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	if err := canSee(ctx, q, actor, planID); err != nil {
		return nil, err
	}
	return reports(ctx, q, planID)
}

func reports(ctx context.Context, q store.Querier, planID string) ([]*Progress, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+progressColumns+` FROM coord_progress p WHERE p.plan_id = $1
		ORDER BY p.period DESC, p.submitted_at DESC`, planID)
	if err != nil {
		return nil, errs.Internalf("read progress: %w", err)
	}
	var out []*Progress
	byID := map[string]*Progress{}
	for rows.Next() {
		r, err := scanProgress(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT e.id, e.progress_id, e.name, e.media_type, e.size FROM coord_evidence e
		JOIN coord_progress p ON p.id = e.progress_id WHERE p.plan_id = $1 ORDER BY e.created_at, e.id`, planID)
	if err != nil {
		return nil, errs.Internalf("read evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.ProgressID, &e.Name, &e.MediaType, &e.Size); err != nil {
			return nil, errs.Internalf("read evidence: %w", err)
		}
		if r := byID[e.ProgressID]; r != nil {
			r.Evidence = append(r.Evidence, &e)
		}
	}
	return out, rows.Err()
}

// OpenEvidence returns an evidence document: to the reporting institution
// and the secretariat.
func (s *Service) OpenEvidence(ctx context.Context, actor access.Actor, id string) (*Evidence, []byte, error) {
	if err := access.Check(actor, access.CoordEvidence); err != nil {
		return nil, nil, err
	}
	var e Evidence
	var keyID, orgID string
	var enc []byte
	q := s.DB.Read()
	err := q.QueryRowContext(ctx, `SELECT e.id, e.progress_id, e.name, e.media_type, e.size, e.key_id, e.body_enc, p.org_id
		FROM coord_evidence e JOIN coord_progress p ON p.id = e.progress_id WHERE e.id = $1`, id).
		Scan(&e.ID, &e.ProgressID, &e.Name, &e.MediaType, &e.Size, &keyID, &enc, &orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, errs.Internalf("read evidence: %w", err)
	}
	if access.CheckOrg(actor, access.CoordEvidence, orgID) != nil {
		return nil, nil, errNotFound
	}
	data, err := s.Vault.Open(ctx, q, keyID, vault.AAD{Table: "coord_evidence", Row: e.ID, Field: "body"}, enc)
	if err != nil {
		return nil, nil, errs.Internalf("open evidence: %w", err)
	}
	return &e, data, nil
}
