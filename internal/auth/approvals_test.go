package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// notices records the notices of account changes.
type notices struct{ got []auth.ChangeNotice }

func (n *notices) NotifyUserChange(_ context.Context, _ *store.Tx, c auth.ChangeNotice) error {
	n.got = append(n.got, c)
	return nil
}

func (n *notices) to(kind string) map[string]bool {
	out := map[string]bool{}
	for _, c := range n.got {
		if c.Kind == kind {
			out[c.Recipient.ID] = true
		}
	}
	return out
}

// TestSeparationOfDuties: an administrator cannot give anyone access to
// personal data alone. Each way of doing it (a new account, a new role or
// organisation, reopening an account) waits for the coordinator, who is
// never the requester, and is audited and notified.
func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		n := &notices{}
		f.svc.Changes = n
		admin := f.admin.Actor()
		coord := f.mustUser(t, "coordinator@ura.example", access.Coordinator)
		auditor := f.mustUser(t, "auditor@ura.example", access.Auditor)
		police := f.mustUser(t, "officer@police.example", access.Police)
		in := auth.UserInput{Email: "new.officer@police.example", Name: "Besa Gashi", Role: access.Police, OrgID: f.police.ID, Password: goodPassword}

		var created *auth.User
		var approvedActivation string
		t.Run("CreatePoliceWaits", func(t *testing.T) {
			u, err := f.svc.CreateUser(ctx, admin, in)
			if err != nil {
				t.Fatal(err)
			}
			if u.Active || !u.Pending {
				t.Fatalf("created Active=%v Pending=%v, want a closed account waiting for approval", u.Active, u.Pending)
			}
			created = u
			_, _, err = f.svc.SignIn(ctx, in.Email, goodPassword, client)
			wantCode(t, err, errs.Unauthenticated, "signin.failed")
			c, err := f.svc.PendingChange(ctx, admin, u.ID)
			if err != nil || c == nil || c.Kind != auth.ChangeCreate || c.RequestedBy != f.admin.ID || !c.Mine {
				t.Fatalf("PendingChange = %+v, %v", c, err)
			}
			if got := n.to(auth.NoticeChangeRequested); !got[coord.ID] || !got[auditor.ID] || got[f.admin.ID] {
				t.Errorf("request notified %v, want the coordinator and the auditor, not the requester", got)
			}
			if auditCount(t, db, "user_change.request", "") != 1 {
				t.Error("the request is not audited")
			}
		})
		t.Run("AdminCannotApprove", func(t *testing.T) {
			c, _ := f.svc.PendingChange(ctx, admin, created.ID)
			_, err := f.svc.ApproveChange(ctx, admin, c.ID)
			wantCode(t, err, errs.Forbidden, "error.forbidden")
			wantCode(t, f.svc.RefuseChange(ctx, admin, c.ID, "no"), errs.Forbidden, "error.forbidden")
		})
		t.Run("PoliceCannotApproveOrList", func(t *testing.T) {
			c, _ := f.svc.PendingChange(ctx, admin, created.ID)
			_, err := f.svc.ApproveChange(ctx, police.Actor(), c.ID)
			wantCode(t, err, errs.Forbidden, "error.forbidden")
			_, _, err = f.svc.ListChanges(ctx, police.Actor())
			wantCode(t, err, errs.Forbidden, "error.forbidden")
		})
		t.Run("SecondRequestConflicts", func(t *testing.T) {
			_, err := f.svc.SetUserActiveP(ctx, admin, created.ID, true)
			wantCode(t, err, errs.Conflict, "user_change.already_pending")
		})
		t.Run("CoordinatorApproves", func(t *testing.T) {
			pending, _, err := f.svc.ListChanges(ctx, coord.Actor())
			if err != nil || len(pending) != 1 || pending[0].UserName != "Besa Gashi" || pending[0].Mine {
				t.Fatalf("ListChanges = %+v, %v", pending, err)
			}
			activation, err := f.svc.ApproveChange(ctx, coord.Actor(), pending[0].ID)
			if err != nil || activation == "" {
				t.Fatalf("approve: activation %q, %v", activation, err)
			}
			approvedActivation = activation
			u, err := f.svc.FindUserByID(ctx, admin, created.ID)
			if err != nil || !u.Active {
				t.Fatalf("after approval: %+v, %v", u, err)
			}
			_, err = f.svc.ApproveChange(ctx, coord.Actor(), pending[0].ID)
			wantCode(t, err, errs.Conflict, "user_change.decided")
			if got := n.to(auth.NoticeChangeDecided); !got[f.admin.ID] || !got[auditor.ID] || got[coord.ID] {
				t.Errorf("decision notified %v, want the requester and the auditor", got)
			}
			if auditCount(t, db, "user_change.approve", "") != 1 {
				t.Error("the approval is not audited")
			}
		})
		t.Run("FirstSignInNeedsTheActivationCode", func(t *testing.T) {
			// The administrator knows the password they chose; without the
			// code the approver holds, the enrolment is refused.
			tok, sess, err := f.svc.SignIn(ctx, in.Email, goodPassword, client)
			if err != nil || sess.Stage != auth.StageEnrol {
				t.Fatalf("SignIn: %v, %+v", err, sess)
			}
			if need, err := f.svc.NeedsActivation(ctx, tok); err != nil || !need {
				t.Fatalf("NeedsActivation = %v, %v", need, err)
			}
			secret, _, err := f.svc.BeginEnrolment(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			f.clk.Advance(31 * time.Second)
			code, _ := auth.TOTPCode(secret, f.clk.Now())
			_, _, _, err = f.svc.ConfirmEnrolment(ctx, tok, code, client)
			wantCode(t, err, errs.Unauthenticated, "")
			_, _, _, err = f.svc.ConfirmEnrolmentActivation(ctx, tok, code, "aaaaa-bbbbb", client)
			wantCode(t, err, errs.Unauthenticated, "")
			_, _, sess2, err := f.svc.ConfirmEnrolmentActivation(ctx, tok, code, strings.ToUpper(approvedActivation), client)
			if err != nil || sess2.Stage != auth.StageFull {
				t.Fatalf("with the activation code: %v", err)
			}
			if need, _ := f.svc.NeedsActivation(ctx, tok); need {
				t.Error("the activation code is still due after use")
			}
		})
		t.Run("SecondFactorResetWaitsAndNeedsANewCode", func(t *testing.T) {
			// The administrator who knows the password resets the second
			// factor to enrol their own phone: it waits, and then needs a
			// new activation code from the approver.
			pending, err := f.svc.ResetTOTPP(ctx, admin, created.ID)
			if err != nil || !pending {
				t.Fatalf("ResetTOTPP = %v, %v", pending, err)
			}
			if u, _ := f.svc.FindUserByID(ctx, admin, created.ID); !u.TOTPEnabled {
				t.Fatal("second factor reset before approval")
			}
			c, _ := f.svc.PendingChange(ctx, admin, created.ID)
			code, err := f.svc.ApproveChange(ctx, coord.Actor(), c.ID)
			if err != nil || code == "" {
				t.Fatalf("approve reset: %q, %v", code, err)
			}
			f.clk.Advance(time.Minute)
			tok, sess, err := f.svc.SignIn(ctx, in.Email, goodPassword, client)
			if err != nil || sess.Stage != auth.StageEnrol {
				t.Fatalf("after reset: %v, %+v", err, sess)
			}
			secret, _, _ := f.svc.BeginEnrolment(ctx, tok)
			totp, _ := auth.TOTPCode(secret, f.clk.Now())
			_, _, _, err = f.svc.ConfirmEnrolmentActivation(ctx, tok, totp, approvedActivation, client)
			wantCode(t, err, errs.Unauthenticated, "")
			if _, _, _, err := f.svc.ConfirmEnrolmentActivation(ctx, tok, totp, code, client); err != nil {
				t.Fatalf("with the new code: %v", err)
			}
		})
		t.Run("ReopenWaits", func(t *testing.T) {
			if err := f.svc.SetUserActive(ctx, admin, created.ID, false); err != nil {
				t.Fatal(err)
			}
			pending, err := f.svc.SetUserActiveP(ctx, admin, created.ID, true)
			if err != nil || !pending {
				t.Fatalf("reopen: pending=%v, %v", pending, err)
			}
			u, _ := f.svc.FindUserByID(ctx, admin, created.ID)
			if u.Active {
				t.Error("reopened without approval")
			}
			c, _ := f.svc.PendingChange(ctx, admin, created.ID)
			t.Run("RefusalNeedsReason", func(t *testing.T) {
				err := f.svc.RefuseChange(ctx, coord.Actor(), c.ID, "   ")
				wantCode(t, err, errs.Invalid, "validation.required")
				if errs.As(err).Field != "reason" {
					t.Errorf("field = %q", errs.As(err).Field)
				}
				wantCode(t, f.svc.RefuseChange(ctx, coord.Actor(), c.ID, strings.Repeat("x", auth.MaxRefusalReason+1)), errs.Invalid, "validation.too_long")
			})
			f.clk.Advance(time.Minute)
			if err := f.svc.RefuseChange(ctx, coord.Actor(), c.ID, "She left the directorate in May."); err != nil {
				t.Fatal(err)
			}
			u, _ = f.svc.FindUserByID(ctx, admin, created.ID)
			if u.Active {
				t.Error("refused, yet the account is open")
			}
			_, decided, err := f.svc.ListChanges(ctx, auditor.Actor())
			if err != nil || len(decided) != 3 || decided[0].State != auth.ChangeRefused || decided[0].Reason != "She left the directorate in May." {
				t.Fatalf("decided = %+v, %v", decided, err)
			}
			var raw []byte
			db.Read().QueryRowContext(ctx, `SELECT reason_enc FROM user_changes WHERE id = $1`, c.ID).Scan(&raw)
			if strings.Contains(string(raw), "directorate") {
				t.Error("the refusal reason is stored in clear")
			}
		})
		t.Run("RoleChangeWaits", func(t *testing.T) {
			analyst := f.mustUser(t, "analyst@ura.example", access.Analyst)
			tok, _ := f.signInFull(t, "analyst@ura.example")
			pending, err := f.svc.ChangeUser(ctx, admin, analyst.ID, access.Police, f.police.ID)
			if err != nil || !pending {
				t.Fatalf("ChangeUser = %v, %v", pending, err)
			}
			u, _ := f.svc.FindUserByID(ctx, admin, analyst.ID)
			if u.Role != access.Analyst {
				t.Fatalf("role changed before approval: %s", u.Role)
			}
			c, _ := f.svc.PendingChange(ctx, admin, analyst.ID)
			if c.OldRole != access.Analyst || c.Role != access.Police {
				t.Errorf("change %s → %s", c.OldRole, c.Role)
			}
			if _, err := f.svc.ApproveChange(ctx, coord.Actor(), c.ID); err != nil {
				t.Fatal(err)
			}
			u, _ = f.svc.FindUserByID(ctx, admin, analyst.ID)
			if u.Role != access.Police {
				t.Errorf("role after approval = %s", u.Role)
			}
			if _, _, err := f.svc.Authenticate(ctx, tok); err == nil {
				t.Error("the session under the old role survives the change")
			}
		})
		t.Run("RoleWithoutPersonalDataIsDirect", func(t *testing.T) {
			pending, err := f.svc.ChangeUser(ctx, admin, police.ID, access.Analyst, f.police.ID)
			if err != nil || pending {
				t.Fatalf("ChangeUser to analyst = %v, %v, want direct", pending, err)
			}
			u, err := f.svc.CreateUser(ctx, admin, auth.UserInput{Email: "stats@ura.example", Name: "Stats Person",
				Role: access.Analyst, OrgID: f.police.ID, Password: goodPassword})
			if err != nil || !u.Active || u.Pending {
				t.Fatalf("analyst account: %+v, %v", u, err)
			}
			_, err = f.svc.ChangeUser(ctx, admin, police.ID, access.Analyst, f.police.ID)
			wantCode(t, err, errs.Invalid, "user_change.nothing")
		})
		t.Run("NeverTheRequesterOrTheAccount", func(t *testing.T) {
			// A coordinator asked for by the command line, then a change of
			// the coordinator's own account: the coordinator decides neither.
			coord2 := f.mustUser(t, "coordinator2@ura.example", access.Coordinator)
			if _, err := f.svc.ChangeUser(ctx, admin, coord2.ID, access.Coordinator, mustOrg(t, f, "Coordination Office")); err != nil {
				t.Fatal(err)
			}
			c, _ := f.svc.PendingChange(ctx, admin, coord2.ID)
			_, err := f.svc.ApproveChange(ctx, coord2.Actor(), c.ID)
			wantCode(t, err, errs.Forbidden, "user_change.own_account")
			wantCode(t, f.svc.RefuseChange(ctx, coord2.Actor(), c.ID, "mine"), errs.Forbidden, "user_change.own_account")
			if _, err := f.svc.ApproveChange(ctx, coord.Actor(), c.ID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("AdminCannotChangeSelf", func(t *testing.T) {
			_, err := f.svc.ChangeUser(ctx, admin, f.admin.ID, access.Police, f.police.ID)
			wantCode(t, err, errs.Invalid, "user.cannot_change_self")
		})
	})
}

func mustOrg(t *testing.T, f *fixture, name string) string {
	t.Helper()
	o, err := f.svc.CreateOrg(context.Background(), access.SystemActor, auth.OrgInput{Name: name, Type: "coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// TestAddUserFromCommandLine: `ura user add` creates the first accounts
// directly; once a coordinator exists, a role that sees personal data waits
// for approval like any other.
func TestAddUserFromCommandLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u, pending, err := f.svc.AddUserFromCommandLine(ctx, auth.UserInput{Email: "first@police.example", Name: "First Officer",
			Role: access.Police, OrgID: f.police.ID, Password: goodPassword})
		if err != nil || pending || !u.Active {
			t.Fatalf("bootstrap: %+v, pending=%v, %v", u, pending, err)
		}
		coord, pending, err := f.svc.AddUserFromCommandLine(ctx, auth.UserInput{Email: "coord@ura.example", Name: "First Coordinator",
			Role: access.Coordinator, OrgID: f.police.ID, Password: goodPassword})
		if err != nil || pending || !coord.Active {
			t.Fatalf("first coordinator: pending=%v, %v", pending, err)
		}
		u, pending, err = f.svc.AddUserFromCommandLine(ctx, auth.UserInput{Email: "second@police.example", Name: "Second Officer",
			Role: access.Police, OrgID: f.police.ID, Password: goodPassword})
		if err != nil || !pending || u.Active {
			t.Fatalf("after a coordinator: %+v, pending=%v, %v", u, pending, err)
		}
		c, err := f.svc.PendingChange(ctx, coord.Actor(), u.ID)
		if err != nil || c == nil || c.RequestedBy != auth.SystemRequester || c.Mine {
			t.Fatalf("PendingChange = %+v, %v", c, err)
		}
		if _, err := f.svc.ApproveChange(ctx, coord.Actor(), c.ID); err != nil {
			t.Fatal(err)
		}
		_, pending, err = f.svc.AddUserFromCommandLine(ctx, auth.UserInput{Email: "aud@ura.example", Name: "An Auditor",
			Role: access.Auditor, OrgID: f.police.ID, Password: goodPassword})
		if err != nil || pending {
			t.Fatalf("auditor: pending=%v, %v", pending, err)
		}
	})
}
