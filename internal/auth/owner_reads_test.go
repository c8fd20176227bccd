package auth_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestOwnerReads checks the reads other capabilities make of organisations
// and users through auth (store.TableOwners): what the case team and the
// referral directory rely on.
func TestOwnerReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		q := db.Read()
		coord, err := f.svc.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Office of the National Coordinator", Type: "coordinator"})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := f.svc.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Shelter Peja", Type: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetOrgActive(ctx, access.SystemActor, closed.ID, false); err != nil {
			t.Fatal(err)
		}
		orgs, err := auth.OrgsByID(ctx, q, []string{coord.ID, closed.ID, coord.ID, "nosuchorg"})
		if err != nil || len(orgs) != 2 || orgs[coord.ID].Name != coord.Name || orgs[closed.ID].Active {
			t.Errorf("OrgsByID = %v, %v", orgs, err)
		}
		if ids, err := auth.ActiveOrgIDs(ctx, q, "coordinator"); err != nil || len(ids) != 1 || ids[0] != coord.ID {
			t.Errorf("ActiveOrgIDs(coordinator) = %v, %v", ids, err)
		}
		if ids, err := auth.ActiveOrgIDs(ctx, q, ""); err != nil || len(ids) != 2 {
			t.Errorf("ActiveOrgIDs() = %v, %v; want the police and the coordinator, not the closed shelter", ids, err)
		}
		if exists, active, err := auth.OrgActive(ctx, q, closed.ID); err != nil || !exists || active {
			t.Errorf("OrgActive(closed) = %v %v %v", exists, active, err)
		}
		if exists, _, err := auth.OrgActive(ctx, q, "nosuchorg"); err != nil || exists {
			t.Errorf("OrgActive(unknown) = %v %v", exists, err)
		}
		if id, ok, err := auth.OrgIDByNameFold(ctx, q, "shelter PEJA"); err != nil || !ok || id != closed.ID {
			t.Errorf("OrgIDByNameFold = %q %v %v", id, ok, err)
		}
		if ok, err := auth.ActiveMemberOf(ctx, q, f.admin.ID, f.police.ID); err != nil || !ok {
			t.Errorf("ActiveMemberOf(own org) = %v %v", ok, err)
		}
		if ok, err := auth.ActiveMemberOf(ctx, q, f.admin.ID, coord.ID); err != nil || ok {
			t.Errorf("ActiveMemberOf(other org) = %v %v", ok, err)
		}
		before, active, err := auth.OrgsVersion(ctx, q)
		if err != nil || active != 2 || before == "" {
			t.Errorf("OrgsVersion = %q %d %v", before, active, err)
		}
		f.clk.Advance(1)
		if err := f.svc.SetOrgActive(ctx, access.SystemActor, closed.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, active, _ := auth.OrgsVersion(ctx, q); active != 3 {
			t.Errorf("OrgsVersion after reopening: %d active, want 3", active)
		}
	})
}
