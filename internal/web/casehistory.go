package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
)

// historyPreview is how many entries the case page shows; the rest are on
// the history sub-page (/cases/{id}/history), so a case with hundreds of
// entries keeps a light page.
const historyPreview = 15

// historyView is the case history as a page shows it.
type historyView struct {
	Lines []historyLine
	Total int
	// More is set when the case page shows only the newest entries; AllHref
	// and AllLabel lead to the whole history.
	More              bool
	AllHref, AllLabel string
	Showing           string
	CaseHref          string
}

// historyOf renders entries (newest first) with the names the actor may
// see, at most limit of them (0: all).
func (s *server) historyOf(ctx context.Context, st *state, actor access.Actor, caseID string, entries []cases.TimelineEntry, limit int) (*historyView, error) {
	v := &historyView{Total: len(entries), CaseHref: "/cases/" + caseID}
	if limit > 0 {
		// The case page always links to the whole history.
		v.AllHref = "/cases/" + caseID + "/history"
		v.AllLabel = st.p.N("history.show_all", v.Total)
	}
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
		v.More = true
		v.Showing = st.p.N("history.showing", limit)
	}
	names, err := s.historyNamesFor(ctx, st, actor, entries)
	if err != nil {
		return nil, err
	}
	in := make([]historyEntry, len(entries))
	for i, e := range entries {
		in[i] = historyEntry{At: e.At, Kind: e.Kind, Summary: e.Summary, ActorID: e.ActorID, ActorOrg: e.ActorOrg}
	}
	v.Lines = renderHistory(st.p.T, in, names)
	return v, nil
}

// historyNamesFor looks up, in two queries, the organisations and users the
// entries name, as the actor may see them.
func (s *server) historyNamesFor(ctx context.Context, st *state, actor access.Actor, entries []cases.TimelineEntry) (historyNames, error) {
	var orgIDs, userIDs []string
	for _, e := range entries {
		if e.ActorID != "" && e.ActorID != "system" {
			userIDs = append(userIDs, e.ActorID)
		}
		orgIDs = append(orgIDs, e.ActorOrg)
		p := parseSummary(e.Kind, e.Summary)
		for _, k := range []string{"org", "to", "by_org", "csw_informed"} {
			if v := p.Fields[k]; v != "" {
				orgIDs = append(orgIDs, v)
			}
		}
		if u := p.Fields["user"]; u != "" {
			userIDs = append(userIDs, u)
		}
	}
	orgs, err := s.app.Auth.OrgNames(ctx, actor, orgIDs)
	if err != nil {
		return historyNames{}, err
	}
	users, err := s.app.Auth.UserLabels(ctx, actor, userIDs)
	if err != nil {
		return historyNames{}, err
	}
	return historyNames{
		Org: func(id string) string { return orgs[id] },
		User: func(id string) string {
			l, ok := users[id]
			if !ok {
				return ""
			}
			return userLabelText(st.p.T, l)
		},
	}, nil
}

// userLabelText names a user: "name (organisation)" when the viewer may
// see the name, "role, organisation" otherwise.
func userLabelText(t func(string, ...any) string, l auth.UserLabel) string {
	if l.Name != "" {
		return t("history.user_named", "name", l.Name, "org", l.OrgName)
	}
	return t("history.user_role", "role", t("role."+string(l.Role)), "org", l.OrgName)
}

type caseHistoryData struct {
	Reference string
	History   *historyView
}

// handleCaseHistory shows the whole history of a case. The history holds no
// personal data of the person in the case, but it names the staff who
// worked on it: the read is audited like the case page's.
func (s *server) handleCaseHistory(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	ref, err := s.app.Cases.Authorize(ctx, s.app.DB.Read(), a, r.PathValue("id"), access.CaseView)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	entries, err := s.app.Cases.Timeline(ctx, a, ref.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, err := audit.AppendNow(ctx, s.app.DB, s.now(), audit.Event{Actor: actorAudit(st.user), Action: "case.read_history",
		ObjectType: "case", ObjectID: ref.Reference, Detail: "entries=" + strconv.Itoa(len(entries)), RequestID: st.id}); err != nil {
		s.renderError(w, r, err)
		return
	}
	h, err := s.historyOf(ctx, st, a, ref.ID, entries, 0)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "history.heading", &caseHistoryData{Reference: ref.Reference, History: h})
	p.Title = st.p.T("history.title", "reference", ref.Reference)
	s.render(w, r, http.StatusOK, "case_history", p)
}

// historyKinds is every kind a timeline entry is written with; the tests
// render each.
var historyKinds = strings.Fields("stage decision duplicate team update plan screening note document merge unmerge task consent referral stay helpline")
