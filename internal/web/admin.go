package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

type orgsData struct {
	Orgs  []*auth.Org
	Types []access.OrgType
}

func (s *server) handleOrgs(w http.ResponseWriter, r *http.Request) {
	s.renderOrgs(w, r, http.StatusOK, nil)
}

func (s *server) renderOrgs(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	orgs, err := s.app.Auth.FindOrgs(r.Context(), st.user.Actor())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "admin.orgs.title", orgsData{Orgs: orgs, Types: access.OrgTypes})
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
	}
	s.render(w, r, status, "orgs", p)
}

func (s *server) handleCreateOrg(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	t, ok := access.ParseOrgType(r.PostFormValue("type"))
	if !ok {
		s.renderOrgs(w, r, http.StatusBadRequest, errs.InvalidField("type", "validation.org_type"))
		return
	}
	_, err := s.app.Auth.CreateOrg(r.Context(), st.user.Actor(), auth.OrgInput{
		Name: r.PostFormValue("name"), Type: t, Municipality: r.PostFormValue("municipality"),
	})
	if err != nil {
		if isFormErr(err) {
			s.renderOrgs(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/admin/orgs", "flash.org_created")
}

func (s *server) handleSetOrgActive(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	active := r.PostFormValue("active") == "1"
	if err := s.app.Auth.SetOrgActive(r.Context(), st.user.Actor(), r.PathValue("id"), active); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/admin/orgs", "flash.saved")
}

type usersData struct {
	Users   []*auth.User
	Orgs    []*auth.Org
	Roles   []access.Role
	CanEdit bool
}

func (s *server) handleUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, nil)
}

func (s *server) renderUsers(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	users, err := s.app.Auth.FindUsers(r.Context(), a, auth.UserFilter{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := usersData{Users: users, Roles: access.Roles, CanEdit: access.Can(a, access.UserManage)}
	if d.CanEdit {
		if d.Orgs, err = s.app.Auth.FindOrgs(r.Context(), a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "admin.users.title", d)
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
		p.Form.Del("password")
	}
	s.render(w, r, status, "users", p)
}

func (s *server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	role, ok := access.ParseRole(r.PostFormValue("role"))
	if !ok {
		s.renderUsers(w, r, http.StatusBadRequest, errs.InvalidField("role", "validation.role"))
		return
	}
	u, err := s.app.Auth.CreateUser(r.Context(), st.user.Actor(), auth.UserInput{
		Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: role,
		OrgID: r.PostFormValue("org"), Password: r.PostFormValue("password"),
	})
	if err != nil {
		if isFormErr(err) || errs.Is(err, errs.NotFound) {
			s.renderUsers(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	if u.Pending {
		s.redirectFlash(w, r, "/admin/users/"+u.ID, "flash.user_pending")
		return
	}
	s.redirectFlash(w, r, "/admin/users", "flash.user_created")
}

type userData struct {
	U        *auth.User
	Sessions []auth.SessionInfo
	CanEdit  bool
	CanEnd   bool
	// Pending is the change waiting for approval on this account, if any.
	Pending *auth.Change
	// Roles and Orgs fill the form that changes the role or organisation.
	Roles []access.Role
	Orgs  []*auth.Org
}

func (s *server) handleUser(w http.ResponseWriter, r *http.Request) {
	s.renderUser(w, r, http.StatusOK, nil, "")
}

// renderUser shows an account; formErr, when set, is shown beside the form
// with id formID.
func (s *server) renderUser(w http.ResponseWriter, r *http.Request, status int, formErr error, formID string) {
	st := reqState(r)
	a := st.user.Actor()
	u, err := s.app.Auth.FindUserByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := userData{U: u, CanEdit: access.Can(a, access.UserManage), CanEnd: access.Can(a, access.SessionRevoke)}
	if d.CanEnd {
		if d.Sessions, err = s.app.Auth.FindSessions(r.Context(), a, u.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if u.ID != a.UserID {
		if d.Pending, err = s.app.Auth.PendingChange(r.Context(), a, u.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if d.CanEdit && u.ID != a.UserID {
		d.Roles = access.Roles
		if d.Orgs, err = s.app.Auth.FindOrgs(r.Context(), a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "admin.user.title", d)
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
		p.ErrorForm = formID
	}
	s.render(w, r, status, "user", p)
}

// handleChangeUser gives an account another role or organisation: at once
// for a role without personal data, after approval otherwise.
func (s *server) handleChangeUser(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	id := r.PathValue("id")
	role, ok := access.ParseRole(r.PostFormValue("role"))
	if !ok {
		s.renderUser(w, r, http.StatusBadRequest, errs.InvalidField("role", "validation.role"), "change-user")
		return
	}
	pending, err := s.app.Auth.ChangeUser(r.Context(), st.user.Actor(), id, role, r.PostFormValue("org"))
	s.userChangeResult(w, r, id, "change-user", pending, err)
}

func (s *server) userAction(w http.ResponseWriter, r *http.Request, f func(a access.Actor, id string) error) {
	id := r.PathValue("id")
	if err := f(reqState(r).user.Actor(), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/admin/users/"+id, "flash.saved")
}

func (s *server) handleSetUserActive(w http.ResponseWriter, r *http.Request) {
	active := r.PostFormValue("active") == "1"
	id := r.PathValue("id")
	pending, err := s.app.Auth.SetUserActiveP(r.Context(), reqState(r).user.Actor(), id, active)
	if isFormErr(err) {
		// The message has no field of its own beside the button: show it as the form's.
		e := *errs.As(err)
		e.Field = ""
		err = &e
	}
	s.userChangeResult(w, r, id, "user-active", pending, err)
}

type approvalsData struct {
	Pending, Decided []*auth.Change
	CanDecide        bool
	// Activation is shown once, on the answer to approving a new account:
	// the code its person types at the first sign-in.
	Activation *activationData
}

type activationData struct {
	Name, Email, Code string
}

// handleApprovals lists the account changes waiting for a second person and
// the latest decided ones: the approvers decide there, the administrators
// and auditors follow them.
func (s *server) handleApprovals(w http.ResponseWriter, r *http.Request) {
	s.renderApprovals(w, r, http.StatusOK, nil)
}

func (s *server) renderApprovals(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	s.renderApprovalsWith(w, r, status, formErr, nil)
}

func (s *server) renderApprovalsWith(w http.ResponseWriter, r *http.Request, status int, formErr error, act *activationData) {
	st := reqState(r)
	a := st.user.Actor()
	pending, decided, err := s.app.Auth.ListChanges(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "approvals.title", approvalsData{Pending: pending, Decided: decided,
		CanDecide: access.Can(a, access.UserChangeApprove), Activation: act})
	if formErr != nil {
		setFormError(p, st, formErr)
		p.Form = r.PostForm
		p.ErrorForm = "refuse-" + r.PathValue("id")
	}
	s.render(w, r, status, "approvals", p)
}

func (s *server) handleApproveChange(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	id := r.PathValue("id")
	// The change as listed before the decision names the account for the
	// activation code's box.
	var before *auth.Change
	if pending, _, err := s.app.Auth.ListChanges(r.Context(), a); err == nil {
		for _, c := range pending {
			if c.ID == id {
				before = c
			}
		}
	}
	code, err := s.app.Auth.ApproveChange(r.Context(), a, id)
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			s.renderApprovals(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	if code == "" {
		s.redirectFlash(w, r, "/admin/approvals", "flash.change_approved")
		return
	}
	// A new account: its activation code is shown on this answer only.
	act := &activationData{Code: code}
	if before != nil {
		act.Name, act.Email = before.UserName, before.UserEmail
	}
	s.renderApprovalsWith(w, r, http.StatusOK, nil, act)
}

func (s *server) handleRefuseChange(w http.ResponseWriter, r *http.Request) {
	err := s.app.Auth.RefuseChange(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("reason"))
	if err != nil {
		if isFormErr(err) {
			s.renderApprovals(w, r, errs.HTTPStatus(err), err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/admin/approvals", "flash.change_refused")
}

func (s *server) handleResetTOTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	pending, err := s.app.Auth.ResetTOTPP(r.Context(), reqState(r).user.Actor(), id)
	s.userChangeResult(w, r, id, "user-active", pending, err)
}

// userChangeResult answers a change to an account: the account page again
// with the message beside the form when refused, else back to it saying whether
// the change took effect or waits for a coordinator's approval.
func (s *server) userChangeResult(w http.ResponseWriter, r *http.Request, id, form string, pending bool, err error) {
	switch {
	case isFormErr(err):
		s.renderUser(w, r, errs.HTTPStatus(err), err, form)
		return
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	flash := "flash.saved"
	if pending {
		flash = "flash.change_pending"
	}
	s.redirectFlash(w, r, "/admin/users/"+id, flash)
}

func (s *server) handleRevokeSessions(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(a access.Actor, id string) error { return s.app.Auth.RevokeSessions(r.Context(), a, id) })
}
