package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// AdvanceInTx moves a case along the state machine inside the caller's
// transaction (an OnChange hook's), one stage of path at a time, as far as
// the actor's role may take it: a step that is no edge, a decision edge or
// one the role may not take ends the walk without error. The screening hook
// uses it: a case registered from a screening that indicates trafficking
// starts as a presumed victim (signal → screening → presumed), with the
// timeline, audit events and hooks of ordinary transitions.
func (s *Service) AdvanceInTx(ctx context.Context, tx *store.Tx, actor access.Actor, caseID string, path ...Stage) error {
	for _, to := range path {
		ref, err := s.refByID(ctx, tx, caseID)
		if err != nil {
			return err
		}
		t, ok := lookup(ref.Stage, to)
		if !ok || t.ByDecision || to == StageClosed || !hasRole(t.Roles, actor.Role) && !actor.System {
			return nil
		}
		if err := s.moveStage(ctx, tx, actor, ref, to, ""); err != nil {
			return err
		}
	}
	return nil
}
