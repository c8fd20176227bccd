package cases

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// ErrStale is returned when a change was made against an older version of a
// case: someone else's change came first and is kept; the user reloads.
var ErrStale = errs.E(errs.Conflict, "case.stale")

// lockForChange authorizes act, locks the case row for the transaction and
// checks that the user saw the current version. Every update of a case goes
// through it, and every update bumps the version, so no write is ever lost
// to a concurrent one.
func (s *Service) lockForChange(ctx context.Context, tx *store.Tx, actor access.Actor, caseID string, act access.Action, version int) (*Ref, error) {
	ref, err := s.Authorize(ctx, tx, actor, caseID, act)
	if err != nil {
		return nil, err
	}
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM cases WHERE id = $1`+tx.ForUpdate(), ref.ID).Scan(&cur); err != nil {
		return nil, errs.Internalf("lock case: %w", err)
	}
	if version != cur {
		return nil, ErrStale
	}
	// Re-read what the lock now protects: another writer may have moved the
	// stage between Authorize and the lock.
	if ref, err = s.refByID(ctx, tx, ref.ID); err != nil {
		return nil, err
	}
	return ref, nil
}

// TransitionInput moves a case to another stage.
type TransitionInput struct {
	To      Stage  `json:"to"`
	Reason  string `json:"reason,omitempty"` // closure reason, required for closed
	Version int    `json:"version"`
}

// Transition moves a case along the state machine (stages.go), if the
// machine has the edge and the actor's role may take it. Decision edges
// (to identified_victim or not_a_victim) go through Decide instead.
func (s *Service) Transition(ctx context.Context, actor access.Actor, caseID string, in TransitionInput) error {
	if err := access.Check(actor, access.CaseTransition); err != nil {
		return err
	}
	if _, ok := ParseStage(string(in.To)); !ok {
		return errs.InvalidField("to", "case.stage_invalid")
	}
	if in.To == StageClosed && !inList(ClosureReasons, in.Reason) {
		return errs.InvalidField("reason", "case.closure_reason_required")
	}
	if in.To != StageClosed && in.Reason != "" {
		return errs.InvalidField("reason", "case.reason_only_for_closure")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.lockForChange(ctx, tx, actor, caseID, access.CaseTransition, in.Version)
		if err != nil {
			return err
		}
		t, ok := lookup(ref.Stage, in.To)
		switch {
		case !ok:
			return errs.InvalidField("to", "case.transition_not_allowed")
		case t.ByDecision:
			return errs.InvalidField("to", "case.transition_needs_decision")
		case !hasRole(t.Roles, actor.Role) && !actor.System:
			return errs.E(errs.Forbidden, "case.transition_role")
		}
		return s.moveStage(ctx, tx, actor, ref, in.To, in.Reason)
	})
}

// moveStage writes a stage change with its consequences on the victim
// status and the protections, bumps the version, and records it on the
// timeline, in the audit trail and to the OnChange hooks.
func (s *Service) moveStage(ctx context.Context, tx *store.Tx, actor access.Actor, ref *Ref, to Stage, reason string) error {
	status := ref.Status
	set := []string{"stage = $2", "updated_at = $3", "version = version + 1"}
	switch to {
	case StagePresumed:
		status = StatusPresumed
		set = append(set, "non_removal = 1") // CETS 197 Art. 10(2): protections start with reasonable grounds
	case StageIdentified:
		status = StatusIdentified
		set = append(set, "non_removal = 1")
	case StageNotVictim:
		status = StatusNotVictim
		set = append(set, "non_removal = 0")
	case StageClosed:
		set = append(set, "closed_at = $3", "closure_reason = $5")
	}
	set = append(set, "victim_status = $4")
	a := []any{ref.ID, string(to), store.T(tx.Now), string(status)}
	if to == StageClosed {
		a = append(a, reason)
	}
	before, err := readStatKey(ctx, tx, ref.ID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(set, ", ")+` WHERE id = $1`, a...); err != nil {
		return errs.Internalf("update stage: %w", err)
	}
	if err := moveStat(ctx, tx, ref.ID, before); err != nil {
		return err
	}
	summary := "from=" + string(ref.Stage) + ",to=" + string(to)
	if reason != "" {
		summary += ",reason=" + reason
	}
	if err := AppendTimeline(ctx, tx, timelineEntry(actor, ref.ID, "stage", "moved;v=2;"+strings.ReplaceAll(summary, ",", ";"))); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, "case.transition", ref.Reference, summary); err != nil {
		return err
	}
	from := ref.Stage
	next := *ref
	next.Stage, next.Status = to, status
	return s.runHooks(ctx, tx, Change{Ref: next, From: from, To: to, Actor: actor})
}
