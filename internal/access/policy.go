package access

// Action is something a user does. Names are "object.verb".
type Action string

// The platform's actions. Capabilities add theirs in this file, next to their rules,
// so the whole policy stays one table.
const (
	DashboardView    Action = "dashboard.view"
	AccountManage    Action = "account.manage" // own password, second factor, language, sessions
	TokenManage      Action = "token.manage"   // API tokens
	OrgList          Action = "org.list"       // see organisations (names and types)
	OrgManage        Action = "org.manage"     // create, rename, deactivate organisations
	UserList         Action = "user.list"      // see accounts
	UserManage       Action = "user.manage"    // create, deactivate, reset second factor
	SessionRevoke    Action = "session.revoke" // end another user's sessions
	AuditRead        Action = "audit.read"     // audit view and export
	AuditVerify      Action = "audit.verify"   // check the chain from the web
	BreakGlassUse    Action = "breakglass.use" // open a record outside one's scope with a reason
	BreakGlassReview Action = "breakglass.review"
)

// rule is one line of the policy.
type rule struct {
	action Action
	scopes map[Role]Scope
}

// every is a shorthand for rules that apply to every role alike.
func every(s Scope) map[Role]Scope {
	m := map[Role]Scope{}
	for _, r := range Roles {
		m[r] = s
	}
	return m
}

// policy is THE access policy: action × role → scope. A role missing from a
// line is denied. Read it as a table; the matrix test walks every cell.
var policy = []rule{
	{DashboardView, every(Own)},
	{AccountManage, every(Own)},
	{TokenManage, every(Own)},
	{OrgList, map[Role]Scope{Admin: All, Coordinator: All, Auditor: All, Police: All, Prosecutor: All, Advocate: All, SocialWorker: All, Shelter: All, NGO: All, Helpline: All}},
	{OrgManage, map[Role]Scope{Admin: All}},
	{UserList, map[Role]Scope{Admin: All, Auditor: All}},
	{UserManage, map[Role]Scope{Admin: All}},
	{SessionRevoke, map[Role]Scope{Admin: All}},
	{AuditRead, map[Role]Scope{Auditor: All}},
	{AuditVerify, map[Role]Scope{Auditor: All, Admin: All}},
	{BreakGlassUse, map[Role]Scope{Coordinator: All}},
	{BreakGlassReview, map[Role]Scope{Auditor: All}},
}

var policyIndex = func() map[Role]map[Action]Scope {
	idx := map[Role]map[Action]Scope{}
	for _, r := range Roles {
		idx[r] = map[Action]Scope{}
	}
	for _, line := range policy {
		for r, s := range line.scopes {
			idx[r][line.action] = s
		}
	}
	return idx
}()

// Actions lists every action in the policy, in table order.
func Actions() []Action {
	out := make([]Action, len(policy))
	for i, line := range policy {
		out[i] = line.action
	}
	return out
}
