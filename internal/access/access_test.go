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
	access.DashboardView:     all(access.Own),
	access.AccountManage:     all(access.Own),
	access.TokenManage:       all(access.Own),
	access.OrgList:           allBut(access.All, access.Analyst, access.Monitor, access.Evaluator, access.Provider, access.Funder),
	access.OrgManage:         {access.Admin: access.All},
	access.UserList:          {access.Admin: access.All, access.Auditor: access.All},
	access.UserManage:        {access.Admin: access.All},
	access.SessionRevoke:     {access.Admin: access.All},
	access.AuditRead:         {access.Auditor: access.All},
	access.AuditVerify:       {access.Auditor: access.All, access.Admin: access.All},
	access.BreakGlassUse:     {access.Coordinator: access.All},
	access.BreakGlassReview:  {access.Auditor: access.All},
	access.UserChangeView:    {access.Coordinator: access.All, access.Admin: access.All, access.Auditor: access.All},
	access.UserChangeApprove: {access.Coordinator: access.All},
	access.ScreeningAssess:   screeners(access.Org),
	access.ScreeningRecord:   screeners(access.Org),
	access.ScreeningRead:     withCoordinator(screeners(access.Org), access.All),
	access.CaseList:          caseTeam(access.Coordinator, access.Stats),
	access.CaseView:          caseTeam(access.Coordinator, access.Stats),
	access.CaseViewPersonal:  caseTeam(),
	access.CaseViewDetails:   {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team},
	access.CaseCreate: {access.Police: access.Org, access.Advocate: access.Org, access.SocialWorker: access.Org,
		access.Shelter: access.Org, access.NGO: access.Org, access.Helpline: access.Org},
	access.CaseEdit:        caseTeam(),
	access.CaseTransition:  caseTeam(),
	access.CaseDecide:      {access.Police: access.Team, access.Advocate: access.Team},
	access.CaseTeamManage:  {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team},
	access.ConsentRead:     caseTeam(),
	access.ConsentRecord:   caseTeam(),
	access.GuardianRecord:  caseTeam(),
	access.ConsentOverride: {access.Police: access.Team, access.Prosecutor: access.Team, access.SocialWorker: access.Team},
	access.NoteRead:        caseTeam(),
	access.NoteWrite:       caseTeam(),
	access.DocumentRead:    caseTeam(),
	access.DocumentWrite:   caseTeam(),
	access.PlanRead:        caseTeam(),
	access.AssessmentRecord: {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team,
		access.Shelter: access.Team, access.NGO: access.Team},
	access.PlanWrite: {access.Advocate: access.Team, access.SocialWorker: access.Team, access.Shelter: access.Team, access.NGO: access.Team},
	access.TaskView: {access.Police: access.Org, access.Prosecutor: access.Org, access.Advocate: access.Org, access.SocialWorker: access.Org,
		access.Shelter: access.Org, access.NGO: access.Org, access.Helpline: access.Org, access.Coordinator: access.Org},
	access.TaskComplete: {access.Police: access.Org, access.Prosecutor: access.Org, access.Advocate: access.Org, access.SocialWorker: access.Org,
		access.Shelter: access.Org, access.NGO: access.Org, access.Helpline: access.Org, access.Coordinator: access.Org},
	access.TaskOverdue:     {access.Coordinator: access.Stats},
	access.DuplicateReview: {access.Coordinator: access.All},
	access.DuplicateMerge:  {access.Coordinator: access.All},
	access.ServiceView: {access.Police: access.All, access.Prosecutor: access.All, access.Advocate: access.All, access.SocialWorker: access.All,
		access.Shelter: access.All, access.NGO: access.All, access.Helpline: access.All, access.Coordinator: access.All},
	access.ServiceManage: {access.Advocate: access.Org, access.SocialWorker: access.Org, access.Shelter: access.Org, access.NGO: access.Org,
		access.Coordinator: access.All},
	access.DirectoryImport: {access.Coordinator: access.All},
	access.CaseStats:       {access.Coordinator: access.Stats, access.Analyst: access.Stats},
	access.ReferralCreate: {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team,
		access.Shelter: access.Team, access.NGO: access.Team, access.Helpline: access.Team},
	access.ReferralView: {access.Police: access.Org, access.Prosecutor: access.Org, access.Advocate: access.Org, access.SocialWorker: access.Org,
		access.Shelter: access.Org, access.NGO: access.Org, access.Helpline: access.Org, access.Coordinator: access.Stats},
	access.ReferralAnswer:     {access.Advocate: access.Org, access.SocialWorker: access.Org, access.Shelter: access.Org, access.NGO: access.Org},
	access.StayRecord:         {access.Shelter: access.Org, access.NGO: access.Org},
	access.StayApproveExit:    {access.Police: access.Team, access.Prosecutor: access.Team},
	access.NotificationRead:   all(access.Own),
	access.NotificationOutbox: {access.Admin: access.All},
	access.StatsView:          {access.Coordinator: access.All, access.Analyst: access.Stats},
	access.StatsQuality:       {access.Coordinator: access.All},
	access.HelplineLog:        {access.Helpline: access.Org},
	access.HelplineRead:       {access.Helpline: access.Org, access.Police: access.Org},
	access.HelplineCase:       {access.Helpline: access.Org},
	access.HelplineStats:      {access.Helpline: access.Org, access.Coordinator: access.Stats, access.Analyst: access.Stats},
	access.TipRead:            {access.Police: access.All, access.Coordinator: access.All},
	access.TipTriage:          {access.Police: access.All, access.Coordinator: access.All},
	// The criminal file: never shelter, NGO or helpline; defendants only police and prosecution.
	access.JusticeView:       {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team, access.Coordinator: access.Stats},
	access.JusticeRecord:     {access.Police: access.Team, access.Prosecutor: access.Team},
	access.JusticeDefendants: {access.Police: access.Team, access.Prosecutor: access.Team},
	access.JusticeVictim:     {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team},
	access.JusticeDashboard:  {access.Police: access.Team, access.Prosecutor: access.Team},
	access.LicenceView:       {access.Coordinator: access.All, access.Provider: access.Org},
	access.LicenceManage:     {access.Coordinator: access.All},
	access.LicenceApply:      {access.Provider: access.Org},
	access.GrantView:         {access.Coordinator: access.All, access.Provider: access.Org, access.Evaluator: access.Own},
	access.GrantManage:       {access.Coordinator: access.All},
	access.GrantApply:        {access.Provider: access.Org},
	access.GrantEvaluate:     {access.Evaluator: access.Own},
	access.GrantFigures:      {access.Coordinator: access.All, access.Funder: access.Stats, access.Provider: access.Org},
	access.FundingRecord:     {access.Coordinator: access.All},
	access.ExchangeSend:      {access.Coordinator: access.All},
	access.ExchangeRead:      {access.Coordinator: access.All},
	access.ExchangePartner:   {access.Admin: access.All},
	// Coordination: institutions read every plan and report on their own
	// activities; monitors read and comment on the plans they monitor.
	access.CoordView:     withCoordinator(caseTeamScope(access.All, access.Analyst, access.All, access.Monitor, access.Org), access.All),
	access.CoordManage:   {access.Coordinator: access.All},
	access.CoordReport:   caseTeamScope(access.Org),
	access.CoordComment:  {access.Coordinator: access.All, access.Monitor: access.Org},
	access.CoordEvidence: withCoordinator(caseTeamScope(access.Org), access.All),
	// Domestic and gender-based violence (internal/gbv).
	access.GBVClassify: {access.Police: access.Org, access.Prosecutor: access.Org, access.Advocate: access.Org, access.SocialWorker: access.Org,
		access.Shelter: access.Org, access.NGO: access.Org, access.Helpline: access.Org, access.Coordinator: access.Org},
	access.GBVRead: {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team,
		access.Shelter: access.Team, access.NGO: access.Team, access.Helpline: access.Team},
	access.GBVRecord:           {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team, access.Shelter: access.Team, access.NGO: access.Team},
	access.GBVAssess:           {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team, access.Shelter: access.Team, access.NGO: access.Team},
	access.GBVOrder:            {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team},
	access.GBVPerpetratorRead:  {access.Police: access.Team, access.Prosecutor: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team, access.Shelter: access.Team},
	access.GBVPerpetratorWrite: {access.Police: access.Team, access.Advocate: access.Team, access.SocialWorker: access.Team},
}

// caseTeamScope is scope s for the seven roles that work cases, plus
// role/scope pairs.
func caseTeamScope(s access.Scope, extra ...any) map[access.Role]access.Scope {
	m := map[access.Role]access.Scope{}
	for _, r := range []access.Role{access.Police, access.Prosecutor, access.Advocate, access.SocialWorker, access.Shelter, access.NGO, access.Helpline} {
		m[r] = s
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(access.Role)] = extra[i+1].(access.Scope)
	}
	return m
}

// caseTeam is Team scope for the seven roles that work cases, plus an
// optional extra role and scope.
func caseTeam(extra ...any) map[access.Role]access.Scope {
	m := map[access.Role]access.Scope{}
	for _, r := range []access.Role{access.Police, access.Prosecutor, access.Advocate, access.SocialWorker, access.Shelter, access.NGO, access.Helpline} {
		m[r] = access.Team
	}
	if len(extra) == 2 {
		m[extra[0].(access.Role)] = extra[1].(access.Scope)
	}
	return m
}

func all(s access.Scope) map[access.Role]access.Scope {
	m := map[access.Role]access.Scope{}
	for _, r := range access.Roles {
		m[r] = s
	}
	return m
}

func allBut(s access.Scope, except ...access.Role) map[access.Role]access.Scope {
	m := all(s)
	for _, r := range except {
		delete(m, r)
	}
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
		if got, w := access.SeesPersonalData(r), r != access.Analyst && r != access.Funder; got != w {
			t.Errorf("SeesPersonalData(%s) = %v, want %v", r, got, w)
		}
	}
}

func TestBreakGlassOpens(t *testing.T) {
	tests := []struct {
		role access.Role
		act  access.Action
		want bool
	}{
		{access.Coordinator, access.CaseViewPersonal, true},
		{access.Coordinator, access.CaseViewDetails, true},
		{access.Coordinator, access.CaseEdit, false},
		{access.Coordinator, access.ConsentRead, true},
		{access.Coordinator, access.NoteRead, true},
		{access.Coordinator, access.DocumentRead, true},
		{access.Coordinator, access.PlanRead, true},
		{access.Coordinator, access.NoteWrite, false},
		{access.Coordinator, access.ConsentOverride, false},
		{access.Police, access.CaseViewPersonal, false},
		{access.Analyst, access.CaseViewPersonal, false},
	}
	for _, tt := range tests {
		if got := access.BreakGlassOpens(access.Actor{Role: tt.role}, tt.act); got != tt.want {
			t.Errorf("BreakGlassOpens(%s, %s) = %v, want %v", tt.role, tt.act, got, tt.want)
		}
	}
}

// screeners is every role that meets people, the coordinator included:
// analysts, auditors and admins do not screen.
func screeners(s access.Scope) map[access.Role]access.Scope {
	return allBut(s, access.Analyst, access.Monitor, access.Auditor, access.Admin, access.Evaluator, access.Provider, access.Funder)
}

func withCoordinator(m map[access.Role]access.Scope, s access.Scope) map[access.Role]access.Scope {
	m[access.Coordinator] = s
	return m
}

func TestCheckRoute(t *testing.T) {
	tests := []struct {
		name string
		role access.Role
		act  access.Action
		want bool
	}{
		{"PolicyAllows", access.Admin, access.UserManage, true},
		{"BreakGlassCanUnlock", access.Coordinator, access.NoteRead, true},
		{"BreakGlassCannotEdit", access.Coordinator, access.CaseEdit, false},
		{"NoBreakGlassForOthers", access.Analyst, access.NoteRead, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := access.CheckRoute(access.Actor{UserID: "u", Role: tt.role}, tt.act)
			if got := err == nil; got != tt.want {
				t.Errorf("CheckRoute = %v, want allowed %v", err, tt.want)
			}
		})
	}
}

// TestGrantsPersonalData: the roles whose accounts need a second person's
// approval are read from the policy table: every role that works cases and
// the coordinator (break-glass); not the analyst, the auditor or the
// administrator.
func TestGrantsPersonalData(t *testing.T) {
	want := map[access.Role]bool{access.Coordinator: true, access.Police: true, access.Prosecutor: true, access.Advocate: true, access.SocialWorker: true,
		access.Shelter: true, access.NGO: true, access.Helpline: true, access.Analyst: false, access.Auditor: false, access.Admin: false}
	for _, r := range access.Roles {
		if got := access.GrantsPersonalData(r); got != want[r] {
			t.Errorf("access.GrantsPersonalData(%s) = %v, want %v", r, got, want[r])
		}
	}
	if access.GrantsPersonalData("") {
		t.Error("the empty role grants personal data")
	}
	a := access.Actor{UserID: "u1", Role: access.Admin}
	if access.Can(a, access.UserChangeApprove) {
		t.Error("an administrator may approve account changes")
	}
	if !access.Can(access.Actor{UserID: "c1", Role: access.Coordinator}, access.UserChangeApprove) {
		t.Error("the coordinator may not approve account changes")
	}
}
