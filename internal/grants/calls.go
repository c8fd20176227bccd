package grants

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The states of a call.
const (
	CallDraft     = "draft"
	CallPublished = "published"
	CallAwarded   = "awarded"
)

// Procedures (PRAG): open (everything at once) or restricted (concept
// note first, shortlisted applicants invited to a full application).
var Procedures = []string{"open", "restricted"}

// Criterion is one line of the evaluation grid.
type Criterion struct {
	Code           string `json:"code"`
	Label          string `json:"label"`
	Max            int    `json:"max_score"`
	Weight         int    `json:"weight"`
	EliminatoryMin int    `json:"eliminatory_min"`
}

// Call is a call for proposals.
type Call struct {
	ID              string      `json:"id"`
	Reference       string      `json:"reference"`
	Title           string      `json:"title"`
	Funder          string      `json:"funder"`
	Programme       string      `json:"programme,omitempty"`
	Procedure       string      `json:"procedure"`
	Lots            []string    `json:"lots,omitempty"`
	Eligibility     []string    `json:"eligibility,omitempty"`
	Budget          int64       `json:"budget_cents"`
	MinGrant        int64       `json:"min_grant_cents"`
	MaxGrant        int64       `json:"max_grant_cents"`
	CofinancingPct  int         `json:"cofinancing_min_pct"`
	DeadlineConcept string      `json:"deadline_concept,omitempty"`
	Deadline        time.Time   `json:"deadline"`
	Status          string      `json:"status"`
	PublishedAt     string      `json:"published_at,omitempty"`
	Criteria        []Criterion `json:"criteria"`
	Version         int         `json:"version"`
	Open            bool        `json:"open"` // published and before the deadline
}

// CallInput is a call as the coordinator's office writes it. Amounts are
// euros as typed; the deadline is a local date and time (YYYY-MM-DDTHH:MM).
type CallInput struct {
	Reference       string      `json:"reference"`
	Title           string      `json:"title"`
	Funder          string      `json:"funder"`
	Programme       string      `json:"programme"`
	Procedure       string      `json:"procedure"`
	Lots            string      `json:"lots"`
	Eligibility     string      `json:"eligibility"`
	Budget          string      `json:"budget"`
	MinGrant        string      `json:"min_grant"`
	MaxGrant        string      `json:"max_grant"`
	CofinancingPct  string      `json:"cofinancing_min_pct"`
	DeadlineConcept string      `json:"deadline_concept"`
	Deadline        string      `json:"deadline"`
	Criteria        []Criterion `json:"criteria"`
	// ConceptCriteria is the concept-note grid of a restricted call (it
	// may also be set later, before publication: SetConceptGrid).
	ConceptCriteria []Criterion `json:"concept_criteria,omitempty"`
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// MaxCriteria caps the grid.
const MaxCriteria = 20

type callValues struct {
	budget, min, max int64
	cofin            int
	deadline         time.Time
}

func (s *Service) validateCall(in *CallInput, now time.Time) (*callValues, error) {
	v := &callValues{}
	if err := textField("reference", &in.Reference, 60, true); err != nil {
		return nil, err
	}
	if err := textField("title", &in.Title, 300, true); err != nil {
		return nil, err
	}
	if err := textField("funder", &in.Funder, 200, true); err != nil {
		return nil, err
	}
	if err := textField("programme", &in.Programme, 200, false); err != nil {
		return nil, err
	}
	if !contains(Procedures, in.Procedure) {
		return nil, errs.InvalidField("procedure", "validation.invalid_choice")
	}
	if err := textField("lots", &in.Lots, 2000, false); err != nil {
		return nil, err
	}
	if err := textField("eligibility", &in.Eligibility, 5000, false); err != nil {
		return nil, err
	}
	var err error
	if v.budget, err = ParseEuro("budget", in.Budget, true); err != nil {
		return nil, err
	}
	if v.budget == 0 {
		return nil, errs.InvalidField("budget", "grants.amount_positive")
	}
	if v.min, err = ParseEuro("min_grant", in.MinGrant, true); err != nil {
		return nil, err
	}
	if v.max, err = ParseEuro("max_grant", in.MaxGrant, true); err != nil {
		return nil, err
	}
	if v.min == 0 {
		return nil, errs.InvalidField("min_grant", "grants.amount_positive")
	}
	if v.max < v.min {
		return nil, errs.InvalidField("max_grant", "grants.max_below_min")
	}
	if v.max > v.budget {
		return nil, errs.InvalidField("max_grant", "grants.max_above_budget")
	}
	if in.CofinancingPct = strings.TrimSpace(in.CofinancingPct); in.CofinancingPct != "" {
		n, err := strconv.Atoi(in.CofinancingPct)
		if err != nil || n < 0 || n > 99 {
			return nil, errs.InvalidField("cofinancing_min_pct", "grants.percent_invalid")
		}
		v.cofin = n
	}
	if in.Procedure == "restricted" {
		if err := validDate("deadline_concept", in.DeadlineConcept, true); err != nil {
			return nil, err
		}
	} else if err := validDate("deadline_concept", in.DeadlineConcept, false); err != nil {
		return nil, err
	}
	if in.Deadline == "" {
		return nil, errs.InvalidField("deadline", "validation.required")
	}
	d, err := time.ParseInLocation("2006-01-02T15:04", in.Deadline, s.loc())
	if err != nil {
		return nil, errs.InvalidField("deadline", "validation.date")
	}
	if !d.After(now) {
		return nil, errs.InvalidField("deadline", "grants.deadline_past")
	}
	if in.DeadlineConcept != "" && in.DeadlineConcept > d.In(s.loc()).Format("2006-01-02") {
		return nil, errs.InvalidField("deadline_concept", "grants.concept_after_full")
	}
	v.deadline = d
	if len(in.ConceptCriteria) > 0 {
		if in.Procedure != "restricted" {
			return nil, errs.InvalidField("concept-1-label", "grants.no_concept_stage")
		}
		if err := validateConceptGrid(in.ConceptCriteria); err != nil {
			return nil, err
		}
	}
	if len(in.Criteria) == 0 {
		return nil, errs.InvalidField("criteria", "grants.criteria_required")
	}
	if len(in.Criteria) > MaxCriteria {
		return nil, errs.InvalidField("criteria", "validation.too_many").With(map[string]any{"max": MaxCriteria})
	}
	seen := map[string]bool{}
	for i := range in.Criteria {
		c := &in.Criteria[i]
		f := "criterion-" + strconv.Itoa(i+1)
		c.Code = strings.TrimSpace(c.Code)
		if c.Code == "" {
			c.Code = "c" + strconv.Itoa(i+1)
		}
		if !codeRE.MatchString(c.Code) || seen[c.Code] {
			return nil, errs.InvalidField(f+"-label", "grants.criterion_code")
		}
		seen[c.Code] = true
		if err := textField(f+"-label", &c.Label, 200, true); err != nil {
			return nil, err
		}
		if c.Max < 1 || c.Max > 100 {
			return nil, errs.InvalidField(f+"-max", "grants.criterion_max")
		}
		if c.Weight < 1 || c.Weight > 100 {
			return nil, errs.InvalidField(f+"-weight", "grants.criterion_weight")
		}
		if c.EliminatoryMin < 0 || c.EliminatoryMin > c.Max {
			return nil, errs.InvalidField(f+"-min", "grants.criterion_min").With(map[string]any{"max": c.Max})
		}
	}
	return v, nil
}

// CreateCall writes a draft call with its evaluation grid.
func (s *Service) CreateCall(ctx context.Context, actor access.Actor, in CallInput) (*Call, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	v, err := s.validateCall(&in, now)
	if err != nil {
		return nil, err
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO grant_calls (id, reference, title, funder, programme, procedure, lots,
			eligibility, budget_cents, min_grant_cents, max_grant_cents, cofinancing_pct, deadline_concept, deadline, status,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $16)`,
			id, in.Reference, in.Title, in.Funder, in.Programme, in.Procedure, strings.Join(lines(in.Lots), "\n"),
			strings.Join(lines(in.Eligibility), "\n"), v.budget, v.min, v.max, v.cofin, in.DeadlineConcept, store.T(v.deadline),
			actor.UserID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("reference", "grants.reference_taken")
		}
		if err != nil {
			return errs.Internalf("insert call: %w", err)
		}
		for i, c := range in.Criteria {
			if _, err := tx.ExecContext(ctx, `INSERT INTO grant_criteria (call_id, code, label, max_score, weight,
				eliminatory_min, pos) VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, c.Code, c.Label, c.Max, c.Weight,
				c.EliminatoryMin, i); err != nil {
				return errs.Internalf("insert criterion: %w", err)
			}
		}
		if err := insertConceptGrid(ctx, tx, id, in.ConceptCriteria); err != nil {
			return err
		}
		return record(ctx, tx, actor, "grant.call_create", "grant_call", id, "")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Call(ctx, actor, id)
}

// PublishCall opens a draft call to applications.
func (s *Service) PublishCall(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var status string
		var deadline store.Time
		err := tx.QueryRowContext(ctx, `SELECT status, deadline FROM grant_calls WHERE id = $1`+tx.ForUpdate(), id).
			Scan(&status, &deadline)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read call: %w", err)
		}
		if status != CallDraft {
			return errs.E(errs.Conflict, "grants.call_not_draft")
		}
		if !deadline.Time.After(tx.Now) {
			return errs.E(errs.Invalid, "grants.deadline_past")
		}
		// A restricted call needs its concept grid before it opens.
		var procedure string
		var grid int
		if err := tx.QueryRowContext(ctx, `SELECT procedure, (SELECT COUNT(*) FROM grant_concept_criteria WHERE call_id = $1)
			FROM grant_calls WHERE id = $1`, id).Scan(&procedure, &grid); err != nil {
			return errs.Internalf("read call: %w", err)
		}
		if procedure == "restricted" && grid == 0 {
			return errs.E(errs.Invalid, "grants.concept_grid_missing")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_calls SET status = 'published', published_at = $1, version = version + 1
			WHERE id = $2`, store.FormatTime(tx.Now), id); err != nil {
			return errs.Internalf("publish call: %w", err)
		}
		return record(ctx, tx, actor, "grant.call_publish", "grant_call", id, "")
	}))
}

const callCols = `id, reference, title, funder, programme, procedure, lots, eligibility, budget_cents, min_grant_cents,
	max_grant_cents, cofinancing_pct, deadline_concept, deadline, status, published_at, version`

func (s *Service) scanCalls(rows *sql.Rows) ([]*Call, error) {
	defer rows.Close()
	now := s.Clock.Now()
	var out []*Call
	for rows.Next() {
		c := &Call{}
		var lots, elig string
		var deadline store.Time
		if err := rows.Scan(&c.ID, &c.Reference, &c.Title, &c.Funder, &c.Programme, &c.Procedure, &lots, &elig, &c.Budget,
			&c.MinGrant, &c.MaxGrant, &c.CofinancingPct, &c.DeadlineConcept, &deadline, &c.Status, &c.PublishedAt,
			&c.Version); err != nil {
			return nil, errs.Internalf("read calls: %w", err)
		}
		c.Lots, c.Eligibility, c.Deadline = lines(lots), lines(elig), deadline.Time
		c.Open = c.Status == CallPublished && now.Before(c.Deadline)
		out = append(out, c)
	}
	return out, wrap(rows.Err())
}

// Calls lists the calls the actor may see: every call for the coordinator's
// office, the published ones for providers and evaluators.
func (s *Service) Calls(ctx context.Context, actor access.Actor) ([]*Call, error) {
	if err := access.Check(actor, access.GrantView); err != nil {
		return nil, err
	}
	all := access.ScopeOf(actor, access.GrantView) == access.All
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+callCols+` FROM grant_calls WHERE ($1 = 1 OR status <> 'draft')
		ORDER BY deadline DESC, id`, store.Bool(all))
	if err != nil {
		return nil, errs.Internalf("read calls: %w", err)
	}
	return s.scanCalls(rows)
}

// Call returns one call with its grid (a draft only to the coordinator's office).
func (s *Service) Call(ctx context.Context, actor access.Actor, id string) (*Call, error) {
	if err := access.Check(actor, access.GrantView); err != nil {
		return nil, err
	}
	c, err := s.loadCall(ctx, s.DB.Read(), id)
	if err != nil {
		return nil, err
	}
	if c.Status == CallDraft && access.ScopeOf(actor, access.GrantView) != access.All {
		return nil, errNotFound
	}
	return c, nil
}

func (s *Service) loadCall(ctx context.Context, q store.Querier, id string) (*Call, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+callCols+` FROM grant_calls WHERE id = $1`, id)
	if err != nil {
		return nil, errs.Internalf("read call: %w", err)
	}
	cs, err := s.scanCalls(rows)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errNotFound
	}
	c := cs[0]
	crit, err := q.QueryContext(ctx, `SELECT code, label, max_score, weight, eliminatory_min FROM grant_criteria
		WHERE call_id = $1 ORDER BY pos`, id)
	if err != nil {
		return nil, errs.Internalf("read criteria: %w", err)
	}
	defer crit.Close()
	for crit.Next() {
		var k Criterion
		if err := crit.Scan(&k.Code, &k.Label, &k.Max, &k.Weight, &k.EliminatoryMin); err != nil {
			return nil, errs.Internalf("read criteria: %w", err)
		}
		c.Criteria = append(c.Criteria, k)
	}
	return c, wrap(crit.Err())
}
