package access_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// want is the policy written out by hand, cell by cell: a change to policy.go
// that is not also made here fails the test, so every widening of access is a
// deliberate, reviewed edit in two places.
var want = map[access.Action]map[access.Role]access.Scope{
	access.DashboardView:    all(access.Own),
	access.AccountManage:    all(access.Own),
	access.TokenManage:      all(access.Own),
	access.OrgList:          allBut(access.All, access.Analyst),
	access.OrgManage:        {access.Admin: access.All},
	access.UserList:         {access.Admin: access.All, access.Auditor: access.All},
	access.UserManage:       {access.Admin: access.All},
	access.SessionRevoke:    {access.Admin: access.All},
	access.AuditRead:        {access.Auditor: access.All},
	access.AuditVerify:      {access.Auditor: access.All, access.Admin: access.All},
	access.BreakGlassUse:    {access.Coordinator: access.All},
	access.BreakGlassReview: {access.Auditor: access.All},
}

func all(s access.Scope) map[access.Role]access.Scope {
	m := map[access.Role]access.Scope{}
	for _, r := range access.Roles {
		m[r] = s
	}
	return m
}

func allBut(s access.Scope, except access.Role) map[access.Role]access.Scope {
	m := all(s)
	delete(m, except)
	return m
}

func TestPolicyMatrix(t *testing.T) {
	if got, w := len(access.Actions()), len(want); got != w {
		t.Errorf("the policy has %d actions, this test knows %d", got, w)
	}
	for _, act := range access.Actions() {
		for _, r := range access.Roles {
			a := access.Actor{UserID: "u", OrgID: "o", Role: r}
			got := access.ScopeOf(a, act)
			if w := want[act][r]; got != w {
				t.Errorf("%s × %s = %v, want %v", r, act, got, w)
			}
			err := access.Check(a, act)
			if (got == access.None) != errs.Is(err, errs.Forbidden) {
				t.Errorf("%s × %s: Check = %v with scope %v", r, act, err, got)
			}
		}
	}
}

func TestUnknownRoleAndActionAreDenied(t *testing.T) {
	tests := []struct {
		name  string
		actor access.Actor
		act   access.Action
	}{
		{"UnknownRole", access.Actor{Role: "superuser"}, access.DashboardView},
		{"EmptyRole", access.Actor{}, access.DashboardView},
		{"UnknownAction", access.Actor{Role: access.Admin}, "case.delete_everything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if access.Can(tt.actor, tt.act) {
				t.Error("allowed, want denied")
			}
		})
	}
}

func TestCheckOrg(t *testing.T) {
	admin := access.Actor{Role: access.Admin, OrgID: "a"}
	if err := access.CheckOrg(admin, access.OrgManage, "other"); err != nil {
		t.Errorf("admin with All scope on another organisation: %v", err)
	}
	police := access.Actor{Role: access.Police, OrgID: "a"}
	if err := access.CheckOrg(police, access.OrgManage, "a"); !errs.Is(err, errs.Forbidden) {
		t.Errorf("police managing organisations: %v, want forbidden", err)
	}
}

func TestSecondFactorRoles(t *testing.T) {
	for _, r := range access.Roles {
		if got, w := access.SeesPersonalData(r), r != access.Analyst; got != w {
			t.Errorf("SeesPersonalData(%s) = %v, want %v", r, got, w)
		}
	}
}
