package breakglass_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// The audit view shows the reason beside each break-glass event: only to
// the auditor, and each reading is itself audited.
func TestReasonsForTheAuditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		g, err := s.Open(ctx, coordinator, "case", "XK-2026-0001", reason)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reasons(ctx, coordinator, []string{g.ID}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("coordinator reading reasons: %v, want forbidden", err)
		}
		got, err := s.Reasons(ctx, auditor, []string{g.ID, "nosuchgrant", g.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[g.ID].Text != reason || got[g.ID].Reviewed {
			t.Fatalf("Reasons = %+v", got)
		}
		if err := s.Review(ctx, auditor, g.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Reasons(ctx, auditor, []string{g.ID}); !got[g.ID].Reviewed {
			t.Error("a reviewed grant is not marked reviewed")
		}
		if got, err := s.Reasons(ctx, auditor, []string{"nosuchgrant"}); err != nil || len(got) != 0 {
			t.Errorf("unknown grant: %v %v", got, err)
		}
		evs, _, err := audit.Find(ctx, db.Read(), audit.Filter{Action: ptr("breakglass.read_reason"), ActorID: ptr(auditor.UserID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Detail != "count=1" {
			t.Errorf("reason reads audited as %+v, want two events (nothing read, nothing audited)", evs)
		}
	})
}

func ptr(s string) *string { return &s }
