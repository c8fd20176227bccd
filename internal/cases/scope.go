package cases

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// args collects query arguments and hands out their $n placeholders, so
// fragments built in different places number themselves correctly.
type args struct{ list []any }

func (a *args) add(v any) string {
	a.list = append(a.list, v)
	return "$" + strconv.Itoa(len(a.list))
}

// scopeSQL is the one place where an access scope becomes SQL: a boolean
// expression over the case row aliased c that is true when the policy's
// scope for act reaches the case. Lists use it as their WHERE; Authorize
// selects it as a column for one case; nothing else decides visibility.
//
//   - All, Stats: every case (Stats limits fields, not rows).
//   - Org: cases the actor's organisation owns or is on the team of.
//   - Team: cases whose team has the actor's organisation as a whole
//     (user_id ”) or the actor by name.
//   - Own, None: no case.
func scopeSQL(actor access.Actor, act access.Action, a *args) string {
	switch access.ScopeOf(actor, act) {
	case access.All, access.Stats:
		return "1 = 1"
	case access.Org:
		return "(c.owner_org = " + a.add(actor.OrgID) + " OR " + teamSQL(actor, a) + ")"
	case access.Team:
		return teamSQL(actor, a)
	}
	return "1 = 0"
}

// listScopeSQL is scopeSQL for lists over many cases. For Org and Team it
// is written as membership of case_team, which the database can read from
// the index on (org_id, user_id, case_id) instead of testing every case:
// the owner organisation is always on the team (Open writes its row and
// nothing removes it), so "owned or on the team" is "on the team".
func listScopeSQL(actor access.Actor, act access.Action, a *args) string {
	switch access.ScopeOf(actor, act) {
	case access.Org, access.Team:
		return "c.id IN (SELECT t.case_id FROM case_team t WHERE t.org_id = " + a.add(actor.OrgID) +
			" AND t.user_id IN ('', " + a.add(actor.UserID) + "))"
	}
	return scopeSQL(actor, act, a)
}

func teamSQL(actor access.Actor, a *args) string {
	return "EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id AND t.org_id = " + a.add(actor.OrgID) +
		" AND (t.user_id = '' OR t.user_id = " + a.add(actor.UserID) + "))"
}

// Authorize loads the case caseID for an actor about to do act on it. It
// answers NotFound when the actor may not see the case at all (existence is
// never revealed, so never Forbidden), and Forbidden when the actor may see
// it but not do act. A coordinator's open break-glass grant on the case
// allows the actions access.BreakGlassOpens lists.
//
// q may be the read pool or the caller's transaction; Authorize only reads.
func (s *Service) Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*Ref, error) {
	ref, _, err := s.authorize(ctx, q, actor, caseID, act)
	return ref, err
}

// authorize is Authorize that also says whether a break-glass grant (its id)
// was needed, so reads can name it as their purpose.
func (s *Service) authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*Ref, string, error) {
	if caseID == "" || len(caseID) > 64 {
		return nil, "", errNotFound
	}
	var a args
	id := a.add(caseID)
	see := scopeSQL(actor, access.CaseView, &a)
	do := scopeSQL(actor, act, &a)
	var ref Ref
	var child, visible, allowed int
	err := q.QueryRowContext(ctx, `SELECT c.id, c.reference, c.owner_org, c.is_child, c.stage, c.victim_status, c.key_id,
		CASE WHEN `+see+` THEN 1 ELSE 0 END, CASE WHEN `+do+` THEN 1 ELSE 0 END
		FROM cases c WHERE c.id = `+id, a.list...).Scan(&ref.ID, &ref.Reference, &ref.OwnerOrg, &child,
		&ref.Stage, &ref.Status, &ref.KeyID, &visible, &allowed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNotFound
	}
	if err != nil {
		return nil, "", errs.Internalf("authorize case: %w", err)
	}
	ref.IsChild = child == 1
	if visible == 0 {
		return nil, "", errNotFound
	}
	if allowed == 1 {
		return &ref, "", nil
	}
	if access.BreakGlassOpens(actor, act) && s.BreakGlass != nil {
		g, err := s.BreakGlass.Active(ctx, actor, "case", ref.Reference)
		if err == nil {
			return &ref, g.ID, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return nil, "", err
		}
	}
	return nil, "", errs.E(errs.Forbidden, "error.forbidden")
}

// may reports whether actor may do act on an already authorized case,
// without the error: pages use it to decide which sections to show.
func (s *Service) may(ctx context.Context, actor access.Actor, caseID string, act access.Action) (bool, string) {
	if !access.Can(actor, act) && !access.BreakGlassOpens(actor, act) {
		return false, ""
	}
	_, grant, err := s.authorize(ctx, s.DB.Read(), actor, caseID, act)
	return err == nil, grant
}

func itoa(n int) string { return strconv.Itoa(n) }
