package referral

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store"
)

// Organisations are auth's table and the case team the case file's
// (store.TableOwners): referral reads them through their owners'
// functions, in the caller's querier, and joins them to its own rows in
// memory. Organisations are few (dozens), services and referrals many.

// nameProviders fills each service's organisation name and state.
func nameProviders(ctx context.Context, q store.Querier, list []*Offering) error {
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.OrgID
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, o := range list {
		if org := orgs[o.OrgID]; org != nil {
			o.OrgName, o.OrgActive = org.Name, org.Active
		}
	}
	return nil
}

// nameReferrals fills each referral's sending and receiving organisation
// names.
func nameReferrals(ctx context.Context, q store.Querier, list []*Referral) error {
	ids := make([]string, 0, 2*len(list))
	for _, r := range list {
		ids = append(ids, r.FromOrg, r.ToOrg)
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, r := range list {
		if o := orgs[r.FromOrg]; o != nil {
			r.FromOrgName = o.Name
		}
		if o := orgs[r.ToOrg]; o != nil {
			r.ToOrgName = o.Name
		}
	}
	return nil
}

// activeProviderSQL is the condition "the service's organisation is
// active" on column col, with the active organisations' ids as parameters.
func activeProviderSQL(ctx context.Context, q store.Querier, col string, add func(any) string) (string, error) {
	ids, err := auth.ActiveOrgIDs(ctx, q, "")
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = add(id)
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")", nil
}
