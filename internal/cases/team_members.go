package cases

import (
	"context"
	"sort"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The organisations and users of a team are auth's tables: the case file
// reads them through auth's functions, in the caller's querier.

// nameTeam fills each member's organisation name and type and orders the
// team by when it joined, then by organisation name and user.
func nameTeam(ctx context.Context, q store.Querier, team []TeamMember) ([]TeamMember, error) {
	ids := make([]string, len(team))
	for i, m := range team {
		ids[i] = m.OrgID
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := team[:0]
	for _, m := range team {
		o := orgs[m.OrgID]
		if o == nil {
			continue // as the join did: a member without its organisation is not shown
		}
		m.OrgName, m.OrgType = o.Name, o.Type
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.AddedAt.Equal(b.AddedAt) {
			return a.AddedAt.Before(b.AddedAt)
		}
		if a.OrgName != b.OrgName {
			return a.OrgName < b.OrgName
		}
		return a.UserID < b.UserID
	})
	return out, nil
}

// checkTeamMember refuses an organisation that is unknown or closed, and a
// user who is not an active member of it.
func checkTeamMember(ctx context.Context, tx *store.Tx, orgID, userID string) error {
	exists, active, err := auth.OrgActive(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !exists || !active {
		return errs.InvalidField("org_id", "case.org_unknown")
	}
	if userID != "" {
		ok, err := auth.ActiveMemberOf(ctx, tx, userID, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("user_id", "case.user_unknown")
		}
	}
	return nil
}

// TeamOrgsOfType returns the ids of the organisations of one type on a
// case's team, each once, in id order: ids only, for routing notices.
func TeamOrgsOfType(ctx context.Context, q store.Querier, caseID string, typ access.OrgType) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT org_id FROM case_team WHERE case_id = $1 ORDER BY org_id`, caseID)
	if err != nil {
		return nil, errs.Internalf("read team: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, errs.Internalf("read team: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read team: %w", err)
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if o := orgs[id]; o != nil && o.Type == typ {
			out = append(out, id)
		}
	}
	return out, nil
}
