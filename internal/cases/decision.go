package cases

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Decision is an identification decision (HTCDS vic_TraffickingStatus and
// vic_TraffickingStatusDecisionMakingOrg). Grounds is empty unless the reader
// may see investigation details.
type Decision struct {
	ID              string
	Status          Status
	DecisionOrgType string // HTCDS DecisionMakingOrg
	DecidedByOrg    string
	DecidedBy       string
	WithAdvocateOrg string
	SocialWorkerOrg string
	DecidedAt       time.Time
	Grounds         string
}

// DecisionInput records a decision. Version is the case version the user saw.
type DecisionInput struct {
	Status  Status `json:"status"` // presumed, identified or not_a_victim
	Grounds string `json:"grounds"`
	Version int    `json:"version"`
}

// decisionTargets maps a decided status to the stage it moves the case to,
// and the stages it may be decided from.
var decisionTargets = map[Status]struct {
	to   Stage
	from []Stage
}{
	StatusPresumed:   {StagePresumed, []Stage{StageSignal, StageScreening}},
	StatusIdentified: {StageIdentified, []Stage{StageScreening, StagePresumed}},
	StatusNotVictim:  {StageNotVictim, []Stage{StageScreening, StagePresumed}},
}

// decisionOrgType gives the HTCDS decision-making organisation of an
// organisation type.
func decisionOrgType(t access.OrgType) string {
	switch t {
	case "police":
		return "Police"
	case "prosecution", "victim_advocacy":
		return "CourtOrProsecution" // the Victim Assistance and Advocacy Office sits with the Chief State Prosecutor
	case "ngo", "shelter":
		return "NGO"
	case "social_work", "coordinator":
		return "NonPoliceGovernmentalOrganization"
	}
	return "Other"
}

// Decide records an identification decision and moves the case to its
// stage. Presumed (reasonable grounds) starts the protections at once: the
// non-removal flag is set (CETS 197 Art. 10(2)). A formal decision
// (identified or not a victim) needs a police organisation and a victim
// advocate organisation on the case team and, for a child, a social-work
// organisation (the Kosovo SOP: THB Directorate with a Victims' Advocate,
// plus a social worker for every child); the organisations are recorded.
func (s *Service) Decide(ctx context.Context, actor access.Actor, caseID string, in DecisionInput) (*Decision, error) {
	if err := access.Check(actor, access.CaseDecide); err != nil {
		return nil, err
	}
	target, ok := decisionTargets[in.Status]
	if !ok {
		return nil, errs.InvalidField("status", "case.decision_status_invalid")
	}
	in.Grounds = strings.TrimSpace(in.Grounds)
	if in.Grounds == "" {
		return nil, errs.InvalidField("grounds", "case.grounds_required")
	}
	if !okText(in.Grounds, maxNarative) {
		return nil, errs.InvalidField("grounds", "case.too_long")
	}
	d := &Decision{ID: store.NewID(), Status: in.Status}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.lockForChange(ctx, tx, actor, caseID, access.CaseDecide, in.Version)
		if err != nil {
			return err
		}
		if !stageIn(ref.Stage, target.from) {
			return errs.InvalidField("status", "case.decision_stage_invalid")
		}
		team, err := s.team(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		var actorType access.OrgType
		for _, m := range team {
			if m.OrgID == actor.OrgID {
				actorType = m.OrgType
			}
			if m.UserID != "" {
				continue
			}
			switch m.OrgType {
			case "police":
				if d.DecidedByOrg == "" {
					d.DecidedByOrg = m.OrgID
				}
			case "victim_advocacy":
				if d.WithAdvocateOrg == "" {
					d.WithAdvocateOrg = m.OrgID
				}
			case "social_work":
				if d.SocialWorkerOrg == "" {
					d.SocialWorkerOrg = m.OrgID
				}
			}
		}
		if in.Status != StatusPresumed {
			switch {
			case d.DecidedByOrg == "":
				return errs.InvalidField("status", "case.decision_needs_police")
			case d.WithAdvocateOrg == "":
				return errs.InvalidField("status", "case.decision_needs_advocate")
			case ref.IsChild && d.SocialWorkerOrg == "":
				return errs.InvalidField("status", "case.decision_needs_social_worker")
			}
		} else {
			d.DecidedByOrg = actor.OrgID
		}
		if !ref.IsChild {
			d.SocialWorkerOrg = ""
		}
		d.DecisionOrgType = decisionOrgType(actorType)
		if in.Status != StatusPresumed {
			d.DecisionOrgType = "Police"
		}
		d.DecidedBy, d.DecidedAt, d.Grounds = actor.UserID, tx.Now, in.Grounds
		enc, err := s.Vault.SealString(ctx, tx, ref.KeyID, vault.AAD{Table: "identification_decisions", Row: d.ID, Field: "grounds"}, in.Grounds)
		if err != nil {
			return errs.Internalf("seal grounds: %w", err)
		}
		before, err := readStatKey(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identification_decisions (id, case_id, status, decision_org_type,
			decided_by_org, decided_by, with_advocate_org, social_worker_org, decided_at, grounds_enc, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)`, d.ID, ref.ID, string(d.Status), d.DecisionOrgType,
			d.DecidedByOrg, d.DecidedBy, d.WithAdvocateOrg, d.SocialWorkerOrg, store.T(tx.Now), enc); err != nil {
			return errs.Internalf("insert decision: %w", err)
		}
		if err := moveStat(ctx, tx, ref.ID, before); err != nil {
			return err
		}
		e := timelineEntry(actor, ref.ID, "decision", "decided;v=2;status="+string(d.Status))
		e.RefTable, e.RefID = "identification_decisions", d.ID
		if err := AppendTimeline(ctx, tx, e); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, "case.decide", ref.Reference, "status="+string(d.Status)+",decision="+d.ID); err != nil {
			return err
		}
		return s.moveStage(ctx, tx, actor, ref, target.to, "")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func stageIn(st Stage, list []Stage) bool {
	for _, x := range list {
		if x == st {
			return true
		}
	}
	return false
}

// decisions lists a case's decisions, newest first, with the grounds opened
// only when withGrounds.
func (s *Service) decisions(ctx context.Context, q store.Querier, caseID, keyID string, withGrounds bool) ([]Decision, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, status, decision_org_type, decided_by_org, decided_by, with_advocate_org,
		social_worker_org, decided_at, grounds_enc FROM identification_decisions WHERE case_id = $1 ORDER BY decided_at DESC, id`, caseID)
	if err != nil {
		return nil, errs.Internalf("read decisions: %w", err)
	}
	var out []Decision
	var encs [][]byte
	for rows.Next() {
		var d Decision
		var at store.Time
		var enc []byte
		if err := rows.Scan(&d.ID, &d.Status, &d.DecisionOrgType, &d.DecidedByOrg, &d.DecidedBy, &d.WithAdvocateOrg,
			&d.SocialWorkerOrg, &at, &enc); err != nil {
			rows.Close()
			return nil, errs.Internalf("read decisions: %w", err)
		}
		d.DecidedAt = at.Time
		out = append(out, d)
		encs = append(encs, enc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read decisions: %w", err)
	}
	if withGrounds {
		for i := range out {
			g, err := s.Vault.OpenString(ctx, q, keyID, vault.AAD{Table: "identification_decisions", Row: out[i].ID, Field: "grounds"}, encs[i])
			if err != nil {
				return nil, errs.Internalf("open grounds: %w", err)
			}
			out[i].Grounds = g
		}
	}
	return out, nil
}
