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

	// Separation of duties (internal/auth): a change that would give an
	// account access to personal data (see GrantsPersonalData) waits for a
	// second person. Those who request it (UserManage), the approvers and the
	// auditors see the pending changes; only the approvers decide, and
	// never on a change they asked for or that is about themselves.
	UserChangeView    Action = "user_change.view"
	UserChangeApprove Action = "user_change.approve"

	// Screening with the trafficking indicators (internal/identify): the roles
	// that meet people screen; analysts, auditors and admins do not.
	ScreeningAssess Action = "screening.assess" // indicator lists, assess, Palermo checklist; stores nothing
	ScreeningRecord Action = "screening.record" // store a screening in one's organisation
	ScreeningRead   Action = "screening.read"   // stored screenings: own organisation's, every one for the coordinator

	// The case file (internal/cases). Field classes are actions of their own:
	// case.view shows the statistical fields, case.view_personal the person
	// (names, birth date, contacts, documents), case.view_details the
	// investigation details (places and dates of recruitment and exploitation,
	// the narrative, the grounds of decisions).
	CaseList         Action = "case.list"
	CaseStats        Action = "case.stats" // counts of cases by stage and year, no record at all (home pages)
	CaseView         Action = "case.view"
	CaseViewPersonal Action = "case.view_personal"
	CaseViewDetails  Action = "case.view_details"
	CaseCreate       Action = "case.create"
	CaseEdit         Action = "case.edit"       // statistical and personal fields, risk level, proceedings
	CaseTransition   Action = "case.transition" // stage changes; cases.Transitions says which role makes which
	CaseDecide       Action = "case.decide"     // identification decisions
	CaseTeamManage   Action = "case.team"       // add organisations and named users to the team

	// Case records (internal/consent, casenotes, plans, clocks): the consent
	// ledger, notes and attachments, assessments and plans, dated tasks.
	ConsentRead      Action = "consent.read"
	ConsentRecord    Action = "consent.record"   // grants and withdrawals
	GuardianRecord   Action = "case.guardian"    // record a child's guardian with the appointing decision
	ConsentOverride  Action = "consent.override" // share without consent, with a reason; flagged for review
	NoteRead         Action = "note.read"        // team notes; secret (org) notes only for the author org's role
	NoteWrite        Action = "note.write"
	DocumentRead     Action = "document.read"
	DocumentWrite    Action = "document.write"
	PlanRead         Action = "plan.read"         // assessments, the assistance plan, reviews
	AssessmentRecord Action = "assessment.record" // risk and needs assessments
	PlanWrite        Action = "plan.write"        // the plan, its items and progress, case reviews
	TaskView         Action = "task.view"         // the open tasks of one's organisation
	TaskComplete     Action = "task.complete"
	TaskOverdue      Action = "task.overdue" // every case's overdue tasks, statistical view

	// Duplicate persons (internal/dedup): the coordinator reviews the pairs
	// the job proposes (case references, scores, evidence codes — no
	// personal value) and merges or dismisses them. Comparing the persons
	// themselves takes break-glass on each case, audited and reviewed.
	DuplicateReview Action = "duplicate.review" // list pairs, dismiss
	DuplicateMerge  Action = "duplicate.merge"  // merge two persons and undo a merge, with a reason

	// Referrals (internal/referral): the service directory, shelter capacity
	// and stays, placement proposals, referrals between organisations.
	ServiceView     Action = "service.view"      // the directory and the shelters' availability board
	ServiceManage   Action = "service.manage"    // a provider's own services; the coordinator every one
	DirectoryImport Action = "directory.import"  // load an Open Referral (HSDS) file
	ReferralCreate  Action = "referral.create"   // propose placements for a case, refer it, withdraw one's referral
	ReferralView    Action = "referral.view"     // one's organisation's inbox and outbox
	ReferralAnswer  Action = "referral.answer"   // accept, decline and complete referrals to one's organisation
	StayRecord      Action = "stay.record"       // admissions to and discharges from one's organisation's shelters
	StayApproveExit Action = "stay.approve_exit" // approve a permanent exit from the secure facility

	// Notifications (internal/notify): everyone reads their own; the
	// administrator sees the e-mail outbox (failed and waiting deliveries,
	// by account id, never an address) to notice a mail server refusing Ura.
	NotificationRead   Action = "notification.read"
	NotificationOutbox Action = "notification.outbox"

	// Statistics (internal/stats): the dashboard, the standard reports and
	// their API. Scope All (the coordinator's office) may see raw tables;
	// scope Stats (analysts) sees protected tables only. The data quality
	// report lists cases by reference, so it is the coordinator's alone.
	StatsView    Action = "stats.view"
	StatsQuality Action = "stats.quality"
	// The helpline (internal/helpline): operators log contacts, anonymous by
	// default, and carry them into cases; the police unit alerted for an
	// urgent contact reads that contact; the coordinator and analysts see
	// counts only, never a contact or its note.
	HelplineLog   Action = "helpline.log"   // log contacts, mark call-backs done
	HelplineRead  Action = "helpline.read"  // contacts with their notes (the police: the urgent ones alerted to them)
	HelplineCase  Action = "helpline.case"  // open a case from a contact
	HelplineStats Action = "helpline.stats" // contacts counted by channel, topic, caller, language, month, municipality
	// Anonymous tips from the public portal (internal/tips): the police THB
	// unit and the coordinator read the triage queue and mark the tips.
	TipRead   Action = "tip.read"   // the queue, a tip with what was added, the CSV export
	TipTriage Action = "tip.triage" // checking, linked to a case, passed to an investigation, closed

	// The criminal-justice track (internal/justice): criminal cases, their
	// events, charges and decisions. The criminal file never reaches the
	// roles that serve only the victim's assistance (shelter, NGO,
	// helpline). Suspects' and defendants' personal data are a field class
	// of their own: police and prosecution, the coordinator by break-glass.
	JusticeView       Action = "justice.view"       // a criminal case: references, events, deadlines, charges, decisions
	JusticeRecord     Action = "justice.record"     // file a criminal case, record events, references, charges, decisions
	JusticeDefendants Action = "justice.defendants" // suspects' and defendants' names and details
	JusticeVictim     Action = "justice.victim"     // the victim in proceedings: rights, hearings, measures, compensation
	JusticeDashboard  Action = "justice.dashboard"  // upcoming hearings, investigations due for review, deadlines
	// Licensing (internal/licensing): licences of providers against the
	// minimum standards, inspections and corrective actions. The
	// coordinator's office licenses; a provider reads its own licences.
	LicenceView   Action = "licence.view"
	LicenceManage Action = "licence.manage"
	LicenceApply  Action = "licence.apply" // a provider applies for a licence for its organisation
	// Grants (internal/grants): calls, applications, evaluation, awards,
	// contracts, the public funding record. The coordinator's office runs
	// calls (All); a provider applies and reports for its organisation
	// (Org); an evaluator sees only the applications assigned to them
	// (Own); a funder reads aggregated, protected reports only (Stats).
	GrantView     Action = "grant.view"     // published calls, one's applications and contracts
	GrantManage   Action = "grant.manage"   // calls, administrative check, assignments, award, contracts, payments
	GrantApply    Action = "grant.apply"    // submit an application; submit a contract's reports
	GrantEvaluate Action = "grant.evaluate" // declare conflicts of interest and score assigned applications
	GrantFigures  Action = "grant.figures"  // what the money bought: counts, protected before a funder sees them
	FundingRecord Action = "funding.record" // the public funding record per provider and year
	// Transnational exchange (internal/exchange): the coordinator's office is
	// the USOP contact point; it sends and reads the messages exchanged with
	// partner countries. The administrator registers partners and their
	// keys, activates them by fingerprint and rotates this instance's keys.
	ExchangeSend    Action = "exchange.send"    // send a message to a partner (the case's consent permitting)
	ExchangeRead    Action = "exchange.read"    // the exchange dashboard, the messages sent and received
	ExchangePartner Action = "exchange.partner" // partners, their keys, this instance's keys
	// Coordination (internal/coord): the strategy and action plans, progress
	// reports, recommendations, trainings and campaigns. No case data.
	CoordView     Action = "coord.view"     // plans, the tracker, the reports (a monitor: the plans it monitors)
	CoordManage   Action = "coord.manage"   // the secretariat: plans, import, validation, recommendations, trainings
	CoordReport   Action = "coord.report"   // report progress on one's own organisation's activities
	CoordComment  Action = "coord.comment"  // comment on a plan (a monitor: the plans it monitors)
	CoordEvidence Action = "coord.evidence" // download a progress report's evidence
	// Domestic and gender-based violence (internal/gbv): incidents with
	// their GBVIMS type, the DV risk assessment and safety plans, protection
	// orders, dependants, perpetrators. Classification stores nothing.
	GBVClassify         Action = "gbv.classify"          // the GBVIMS rule on six answers; stores nothing
	GBVRead             Action = "gbv.read"              // incidents, risk, safety plans, orders, dependants of a case
	GBVRecord           Action = "gbv.record"            // incidents and dependants
	GBVAssess           Action = "gbv.assess"            // the DV risk assessment and the safety plan
	GBVOrder            Action = "gbv.order"             // protection orders and their violations
	GBVPerpetratorRead  Action = "gbv.perpetrator_read"  // who the perpetrator is: only the roles protection needs
	GBVPerpetratorWrite Action = "gbv.perpetrator_write" // record a perpetrator
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
	// The coordinator's office approves accounts that see personal data; the
	// administrator who asks and the auditor who watches only see the list.
	{UserChangeView, map[Role]Scope{Coordinator: All, Admin: All, Auditor: All}},
	{UserChangeApprove, map[Role]Scope{Coordinator: All}},

	// Screenings may precede any case (outreach, the helpline), so they belong
	// to an organisation, not a case team; the coordinator reads them all.
	{ScreeningAssess, plus(caseRoles(Org), Coordinator, Org)},
	{ScreeningRecord, plus(caseRoles(Org), Coordinator, Org)},
	{ScreeningRead, plus(caseRoles(Org), Coordinator, All)},

	// Cases: the operational roles work the cases whose team they are on; the
	// coordinator sees every case's statistical fields (personal ones only by
	// break-glass, see breakGlassOpens); analysts, auditors and admins see no case.
	{CaseList, plus(caseRoles(Team), Coordinator, Stats)},
	{CaseStats, map[Role]Scope{Coordinator: Stats, Analyst: Stats}},
	{CaseView, plus(caseRoles(Team), Coordinator, Stats)},
	{CaseViewPersonal, caseRoles(Team)},
	{CaseViewDetails, map[Role]Scope{Police: Team, Prosecutor: Team, Advocate: Team, SocialWorker: Team}},
	{CaseCreate, map[Role]Scope{Police: Org, Advocate: Org, SocialWorker: Org, Shelter: Org, NGO: Org, Helpline: Org}},
	{CaseEdit, caseRoles(Team)},
	{CaseTransition, caseRoles(Team)},
	{CaseDecide, map[Role]Scope{Police: Team, Advocate: Team}},
	{CaseTeamManage, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team}},

	// Case records: the case team reads and writes them. Overriding a missing
	// consent is for those who answer for safety and the law (police,
	// prosecutors) and for children (social workers). Risk is assessed jointly
	// by police and the victim advocate, needs and plans by those who assist;
	// the police do not write assistance plans (assistance is not conditional
	// on cooperation, CETS 197 Art. 12(6)). Tasks belong to an organisation;
	// the coordinator sees every overdue task without the case's content.
	{ConsentRead, caseRoles(Team)},
	{ConsentRecord, caseRoles(Team)},
	{GuardianRecord, caseRoles(Team)},
	{ConsentOverride, map[Role]Scope{Police: Team, Prosecutor: Team, SocialWorker: Team}},
	{NoteRead, caseRoles(Team)},
	{NoteWrite, caseRoles(Team)},
	{DocumentRead, caseRoles(Team)},
	{DocumentWrite, caseRoles(Team)},
	{PlanRead, caseRoles(Team)},
	{AssessmentRecord, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team, Shelter: Team, NGO: Team}},
	{PlanWrite, map[Role]Scope{Advocate: Team, SocialWorker: Team, Shelter: Team, NGO: Team}},
	{TaskView, plus(caseRoles(Org), Coordinator, Org)},
	{TaskComplete, plus(caseRoles(Org), Coordinator, Org)},
	{TaskOverdue, map[Role]Scope{Coordinator: Stats}},

	// Duplicates span organisations, so only the coordinator, who sees every
	// case's statistical fields, reviews them; no personal value is shown.
	{DuplicateReview, map[Role]Scope{Coordinator: All}},
	{DuplicateMerge, map[Role]Scope{Coordinator: All}},

	// Referrals: everyone who works cases reads the directory (shelter
	// locations stay with each shelter's own users); providers keep their
	// own entries, the coordinator every entry and the imports. Those who
	// place people refer a case whose team they are on (prosecutors do not
	// place; they approve a high-risk exit from the secure facility, with
	// the police). A referral is answered by the receiving organisation;
	// the coordinator follows every referral's statistical fields.
	{ServiceView, plus(caseRoles(All), Coordinator, All)},
	{ServiceManage, map[Role]Scope{Advocate: Org, SocialWorker: Org, Shelter: Org, NGO: Org, Coordinator: All}},
	{DirectoryImport, map[Role]Scope{Coordinator: All}},
	{ReferralCreate, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team, Shelter: Team, NGO: Team, Helpline: Team}},
	{ReferralView, plus(caseRoles(Org), Coordinator, Stats)},
	{ReferralAnswer, map[Role]Scope{Advocate: Org, SocialWorker: Org, Shelter: Org, NGO: Org}},
	{StayRecord, map[Role]Scope{Shelter: Org, NGO: Org}},
	{StayApproveExit, map[Role]Scope{Police: Team, Prosecutor: Team}},

	// The helpline: only operators log contacts and read them; the police
	// read the urgent contacts alerted to their unit; counts for the
	// coordinator and analysts (every contact), operators (their line's).
	{HelplineLog, map[Role]Scope{Helpline: Org}},
	{HelplineRead, map[Role]Scope{Helpline: Org, Police: Org}},
	{HelplineCase, map[Role]Scope{Helpline: Org}},
	{HelplineStats, map[Role]Scope{Helpline: Org, Coordinator: Stats, Analyst: Stats}},

	// Notifications are addressed to one user: Own for every role.
	{NotificationRead, every(Own)},
	{NotificationOutbox, map[Role]Scope{Admin: All}},

	// Statistics: counts only. The coordinator's office sees raw tables;
	// analysts, who see no case, only tables protected by disclosure control.
	{StatsView, map[Role]Scope{Coordinator: All, Analyst: Stats}},
	{StatsQuality, map[Role]Scope{Coordinator: All}},
	// Tips may name people (victims, suspects, the tipster's contact): the
	// police and the coordinator, whose office runs the mechanism, triage
	// them; no one else reads them.
	{TipRead, map[Role]Scope{Police: All, Coordinator: All}},
	{TipTriage, map[Role]Scope{Police: All, Coordinator: All}},

	// The criminal file: police and prosecution work the criminal cases of
	// their organisation or of the victim cases whose team they are on; the
	// victim advocate follows the proceedings of the victims they accompany
	// (no defendant's identity); the coordinator sees every criminal case's
	// statistical fields and the defendants only by break-glass. Shelters,
	// NGOs and the helpline see none of it (Art. 12(6): assistance never
	// depends on the criminal case).
	{JusticeView, map[Role]Scope{Police: Team, Prosecutor: Team, Advocate: Team, Coordinator: Stats}},
	{JusticeRecord, map[Role]Scope{Police: Team, Prosecutor: Team}},
	{JusticeDefendants, map[Role]Scope{Police: Team, Prosecutor: Team}},
	{JusticeVictim, map[Role]Scope{Police: Team, Prosecutor: Team, Advocate: Team}},
	{JusticeDashboard, map[Role]Scope{Police: Team, Prosecutor: Team}},
	// Licensing and grants: the coordinator's office runs them; providers
	// see their own organisation's licences, applications and contracts;
	// evaluators the applications assigned to them; funders only counts,
	// protected by disclosure control (Stats), never an application.
	{LicenceView, map[Role]Scope{Coordinator: All, Provider: Org}},
	{LicenceManage, map[Role]Scope{Coordinator: All}},
	{LicenceApply, map[Role]Scope{Provider: Org}},
	{GrantView, map[Role]Scope{Coordinator: All, Provider: Org, Evaluator: Own}},
	{GrantManage, map[Role]Scope{Coordinator: All}},
	{GrantApply, map[Role]Scope{Provider: Org}},
	{GrantEvaluate, map[Role]Scope{Evaluator: Own}},
	{GrantFigures, map[Role]Scope{Coordinator: All, Funder: Stats, Provider: Org}},
	{FundingRecord, map[Role]Scope{Coordinator: All}},
	// The exchange: the contact point (the coordinator's office) only;
	// partners are the administrator's.
	{ExchangeSend, map[Role]Scope{Coordinator: All}},
	{ExchangeRead, map[Role]Scope{Coordinator: All}},
	{ExchangePartner, map[Role]Scope{Admin: All}},
	// Coordination: the coordinator's secretariat manages the plans; every
	// institution reads them and reports on its own activities (Org);
	// monitors (civil society) read and comment on the plans they monitor
	// (Org: internal/coord checks the plan's monitors); analysts read.
	{CoordView, plus(plus(plus(caseRoles(All), Coordinator, All), Analyst, All), Monitor, Org)},
	{CoordManage, map[Role]Scope{Coordinator: All}},
	{CoordReport, caseRoles(Org)},
	{CoordComment, map[Role]Scope{Coordinator: All, Monitor: Org}},
	{CoordEvidence, plus(caseRoles(Org), Coordinator, All)},
	// GBV cases are worked by the same case team as any case. Incidents and
	// dependants are recorded by those who meet the survivor; the police do
	// not write safety plans but assess risk jointly; protection orders are
	// for those who apply for, issue or enforce them. The perpetrator is
	// shown only to the roles protection needs (not the helpline, not NGOs),
	// and never leaves Ura in an export.
	{GBVClassify, plus(caseRoles(Org), Coordinator, Org)},
	{GBVRead, caseRoles(Team)},
	{GBVRecord, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team, Shelter: Team, NGO: Team}},
	{GBVAssess, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team, Shelter: Team, NGO: Team}},
	{GBVOrder, map[Role]Scope{Police: Team, Prosecutor: Team, Advocate: Team, SocialWorker: Team}},
	{GBVPerpetratorRead, map[Role]Scope{Police: Team, Prosecutor: Team, Advocate: Team, SocialWorker: Team, Shelter: Team}},
	{GBVPerpetratorWrite, map[Role]Scope{Police: Team, Advocate: Team, SocialWorker: Team}},
}

// caseRoles gives scope s to every role that works cases: police,
// prosecutor, advocate, social worker, shelter, NGO, helpline.
func caseRoles(s Scope) map[Role]Scope {
	return map[Role]Scope{Police: s, Prosecutor: s, Advocate: s, SocialWorker: s, Shelter: s, NGO: s, Helpline: s}
}

// plus returns m with role r given scope s.
func plus(m map[Role]Scope, r Role, s Scope) map[Role]Scope {
	m[r] = s
	return m
}

// breakGlassOpens lists the actions an open break-glass grant allows on the
// one record it names, to a role whose policy otherwise denies them: the
// coordinator reading a case's personal file in an emergency. Capabilities
// add their read actions here, next to the policy.
var breakGlassOpens = map[Action]bool{
	CaseViewPersonal: true,
	CaseViewDetails:  true,
	ConsentRead:      true,
	PlanRead:         true,
	NoteRead:         true, // team notes only: secret notes stay with their author's role
	DocumentRead:     true,
	// A criminal case's defendants, named in the grant as criminal_case/<id>.
	JusticeDefendants: true,
	GBVRead:           true,
}

// BreakGlassOpens reports whether an open break-glass grant allows act on its
// record (only for roles that may use break-glass at all).
func BreakGlassOpens(a Actor, act Action) bool {
	return Can(a, BreakGlassUse) && breakGlassOpens[act]
}

// personalDataActions are the actions that show a person's data: the case
// file's personal and detail fields and the records kept on a case, the
// stored screenings, and break-glass, which opens the first ones to a role
// otherwise denied them.
var personalDataActions = []Action{CaseViewPersonal, CaseViewDetails, ConsentRead, NoteRead, DocumentRead, PlanRead,
	ScreeningRead, BreakGlassUse, HelplineRead, TipRead, JusticeDefendants, GBVRead, GBVPerpetratorRead}

// GrantsPersonalData reports whether the policy lets role r see a person's
// data in any scope. Giving an account such a role (creating it, changing
// its role or organisation, reopening it) takes a second person's approval.
// It is read from the policy table, so a new rule that opens personal data
// to a role makes that role's accounts need approval too.
func GrantsPersonalData(r Role) bool {
	for _, act := range personalDataActions {
		if policyIndex[r][act] > None {
			return true
		}
	}
	return false
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
