package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// This package owns the organisations and users tables (store.TableOwners).
// The functions below are how the other capabilities read them: through
// the caller's querier (its transaction where it holds one), with no access
// check of their own — the caller has made its check — and no personal field.

// OrgsByID returns the organisations with the given ids, by id; an unknown
// id is absent from the map.
func OrgsByID(ctx context.Context, q store.Querier, ids []string) (map[string]*Org, error) {
	out := make(map[string]*Org, len(ids))
	seen := map[string]bool{}
	var args []any
	var marks []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("read organisations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, errs.Internalf("read organisations: %w", err)
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

// AllOrgs returns every organisation, by id.
func AllOrgs(ctx context.Context, q store.Querier) (map[string]*Org, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations`)
	if err != nil {
		return nil, errs.Internalf("read organisations: %w", err)
	}
	defer rows.Close()
	out := map[string]*Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, errs.Internalf("read organisations: %w", err)
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

// ActiveOrgIDs returns the ids of the active organisations, of one type if
// typ is not empty, in id order.
func ActiveOrgIDs(ctx context.Context, q store.Querier, typ access.OrgType) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM organisations WHERE active = 1 AND ($1 = '' OR type = $1) ORDER BY id`, string(typ))
	if err != nil {
		return nil, errs.Internalf("read organisations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("read organisations: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OrgActive tells whether the organisation exists and is active.
func OrgActive(ctx context.Context, q store.Querier, id string) (exists, active bool, err error) {
	var a int
	err = q.QueryRowContext(ctx, `SELECT active FROM organisations WHERE id = $1`, id).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, errs.Internalf("read organisation: %w", err)
	}
	return true, a == 1, nil
}

// OrgIDByNameFold returns the id of the organisation with this name,
// compared without regard to case, and whether there is one.
func OrgIDByNameFold(ctx context.Context, q store.Querier, name string) (string, bool, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM organisations WHERE LOWER(name) = LOWER($1)`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, errs.Internalf("read organisation: %w", err)
	}
	return id, true, nil
}

// OrgsVersion summarises the organisations for a cache: the latest change
// and how many are active. Any edit moves one of the two.
func OrgsVersion(ctx context.Context, q store.Querier) (latest string, active int, err error) {
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(updated_at), ''),
		(SELECT COUNT(*) FROM organisations WHERE active = 1) FROM organisations`).Scan(&latest, &active); err != nil {
		return "", 0, errs.Internalf("read organisations: %w", err)
	}
	return latest, active, nil
}

// ActiveMemberOf tells whether the user is an active member of the
// organisation.
func ActiveMemberOf(ctx context.Context, q store.Querier, userID, orgID string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND org_id = $2 AND active = 1`,
		userID, orgID).Scan(&n); err != nil {
		return false, errs.Internalf("read user: %w", err)
	}
	return n > 0, nil
}
