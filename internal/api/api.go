// Package api serves Ura's JSON API under /api/v1/ for scripts and other
// systems: bearer tokens, one route table, RFC 9457 problem details for every
// error, and the OpenAPI 3.1 document at /api/openapi.json.
package api

import (
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// Deps are the services the API calls.
type Deps struct {
	Auth  *auth.Service
	DB    *store.DB
	Clock clock.Clock
	Log   *slog.Logger
	Cases *cases.Service

	// Screenings stores screenings; the indicator routes need only its catalogue.
	Screenings *identify.Service

	// Records serves consent, notes and documents, assessments and plans,
	// and tasks (caserecords.go).
	Records CaseRecords

	// Dedup serves the coordinator's review of duplicate persons (dedup.go).
	Dedup *dedup.Service

	// Notify serves the caller's notifications (notify.go); nil answers 404.
	Notify *notify.Service

	// Referral serves the service directory, placements, referrals and
	// shelter stays (referral.go); nil answers 404.
	Referral *referral.Service

	// Grants answers what a grant bought (grants.go); nil answers 404.
	Grants *grants.Service

	// Stats answers the standard reports (stats.go); nil answers 404.
	Stats *stats.Service
	// GBV records incidents of domestic and gender-based violence (gbv.go);
	// nil answers 404 (classification needs no service).
	GBV *gbv.Service
	// Helpline logs and reads the helpline's contacts and counts them
	// (helpline.go); nil answers 404.
	Helpline *helpline.Service
	// Justice serves the criminal-justice track (justice.go); nil answers 404.
	Justice *justice.Service

	// Exchange queues messages to partner countries and lists them
	// (exchange.go); nil answers 404.
	Exchange *exchange.Service
	// Coord serves the plans and the institutions' progress reports
	// (coord.go); nil answers 404.
	Coord *coord.Service

	// Limits are the rate limits of every API request (ratelimit.go);
	// the zero value has none.
	Limits Limits
}

// Route is one API endpoint and the action the policy must allow.
type Route struct {
	Method, Pattern string
	Action          access.Action
	Public          bool
	h               func(a *api, w http.ResponseWriter, r *http.Request, u *auth.User)
}

var routes = []Route{
	{Method: "GET", Pattern: "/api/openapi.json", Public: true, h: (*api).handleOpenAPI},
	{Method: "GET", Pattern: "/api/v1/me", Action: access.DashboardView, h: (*api).handleMe},
	{Method: "GET", Pattern: "/api/v1/grants/contracts/{id}/figures", Action: access.GrantFigures, h: (*api).handleGrantFigures},
	{Method: "GET", Pattern: "/api/v1/indicators", Action: access.ScreeningAssess, h: (*api).handleIndicators},
	{Method: "POST", Pattern: "/api/v1/screenings/assess", Action: access.ScreeningAssess, h: (*api).handleAssess},
	{Method: "POST", Pattern: "/api/v1/screenings", Action: access.ScreeningRecord, h: (*api).handleRecordScreening},
	{Method: "GET", Pattern: "/api/v1/screenings/{id}", Action: access.ScreeningRead, h: (*api).handleScreening},
	{Method: "GET", Pattern: "/api/v1/cases", Action: access.CaseList, h: (*api).handleCaseList},
	{Method: "POST", Pattern: "/api/v1/cases", Action: access.CaseCreate, h: (*api).handleCaseCreate},
	{Method: "GET", Pattern: "/api/v1/cases/{id}", Action: access.CaseView, h: (*api).handleCaseGet},
	{Method: "POST", Pattern: "/api/v1/cases/search", Action: access.CaseView, h: (*api).handleCaseSearch},
	{Method: "PATCH", Pattern: "/api/v1/cases/{id}", Action: access.CaseEdit, h: (*api).handleCaseUpdate},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/transitions", Action: access.CaseTransition, h: (*api).handleCaseTransition},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/decisions", Action: access.CaseDecide, h: (*api).handleCaseDecision},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/guardians", Action: access.GuardianRecord, h: (*api).handleCaseGuardian},

	// Case records (caserecords.go).
	{Method: "GET", Pattern: "/api/v1/cases/{id}/consents", Action: access.ConsentRead, h: (*api).handleConsentList},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/consents", Action: access.ConsentRecord, h: (*api).handleConsentRecord},
	{Method: "POST", Pattern: "/api/v1/consents/{id}/withdraw", Action: access.ConsentRecord, h: (*api).handleConsentWithdraw},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/risk-assessments", Action: access.AssessmentRecord, h: (*api).handleRiskAssessment},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/needs-assessments", Action: access.AssessmentRecord, h: (*api).handleNeedsAssessment},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/plans", Action: access.PlanWrite, h: (*api).handlePlanCreate},
	{Method: "POST", Pattern: "/api/v1/plans/{id}/items", Action: access.PlanWrite, h: (*api).handlePlanItem},
	{Method: "POST", Pattern: "/api/v1/plan-items/{id}/progress", Action: access.PlanWrite, h: (*api).handlePlanProgress},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/reviews", Action: access.PlanWrite, h: (*api).handleReview},
	{Method: "GET", Pattern: "/api/v1/cases/{id}/care", Action: access.PlanRead, h: (*api).handleCare},
	{Method: "GET", Pattern: "/api/v1/tasks", Action: access.TaskView, h: (*api).handleTasks},
	{Method: "GET", Pattern: "/api/v1/tasks/overdue", Action: access.TaskOverdue, h: (*api).handleTasksOverdue},
	{Method: "POST", Pattern: "/api/v1/tasks/{id}/done", Action: access.TaskComplete, h: (*api).handleTaskDone},
	{Method: "GET", Pattern: "/api/v1/cases/{id}/notes", Action: access.NoteRead, h: (*api).handleNotes},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/notes", Action: access.NoteWrite, h: (*api).handleNoteCreate},
	{Method: "GET", Pattern: "/api/v1/notes/{id}", Action: access.NoteRead, h: (*api).handleNote},
	{Method: "GET", Pattern: "/api/v1/cases/{id}/documents", Action: access.DocumentRead, h: (*api).handleDocuments},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/documents", Action: access.DocumentWrite, h: (*api).handleDocumentUpload},
	{Method: "GET", Pattern: "/api/v1/documents/{id}", Action: access.DocumentRead, h: (*api).handleDocument},

	// Notifications (notify.go).
	{Method: "GET", Pattern: "/api/v1/notifications", Action: access.NotificationRead, h: (*api).handleNotifications},
	{Method: "POST", Pattern: "/api/v1/notifications/{id}/read", Action: access.NotificationRead, h: (*api).handleNotificationRead},
	{Method: "GET", Pattern: "/api/v1/notification-outbox", Action: access.NotificationOutbox, h: (*api).handleNotificationOutbox},

	// Duplicate persons (dedup.go).
	{Method: "GET", Pattern: "/api/v1/duplicates", Action: access.DuplicateReview, h: (*api).handleDuplicates},
	{Method: "POST", Pattern: "/api/v1/duplicates/{id}/merge", Action: access.DuplicateMerge, h: (*api).handleDuplicateMerge},
	{Method: "POST", Pattern: "/api/v1/duplicates/{id}/dismiss", Action: access.DuplicateReview, h: (*api).handleDuplicateDismiss},
	{Method: "POST", Pattern: "/api/v1/merges/{id}/undo", Action: access.DuplicateMerge, h: (*api).handleMergeUndo},

	// Statistics (stats.go).
	{Method: "GET", Pattern: "/api/v1/stats/reports/{name}", Action: access.StatsView, h: (*api).handleStatsReport},
	// The helpline (helpline.go).
	{Method: "POST", Pattern: "/api/v1/helpline/contacts", Action: access.HelplineLog, h: (*api).handleHelplineLog},
	{Method: "GET", Pattern: "/api/v1/helpline/contacts/{id}", Action: access.HelplineRead, h: (*api).handleHelplineContact},
	{Method: "GET", Pattern: "/api/v1/helpline/figures", Action: access.HelplineStats, h: (*api).handleHelplineFigures},
	// The criminal-justice track (justice.go).
	{Method: "POST", Pattern: "/api/v1/criminal-cases", Action: access.JusticeRecord, h: (*api).handleCriminalCreate},
	{Method: "GET", Pattern: "/api/v1/criminal-cases/{id}", Action: access.JusticeView, h: (*api).handleCriminalCase},
	{Method: "POST", Pattern: "/api/v1/criminal-cases/{id}/events", Action: access.JusticeRecord, h: (*api).handleCriminalEvent},

	// The exchange with partner countries (exchange.go).
	{Method: "POST", Pattern: "/api/v1/exchange/messages", Action: access.ExchangeSend, h: (*api).handleExchangeSend},
	{Method: "GET", Pattern: "/api/v1/exchange/messages", Action: access.ExchangeRead, h: (*api).handleExchangeList},
	{Method: "GET", Pattern: "/api/v1/exchange/messages/{id}", Action: access.ExchangeRead, h: (*api).handleExchangeMessage},

	// Referrals (referral.go).
	{Method: "GET", Pattern: "/api/v1/services", Action: access.ServiceView, h: (*api).handleServiceList},
	{Method: "POST", Pattern: "/api/v1/services", Action: access.ServiceManage, h: (*api).handleServiceCreate},
	{Method: "GET", Pattern: "/api/v1/services/{id}", Action: access.ServiceView, h: (*api).handleServiceGet},
	{Method: "PATCH", Pattern: "/api/v1/services/{id}", Action: access.ServiceManage, h: (*api).handleServiceUpdate},
	{Method: "GET", Pattern: "/api/v1/shelters/availability", Action: access.ServiceView, h: (*api).handleAvailability},
	{Method: "GET", Pattern: "/api/v1/directory/export", Action: access.ServiceView, h: (*api).handleDirectoryExport},
	{Method: "POST", Pattern: "/api/v1/directory/import", Action: access.DirectoryImport, h: (*api).handleDirectoryImport},
	{Method: "GET", Pattern: "/api/v1/cases/{id}/placements", Action: access.ReferralCreate, h: (*api).handlePlacements},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/referrals", Action: access.ReferralCreate, h: (*api).handleReferralCreate},
	{Method: "GET", Pattern: "/api/v1/referrals", Action: access.ReferralView, h: (*api).handleReferralList},
	{Method: "GET", Pattern: "/api/v1/referrals/{id}", Action: access.ReferralView, h: (*api).handleReferralGet},
	{Method: "POST", Pattern: "/api/v1/referrals/{id}/accept", Action: access.ReferralAnswer, h: (*api).handleReferralAccept},
	{Method: "POST", Pattern: "/api/v1/referrals/{id}/decline", Action: access.ReferralAnswer, h: (*api).handleReferralDecline},
	{Method: "POST", Pattern: "/api/v1/referrals/{id}/complete", Action: access.ReferralAnswer, h: (*api).handleReferralComplete},
	{Method: "POST", Pattern: "/api/v1/referrals/{id}/withdraw", Action: access.ReferralCreate, h: (*api).handleReferralWithdraw},
	{Method: "GET", Pattern: "/api/v1/referrals/waiting", Action: access.ReferralView, h: (*api).handleWaiting},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/stays", Action: access.StayRecord, h: (*api).handleAdmit},
	{Method: "POST", Pattern: "/api/v1/stays/{id}/discharge", Action: access.StayRecord, h: (*api).handleDischarge},
	{Method: "POST", Pattern: "/api/v1/stays/{id}/exit-approvals", Action: access.StayApproveExit, h: (*api).handleExitApproval},
	{Method: "GET", Pattern: "/api/v1/coord/plans", Action: access.CoordView, h: (*api).handleCoordPlans},
	{Method: "GET", Pattern: "/api/v1/coord/plans/{id}", Action: access.CoordView, h: (*api).handleCoordPlan},
	{Method: "POST", Pattern: "/api/v1/coord/activities/{id}/progress", Action: access.CoordReport, h: (*api).handleCoordProgress},
	// Domestic and gender-based violence (gbv.go).
	{Method: "POST", Pattern: "/api/v1/gbv/classify", Action: access.GBVClassify, h: (*api).handleGBVClassify},
	{Method: "POST", Pattern: "/api/v1/cases/{id}/gbv/incidents", Action: access.GBVRecord, h: (*api).handleGBVIncident},
}

// Routes returns the API routes (for the access matrix and OpenAPI tests).
func Routes() []Route { return append([]Route(nil), routes...) }

type api struct {
	Deps
	limits limiters
}

// New returns the API handler; mount it at /api/.
func New(d Deps) http.Handler {
	a := &api{Deps: d, limits: newLimiters(d.Limits)}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Pattern, a.guard(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, errs.E(errs.NotFound, "error.not_found"), d.Log)
	})
	return a.limited(mux)
}

func (a *api) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(r.Context(), rt.Pattern)
		if rt.Public {
			rt.h(a, w, r, nil)
			return
		}
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ura"`)
			WriteProblem(w, r, errs.E(errs.Unauthenticated, "error.unauthenticated"), a.Log)
			return
		}
		u, err := a.Auth.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			if errs.Is(err, errs.Unauthenticated) || errs.Is(err, errs.NotFound) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ura", error="invalid_token"`)
				err = errs.E(errs.Unauthenticated, "error.unauthenticated")
			}
			WriteProblem(w, r, err, a.Log)
			return
		}
		if err := access.CheckRoute(u.Actor(), rt.Action); err != nil {
			WriteProblem(w, r, err, a.Log)
			return
		}
		rt.h(a, w, r, u)
	})
}

// writeJSON answers with a JSON document.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

type meResponse struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"organisation"`
}

func (a *api) handleMe(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var m meResponse
	m.ID, m.Email, m.Name, m.Role = u.ID, u.Email, u.Name, string(u.Role)
	m.Organisation.ID, m.Organisation.Name = u.OrgID, u.OrgName
	writeJSON(w, http.StatusOK, m)
}

//go:embed openapi.json
var openapiDoc []byte

func (a *api) handleOpenAPI(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiDoc)
}

// OpenAPI returns the embedded OpenAPI document.
func OpenAPI() []byte { return openapiDoc }
