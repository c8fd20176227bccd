package cases

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// TimelineEntry is one thing that happened on a case, written by the
// capability that did it. Summary and the other fields are codes and ids,
// never personal text: the timeline is shown to the whole team and to the
// coordinator, and the record itself lives in RefTable/RefID, behind that
// capability's own access checks.
type TimelineEntry struct {
	ID     string
	CaseID string
	At     time.Time
	// Kind: stage, decision, consent, note, task, screening, referral, team, …
	Kind              string
	ActorID, ActorOrg string
	RefTable, RefID   string
	// Visibility is VisibleTeam, VisibleCoordinator or "org:<orgID>".
	Visibility string
	Summary    string
}

// Timeline visibilities.
const (
	// VisibleTeam entries are seen by everyone who may see the case.
	VisibleTeam = "team"
	// VisibleCoordinator entries are seen by the coordinator only (a possible
	// duplicate registered elsewhere).
	VisibleCoordinator = "coordinator"
)

// VisibleOrg returns the visibility of an entry only orgID sees.
func VisibleOrg(orgID string) string { return "org:" + orgID }

var (
	kindRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	codeRE    = regexp.MustCompile(`^[A-Za-z0-9._:/=,;-]{0,256}$`)
	maxIDLike = 64
)

// AppendTimeline writes e in the caller's transaction (the one that made the
// change), so the timeline never shows what did not happen. ID and At are
// filled when empty (At from tx.Now). Summary must be codes: letters, digits
// and ._:/=,;- with no spaces, so free text cannot slip in.
func AppendTimeline(ctx context.Context, tx *store.Tx, e TimelineEntry) error {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.At.IsZero() {
		e.At = tx.Now
	}
	if e.Visibility == "" {
		e.Visibility = VisibleTeam
	}
	switch {
	case e.CaseID == "":
		return errs.Internalf("timeline: no case")
	case !kindRE.MatchString(e.Kind):
		return errs.Internalf("timeline: kind must be a lower-case code")
	case !codeRE.MatchString(e.Summary):
		return errs.Internalf("timeline: summary must be codes only")
	case e.Visibility != VisibleTeam && e.Visibility != VisibleCoordinator && !strings.HasPrefix(e.Visibility, "org:"):
		return errs.Internalf("timeline: visibility must be team, coordinator or org:<id>")
	}
	for _, v := range []string{e.ActorID, e.ActorOrg, e.RefTable, e.RefID, e.Visibility} {
		if len(v) > maxIDLike+4 || !codeRE.MatchString(v) {
			return errs.Internalf("timeline: ids must be codes")
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, at, kind, actor_id, actor_org, ref_table, ref_id, visibility, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, e.ID, e.CaseID, store.T(e.At), e.Kind, e.ActorID, e.ActorOrg,
		e.RefTable, e.RefID, e.Visibility, e.Summary)
	if err != nil {
		return errs.Internalf("timeline insert: %w", err)
	}
	return nil
}

// timelineEntry builds an entry made by actor.
func timelineEntry(actor access.Actor, caseID, kind, summary string) TimelineEntry {
	e := TimelineEntry{CaseID: caseID, Kind: kind, ActorID: actor.UserID, ActorOrg: actor.OrgID, Summary: summary}
	if actor.System {
		e.ActorID, e.ActorOrg = "system", ""
	}
	return e
}

// Timeline returns the entries of a case the actor may see, newest first:
// team entries, entries of the actor's own organisation, and for the
// coordinator the coordinator's entries.
func (s *Service) Timeline(ctx context.Context, actor access.Actor, caseID string) ([]TimelineEntry, error) {
	ref, err := s.Authorize(ctx, s.DB.Read(), actor, caseID, access.CaseView)
	if err != nil {
		return nil, err
	}
	return s.timeline(ctx, s.DB.Read(), actor, ref.ID)
}

func (s *Service) timeline(ctx context.Context, q store.Querier, actor access.Actor, caseID string) ([]TimelineEntry, error) {
	vis := []any{caseID, VisibleTeam, VisibleOrg(actor.OrgID), "-"}
	if actor.Role == access.Coordinator || actor.System {
		vis[3] = VisibleCoordinator
	}
	rows, err := q.QueryContext(ctx, `SELECT id, at, kind, actor_id, actor_org, ref_table, ref_id, visibility, summary
		FROM case_events WHERE case_id = $1 AND visibility IN ($2, $3, $4) ORDER BY at DESC, id DESC`, vis...)
	if err != nil {
		return nil, errs.Internalf("timeline: %w", err)
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		e := TimelineEntry{CaseID: caseID}
		var at store.Time
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.ActorID, &e.ActorOrg, &e.RefTable, &e.RefID, &e.Visibility, &e.Summary); err != nil {
			return nil, errs.Internalf("timeline scan: %w", err)
		}
		e.At = at.Time
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("timeline: %w", err)
	}
	return out, nil
}
