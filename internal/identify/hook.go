package identify

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// OnCaseChange is the case file's hook: a case registered from an earlier
// screening (outreach, helpline) takes that screening with it, in the
// registration's own transaction, so there is never a case whose screening
// was lost half-way, and the screening appears on the case timeline. When
// the screening indicates trafficking, the case starts as a presumed victim
// (signal → screening → presumed victim), as far as the actor's role may
// move it: the same transitions a user would make, with their protections
// and the reflection period.
func (s *Service) OnCaseChange(ctx context.Context, tx *store.Tx, ch cases.Change) error {
	if !ch.Opened || ch.ScreeningID == "" {
		return nil
	}
	indicated, _, err := s.attach(ctx, tx, ch.Actor, ch.ScreeningID, ch.Ref.ID)
	if err != nil {
		return err
	}
	if err := attachedEntry(ctx, tx, ch.Actor, ch.ScreeningID, ch.Ref.ID); err != nil {
		return err
	}
	if indicated && s.Cases != nil {
		return s.Cases.AdvanceInTx(ctx, tx, ch.Actor, ch.Ref.ID, cases.StageScreening, cases.StagePresumed)
	}
	return nil
}

func attachedEntry(ctx context.Context, tx *store.Tx, actor access.Actor, screeningID, caseID string) error {
	return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{
		CaseID: caseID, Kind: "screening", ActorID: actor.UserID, ActorOrg: actor.OrgID,
		RefTable: "screenings", RefID: screeningID, Visibility: "team", Summary: "attached;v=2",
	})
}

// AttachToCase links a saved screening to an existing case that the actor
// may edit, with its timeline entry, in one transaction. The case keeps its
// stage: a case under way has its own course. A screening the actor may not
// read, or a case it may not edit, is NotFound; attaching twice to the same
// case does nothing.
func (s *Service) AttachToCase(ctx context.Context, actor access.Actor, screeningID, caseID string) error {
	if err := access.Check(actor, access.ScreeningRead); err != nil {
		return err
	}
	if s.Cases == nil {
		return errs.Internalf("attach screening: no case file")
	}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.CaseEdit)
		if err != nil {
			return err
		}
		_, already, err := s.attach(ctx, tx, actor, screeningID, ref.ID)
		if err != nil || already {
			return err
		}
		return attachedEntry(ctx, tx, actor, screeningID, ref.ID)
	})
	if err != nil {
		return errs.As(err)
	}
	return nil
}
