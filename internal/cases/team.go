package cases

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// TeamMember is an organisation (UserID empty: all its staff) or a named
// user of it on a case team.
type TeamMember struct {
	OrgID, OrgName string
	OrgType        access.OrgType
	UserID         string
	RoleInCase     string
	// Via is how the member joined: owner, referral or assigned.
	Via     string
	AddedAt time.Time
	AddedBy string
}

// The ways onto a team.
const (
	ViaOwner    = "owner"
	ViaReferral = "referral"
	ViaAssigned = "assigned"
)

func (s *Service) team(ctx context.Context, q store.Querier, caseID string) ([]TeamMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.org_id, t.user_id, t.role_in_case, t.via, t.added_at, t.added_by
		FROM case_team t WHERE t.case_id = $1`, caseID)
	if err != nil {
		return nil, errs.Internalf("read team: %w", err)
	}
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		var at store.Time
		if err := rows.Scan(&m.OrgID, &m.UserID, &m.RoleInCase, &m.Via, &at, &m.AddedBy); err != nil {
			rows.Close()
			return nil, errs.Internalf("read team: %w", err)
		}
		m.AddedAt = at.Time
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read team: %w", err)
	}
	return nameTeam(ctx, q, out)
}

// AddTeamMember puts an organisation (userID ”) or a named user of it on
// the case team, in the caller's transaction, with an audit event and a
// timeline entry. Adding an existing member changes nothing.
//
// via is ViaReferral or ViaAssigned. For ViaReferral the caller (the referral
// capability, on acceptance) has already checked that actor may accept the
// referral, and the actor need not be on the team yet; for ViaAssigned the
// actor needs case.team on the case.
func (s *Service) AddTeamMember(ctx context.Context, tx *store.Tx, actor access.Actor, caseID, orgID, userID, via string) error {
	var ref *Ref
	var err error
	switch via {
	case ViaAssigned:
		ref, err = s.Authorize(ctx, tx, actor, caseID, access.CaseTeamManage)
	case ViaReferral:
		ref, err = s.refByID(ctx, tx, caseID)
	default:
		return errs.InvalidField("via", "case.via_invalid")
	}
	if err != nil {
		return err
	}
	if err := checkTeamMember(ctx, tx, orgID, userID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO case_team (case_id, org_id, user_id, role_in_case, via, added_at, added_by)
		VALUES ($1, $2, $3, '', $4, $5, $6) ON CONFLICT DO NOTHING`, ref.ID, orgID, userID, via, store.T(tx.Now), actor.UserID)
	if err != nil {
		return errs.Internalf("insert team member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	detail := "org=" + orgID + ",via=" + via
	if userID != "" {
		detail += ",user=" + userID
	}
	if err := AppendTimeline(ctx, tx, timelineEntry(actor, ref.ID, "team", "joined;v=2;"+strings.ReplaceAll(detail, ",", ";"))); err != nil {
		return err
	}
	for _, h := range s.OnTeamJoin {
		if err := h(ctx, tx, *ref, orgID); err != nil {
			return err
		}
	}
	return record(ctx, tx, actor, "case.team_add", ref.Reference, detail)
}

// AddToTeam is AddTeamMember (ViaAssigned) in its own transaction, for the
// case page and the API.
func (s *Service) AddToTeam(ctx context.Context, actor access.Actor, caseID, orgID, userID string) error {
	if err := access.Check(actor, access.CaseTeamManage); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		return s.AddTeamMember(ctx, tx, actor, caseID, orgID, userID, ViaAssigned)
	})
}

// refByID reads a case's Ref without an access check, for callers that have
// made their own (referral acceptance).
func (s *Service) refByID(ctx context.Context, q store.Querier, caseID string) (*Ref, error) {
	var r Ref
	var child int
	err := q.QueryRowContext(ctx, `SELECT id, reference, owner_org, is_child, stage, victim_status, key_id FROM cases WHERE id = $1`,
		caseID).Scan(&r.ID, &r.Reference, &r.OwnerOrg, &child, &r.Stage, &r.Status, &r.KeyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read case: %w", err)
	}
	r.IsChild = child == 1
	return &r, nil
}
