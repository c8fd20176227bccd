package grants

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The states of an application.
const (
	AppSubmitted     = "submitted"
	AppAdminRejected = "admin_rejected"
	AppAdminPassed   = "admin_passed"
	AppSelected      = "selected"
	AppReserve       = "reserve"
	AppNotSelected   = "not_selected"
	AppEliminated    = "eliminated"
)

// AppStates lists them.
var AppStates = []string{AppSubmitted, AppAdminRejected, AppAdminPassed, AppSelected, AppReserve, AppNotSelected, AppEliminated}

// Application is a provider's application to a call.
type Application struct {
	ID             string    `json:"id"`
	CallID         string    `json:"call"`
	CallRef        string    `json:"call_reference"`
	OrgID          string    `json:"organisation"`
	OrgName        string    `json:"organisation_name"`
	Lot            string    `json:"lot,omitempty"`
	Title          string    `json:"title"`
	Summary        string    `json:"summary,omitempty"`
	Partners       []string  `json:"partners,omitempty"`
	TargetGroups   []string  `json:"target_groups,omitempty"`
	Municipalities []string  `json:"municipalities,omitempty"`
	Requested      int64     `json:"requested_cents"`
	Total          int64     `json:"total_cents"`
	DurationMonths int       `json:"duration_months"`
	Status         string    `json:"status"`
	AdminNote      string    `json:"admin_note,omitempty"`
	Score          float64   `json:"score"` // weighted, out of 100, after the award
	Rank           int       `json:"rank"`
	SubmittedAt    time.Time `json:"submitted_at"`
	// Hidden is set for an evaluator who has not declared the absence of a
	// conflict of interest: only the call and the reference are shown.
	Hidden bool `json:"hidden"`
	// Conflict is the evaluator's own declaration ("", none, declared).
	Conflict string `json:"conflict,omitempty"`
}

// ApplicationInput is an application as a provider submits it. Amounts are
// euros as typed.
type ApplicationInput struct {
	CallID         string `json:"call"`
	Lot            string `json:"lot"`
	Title          string `json:"title"`
	Summary        string `json:"summary"`
	Partners       string `json:"partners"`
	TargetGroups   string `json:"target_groups"`
	Municipalities string `json:"municipalities"`
	Requested      string `json:"requested"`
	Total          string `json:"total_cost"`
	DurationMonths string `json:"duration_months"`
}

// Submit records a provider's application. It is refused after the call's
// deadline, outside the minimum and maximum grant, below the call's
// co-financing, and a second time for the same lot; once stored it cannot
// be changed.
func (s *Service) Submit(ctx context.Context, actor access.Actor, in ApplicationInput) (*Application, error) {
	if err := access.Check(actor, access.GrantApply); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	c, err := s.Call(ctx, actor, in.CallID)
	if err != nil {
		return nil, err
	}
	if c.Status != CallPublished || !now.Before(c.Deadline) {
		return nil, errs.E(errs.Invalid, "grants.deadline_passed")
	}
	if len(c.Lots) > 0 && !contains(c.Lots, in.Lot) {
		return nil, errs.InvalidField("lot", "validation.invalid_choice")
	}
	if len(c.Lots) == 0 {
		in.Lot = ""
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
		req  bool
	}{{"title", &in.Title, 300, true}, {"summary", &in.Summary, 5000, true}, {"partners", &in.Partners, 2000, false},
		{"target_groups", &in.TargetGroups, 2000, true}, {"municipalities", &in.Municipalities, 2000, true}} {
		if err := textField(f.name, f.v, f.max, f.req); err != nil {
			return nil, err
		}
	}
	req, err := ParseEuro("requested", in.Requested, true)
	if err != nil {
		return nil, err
	}
	if req < c.MinGrant || req > c.MaxGrant {
		return nil, errs.InvalidField("requested", "grants.requested_range").With(map[string]any{"min": Euro(c.MinGrant), "max": Euro(c.MaxGrant)})
	}
	total, err := ParseEuro("total_cost", in.Total, true)
	if err != nil {
		return nil, err
	}
	if total < req {
		return nil, errs.InvalidField("total_cost", "grants.total_below_requested")
	}
	if c.CofinancingPct > 0 && (total-req)*100 < int64(c.CofinancingPct)*total {
		return nil, errs.InvalidField("total_cost", "grants.cofinancing_short").With(map[string]any{"pct": c.CofinancingPct})
	}
	months, err := strconv.Atoi(in.DurationMonths)
	if err != nil || months < 1 || months > 60 {
		return nil, errs.InvalidField("duration_months", "grants.duration_invalid")
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		// The deadline again, inside the transaction, on the call's row.
		var deadline store.Time
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT deadline, status FROM grant_calls WHERE id = $1`+tx.ForUpdate(), c.ID).
			Scan(&deadline, &status); err != nil {
			return errs.Internalf("read call: %w", err)
		}
		if status != CallPublished || !tx.Now.Before(deadline.Time) {
			return errs.E(errs.Invalid, "grants.deadline_passed")
		}
		if c.Procedure == "restricted" {
			// The restricted procedure: only a shortlisted concept note
			// opens the full application.
			ok, err := shortlisted(ctx, tx, c.ID, actor.OrgID)
			if err != nil {
				return err
			}
			if !ok {
				return errs.E(errs.Forbidden, "grants.not_shortlisted")
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_applications WHERE call_id = $1 AND org_id = $2 AND lot = $3`,
			c.ID, actor.OrgID, in.Lot).Scan(&n); err != nil {
			return errs.Internalf("read applications: %w", err)
		}
		if n > 0 {
			return errs.InvalidField("lot", "grants.already_applied")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_applications (id, call_id, org_id, lot, title, summary, partners,
			target_groups, municipalities, requested_cents, total_cents, duration_months, status, submitted_by, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted', $13, $14)`, id, c.ID, actor.OrgID, in.Lot,
			in.Title, in.Summary, in.Partners, in.TargetGroups, in.Municipalities, req, total, months, actor.UserID,
			store.T(tx.Now)); err != nil {
			return errs.Internalf("insert application: %w", err)
		}
		return record(ctx, tx, actor, "grant.apply", "grant_application", id, "call="+c.ID)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Application(ctx, actor, id)
}

const appCols = `a.id, a.call_id, c.reference, a.org_id, a.lot, a.title, a.summary, a.partners, a.target_groups, a.municipalities,
	a.requested_cents, a.total_cents, a.duration_months, a.status, a.admin_note, a.score_milli, a.rank_no, a.submitted_at`

func scanApps(ctx context.Context, q store.Querier, rows *sql.Rows) ([]*Application, error) {
	defer rows.Close()
	var out []*Application
	var ids []string
	for rows.Next() {
		a := &Application{}
		var partners, groups, munis string
		var milli int64
		var sub store.Time
		if err := rows.Scan(&a.ID, &a.CallID, &a.CallRef, &a.OrgID, &a.Lot, &a.Title, &a.Summary, &partners, &groups, &munis,
			&a.Requested, &a.Total, &a.DurationMonths, &a.Status, &a.AdminNote, &milli, &a.Rank, &sub); err != nil {
			return nil, errs.Internalf("read applications: %w", err)
		}
		a.Partners, a.TargetGroups, a.Municipalities = lines(partners), lines(groups), lines(munis)
		a.Score, a.SubmittedAt = float64(milli)/1000, sub.Time
		out = append(out, a)
		ids = append(ids, a.OrgID)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read applications: %w", err)
	}
	rows.Close()
	names, err := orgNames(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		a.OrgName = names[a.OrgID]
	}
	return out, nil
}

// hide keeps only what an evaluator may see before declaring.
func (a *Application) hide() {
	*a = Application{ID: a.ID, CallID: a.CallID, CallRef: a.CallRef, Lot: a.Lot, Status: a.Status, SubmittedAt: a.SubmittedAt,
		Hidden: true, Conflict: a.Conflict}
}

// Applications lists a call's applications as the actor may see them: all
// for the coordinator's office, its own for a provider, the assigned ones
// for an evaluator (hidden until they declare no conflict of interest;
// those with a declared conflict are not listed).
func (s *Service) Applications(ctx context.Context, actor access.Actor, callID string) ([]*Application, error) {
	if err := access.Check(actor, access.GrantView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	var rows *sql.Rows
	var err error
	switch access.ScopeOf(actor, access.GrantView) {
	case access.All:
		rows, err = q.QueryContext(ctx, `SELECT `+appCols+` FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
			WHERE ($1 = '' OR a.call_id = $1) ORDER BY a.submitted_at, a.id`, callID)
	case access.Org:
		rows, err = q.QueryContext(ctx, `SELECT `+appCols+` FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
			WHERE ($1 = '' OR a.call_id = $1) AND a.org_id = $2 ORDER BY a.submitted_at, a.id`, callID, actor.OrgID)
	default:
		return s.assigned(ctx, actor, callID)
	}
	if err != nil {
		return nil, errs.Internalf("read applications: %w", err)
	}
	return scanApps(ctx, q, rows)
}

// assigned lists an evaluator's applications.
func (s *Service) assigned(ctx context.Context, actor access.Actor, callID string) ([]*Application, error) {
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+appCols+`, g.conflict FROM grant_applications a
		JOIN grant_calls c ON c.id = a.call_id JOIN grant_assignments g ON g.application_id = a.id
		WHERE g.evaluator_id = $1 AND g.conflict <> 'declared' AND ($2 = '' OR a.call_id = $2) ORDER BY a.submitted_at, a.id`,
		actor.UserID, callID)
	if err != nil {
		return nil, errs.Internalf("read assignments: %w", err)
	}
	defer rows.Close()
	var out []*Application
	for rows.Next() {
		a := &Application{}
		var partners, groups, munis string
		var milli int64
		var sub store.Time
		if err := rows.Scan(&a.ID, &a.CallID, &a.CallRef, &a.OrgID, &a.Lot, &a.Title, &a.Summary, &partners, &groups, &munis,
			&a.Requested, &a.Total, &a.DurationMonths, &a.Status, &a.AdminNote, &milli, &a.Rank, &sub, &a.Conflict); err != nil {
			return nil, errs.Internalf("read assignments: %w", err)
		}
		a.Partners, a.TargetGroups, a.Municipalities = lines(partners), lines(groups), lines(munis)
		a.SubmittedAt = sub.Time
		a.AdminNote, a.Score, a.Rank = "", 0, 0
		if a.Conflict != "none" {
			a.hide()
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read assignments: %w", err)
	}
	rows.Close()
	var ids []string
	for _, a := range out {
		if !a.Hidden {
			ids = append(ids, a.OrgID)
		}
	}
	names, err := orgNames(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		a.OrgName = names[a.OrgID]
	}
	return out, nil
}

// Application returns one application the actor may see; an evaluator
// sees it only once they declared no conflict of interest (before, it is
// hidden; with a declared conflict, not found).
func (s *Service) Application(ctx context.Context, actor access.Actor, id string) (*Application, error) {
	if err := access.Check(actor, access.GrantView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	switch sc := access.ScopeOf(actor, access.GrantView); sc {
	case access.All, access.Org:
		rows, err := q.QueryContext(ctx, `SELECT `+appCols+` FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
			WHERE a.id = $1`, id)
		if err != nil {
			return nil, errs.Internalf("read application: %w", err)
		}
		as, err := scanApps(ctx, q, rows)
		if err != nil {
			return nil, err
		}
		if len(as) == 0 || (sc == access.Org && as[0].OrgID != actor.OrgID) {
			return nil, errNotFound
		}
		return as[0], nil
	}
	as, err := s.assigned(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, errNotFound
}

// AdminCheck records the administrative check of an application: passed,
// or rejected with a note (PRAG: deadline respected, checklist complete).
func (s *Service) AdminCheck(ctx context.Context, actor access.Actor, id string, passed bool, note string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if err := textField("admin_note", &note, 2000, !passed); err != nil {
		return err
	}
	status := AppAdminRejected
	if passed {
		status = AppAdminPassed
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var cur, callStatus string
		err := tx.QueryRowContext(ctx, `SELECT a.status, c.status FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
			WHERE a.id = $1`, id).Scan(&cur, &callStatus)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read application: %w", err)
		}
		if callStatus == CallAwarded {
			return errs.E(errs.Conflict, "grants.call_awarded")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_applications SET status = $1, admin_note = $2 WHERE id = $3`,
			status, note, id); err != nil {
			return errs.Internalf("admin check: %w", err)
		}
		return record(ctx, tx, actor, "grant.admin_check", "grant_application", id, "status="+status)
	}))
}

// Evaluators lists the active evaluator accounts (for the assignment form).
func (s *Service) Evaluators(ctx context.Context, actor access.Actor) ([]*auth.User, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	role, active := access.Evaluator, true
	return s.Users.FindUsers(ctx, access.SystemActor, auth.UserFilter{Role: &role, Active: &active})
}

// Assign gives an application to an evaluator (an active evaluator account).
func (s *Service) Assign(ctx context.Context, actor access.Actor, appID, evaluatorID string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		m, err := auth.MemberByID(ctx, tx, evaluatorID)
		if err != nil || m.Role != access.Evaluator || !m.Active {
			return errs.InvalidField("evaluator", "grants.not_an_evaluator")
		}
		var st string
		err = tx.QueryRowContext(ctx, `SELECT status FROM grant_applications WHERE id = $1`, appID).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read application: %w", err)
		}
		if st != AppAdminPassed {
			return errs.InvalidField("evaluator", "grants.not_admin_passed")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO grant_assignments (application_id, evaluator_id, assigned_at)
			VALUES ($1, $2, $3)`, appID, evaluatorID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("evaluator", "grants.already_assigned")
		}
		if err != nil {
			return errs.Internalf("assign: %w", err)
		}
		return record(ctx, tx, actor, "grant.assign", "grant_application", appID, "evaluator="+evaluatorID)
	}))
}

// Assignment is one evaluator's state on an application.
type Assignment struct {
	EvaluatorID   string `json:"evaluator"`
	EvaluatorName string `json:"evaluator_name"`
	Conflict      string `json:"conflict"`
	Scored        bool   `json:"scored"`
}

// Assignments lists who evaluates an application (coordinator's office).
func (s *Service) Assignments(ctx context.Context, actor access.Actor, appID string) ([]Assignment, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT g.evaluator_id, g.conflict,
		(SELECT COUNT(*) FROM grant_scores x WHERE x.application_id = g.application_id AND x.evaluator_id = g.evaluator_id)
		FROM grant_assignments g WHERE g.application_id = $1 ORDER BY g.assigned_at, g.evaluator_id`, appID)
	if err != nil {
		return nil, errs.Internalf("read assignments: %w", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		var n int
		if err := rows.Scan(&a.EvaluatorID, &a.Conflict, &n); err != nil {
			return nil, errs.Internalf("read assignments: %w", err)
		}
		a.Scored = n > 0
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read assignments: %w", err)
	}
	rows.Close()
	if len(out) > 0 {
		evs, err := s.Evaluators(ctx, actor)
		if err != nil {
			return nil, err
		}
		for i := range out {
			for _, u := range evs {
				if u.ID == out[i].EvaluatorID {
					out[i].EvaluatorName = u.Name
				}
			}
		}
	}
	return out, nil
}
