package identify

import (
	"context"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
)

// OnCaseChange is the case file's hook: a case registered from an earlier
// screening (outreach, helpline) takes that screening with it, in the
// registration's own transaction, so there is never a case whose screening
// was lost half-way, and the screening appears on the case timeline.
func (s *Service) OnCaseChange(ctx context.Context, tx *store.Tx, ch cases.Change) error {
	if !ch.Opened || ch.ScreeningID == "" {
		return nil
	}
	if err := s.Attach(ctx, tx, ch.Actor, ch.ScreeningID, ch.Ref.ID); err != nil {
		return err
	}
	return cases.AppendTimeline(ctx, tx, cases.TimelineEntry{
		CaseID: ch.Ref.ID, Kind: "screening", ActorID: ch.Actor.UserID, ActorOrg: ch.Actor.OrgID,
		RefTable: "screenings", RefID: ch.ScreeningID, Visibility: "team", Summary: "attached;v=2",
	})
}
