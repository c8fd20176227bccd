package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestOrgs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := f.admin.Actor()
		t.Run("CreateAndFind", func(t *testing.T) {
			o, err := f.svc.CreateOrg(ctx, admin, auth.OrgInput{Name: "  Shelter   Prizren ", Type: "shelter", Municipality: "Prizren"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.FindOrgByName(ctx, admin, "Shelter Prizren")
			if err != nil || got.ID != o.ID || !got.Active || got.Type != "shelter" {
				t.Fatalf("FindOrgByName = %+v, %v", got, err)
			}
			all, _ := f.svc.FindOrgs(ctx, admin)
			if len(all) != 2 {
				t.Errorf("FindOrgs = %d, want 2", len(all))
			}
		})
		t.Run("ErrNameTaken", func(t *testing.T) {
			_, err := f.svc.CreateOrg(ctx, admin, auth.OrgInput{Name: "Shelter Prizren", Type: "shelter"})
			wantCode(t, err, errs.Conflict, "org.name_taken")
		})
		t.Run("ErrTypeUnknown", func(t *testing.T) {
			_, err := f.svc.CreateOrg(ctx, admin, auth.OrgInput{Name: "X", Type: "bakery"})
			wantCode(t, err, errs.Invalid, "validation.invalid_choice")
		})
		t.Run("ErrNameTooLong", func(t *testing.T) {
			_, err := f.svc.CreateOrg(ctx, admin, auth.OrgInput{Name: strings.Repeat("ë", 201), Type: "ngo"})
			wantCode(t, err, errs.Invalid, "validation.too_long")
		})
		t.Run("NotFound", func(t *testing.T) {
			_, err := f.svc.FindOrgByName(ctx, admin, "Nobody")
			wantCode(t, err, errs.NotFound, "org.not_found")
			_, err = f.svc.FindOrgByID(ctx, admin, "nope")
			wantCode(t, err, errs.NotFound, "org.not_found")
			wantCode(t, f.svc.SetOrgActive(ctx, admin, "nope", false), errs.NotFound, "org.not_found")
		})
		t.Run("AnalystCannotListOrgs", func(t *testing.T) {
			a := f.mustUser(t, "analyst@ura.example", access.Analyst)
			_, err := f.svc.FindOrgs(ctx, a.Actor())
			wantCode(t, err, errs.Forbidden, "")
		})
	})
}

func TestRehashOnParamsChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		cfg := f.svc.Config
		cfg.Argon = auth.Argon2Params{Time: 2, Memory: 128, Threads: 1}
		svc2 := auth.New(db, f.svc.Vault, f.clk, cfg)
		if _, _, err := svc2.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
			t.Fatal(err)
		}
		var h string
		db.Read().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&h)
		if !strings.HasPrefix(h, "$argon2id$v=19$m=128,t=2,p=1$") {
			t.Errorf("hash after sign-in = %.32s…, want the new parameters", h)
		}
		if _, _, err := svc2.SignIn(ctx, "analyst@ura.example", goodPassword, client); err != nil {
			t.Errorf("SignIn with re-hashed password: %v", err)
		}
	})
}

func TestSetLang(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.mustUser(t, "analyst@ura.example", access.Analyst)
		tok, _ := f.signInFull(t, "analyst@ura.example")
		if err := f.svc.SetLang(ctx, u.Actor(), "sr-Cyrl"); err != nil {
			t.Fatal(err)
		}
		sess, got, err := f.svc.Authenticate(ctx, tok)
		if err != nil || got.Lang != "sr-Cyrl" || sess.Lang != "sr-Cyrl" {
			t.Errorf("after SetLang: user %q, session %q, err %v; want sr-Cyrl", got.Lang, sess.Lang, err)
		}
		wantCode(t, f.svc.SetLang(ctx, u.Actor(), "klingon"), errs.Invalid, "validation.invalid_choice")
	})
}
