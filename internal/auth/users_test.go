package auth_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := f.admin.Actor()

		t.Run("EmailAndNameNotInRawRow", func(t *testing.T) {
			u, err := f.svc.CreateUser(ctx, admin, auth.UserInput{Email: "  Drita.Berisha@Police.example ",
				Name: "Drita Berisha", Role: access.Police, OrgID: f.police.ID, Password: goodPassword})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := u.Email, "drita.berisha@police.example"; got != want {
				t.Errorf("Email = %q, want %q", got, want)
			}
			var idx, emailEnc, nameEnc []byte
			var pwHash string
			err = db.Read().QueryRowContext(ctx, `SELECT email_index, email_enc, name_enc, password_hash FROM users WHERE id = $1`,
				u.ID).Scan(&idx, &emailEnc, &nameEnc, &pwHash)
			if err != nil {
				t.Fatal(err)
			}
			row := bytes.Join([][]byte{idx, emailEnc, nameEnc, []byte(pwHash)}, nil)
			for _, plain := range []string{"drita.berisha", "Drita", "Berisha", "police.example"} {
				if bytes.Contains(bytes.ToLower(row), bytes.ToLower([]byte(plain))) {
					t.Errorf("raw users row contains %q", plain)
				}
			}
			if !bytes.HasPrefix([]byte(pwHash), []byte("$argon2id$v=19$m=")) {
				t.Errorf("password_hash = %.20q…, want a PHC argon2id string", pwHash)
			}
			got, err := f.svc.FindUserByEmail(ctx, admin, "DRITA.BERISHA@police.example")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != u.ID || got.Name != "Drita Berisha" || got.OrgName != f.police.Name {
				t.Errorf("FindUserByEmail = %+v, want the created user", got)
			}
		})

		t.Run("DuplicateEmailConflict", func(t *testing.T) {
			_, err := f.svc.CreateUser(ctx, admin, auth.UserInput{Email: "ADMIN@ura.example", Name: "Someone Else",
				Role: access.Police, OrgID: f.police.ID, Password: goodPassword})
			wantCode(t, err, errs.Conflict, "user.email_taken")
		})

		for _, tc := range []struct {
			name  string
			in    auth.UserInput
			field string
		}{
			{"ErrEmailSyntax", auth.UserInput{Email: "not-an-email", Name: "A B", Role: access.Police, Password: goodPassword}, "email"},
			{"ErrEmailDisplayName", auth.UserInput{Email: "A <a@b.example>", Name: "A B", Role: access.Police, Password: goodPassword}, "email"},
			{"ErrNameRequired", auth.UserInput{Email: "a@b.example", Name: "  ", Role: access.Police, Password: goodPassword}, "name"},
			{"ErrRoleUnknown", auth.UserInput{Email: "a@b.example", Name: "A B", Role: "sheriff", Password: goodPassword}, "role"},
			{"ErrOrgMissing", auth.UserInput{Email: "a@b.example", Name: "A B", Role: access.Police, OrgID: "nope", Password: goodPassword}, "org"},
			{"ErrPasswordCommon", auth.UserInput{Email: "a@b.example", Name: "A B", Role: access.Police, Password: "Password123456"}, "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.in.OrgID == "" {
					tc.in.OrgID = f.police.ID
				}
				_, err := f.svc.CreateUser(ctx, admin, tc.in)
				wantCode(t, err, errs.Invalid, "")
				if got := errs.As(err).Field; got != tc.field {
					t.Errorf("field = %q, want %q", got, tc.field)
				}
			})
		}

		t.Run("ErrOrgInactive", func(t *testing.T) {
			o, err := f.svc.CreateOrg(ctx, admin, auth.OrgInput{Name: "Closed NGO", Type: "ngo"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.SetOrgActive(ctx, admin, o.ID, false); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.CreateUser(ctx, admin, auth.UserInput{Email: "x@ngo.example", Name: "X Y",
				Role: access.NGO, OrgID: o.ID, Password: goodPassword})
			wantCode(t, err, errs.Invalid, "org.inactive")
		})

		t.Run("AuditedWithoutPersonalData", func(t *testing.T) {
			if got := auditCount(t, db, "user.create", ""); got < 2 {
				t.Errorf("user.create events = %d, want ≥ 2", got)
			}
			var n int
			db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%@%' OR object_id LIKE '%@%'`).Scan(&n)
			if n != 0 {
				t.Errorf("%d audit events hold an email", n)
			}
		})
	})
}

func TestAccessToAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		police := f.mustUser(t, "officer@police.example", access.Police)
		other := f.mustUser(t, "other@police.example", access.Police)
		auditor := f.mustUser(t, "auditor@ura.example", access.Auditor)
		in := auth.UserInput{Email: "new@police.example", Name: "New One", Role: access.Police, OrgID: f.police.ID, Password: goodPassword}

		t.Run("PoliceCannotCreateUser", func(t *testing.T) {
			_, err := f.svc.CreateUser(ctx, police.Actor(), in)
			wantCode(t, err, errs.Forbidden, "error.forbidden")
		})
		t.Run("AdminCanCreateUser", func(t *testing.T) {
			if _, err := f.svc.CreateUser(ctx, f.admin.Actor(), in); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("PoliceCannotCreateOrg", func(t *testing.T) {
			_, err := f.svc.CreateOrg(ctx, police.Actor(), auth.OrgInput{Name: "X", Type: "ngo"})
			wantCode(t, err, errs.Forbidden, "")
		})
		t.Run("OwnAccountVisible", func(t *testing.T) {
			u, err := f.svc.FindUserByID(ctx, police.Actor(), police.ID)
			if err != nil || u.Email != "officer@police.example" {
				t.Fatalf("FindUserByID(own) = %v, %v", u, err)
			}
		})
		t.Run("OtherAccountNotFoundForPolice", func(t *testing.T) {
			_, err := f.svc.FindUserByID(ctx, police.Actor(), other.ID)
			wantCode(t, err, errs.NotFound, "")
		})
		t.Run("NonAdminCannotSeeOthersSessions", func(t *testing.T) {
			_, err := f.svc.FindSessions(ctx, police.Actor(), other.ID)
			wantCode(t, err, errs.NotFound, "")
			_, err = f.svc.FindSessions(ctx, auditor.Actor(), other.ID)
			wantCode(t, err, errs.Forbidden, "")
		})
		t.Run("OwnSessionsVisible", func(t *testing.T) {
			if _, err := f.svc.FindSessions(ctx, police.Actor(), police.ID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("AuditorListsUsers", func(t *testing.T) {
			active := true
			us, err := f.svc.FindUsers(ctx, auditor.Actor(), auth.UserFilter{OrgID: &f.police.ID, Active: &active})
			if err != nil {
				t.Fatal(err)
			}
			// The police account the administrator created waits for approval, closed.
			if got, want := len(us), 4; got != want {
				t.Errorf("FindUsers = %d users, want %d", got, want)
			}
			role := access.Auditor
			us, _ = f.svc.FindUsers(ctx, auditor.Actor(), auth.UserFilter{Role: &role})
			if len(us) != 1 || us[0].ID != auditor.ID {
				t.Errorf("FindUsers(role=auditor) = %d users, want the auditor", len(us))
			}
		})
		t.Run("PoliceCannotListUsers", func(t *testing.T) {
			_, err := f.svc.FindUsers(ctx, police.Actor(), auth.UserFilter{})
			wantCode(t, err, errs.Forbidden, "")
		})
	})
}

func TestHasRealData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr := newFixture(t, db) // creates a real administrator
		if got, _ := kr.svc.HasUsers(ctx); !got {
			t.Error("HasUsers = false, want true")
		}
		if got, _ := kr.svc.HasRealData(ctx); !got {
			t.Error("HasRealData = false, want true")
		}
	})
}
