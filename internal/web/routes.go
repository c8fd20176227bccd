package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/access"
)

// Route is one page or form endpoint. Every route names the access action it
// needs; Public routes are the only exception, and are listed as such, so a
// route without a rule cannot exist (deny by default).
type Route struct {
	Method  string
	Pattern string
	// Action is what the policy must allow; empty only when Public.
	Action access.Action
	// Public routes need no sign-in (sign-in itself, health, static files).
	Public bool
	// Partial routes accept a half-signed-in session (second factor pending).
	Partial bool
	h       func(s *server, w http.ResponseWriter, r *http.Request)
}

// routes is every route of the web pages, in one place.
var routes = []Route{
	{Method: "GET", Pattern: "/{$}", Action: access.DashboardView, h: (*server).handleDashboard},
	{Method: "GET", Pattern: "/signin", Public: true, h: (*server).handleSignInForm},
	{Method: "POST", Pattern: "/signin", Public: true, h: (*server).handleSignIn},
	{Method: "GET", Pattern: "/signin/totp", Public: true, Partial: true, h: (*server).handleTOTPForm},
	{Method: "POST", Pattern: "/signin/totp", Public: true, Partial: true, h: (*server).handleTOTP},
	{Method: "GET", Pattern: "/signin/enrol", Public: true, Partial: true, h: (*server).handleEnrolForm},
	{Method: "POST", Pattern: "/signin/enrol", Public: true, Partial: true, h: (*server).handleEnrol},
	{Method: "POST", Pattern: "/signout", Public: true, Partial: true, h: (*server).handleSignOut},
	{Method: "GET", Pattern: "/account", Action: access.AccountManage, h: (*server).handleAccount},
	{Method: "POST", Pattern: "/account/password", Action: access.AccountManage, h: (*server).handleChangePassword},
	{Method: "POST", Pattern: "/account/lang", Action: access.AccountManage, h: (*server).handleSetLang},
	{Method: "POST", Pattern: "/account/sessions/revoke", Action: access.AccountManage, h: (*server).handleRevokeOwnSessions},
	{Method: "GET", Pattern: "/account/tokens", Action: access.TokenManage, h: (*server).handleTokens},
	{Method: "POST", Pattern: "/account/tokens", Action: access.TokenManage, h: (*server).handleCreateToken},
	{Method: "POST", Pattern: "/account/tokens/{id}/revoke", Action: access.TokenManage, h: (*server).handleRevokeToken},
	{Method: "GET", Pattern: "/admin/orgs", Action: access.OrgManage, h: (*server).handleOrgs},
	{Method: "POST", Pattern: "/admin/orgs", Action: access.OrgManage, h: (*server).handleCreateOrg},
	{Method: "POST", Pattern: "/admin/orgs/{id}/active", Action: access.OrgManage, h: (*server).handleSetOrgActive},
	{Method: "GET", Pattern: "/admin/users", Action: access.UserList, h: (*server).handleUsers},
	{Method: "POST", Pattern: "/admin/users", Action: access.UserManage, h: (*server).handleCreateUser},
	{Method: "GET", Pattern: "/admin/users/{id}", Action: access.UserList, h: (*server).handleUser},
	{Method: "POST", Pattern: "/admin/users/{id}/active", Action: access.UserManage, h: (*server).handleSetUserActive},
	{Method: "POST", Pattern: "/admin/users/{id}/change", Action: access.UserManage, h: (*server).handleChangeUser},
	{Method: "GET", Pattern: "/admin/approvals", Action: access.UserChangeView, h: (*server).handleApprovals},
	{Method: "POST", Pattern: "/admin/approvals/{id}/approve", Action: access.UserChangeApprove, h: (*server).handleApproveChange},
	{Method: "POST", Pattern: "/admin/approvals/{id}/refuse", Action: access.UserChangeApprove, h: (*server).handleRefuseChange},
	{Method: "POST", Pattern: "/admin/users/{id}/reset-totp", Action: access.UserManage, h: (*server).handleResetTOTP},
	{Method: "POST", Pattern: "/admin/users/{id}/revoke-sessions", Action: access.SessionRevoke, h: (*server).handleRevokeSessions},
	{Method: "GET", Pattern: "/audit", Action: access.AuditRead, h: (*server).handleAudit},
	{Method: "GET", Pattern: "/audit/export.csv", Action: access.AuditRead, h: (*server).handleAuditCSV},
	{Method: "GET", Pattern: "/cases", Action: access.CaseList, h: (*server).handleCases},
	{Method: "POST", Pattern: "/cases/search", Action: access.CaseList, h: (*server).handleCaseSearch},
	{Method: "GET", Pattern: "/cases/new", Action: access.CaseCreate, h: (*server).handleCaseNew},
	{Method: "POST", Pattern: "/cases", Action: access.CaseCreate, h: (*server).handleCaseCreate},
	{Method: "GET", Pattern: "/cases/{id}", Action: access.CaseView, h: (*server).handleCase},
	{Method: "GET", Pattern: "/cases/{id}/history", Action: access.CaseView, h: (*server).handleCaseHistory},
	{Method: "GET", Pattern: "/cases/{id}/edit", Action: access.CaseEdit, h: (*server).handleCaseEdit},
	{Method: "POST", Pattern: "/cases/{id}/edit", Action: access.CaseEdit, h: (*server).handleCaseUpdate},
	{Method: "POST", Pattern: "/cases/{id}/transitions", Action: access.CaseTransition, h: (*server).handleCaseTransition},
	{Method: "POST", Pattern: "/cases/{id}/decisions", Action: access.CaseDecide, h: (*server).handleCaseDecision},
	{Method: "POST", Pattern: "/cases/{id}/team", Action: access.CaseTeamManage, h: (*server).handleCaseTeam},
	{Method: "POST", Pattern: "/cases/{id}/breakglass", Action: access.BreakGlassUse, h: (*server).handleCaseBreakGlass},
	{Method: "POST", Pattern: "/cases/{id}/consent", Action: access.ConsentRecord, h: (*server).handleConsentRecord},
	{Method: "POST", Pattern: "/cases/{id}/guardians", Action: access.GuardianRecord, h: (*server).handleGuardianRecord},
	{Method: "POST", Pattern: "/cases/{id}/consent/{entry}/withdraw", Action: access.ConsentRecord, h: (*server).handleConsentWithdraw},
	{Method: "POST", Pattern: "/cases/{id}/risk", Action: access.AssessmentRecord, h: (*server).handleRiskRecord},
	{Method: "POST", Pattern: "/cases/{id}/needs", Action: access.AssessmentRecord, h: (*server).handleNeedsRecord},
	{Method: "POST", Pattern: "/cases/{id}/plan", Action: access.PlanWrite, h: (*server).handlePlanCreate},
	{Method: "POST", Pattern: "/cases/{id}/plan/items", Action: access.PlanWrite, h: (*server).handlePlanItemAdd},
	{Method: "POST", Pattern: "/cases/{id}/plan/items/{item}/progress", Action: access.PlanWrite, h: (*server).handlePlanProgress},
	{Method: "POST", Pattern: "/cases/{id}/notes", Action: access.NoteWrite, h: (*server).handleNoteAdd},
	{Method: "POST", Pattern: "/cases/{id}/documents", Action: access.DocumentWrite, h: (*server).handleDocumentUpload},
	{Method: "GET", Pattern: "/cases/{id}/documents/{doc}", Action: access.DocumentRead, h: (*server).handleDocumentDownload},
	// Domestic and gender-based violence on the case page (gbv.go).
	{Method: "POST", Pattern: "/cases/{id}/gbv-type", Action: access.CaseEdit, h: (*server).handleGBVType},
	{Method: "POST", Pattern: "/cases/{id}/gbv/incidents", Action: access.GBVRecord, h: (*server).handleGBVIncident},
	{Method: "POST", Pattern: "/cases/{id}/gbv/risk-assessments", Action: access.GBVAssess, h: (*server).handleGBVRisk},
	{Method: "POST", Pattern: "/cases/{id}/gbv/safety-plans", Action: access.GBVAssess, h: (*server).handleGBVSafety},
	{Method: "POST", Pattern: "/cases/{id}/gbv/orders", Action: access.GBVOrder, h: (*server).handleGBVOrder},
	{Method: "POST", Pattern: "/cases/{id}/gbv/orders/{order}/violations", Action: access.GBVOrder, h: (*server).handleGBVViolation},
	{Method: "POST", Pattern: "/cases/{id}/gbv/dependants", Action: access.GBVRecord, h: (*server).handleGBVDependant},
	{Method: "POST", Pattern: "/cases/{id}/gbv/perpetrators", Action: access.GBVPerpetratorWrite, h: (*server).handleGBVPerpetrator},
	{Method: "GET", Pattern: "/gbv/classify", Action: access.GBVClassify, h: (*server).handleGBVClassifyForm},
	{Method: "POST", Pattern: "/gbv/classify", Action: access.GBVClassify, h: (*server).handleGBVClassify},
	{Method: "POST", Pattern: "/tasks/{id}/done", Action: access.TaskComplete, h: (*server).handleTaskDone},
	{Method: "GET", Pattern: "/screening", Action: access.ScreeningAssess, h: (*server).handleScreeningForm},
	{Method: "POST", Pattern: "/screening", Action: access.ScreeningAssess, h: (*server).handleScreeningAssess},
	{Method: "POST", Pattern: "/screening/save", Action: access.ScreeningRecord, h: (*server).handleScreeningSave},
	{Method: "GET", Pattern: "/screening/{id}", Action: access.ScreeningRead, h: (*server).handleScreeningView},
	{Method: "POST", Pattern: "/screening/{id}/attach", Action: access.CaseEdit, h: (*server).handleScreeningAttach},
	{Method: "POST", Pattern: "/cases/{id}/screenings", Action: access.CaseEdit, h: (*server).handleCaseScreeningAttach},
	{Method: "POST", Pattern: "/screening/palermo", Action: access.ScreeningAssess, h: (*server).handlePalermo},
	{Method: "POST", Pattern: "/cases/{id}/referrals", Action: access.ReferralCreate, h: (*server).handleReferralCreate},
	{Method: "POST", Pattern: "/cases/{id}/stays", Action: access.StayRecord, h: (*server).handleStayAdmit},
	{Method: "POST", Pattern: "/cases/{id}/stays/{stay}/discharge", Action: access.StayRecord, h: (*server).handleStayDischarge},
	{Method: "POST", Pattern: "/cases/{id}/stays/{stay}/extend", Action: access.StayRecord, h: (*server).handleStayExtend},
	{Method: "GET", Pattern: "/referrals", Action: access.ReferralView, h: (*server).handleReferrals},
	{Method: "GET", Pattern: "/referrals/{id}", Action: access.ReferralView, h: (*server).handleReferral},
	{Method: "POST", Pattern: "/referrals/{id}/accept", Action: access.ReferralAnswer, h: (*server).handleReferralAccept},
	{Method: "POST", Pattern: "/referrals/{id}/decline", Action: access.ReferralAnswer, h: (*server).handleReferralDecline},
	{Method: "POST", Pattern: "/referrals/{id}/withdraw", Action: access.ReferralCreate, h: (*server).handleReferralWithdraw},
	{Method: "GET", Pattern: "/services", Action: access.ServiceView, h: (*server).handleServices},
	{Method: "GET", Pattern: "/services/new", Action: access.ServiceManage, h: (*server).handleServiceNew},
	{Method: "POST", Pattern: "/services", Action: access.ServiceManage, h: (*server).handleServiceCreate},
	{Method: "GET", Pattern: "/services/{id}", Action: access.ServiceView, h: (*server).handleServiceView},
	{Method: "POST", Pattern: "/services/{id}", Action: access.ServiceManage, h: (*server).handleServiceUpdate},
	{Method: "GET", Pattern: "/shelters", Action: access.ServiceView, h: (*server).handleShelters},
	{Method: "GET", Pattern: "/notifications", Action: access.NotificationRead, h: (*server).handleNotifications},
	{Method: "POST", Pattern: "/notifications/{id}/read", Action: access.NotificationRead, h: (*server).handleNotificationRead},
	{Method: "GET", Pattern: "/duplicates", Action: access.DuplicateReview, h: (*server).handleDuplicates},
	{Method: "POST", Pattern: "/duplicates/{id}/merge", Action: access.DuplicateMerge, h: (*server).handleDuplicateMerge},
	{Method: "POST", Pattern: "/duplicates/{id}/dismiss", Action: access.DuplicateReview, h: (*server).handleDuplicateDismiss},
	{Method: "POST", Pattern: "/merges/{id}/undo", Action: access.DuplicateMerge, h: (*server).handleMergeUndo},
	{Method: "GET", Pattern: "/stats", Action: access.StatsView, h: (*server).handleStats},
	{Method: "GET", Pattern: "/stats/reports", Action: access.StatsView, h: (*server).handleStatsReports},
	{Method: "GET", Pattern: "/stats/reports/{name}/{format}", Action: access.StatsView, h: (*server).handleStatsReportFile},
	{Method: "GET", Pattern: "/stats/quality", Action: access.StatsQuality, h: (*server).handleStatsQuality},
	{Method: "GET", Pattern: "/helpline", Action: access.HelplineLog, h: (*server).handleHelpline},
	{Method: "POST", Pattern: "/helpline/contacts", Action: access.HelplineLog, h: (*server).handleHelplineLog},
	{Method: "GET", Pattern: "/helpline/contacts/{id}", Action: access.HelplineRead, h: (*server).handleHelplineContact},
	{Method: "POST", Pattern: "/helpline/contacts/{id}/case", Action: access.HelplineCase, h: (*server).handleHelplineCase},
	{Method: "POST", Pattern: "/helpline/contacts/{id}/callback", Action: access.HelplineLog, h: (*server).handleHelplineCallbackDone},
	{Method: "GET", Pattern: "/helpline/figures", Action: access.HelplineStats, h: (*server).handleHelplineFigures},
	{Method: "GET", Pattern: "/helpline/figures.csv", Action: access.HelplineStats, h: (*server).handleHelplineFiguresCSV},
	// The public portal (internal/portal): no sign-in, no cookie; see portal.go.
	{Method: "GET", Pattern: "/help", Public: true, h: (*server).handlePortalRoot},
	{Method: "GET", Pattern: "/help/{$}", Public: true, h: portalPage("home")},
	{Method: "GET", Pattern: "/help/recognise", Public: true, h: portalPage("recognise")},
	{Method: "GET", Pattern: "/help/rights", Public: true, h: portalPage("rights")},
	{Method: "GET", Pattern: "/help/services", Public: true, h: portalPage("services")},
	{Method: "GET", Pattern: "/help/check", Public: true, h: portalPage("check")},
	{Method: "GET", Pattern: "/help/safety", Public: true, h: portalPage("safety")},
	{Method: "GET", Pattern: "/help/tip", Public: true, h: portalPage("tip")},
	{Method: "POST", Pattern: "/help/tip", Public: true, h: (*server).handleTipSubmit},
	{Method: "GET", Pattern: "/help/tip/thanks/{token}", Public: true, h: (*server).handleTipThanks},
	{Method: "GET", Pattern: "/help/tip/add", Public: true, h: (*server).handleTipAddForm},
	{Method: "POST", Pattern: "/help/tip/add", Public: true, h: (*server).handleTipAdd},
	{Method: "GET", Pattern: "/help/tip/challenge", Public: true, h: (*server).handleTipChallenge},
	{Method: "GET", Pattern: "/help/static/{file}", Public: true, h: (*server).handlePortalAsset},
	// The tips' triage queue (internal/tips): police and coordinator.
	{Method: "GET", Pattern: "/tips", Action: access.TipRead, h: (*server).handleTips},
	{Method: "GET", Pattern: "/tips/export.csv", Action: access.TipRead, h: (*server).handleTipsCSV},
	{Method: "GET", Pattern: "/tips/{id}", Action: access.TipRead, h: (*server).handleTip},
	{Method: "POST", Pattern: "/tips/{id}/state", Action: access.TipTriage, h: (*server).handleTipState},
	{Method: "GET", Pattern: "/healthz", Public: true, h: (*server).handleHealthz},
	{Method: "GET", Pattern: "/readyz", Public: true, h: (*server).handleReadyz},
	{Method: "GET", Pattern: "/metrics", Public: true, h: (*server).handleMetrics},
}

// Routes returns the page routes (for the access matrix test).
func Routes() []Route { return append([]Route(nil), routes...) }
