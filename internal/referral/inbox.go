package referral

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Referral is a referral as one actor may see it. Reason and DeclineReason
// are filled for the sending and receiving organisations only; Case is the
// minimum summary a receiver needs before it accepts (statistical fields);
// Next proposes the following services after a decline (sender only).
type Referral struct {
	ID            string       `json:"id"`
	CaseID        string       `json:"case_id"`
	CaseRef       string       `json:"case_reference"`
	ServiceID     string       `json:"service_id"`
	ServiceName   string       `json:"service_name,omitempty"`
	ServiceType   string       `json:"service_type"`
	FromOrg       string       `json:"from_organisation"`
	FromOrgName   string       `json:"from_organisation_name,omitempty"`
	FromUser      string       `json:"from_user,omitempty"`
	ToOrg         string       `json:"to_organisation"`
	ToOrgName     string       `json:"to_organisation_name,omitempty"`
	Urgency       string       `json:"urgency"`
	State         string       `json:"state"`
	Overdue       bool         `json:"overdue"`
	Deadline      time.Time    `json:"deadline"`
	ConsentBasis  string       `json:"consent_basis,omitempty"`
	Reason        string       `json:"reason,omitempty"`
	DeclineCode   string       `json:"decline_code,omitempty"`
	DeclineReason string       `json:"decline_reason,omitempty"`
	Outcome       string       `json:"outcome,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	AnsweredAt    *time.Time   `json:"answered_at,omitempty"`
	CompletedAt   *time.Time   `json:"completed_at,omitempty"`
	Case          *CaseSummary `json:"case,omitempty"`
	Next          []*Proposal  `json:"next,omitempty"`

	reasonEnc, declineEnc []byte
}

// CaseSummary is what a referral shows of its case: statistical fields.
type CaseSummary struct {
	Reference   string `json:"reference"`
	Stage       string `json:"stage"`
	IsChild     bool   `json:"is_child"`
	AgeBand     string `json:"age_band,omitempty"`
	Sex         string `json:"sex,omitempty"`
	Citizenship string `json:"citizenship,omitempty"`
	RiskLevel   string `json:"risk_level,omitempty"`
}

// referralColumns and scanReferral read a referral with its service's
// name; the organisations' names are filled by nameReferrals.
const referralColumns = `r.id, r.case_id, r.case_ref, r.service_id, s.name, r.service_type, r.from_org, r.from_user,
	r.to_org, r.urgency, r.state, r.overdue, r.deadline, r.consent_basis, r.decline_code, r.outcome,
	r.created_at, r.answered_at, r.completed_at, r.reason_enc, r.decline_reason_enc`

const referralFrom = ` FROM referrals r JOIN services s ON s.id = r.service_id`

func scanReferral(row interface{ Scan(...any) error }, extra ...any) (*Referral, error) {
	var r Referral
	var overdue int
	var deadline, created, answered, completed store.Time
	dest := []any{&r.ID, &r.CaseID, &r.CaseRef, &r.ServiceID, &r.ServiceName, &r.ServiceType, &r.FromOrg,
		&r.FromUser, &r.ToOrg, &r.Urgency, &r.State, &overdue, &deadline, &r.ConsentBasis, &r.DeclineCode,
		&r.Outcome, &created, &answered, &completed, &r.reasonEnc, &r.declineEnc}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.Overdue, r.Deadline, r.CreatedAt = overdue == 1, deadline.Time, created.Time
	if answered.Valid {
		r.AnsweredAt = &answered.Time
	}
	if completed.Valid {
		r.CompletedAt = &completed.Time
	}
	return &r, nil
}

// FindReferralByID returns a referral to its sender's and receiver's users
// (with the reasons, audited as a read) and its statistical fields to the
// coordinator; anyone else is told it does not exist.
func (s *Service) FindReferralByID(ctx context.Context, actor access.Actor, id string) (*Referral, error) {
	if err := access.Check(actor, access.ReferralView); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 64 {
		return nil, errNotFound
	}
	q := s.DB.Read()
	r, err := scanReferral(q.QueryRowContext(ctx, `SELECT `+referralColumns+referralFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read referral: %w", err)
	}
	if err := nameReferrals(ctx, q, []*Referral{r}); err != nil {
		return nil, err
	}
	party := actor.OrgID == r.FromOrg || actor.OrgID == r.ToOrg
	if !party && access.ScopeOf(actor, access.ReferralView) < access.Stats {
		return nil, errNotFound
	}
	ref, err := s.caseRef(ctx, q, r.CaseID)
	if err != nil {
		return nil, err
	}
	if list, _, err := s.Cases.FindCases(ctx, access.SystemActor, cases.CaseFilter{Reference: &ref.Reference, Limit: 1}); err == nil && len(list) == 1 {
		c := list[0]
		r.Case = &CaseSummary{Reference: c.Reference, Stage: string(c.Stage), IsChild: c.IsChild, AgeBand: c.AgeBand, Sex: c.Sex,
			Citizenship: c.Citizenship, RiskLevel: c.RiskLevel}
	}
	if party {
		if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "referral.read",
			ObjectType: "referral", ObjectID: r.ID, Detail: "case=" + r.CaseRef}); err != nil {
			return nil, errs.Internalf("audit referral read: %w", err)
		}
		if r.Reason, err = s.Vault.OpenString(ctx, q, ref.KeyID, reasonAAD(r.ID, "reason"), r.reasonEnc); err != nil {
			return nil, errs.Internalf("open reason: %w", err)
		}
		if r.declineEnc != nil {
			if r.DeclineReason, err = s.Vault.OpenString(ctx, q, ref.KeyID, reasonAAD(r.ID, "decline_reason"), r.declineEnc); err != nil {
				return nil, errs.Internalf("open reason: %w", err)
			}
		}
	}
	if r.State == StateDeclined && actor.OrgID == r.FromOrg {
		if r.Next, err = s.nextServices(ctx, ref, r.ServiceType); err != nil {
			return nil, err
		}
	}
	r.reasonEnc, r.declineEnc = nil, nil
	return r, nil
}

// nextServices proposes, after a decline, the fitting services of the same
// type that have not declined or been asked for this case already.
func (s *Service) nextServices(ctx context.Context, ref *cases.Ref, typ string) ([]*Proposal, error) {
	p, err := s.profile(ctx, ref, nil, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.propose(ctx, s.DB.Read(), p, PlacementQuery{Type: typ, Limit: MaxLimit})
	if err != nil {
		return nil, err
	}
	asked := map[string]bool{}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT service_id FROM referrals WHERE case_id = $1`, ref.ID)
	if err != nil {
		return nil, errs.Internalf("read referrals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("read referrals: %w", err)
		}
		asked[id] = true
	}
	var out []*Proposal
	for _, pr := range all {
		if pr.Fits && !asked[pr.Service.ID] && len(out) < 3 {
			out = append(out, pr)
		}
	}
	return out, rows.Err()
}

// ReferralFilter selects a list: Direction in (to the actor's
// organisation), out (from it) or all (the coordinator only); State one
// state; OverdueOnly the overdue pending ones.
type ReferralFilter struct {
	Direction   string
	State       *string
	OverdueOnly bool
	Offset      int
	Limit       int
}

// FindReferrals lists an organisation's inbox or outbox: pending first
// (overdue first, then the nearest deadline), then the rest, newest first,
// with the total (the answered ones counted up to 10,000). Lists carry no
// reasons.
func (s *Service) FindReferrals(ctx context.Context, actor access.Actor, f ReferralFilter) ([]*Referral, int, error) {
	if err := access.Check(actor, access.ReferralView); err != nil {
		return nil, 0, err
	}
	where, args, err := referralWhere(actor, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	f.Offset = max(0, f.Offset)
	// Two segments, each read in the order of an index: the pending ones
	// (few: overdue first, then the nearest deadline), then the answered
	// ones newest first. One sort of every referral an organisation ever
	// received would grow with the years.
	var out []*Referral
	pending, err := s.countReferrals(ctx, where+" AND r.state = 'pending'", args)
	if err != nil {
		return nil, 0, err
	}
	if f.Offset < pending {
		list, err := s.referralPage(ctx, where+" AND r.state = 'pending'", args,
			`r.overdue DESC, r.deadline, r.created_at DESC, r.id`, f.Limit, f.Offset)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, list...)
	}
	if len(out) < f.Limit {
		list, err := s.referralPage(ctx, where+" AND r.state <> 'pending'"+newestFirst, args,
			`r.created_at DESC, r.id`, f.Limit-len(out), max(0, f.Offset-pending))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, list...)
	}
	answered, err := s.countReferrals(ctx, where+" AND r.state <> 'pending'", args)
	if err != nil {
		return nil, 0, err
	}
	return out, pending + answered, nil
}

// referralWhere is the condition of a list of referrals: the actor's inbox,
// outbox or (for the coordinator) every referral, and the filters of f.
func referralWhere(actor access.Actor, f ReferralFilter) (string, []any, error) {
	args := []any{}
	add := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	var where string
	switch f.Direction {
	case "", "in":
		where = "r.to_org = " + add(actor.OrgID)
	case "out":
		where = "r.from_org = " + add(actor.OrgID)
	case "all":
		if access.ScopeOf(actor, access.ReferralView) < access.Stats {
			return "", nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		where = "1 = 1"
	default:
		return "", nil, errs.InvalidField("direction", "validation.invalid_choice")
	}
	if f.State != nil {
		if !contains(States, *f.State) {
			return "", nil, errs.InvalidField("state", "validation.invalid_choice")
		}
		where += " AND r.state = " + add(*f.State)
	}
	if f.OverdueOnly {
		where += " AND r.overdue = 1 AND r.state = 'pending'"
	}
	return where, args, nil
}

// newestFirst is the condition added to a list read newest first (see
// FindReferralPage): always true, it makes created_at a constrained column
// of the index that orders the list.
const newestFirst = " AND r.created_at > ''"

// referralCountLimit bounds the count of answered referrals in a list: an
// organisation's history of referrals is counted up to here.
const referralCountLimit = 10000

func (s *Service) countReferrals(ctx context.Context, where string, args []any) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM referrals r WHERE `+where+
		` LIMIT `+strconv.Itoa(referralCountLimit+1)+`) x`, args...).Scan(&n)
	if err != nil {
		return 0, errs.Internalf("count referrals: %w", err)
	}
	return n, nil
}

func (s *Service) referralPage(ctx context.Context, where string, args []any, order string, limit, offset int) ([]*Referral, error) {
	a := append(append([]any(nil), args...), limit, offset)
	n := len(args)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+referralColumns+referralFrom+` WHERE `+where+
		` ORDER BY `+order+` LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), a...)
	if err != nil {
		return nil, errs.Internalf("find referrals: %w", err)
	}
	var out []*Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf("find referrals: %w", err)
		}
		r.reasonEnc, r.declineEnc = nil, nil
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("find referrals: %w", err)
	}
	if err := nameReferrals(ctx, s.DB.Read(), out); err != nil {
		return nil, err
	}
	return out, nil
}

// Waiting is one thing waiting on a user: a referral to answer, or an exit
// from the secure facility to approve.
type Waiting struct {
	Kind     string    `json:"kind"` // referral | exit_approval
	ID       string    `json:"id"`
	CaseRef  string    `json:"case_reference"`
	Urgency  string    `json:"urgency,omitempty"`
	Deadline time.Time `json:"deadline,omitempty"`
	Overdue  bool      `json:"overdue"`
}

// WaitingOn is a user's task list: pending referrals to their organisation
// (when their role answers referrals), overdue and nearest deadline first.
func (s *Service) WaitingOn(ctx context.Context, actor access.Actor) ([]Waiting, error) {
	var out []Waiting
	if access.Can(actor, access.ReferralAnswer) {
		st := StatePending
		list, _, err := s.FindReferrals(ctx, actor, ReferralFilter{Direction: "in", State: &st})
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			out = append(out, Waiting{Kind: "referral", ID: r.ID, CaseRef: r.CaseRef, Urgency: r.Urgency, Deadline: r.Deadline,
				Overdue: r.Overdue})
		}
	}
	return out, nil
}
