package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

const auditPage = 50

// The auditor's view: each event as who (name, role, organisation), what (a
// sentence), on which record (a case reference, an account's owner, never an
// internal id), why (the break-glass reason, decrypted for the auditor and
// audited as a read) and the outcome. The stored events are not changed:
// this file only reads and renders them.

// auditRow is one event as the auditor reads it.
type auditRow struct {
	Seq                int64
	At                 time.Time
	Who, Role, Org     string
	What, Record, Why  string
	Outcome            string // ok, denied or failed: a CSS hook
	OutcomeLabel       string
	BreakGlass         bool
	BreakGlassReviewed bool
}

// auditOption is one choice of a filter's list.
type auditOption struct{ Value, Label string }

type auditData struct {
	Rows       []auditRow
	Total      int
	Capped     bool // more than Total events match
	Page, Last int
	PrevURL    string
	NextURL    string
	ExportURL  string
	People     []auditOption
	Groups     []auditOption
	Actions    []auditOption
	Outcomes   []auditOption
	Filtered   bool
}

// auditOutcomes are the outcome filter's choices: the stored outcomes, and
// the break-glass accesses to review.
var auditOutcomes = []string{"ok", "denied", "failed", "breakglass"}

// caseRefRE is the shape of a case reference (XK-2026-0042).
var caseRefRE = regexp.MustCompile(`^[A-Z]{2,3}-[0-9]{4}-[0-9]{1,8}$`)

// auditActionNames lists the actions that have a sentence in the catalogue
// (audit.act.<action>), sorted; groups are their first segments.
func auditActionNames() (actions, groups []string) {
	seen := map[string]bool{}
	for _, k := range i18n.Keys() {
		if a, ok := strings.CutPrefix(k, "audit.act."); ok {
			actions = append(actions, a)
		}
		if g, ok := strings.CutPrefix(k, "audit.group."); ok && !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	return actions, groups
}

// auditFilter reads the audit view's filters from the query string and
// checks each against its list. people is the set of user ids the person
// filter may name (nil: any id is refused). Errors are keyed by field.
func auditFilter(q url.Values, people map[string]bool) (audit.Filter, map[string]string) {
	var f audit.Filter
	bad := map[string]string{}
	day := func(name string, end bool) *time.Time {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return nil
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			bad[name] = "validation.date"
			return nil
		}
		if end {
			t = t.Add(24 * time.Hour)
		}
		return &t
	}
	f.From, f.To = day("from", false), day("to", true)
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		bad["to"] = "audit.err.range"
	}
	str := func(name string) string {
		v := strings.TrimSpace(q.Get(name))
		if len(v) > 200 {
			v = v[:200]
		}
		return v
	}
	if v := str("actor"); v != "" {
		if !people[v] {
			bad["actor"] = "audit.err.actor"
		} else {
			f.ActorID = &v
		}
	}
	if v := str("case"); v != "" {
		v = strings.ToUpper(v)
		if !caseRefRE.MatchString(v) {
			bad["case"] = "audit.err.case"
		} else {
			typ := "case"
			f.ObjectType, f.ObjectID = &typ, &v
		}
	}
	actions, groups := auditActionNames()
	if v := str("group"); v != "" {
		if !slices.Contains(groups, v) {
			bad["group"] = "audit.err.group"
		} else {
			for _, a := range actions {
				if strings.HasPrefix(a, v+".") {
					f.Actions = append(f.Actions, a)
				}
			}
		}
	}
	if v := str("action"); v != "" {
		if !slices.Contains(actions, v) {
			bad["action"] = "audit.err.action"
		} else {
			f.Action = &v
		}
	}
	switch v := str("outcome"); v {
	case "":
	case "breakglass":
		// The emergency accesses opened, each with its reason and whether
		// it was reviewed (the reads made under one carry its purpose and
		// are marked where they appear).
		if f.Action != nil && *f.Action != "breakglass.open" {
			bad["outcome"] = "audit.err.outcome_action"
		}
		open := "breakglass.open"
		f.Action = &open
	case audit.OutcomeOK, audit.OutcomeDenied, audit.OutcomeFailed:
		f.Outcome = &v
	default:
		bad["outcome"] = "audit.err.outcome"
	}
	return f, bad
}

func (s *server) handleAudit(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	ctx := r.Context()
	a := st.user.Actor()
	q := r.URL.Query()
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg < 1 || pg > 1_000_000 {
		pg = 1
	}
	d := auditData{Page: pg}
	people, err := s.app.Auth.UserChoices(ctx, a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	known := map[string]bool{}
	for _, u := range people {
		known[u.ID] = true
		d.People = append(d.People, auditOption{Value: u.ID, Label: st.p.T("audit.person_option", "name", u.Name,
			"role", st.p.T("role."+string(u.Role)), "org", u.OrgName)})
	}
	slices.SortStableFunc(d.People, func(x, y auditOption) int { return strings.Compare(x.Label, y.Label) })
	actions, groups := auditActionNames()
	for _, g := range groups {
		d.Groups = append(d.Groups, auditOption{Value: g, Label: st.p.T("audit.group." + g)})
	}
	for _, act := range actions {
		d.Actions = append(d.Actions, auditOption{Value: act, Label: st.p.T("audit.act." + act)})
	}
	for _, o := range auditOutcomes {
		d.Outcomes = append(d.Outcomes, auditOption{Value: o, Label: st.p.T("audit.outcome." + o)})
	}
	f, bad := auditFilter(q, known)
	for _, k := range []string{"from", "to", "actor", "case", "group", "action", "outcome"} {
		if q.Get(k) != "" {
			d.Filtered = true
		}
	}
	var events []audit.Event
	if len(bad) == 0 {
		f.Offset, f.Limit = (pg-1)*auditPage, auditPage
		events, d.Total, err = audit.Find(ctx, s.app.DB.Read(), f)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Rows, err = s.auditRows(ctx, st, a, events); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	more := d.Total
	if d.Total > audit.CountLimit {
		d.Total, d.Capped = audit.CountLimit, true
	}
	d.Last = (d.Total + auditPage - 1) / auditPage
	link := func(p int) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("page", strconv.Itoa(p))
		return "/audit?" + c.Encode()
	}
	if pg > 1 {
		d.PrevURL = link(pg - 1)
	}
	if pg*auditPage < more {
		d.NextURL = link(pg + 1)
	}
	c := url.Values{}
	for k, v := range q {
		if k != "page" && k != "lang" {
			c[k] = v
		}
	}
	d.ExportURL = "/audit/export.csv?" + c.Encode()
	p := s.newPage(r, "audit.title", &d)
	p.Form = q
	status := http.StatusOK
	if len(bad) > 0 {
		for field, key := range bad {
			p.Errors[field] = st.p.T(key)
		}
		p.ErrorForm = "audit-filter"
		p.Error = st.p.T("audit.err.summary")
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "audit", p)
}

// auditRows renders events for the auditor: names looked up in two queries,
// break-glass reasons decrypted in one (and that reading audited).
func (s *server) auditRows(ctx context.Context, st *state, a access.Actor, events []audit.Event) ([]auditRow, error) {
	t := st.p.T
	var userIDs, orgIDs, grants []string
	for _, e := range events {
		userIDs = append(userIDs, e.Actor.UserID)
		orgIDs = append(orgIDs, e.Actor.OrgID)
		switch e.ObjectType {
		case "user":
			userIDs = append(userIDs, e.ObjectID)
		case "organisation":
			orgIDs = append(orgIDs, e.ObjectID)
		}
		if g, ok := strings.CutPrefix(e.Purpose, "break_glass:"); ok {
			grants = append(grants, g)
		}
	}
	users, err := s.app.Auth.UserLabels(ctx, a, userIDs)
	if err != nil {
		return nil, err
	}
	orgs, err := s.app.Auth.OrgNames(ctx, a, orgIDs)
	if err != nil {
		return nil, err
	}
	var reasons map[string]breakglass.Reason
	if len(grants) > 0 && s.app.BreakGlass != nil && access.Can(a, access.BreakGlassReview) {
		if reasons, err = s.app.BreakGlass.Reasons(ctx, a, grants); err != nil {
			return nil, err
		}
	}
	rows := make([]auditRow, 0, len(events))
	for _, e := range events {
		row := auditRow{Seq: e.Seq, At: e.At, Outcome: e.Outcome, What: auditSentence(t, e.Action)}
		switch e.Outcome {
		case audit.OutcomeOK, audit.OutcomeDenied, audit.OutcomeFailed:
		default:
			row.Outcome = audit.OutcomeOK
		}
		row.OutcomeLabel = t("audit.outcome." + row.Outcome)
		// Who: the name (an auditor sees every name), the role the event
		// was made in, the organisation.
		switch {
		case e.Actor.UserID == "system":
			row.Who = t("audit.who_system")
		case e.Actor.UserID == "":
			row.Who = t("audit.who_anonymous")
		default:
			if u, ok := users[e.Actor.UserID]; ok && u.Name != "" {
				row.Who = u.Name
			} else if ok {
				row.Who = t("role." + string(u.Role))
			} else {
				row.Who = t("audit.who_unknown")
			}
		}
		if k := "role." + e.Actor.Role; e.Actor.Role != "" && e.Actor.Role != "system" && t(k) != k {
			row.Role = t(k)
		}
		row.Org = orgs[e.Actor.OrgID]
		row.Record = auditRecord(t, e, users, orgs)
		if g, ok := strings.CutPrefix(e.Purpose, "break_glass:"); ok {
			row.BreakGlass = true
			if rs, ok := reasons[g]; ok && rs.Text != "" {
				row.Why = t("audit.why.breakglass", "reason", rs.Text)
				row.BreakGlassReviewed = rs.Reviewed
			} else {
				row.Why = t("audit.why.breakglass_shredded")
			}
		} else {
			row.Why = auditWhy(t, e)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// auditSentence says what an event's action did.
func auditSentence(t func(string, ...any) string, action string) string {
	k := "audit.act." + action
	if v := t(k); v != k {
		return v
	}
	return t("audit.act_other")
}

// auditRecord names the record an event is about: a case by its
// reference, a record of a case as "note in case XK-…", an account by its
// owner, an organisation by its name; an internal id never.
func auditRecord(t func(string, ...any) string, e audit.Event, users map[string]auth.UserLabel, orgs map[string]string) string {
	typ := e.ObjectType
	label := ""
	if typ != "" {
		if k := "audit.type." + typ; t(k) != k {
			label = t(k)
		} else {
			label = t("audit.type.other")
		}
	}
	switch typ {
	case "case":
		if caseRefRE.MatchString(e.ObjectID) {
			return e.ObjectID
		}
	case "user":
		if u, ok := users[e.ObjectID]; ok {
			return t("audit.record.user", "user", userLabelText(t, u))
		}
	case "organisation":
		if o := orgs[e.ObjectID]; o != "" {
			return t("audit.record.org", "org", o)
		}
	case "route":
		if _, path, ok := strings.Cut(e.ObjectID, ":"); ok && strings.HasPrefix(path, "/") {
			return t("audit.record.route", "path", path)
		}
	case "helpline_contact":
		for _, kv := range strings.Split(e.Detail, ";") {
			if ref, ok := strings.CutPrefix(kv, "ref="); ok && helplineRefRE.MatchString(ref) {
				return t("audit.record.helpline_contact", "reference", ref)
			}
		}
	}
	for _, kv := range strings.FieldsFunc(e.Detail, func(r rune) bool { return r == ',' || r == ';' }) {
		if ref, ok := strings.CutPrefix(kv, "case="); ok && caseRefRE.MatchString(ref) {
			return t("audit.record.in_case", "type", label, "reference", ref)
		}
	}
	return label
}

// auditWhy says why, for events without a break-glass grant: a consent
// override, an emergency overflow, or the reason a sign-in failed.
func auditWhy(t func(string, ...any) string, e audit.Event) string {
	switch {
	case strings.HasPrefix(e.Purpose, "consent_override:"):
		return t("audit.why.consent_override")
	case e.Purpose == "emergency_overflow":
		return t("audit.why.emergency_overflow")
	case e.Purpose != "":
		return t("audit.why.other")
	}
	if e.Outcome != audit.OutcomeOK && e.Outcome != "" {
		reason := strings.TrimPrefix(e.Detail, "reason=")
		if k := "audit.failure." + reason; codeOK(reason) && t(k) != k {
			return t(k)
		}
	}
	return ""
}

// handleAuditCSV exports the filtered events (at most 100,000 per file); the
// export itself is an audited act.
func (s *server) handleAuditCSV(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	people, err := s.app.Auth.UserChoices(r.Context(), st.user.Actor())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	known := map[string]bool{}
	for _, u := range people {
		known[u.ID] = true
	}
	f, bad := auditFilter(r.URL.Query(), known)
	if len(bad) > 0 {
		for field, key := range bad {
			s.renderError(w, r, errs.InvalidField(field, key))
			return
		}
	}
	f.Limit = 100_000
	events, _, err := audit.Find(r.Context(), s.app.DB.Read(), f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, err := audit.AppendNow(r.Context(), s.app.DB, s.now(), audit.Event{
		Actor: actorAudit(st.user), Action: "audit.export", ObjectType: "audit", Detail: "rows=" + strconv.Itoa(len(events)), RequestID: st.id,
	}); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ura-audit.csv"`)
	if err := audit.WriteCSV(w, events); err != nil {
		s.log.Error("audit csv", "id", st.id, "err", err)
	}
}

func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleReadyz answers 200 only when the database answers and its schema is
// the one this binary knows, so a load balancer sends no traffic before.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.app.DB.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	if err := s.app.DB.CheckSchema(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("schema not current\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
