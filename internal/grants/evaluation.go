package grants

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Declare records an evaluator's declaration on an assigned application:
// conflict false (no conflict of interest: the application opens to them)
// or true (a conflict: they are excluded from it for good). A declaration
// is made once.
func (s *Service) Declare(ctx context.Context, actor access.Actor, appID string, conflict bool) error {
	if err := access.Check(actor, access.GrantEvaluate); err != nil {
		return err
	}
	v := "none"
	if conflict {
		v = "declared"
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT conflict FROM grant_assignments WHERE application_id = $1 AND evaluator_id = $2`+
			tx.ForUpdate(), appID, actor.UserID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read assignment: %w", err)
		}
		if cur != "" {
			return errs.E(errs.Conflict, "grants.already_declared")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_assignments SET conflict = $1, declared_at = $2
			WHERE application_id = $3 AND evaluator_id = $4`, v, store.FormatTime(tx.Now), appID, actor.UserID); err != nil {
			return errs.Internalf("declare: %w", err)
		}
		return record(ctx, tx, actor, "grant.declare", "grant_application", appID, "conflict="+v)
	}))
}

// Score is one criterion's score with its comment.
type Score struct {
	Criterion string `json:"criterion"`
	Score     int    `json:"score"`
	Comment   string `json:"comment"`
}

// ScoreInput is an evaluator's scores as typed: per criterion code.
type ScoreInput map[string]struct {
	Score   string `json:"score"`
	Comment string `json:"comment"`
}

// SaveScores stores an evaluator's scores of every criterion of the grid:
// each a whole number from 0 to the criterion's maximum, each with a
// comment. Only an assigned evaluator who declared no conflict of interest
// may score, and only until the award; all scores or none are stored.
func (s *Service) SaveScores(ctx context.Context, actor access.Actor, appID string, in ScoreInput) error {
	if err := access.Check(actor, access.GrantEvaluate); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var conflict, callID, st string
		err := tx.QueryRowContext(ctx, `SELECT g.conflict, a.call_id, a.status FROM grant_assignments g
			JOIN grant_applications a ON a.id = g.application_id WHERE g.application_id = $1 AND g.evaluator_id = $2`,
			appID, actor.UserID).Scan(&conflict, &callID, &st)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read assignment: %w", err)
		}
		switch conflict {
		case "declared":
			return errs.E(errs.Forbidden, "grants.conflict_declared")
		case "":
			return errs.E(errs.Invalid, "grants.declare_first")
		}
		if st != AppAdminPassed {
			return errs.E(errs.Conflict, "grants.call_awarded")
		}
		c, err := s.loadCall(ctx, tx, callID)
		if err != nil {
			return err
		}
		for code := range in {
			found := false
			for _, k := range c.Criteria {
				found = found || k.Code == code
			}
			if !found {
				return errs.InvalidField("scores", "grants.unknown_criterion")
			}
		}
		for _, k := range c.Criteria {
			v, f := in[k.Code], "score-"+k.Code
			n, err := strconv.Atoi(v.Score)
			if v.Score == "" {
				return errs.InvalidField(f, "validation.required")
			}
			if err != nil || n < 0 || n > k.Max {
				return errs.InvalidField(f, "grants.score_range").With(map[string]any{"max": k.Max})
			}
			if err := textField("comment-"+k.Code, &v.Comment, 2000, true); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_scores (application_id, evaluator_id, criterion_code, score,
				comment, scored_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, evaluator_id, criterion_code)
				DO UPDATE SET score = excluded.score, comment = excluded.comment, scored_at = excluded.scored_at`,
				appID, actor.UserID, k.Code, n, v.Comment, store.T(tx.Now)); err != nil {
				return errs.Internalf("save score: %w", err)
			}
		}
		return record(ctx, tx, actor, "grant.score", "grant_application", appID, "")
	}))
}

// MyScores returns the actor's own scores of an application.
func (s *Service) MyScores(ctx context.Context, actor access.Actor, appID string) (map[string]Score, error) {
	if err := access.Check(actor, access.GrantEvaluate); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT criterion_code, score, comment FROM grant_scores
		WHERE application_id = $1 AND evaluator_id = $2`, appID, actor.UserID)
	if err != nil {
		return nil, errs.Internalf("read scores: %w", err)
	}
	defer rows.Close()
	out := map[string]Score{}
	for rows.Next() {
		var sc Score
		if err := rows.Scan(&sc.Criterion, &sc.Score, &sc.Comment); err != nil {
			return nil, errs.Internalf("read scores: %w", err)
		}
		out[sc.Criterion] = sc
	}
	return out, wrap(rows.Err())
}

// Ranked is one application's place in the ranking.
type Ranked struct {
	App        *Application       `json:"application"`
	Averages   map[string]float64 `json:"averages"` // per criterion, over the evaluators who scored it
	Evaluators int                `json:"evaluators"`
	Total      float64            `json:"total"` // weighted, out of 100
	Eliminated bool               `json:"eliminated"`
	Below      []string           `json:"below,omitempty"` // criteria under their eliminatory minimum
	Rank       int                `json:"rank"`            // 0: eliminated or not evaluated
}

// Ranking computes the call's ranking from the scores of evaluators who
// declared no conflict: each criterion averaged over them, the total
// weighted to 100 (Σ weight × average / maximum ÷ Σ weight), an
// application under any criterion's eliminatory minimum eliminated, the
// others ranked by total (ties by the smaller amount requested, then the
// earlier submission). Applications not yet scored are listed unranked.
func (s *Service) Ranking(ctx context.Context, actor access.Actor, callID string) (*Call, []*Ranked, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, nil, err
	}
	q := s.DB.Read()
	c, err := s.loadCall(ctx, q, callID)
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+appCols+` FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
		WHERE a.call_id = $1 AND a.status <> 'submitted' AND a.status <> 'admin_rejected' ORDER BY a.submitted_at, a.id`, callID)
	if err != nil {
		return nil, nil, errs.Internalf("read applications: %w", err)
	}
	apps, err := scanApps(ctx, q, rows)
	if err != nil {
		return nil, nil, err
	}
	sums := map[string]map[string][2]int{} // app → criterion → (sum, n)
	evs := map[string]map[string]bool{}
	srows, err := q.QueryContext(ctx, `SELECT x.application_id, x.evaluator_id, x.criterion_code, x.score
		FROM grant_scores x JOIN grant_assignments g ON g.application_id = x.application_id AND g.evaluator_id = x.evaluator_id
		JOIN grant_applications a ON a.id = x.application_id
		WHERE a.call_id = $1 AND g.conflict = 'none'`, callID)
	if err != nil {
		return nil, nil, errs.Internalf("read scores: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var app, ev, code string
		var sc int
		if err := srows.Scan(&app, &ev, &code, &sc); err != nil {
			return nil, nil, errs.Internalf("read scores: %w", err)
		}
		m := sums[app]
		if m == nil {
			m = map[string][2]int{}
			sums[app] = m
			evs[app] = map[string]bool{}
		}
		v := m[code]
		m[code] = [2]int{v[0] + sc, v[1] + 1}
		evs[app][ev] = true
	}
	if err := srows.Err(); err != nil {
		return nil, nil, errs.Internalf("read scores: %w", err)
	}
	out := rank(c, apps, sums, evs)
	return c, out, nil
}

// rank is the ranking's arithmetic, apart from the reading (benchmarked).
func rank(c *Call, apps []*Application, sums map[string]map[string][2]int, evs map[string]map[string]bool) []*Ranked {
	wsum := 0
	for _, k := range c.Criteria {
		wsum += k.Weight
	}
	out := make([]*Ranked, 0, len(apps))
	for _, a := range apps {
		r := &Ranked{App: a, Averages: map[string]float64{}, Evaluators: len(evs[a.ID])}
		m := sums[a.ID]
		complete := m != nil
		tot := 0.0
		for _, k := range c.Criteria {
			v, ok := m[k.Code]
			if !ok || v[1] == 0 {
				complete = false
				continue
			}
			avg := float64(v[0]) / float64(v[1])
			r.Averages[k.Code] = avg
			tot += float64(k.Weight) * avg / float64(k.Max)
			if k.EliminatoryMin > 0 && avg < float64(k.EliminatoryMin) {
				r.Below = append(r.Below, k.Code)
			}
		}
		if complete && wsum > 0 {
			r.Total = float64(int64(tot/float64(wsum)*100000+0.5)) / 1000
			r.Eliminated = len(r.Below) > 0
		}
		if !complete {
			r.Evaluators = 0
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ai, bi := a.Evaluators > 0 && !a.Eliminated, b.Evaluators > 0 && !b.Eliminated
		if ai != bi {
			return ai
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.App.Requested != b.App.Requested {
			return a.App.Requested < b.App.Requested
		}
		return a.App.SubmittedAt.Before(b.App.SubmittedAt)
	})
	n := 0
	for _, r := range out {
		if r.Evaluators > 0 && !r.Eliminated {
			n++
			r.Rank = n
		}
	}
	return out
}

// ReserveSize is how many ranked applications after the selected ones go
// on the reserve list.
const ReserveSize = 2

// Award decides the call: in order of rank, applications are selected
// while the call's budget covers what they request; the next ReserveSize
// go on the reserve list; the other ranked ones are not selected, the
// eliminated ones eliminated. Every admitted application must have been
// scored first. The call is then awarded and its applications' scores and
// ranks are kept.
func (s *Service) Award(ctx context.Context, actor access.Actor, callID string) error {
	c, ranked, err := s.Ranking(ctx, actor, callID)
	if err != nil {
		return err
	}
	if c.Status != CallPublished {
		return errs.E(errs.Conflict, "grants.call_not_published")
	}
	if s.Clock.Now().Before(c.Deadline) {
		return errs.E(errs.Invalid, "grants.award_before_deadline")
	}
	if len(ranked) == 0 {
		return errs.E(errs.Invalid, "grants.nothing_to_award")
	}
	for _, r := range ranked {
		if r.Evaluators == 0 {
			return errs.E(errs.Invalid, "grants.not_all_scored")
		}
	}
	left := c.Budget
	reserve := 0
	status := map[string]string{}
	for _, r := range ranked {
		switch {
		case r.Eliminated:
			status[r.App.ID] = AppEliminated
		case r.App.Requested <= left && reserve == 0:
			status[r.App.ID] = AppSelected
			left -= r.App.Requested
		case reserve < ReserveSize:
			status[r.App.ID] = AppReserve
			reserve++
		default:
			status[r.App.ID] = AppNotSelected
		}
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var st string
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT status, version FROM grant_calls WHERE id = $1`+tx.ForUpdate(), callID).
			Scan(&st, &v); err != nil {
			return errs.Internalf("read call: %w", err)
		}
		if st != CallPublished || v != c.Version {
			return errs.E(errs.Conflict, "error.conflict")
		}
		for _, r := range ranked {
			if _, err := tx.ExecContext(ctx, `UPDATE grant_applications SET status = $1, score_milli = $2, rank_no = $3
				WHERE id = $4 AND status = 'admin_passed'`, status[r.App.ID], int64(r.Total*1000+0.5), r.Rank, r.App.ID); err != nil {
				return errs.Internalf("award: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_calls SET status = 'awarded', awarded_at = $1, version = version + 1
			WHERE id = $2`, store.FormatTime(tx.Now), callID); err != nil {
			return errs.Internalf("award: %w", err)
		}
		return record(ctx, tx, actor, "grant.award", "grant_call", callID, "")
	}))
}
