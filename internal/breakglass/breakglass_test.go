package breakglass_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/vault"
)

const reason = "Victim reported missing from shelter, police need the file now"

var (
	coordinator = access.Actor{UserID: "coord1", OrgID: "org1", Role: access.Coordinator}
	auditor     = access.Actor{UserID: "aud1", OrgID: "org1", Role: access.Auditor}
	police      = access.Actor{UserID: "pol1", OrgID: "org2", Role: access.Police}
)

func newService(t *testing.T, db *store.DB) (*breakglass.Service, *clock.Fake) {
	t.Helper()
	kr, _, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	// break_glass.user_id references users: make the accounts exist.
	ctx := context.Background()
	v := vault.New(db, kr)
	err = db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO organisations (id, name, type, created_at, updated_at) VALUES ('org1', 'O1', 'coordinator', $1, $1), ('org2', 'O2', 'police', $1, $1)`, store.T(tx.Now)); err != nil {
			return err
		}
		for _, a := range []access.Actor{coordinator, auditor, police} {
			k, err := v.NewDataKey(ctx, tx, "user")
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO users (id, org_id, role, key_id, email_index, email_enc, name_enc, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6, 'x', $7, $7, $7)`, a.UserID, a.OrgID, string(a.Role), k, []byte(a.UserID), []byte{1}, store.T(tx.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	return &breakglass.Service{DB: db, Vault: v, Clock: clk}, clk
}

func TestBreakGlass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)

		t.Run("RefusedWithoutReason", func(t *testing.T) {
			_, err := s.Open(ctx, coordinator, "case", "XK-2026-0001", "because")
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("short reason: %v, want invalid", err)
			}
		})
		t.Run("RefusedToOtherRoles", func(t *testing.T) {
			_, err := s.Open(ctx, police, "case", "XK-2026-0001", reason)
			if !errs.Is(err, errs.Forbidden) {
				t.Errorf("police: %v, want forbidden", err)
			}
		})
		g, err := s.Open(ctx, coordinator, "case", "XK-2026-0001", reason)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("ActiveForItsObjectOnly", func(t *testing.T) {
			if _, err := s.Active(ctx, coordinator, "case", "XK-2026-0001"); err != nil {
				t.Errorf("Active: %v", err)
			}
			if _, err := s.Active(ctx, coordinator, "case", "XK-2026-0002"); !errs.Is(err, errs.NotFound) {
				t.Errorf("another case: %v, want not found", err)
			}
		})
		t.Run("ReasonEncryptedAndOutOfTheAudit", func(t *testing.T) {
			var enc []byte
			if err := db.Read().QueryRowContext(ctx, `SELECT reason_enc FROM break_glass WHERE id = $1`, g.ID).Scan(&enc); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(enc, []byte("missing from shelter")) {
				t.Error("the reason is stored in clear")
			}
			evs, _, err := audit.Find(ctx, db.Read(), audit.Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range evs {
				if e.Action == "breakglass.open" {
					found = e.Purpose == "break_glass:"+g.ID && e.ObjectID == "XK-2026-0001"
				}
				if bytes.Contains([]byte(e.Detail+e.Purpose), []byte("shelter")) {
					t.Error("the reason reached an audit event")
				}
			}
			if !found {
				t.Error("no breakglass.open event naming the grant")
			}
		})
		t.Run("Expires", func(t *testing.T) {
			clk.Advance(breakglass.Duration + time.Second)
			if _, err := s.Active(ctx, coordinator, "case", "XK-2026-0001"); !errs.Is(err, errs.NotFound) {
				t.Errorf("after an hour: %v, want not found", err)
			}
		})
		t.Run("AuditorReviews", func(t *testing.T) {
			if _, err := s.FindForReview(ctx, coordinator, true, 10); !errs.Is(err, errs.Forbidden) {
				t.Errorf("coordinator reviewing own grants: %v, want forbidden", err)
			}
			list, err := s.FindForReview(ctx, auditor, true, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Reason != reason || list[0].Reviewed {
				t.Fatalf("review list = %+v", list)
			}
			if err := s.Review(ctx, auditor, g.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Review(ctx, auditor, g.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("second review: %v, want not found", err)
			}
			if list, _ := s.FindForReview(ctx, auditor, true, 10); len(list) != 0 {
				t.Errorf("%d open grants after review, want 0", len(list))
			}
		})
	})
}
