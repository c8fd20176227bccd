package grants

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The restricted procedure (PRAG, DOMAIN-2 §3.2): a provider sends a
// concept note before the concept-note deadline; evaluators score the
// notes against the call's concept grid; the coordinator's office
// shortlists; only a shortlisted provider may submit the full application,
// before the call's (second) deadline.

// The states of a concept note.
const (
	ConceptSubmitted      = "submitted"
	ConceptShortlisted    = "shortlisted"
	ConceptNotShortlisted = "not_shortlisted"
)

// ConceptNote is a provider's concept note with its averaged score.
type ConceptNote struct {
	ID          string    `json:"id"`
	CallID      string    `json:"call"`
	OrgID       string    `json:"organisation"`
	OrgName     string    `json:"organisation_name"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Status      string    `json:"status"`
	SubmittedAt time.Time `json:"submitted_at"`
	Score       float64   `json:"score"`      // weighted average over the evaluators, out of 100
	Evaluators  int       `json:"evaluators"` // how many scored it
}

// conceptClosed is the end of the concept-note deadline day, in the
// instance's zone.
func (s *Service) conceptClosed(c *Call) time.Time {
	d, err := time.ParseInLocation("2006-01-02", c.DeadlineConcept, s.loc())
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1)
}

// ConceptOpen reports whether a call still accepts concept notes.
func (s *Service) ConceptOpen(c *Call) bool {
	return c.Procedure == "restricted" && c.Status == CallPublished && s.Clock.Now().Before(s.conceptClosed(c))
}

// SetConceptGrid sets the concept grid of a draft restricted call.
func (s *Service) SetConceptGrid(ctx context.Context, actor access.Actor, callID string, grid []Criterion) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if err := validateConceptGrid(grid); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		c, err := s.loadCall(ctx, tx, callID)
		if err != nil {
			return err
		}
		if c.Status != CallDraft || c.Procedure != "restricted" {
			return errs.E(errs.Conflict, "grants.concept_grid_closed")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grant_concept_criteria WHERE call_id = $1`, callID); err != nil {
			return errs.Internalf("concept grid: %w", err)
		}
		if err := insertConceptGrid(ctx, tx, callID, grid); err != nil {
			return err
		}
		return record(ctx, tx, actor, "grant.concept_grid", "grant_call", callID, "")
	}))
}

// validateConceptGrid checks a concept grid, each error beside its field
// (concept-N-label, -max, -weight).
func validateConceptGrid(grid []Criterion) error {
	if len(grid) == 0 {
		return errs.InvalidField("concept_criteria", "grants.criteria_required")
	}
	if len(grid) > MaxCriteria {
		return errs.InvalidField("concept_criteria", "validation.too_many").With(map[string]any{"max": MaxCriteria})
	}
	seen := map[string]bool{}
	for i := range grid {
		c, f := &grid[i], "concept-"+strconv.Itoa(i+1)
		if c.Code = strings.TrimSpace(c.Code); c.Code == "" {
			c.Code = "k" + strconv.Itoa(i+1)
		}
		if !codeRE.MatchString(c.Code) || seen[c.Code] {
			return errs.InvalidField(f+"-label", "grants.criterion_code")
		}
		seen[c.Code] = true
		if err := textField(f+"-label", &c.Label, 200, true); err != nil {
			return err
		}
		if c.Max < 1 || c.Max > 100 {
			return errs.InvalidField(f+"-max", "grants.criterion_max")
		}
		if c.Weight < 1 || c.Weight > 100 {
			return errs.InvalidField(f+"-weight", "grants.criterion_weight")
		}
	}
	return nil
}

// insertConceptGrid writes a call's concept grid in tx.
func insertConceptGrid(ctx context.Context, tx *store.Tx, callID string, grid []Criterion) error {
	for i, k := range grid {
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_concept_criteria (call_id, code, label, max_score, weight, pos)
			VALUES ($1, $2, $3, $4, $5, $6)`, callID, k.Code, k.Label, k.Max, k.Weight, i); err != nil {
			return errs.Internalf("concept grid: %w", err)
		}
	}
	return nil
}

// ConceptGrid returns a call's concept grid.
func (s *Service) ConceptGrid(ctx context.Context, q store.Querier, callID string) ([]Criterion, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, label, max_score, weight FROM grant_concept_criteria WHERE call_id = $1
		ORDER BY pos`, callID)
	if err != nil {
		return nil, errs.Internalf("read concept grid: %w", err)
	}
	defer rows.Close()
	var out []Criterion
	for rows.Next() {
		var k Criterion
		if err := rows.Scan(&k.Code, &k.Label, &k.Max, &k.Weight); err != nil {
			return nil, errs.Internalf("read concept grid: %w", err)
		}
		out = append(out, k)
	}
	return out, wrap(rows.Err())
}

// SubmitConcept records a provider's concept note on a published
// restricted call, before the concept-note deadline (the end of that day),
// once per provider.
func (s *Service) SubmitConcept(ctx context.Context, actor access.Actor, callID, title, summary string) (string, error) {
	if err := access.Check(actor, access.GrantApply); err != nil {
		return "", err
	}
	if err := textField("title", &title, 300, true); err != nil {
		return "", err
	}
	if err := textField("summary", &summary, 5000, true); err != nil {
		return "", err
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		c, err := s.loadCall(ctx, tx, callID)
		if err != nil {
			return err
		}
		if c.Procedure != "restricted" {
			return errs.E(errs.Invalid, "grants.no_concept_stage")
		}
		if c.Status != CallPublished || !tx.Now.Before(s.conceptClosed(c)) {
			return errs.E(errs.Invalid, "grants.concept_deadline_passed")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO grant_concept_notes (id, call_id, org_id, title, summary, status, submitted_by,
			submitted_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7)`, id, callID, actor.OrgID, title, summary,
			actor.UserID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("title", "grants.concept_already")
		}
		if err != nil {
			return errs.Internalf("insert concept note: %w", err)
		}
		return record(ctx, tx, actor, "grant.concept_submit", "grant_concept_note", id, "call="+callID)
	})
	return id, wrap(err)
}

// ScoreConcept stores an evaluator's scores of a concept note against the
// concept grid, after the concept-note deadline and before the shortlist.
// The evaluator declares, with the scores, that no conflict of interest
// exists; without that declaration nothing is stored.
func (s *Service) ScoreConcept(ctx context.Context, actor access.Actor, noteID string, noConflict bool, in ScoreInput) error {
	if err := access.Check(actor, access.GrantEvaluate); err != nil {
		return err
	}
	if !noConflict {
		return errs.InvalidField("conflict", "grants.declare_first")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var callID, st string
		err := tx.QueryRowContext(ctx, `SELECT call_id, status FROM grant_concept_notes WHERE id = $1`, noteID).Scan(&callID, &st)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read concept note: %w", err)
		}
		if st != ConceptSubmitted {
			return errs.E(errs.Conflict, "grants.shortlist_done")
		}
		grid, err := s.ConceptGrid(ctx, tx, callID)
		if err != nil {
			return err
		}
		for code := range in {
			found := false
			for _, k := range grid {
				found = found || k.Code == code
			}
			if !found {
				return errs.InvalidField("scores", "grants.unknown_criterion")
			}
		}
		for _, k := range grid {
			v, f := in[k.Code], "score-"+k.Code
			if v.Score == "" {
				return errs.InvalidField(f, "validation.required")
			}
			n, err := strconv.Atoi(v.Score)
			if err != nil || n < 0 || n > k.Max {
				return errs.InvalidField(f, "grants.score_range").With(map[string]any{"max": k.Max})
			}
			if err := textField("comment-"+k.Code, &v.Comment, 2000, false); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_concept_scores (note_id, evaluator_id, criterion_code, score,
				comment, scored_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (note_id, evaluator_id, criterion_code)
				DO UPDATE SET score = excluded.score, comment = excluded.comment, scored_at = excluded.scored_at`,
				noteID, actor.UserID, k.Code, n, v.Comment, store.T(tx.Now)); err != nil {
				return errs.Internalf("save concept score: %w", err)
			}
		}
		return record(ctx, tx, actor, "grant.concept_score", "grant_concept_note", noteID, "")
	}))
}

// ConceptNotes lists a call's concept notes ranked by averaged weighted
// score (the coordinator's office), the provider's own, or, for an
// evaluator, every note of the call to score (without the scores).
func (s *Service) ConceptNotes(ctx context.Context, actor access.Actor, callID string) ([]*ConceptNote, error) {
	sc := access.ScopeOf(actor, access.GrantView)
	if sc == access.None {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	q := s.DB.Read()
	org := ""
	if sc == access.Org {
		org = actor.OrgID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, call_id, org_id, title, summary, status, submitted_at FROM grant_concept_notes
		WHERE call_id = $1 AND ($2 = '' OR org_id = $2) ORDER BY submitted_at, id`, callID, org)
	if err != nil {
		return nil, errs.Internalf("read concept notes: %w", err)
	}
	var out []*ConceptNote
	byID := map[string]*ConceptNote{}
	var orgIDs []string
	for rows.Next() {
		n := &ConceptNote{}
		var at store.Time
		if err := rows.Scan(&n.ID, &n.CallID, &n.OrgID, &n.Title, &n.Summary, &n.Status, &at); err != nil {
			rows.Close()
			return nil, errs.Internalf("read concept notes: %w", err)
		}
		n.SubmittedAt = at.Time
		out = append(out, n)
		byID[n.ID] = n
		orgIDs = append(orgIDs, n.OrgID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read concept notes: %w", err)
	}
	names, err := orgNames(ctx, q, orgIDs)
	if err != nil {
		return nil, err
	}
	for _, n := range out {
		n.OrgName = names[n.OrgID]
	}
	if sc != access.All {
		return out, nil
	}
	grid, err := s.ConceptGrid(ctx, q, callID)
	if err != nil {
		return nil, err
	}
	max, weight, total := map[string]int{}, map[string]int{}, 0
	for _, k := range grid {
		max[k.Code], weight[k.Code] = k.Max, k.Weight
		total += k.Weight
	}
	srows, err := q.QueryContext(ctx, `SELECT x.note_id, x.evaluator_id, x.criterion_code, x.score FROM grant_concept_scores x
		JOIN grant_concept_notes n ON n.id = x.note_id WHERE n.call_id = $1`, callID)
	if err != nil {
		return nil, errs.Internalf("read concept scores: %w", err)
	}
	defer srows.Close()
	sums := map[string]map[string]float64{} // note -> evaluator -> weighted points
	for srows.Next() {
		var note, ev, code string
		var v int
		if err := srows.Scan(&note, &ev, &code, &v); err != nil {
			return nil, errs.Internalf("read concept scores: %w", err)
		}
		if max[code] == 0 || total == 0 {
			continue
		}
		if sums[note] == nil {
			sums[note] = map[string]float64{}
		}
		sums[note][ev] += float64(v) / float64(max[code]) * float64(weight[code]) * 100 / float64(total)
	}
	if err := srows.Err(); err != nil {
		return nil, errs.Internalf("read concept scores: %w", err)
	}
	for id, evs := range sums {
		n := byID[id]
		for _, p := range evs {
			n.Score += p
		}
		n.Evaluators = len(evs)
		n.Score /= float64(len(evs))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

// Shortlist closes the concept stage of a call after the concept-note
// deadline: the notes named are shortlisted, every other one is not. Only
// the shortlisted providers may then submit a full application.
func (s *Service) Shortlist(ctx context.Context, actor access.Actor, callID string, noteIDs []string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if len(noteIDs) == 0 {
		return errs.InvalidField("notes", "grants.shortlist_empty")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		c, err := s.loadCall(ctx, tx, callID)
		if err != nil {
			return err
		}
		if c.Procedure != "restricted" {
			return errs.E(errs.Invalid, "grants.no_concept_stage")
		}
		if tx.Now.Before(s.conceptClosed(c)) {
			return errs.E(errs.Invalid, "grants.concept_deadline_open")
		}
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_concept_notes WHERE call_id = $1 AND status <> 'submitted'`,
			callID).Scan(&done); err != nil {
			return errs.Internalf("read concept notes: %w", err)
		}
		if done > 0 {
			return errs.E(errs.Conflict, "grants.shortlist_done")
		}
		for _, id := range noteIDs {
			res, err := tx.ExecContext(ctx, `UPDATE grant_concept_notes SET status = 'shortlisted' WHERE id = $1 AND call_id = $2`,
				id, callID)
			if err != nil {
				return errs.Internalf("shortlist: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errs.InvalidField("notes", "grants.shortlist_unknown")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_concept_notes SET status = 'not_shortlisted' WHERE call_id = $1
			AND status = 'submitted'`, callID); err != nil {
			return errs.Internalf("shortlist: %w", err)
		}
		return record(ctx, tx, actor, "grant.shortlist", "grant_call", callID, "n="+strconv.Itoa(len(noteIDs)))
	}))
}

// shortlisted reports whether org's concept note on the call is shortlisted.
func shortlisted(ctx context.Context, tx *store.Tx, callID, orgID string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grant_concept_notes WHERE call_id = $1 AND org_id = $2
		AND status = 'shortlisted'`, callID, orgID).Scan(&n); err != nil {
		return false, errs.Internalf("read shortlist: %w", err)
	}
	return n > 0, nil
}
