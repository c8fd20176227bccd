package auth

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Separation of duties: an administrator cannot give anyone — themselves
// included — access to personal data alone. Creating an account with a role
// that sees personal data (access.GrantsPersonalData), giving an account such
// a role or moving it to another organisation, and reopening such an account
// are recorded as a pending Change; it takes effect only when a second person
// with access.UserChangeApprove (the coordinator's office) approves it, who is
// neither the requester nor the account itself. Ura's own jobs and the demo
// (access.SystemActor) create accounts directly, and so does `ura user add`
// until a coordinator exists to approve (the bootstrap, AddUserFromCommandLine).

// ChangeKind is what a pending change does to an account.
type ChangeKind string

// The kinds of change.
const (
	ChangeCreate   ChangeKind = "create"   // a new account, closed until approved
	ChangeRoleOrg  ChangeKind = "change"   // a new role or organisation
	ChangeActivate ChangeKind = "activate" // reopen a closed account
	// ChangeTOTPReset forgets the second factor: whoever knows the password
	// could enrol their own phone, so the approver hands over a new
	// activation code, as for a new account.
	ChangeTOTPReset ChangeKind = "totp_reset"
)

// ChangeState is where a change stands.
type ChangeState string

// The states.
const (
	ChangePending  ChangeState = "pending"
	ChangeApproved ChangeState = "approved"
	ChangeRefused  ChangeState = "refused"
)

// SystemRequester is the requested_by of a change asked for on the command line.
const SystemRequester = "system"

// MaxRefusalReason bounds the reason given for refusing a change.
const MaxRefusalReason = 1000

// Change is one account change, pending or decided. Names are decrypted for
// the caller (who may see accounts or approve them).
type Change struct {
	ID            string
	Kind          ChangeKind
	UserID        string
	UserName      string
	UserEmail     string
	Role          access.Role
	OrgID         string
	OrgName       string
	OldRole       access.Role
	OldOrgID      string
	OldOrgName    string
	RequestedBy   string
	RequesterName string // empty for the command line
	RequestedAt   time.Time
	State         ChangeState
	DecidedBy     string
	DeciderName   string
	DecidedAt     time.Time
	Reason        string
	// Mine: the caller asked for it, or it is about the caller's own
	// account: they may not decide it.
	Mine bool
}

// ChangeNotice tells someone about an account change: Kind is
// "user_change.requested" or "user_change.decided".
type ChangeNotice struct {
	Recipient Member
	Kind      string
	ChangeID  string
}

// ChangeNotifier receives the notices of account changes inside the
// transaction that records them; the application wires internal/notify.
type ChangeNotifier interface {
	NotifyUserChange(ctx context.Context, tx *store.Tx, n ChangeNotice) error
}

// The notice kinds.
const (
	NoticeChangeRequested = "user_change.requested"
	NoticeChangeDecided   = "user_change.decided"
)

// needsApproval reports whether giving an account role r, by actor, waits for
// a second person: every role that sees personal data, unless Ura itself acts.
func needsApproval(actor access.Actor, r access.Role) bool {
	return !actor.System && access.GrantsPersonalData(r)
}

// requester is the requested_by of a change asked for by actor.
func requester(actor access.Actor) string {
	if actor.System || actor.UserID == "" {
		return SystemRequester
	}
	return actor.UserID
}

// requestChange records a pending change in tx, audits it and tells the
// approvers and the auditors. One change per account may be pending.
func (s *Service) requestChange(ctx context.Context, tx *store.Tx, actor access.Actor, c *Change) error {
	c.ID, c.State, c.RequestedBy, c.RequestedAt = store.NewID(), ChangePending, requester(actor), tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO user_changes (id, kind, user_id, role, org_id, old_role, old_org_id,
		requested_by, requested_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')`,
		c.ID, string(c.Kind), c.UserID, string(c.Role), c.OrgID, string(c.OldRole), c.OldOrgID, c.RequestedBy, store.T(tx.Now))
	if store.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "user_change.already_pending")
	}
	if err != nil {
		return errs.Internalf("insert user change: %w", err)
	}
	detail := "kind=" + string(c.Kind) + ",user=" + c.UserID + ",role=" + string(c.Role) + ",org=" + c.OrgID
	if err := record(ctx, tx, audit.ActorFrom(actor), "user_change.request", "user_change", c.ID, detail); err != nil {
		return err
	}
	to, err := changeWatchers(ctx, tx, access.UserChangeApprove, access.AuditRead)
	if err != nil {
		return err
	}
	return s.notifyChange(ctx, tx, to, NoticeChangeRequested, c.ID, c.RequestedBy, c.UserID)
}

// notifyChange sends kind about change id to each member but the ones named
// in skip (the requester hears of their own request from the page).
func (s *Service) notifyChange(ctx context.Context, tx *store.Tx, to []Member, kind, id string, skip ...string) error {
	if s.Changes == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, k := range skip {
		seen[k] = true
	}
	for _, m := range to {
		if seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		if err := s.Changes.NotifyUserChange(ctx, tx, ChangeNotice{Recipient: m, Kind: kind, ChangeID: id}); err != nil {
			return err
		}
	}
	return nil
}

// changeWatchers returns the active accounts whose role may do any of acts:
// the roles are read from the policy, not named here.
func changeWatchers(ctx context.Context, q store.Querier, acts ...access.Action) ([]Member, error) {
	var roles []any
	var marks []string
	for _, r := range access.Roles {
		for _, act := range acts {
			if access.Can(access.Actor{UserID: "-", Role: r}, act) {
				roles = append(roles, string(r))
				marks = append(marks, "$"+itoa(len(roles)))
				break
			}
		}
	}
	if len(roles) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.org_id, u.role FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.active = 1 AND o.active = 1 AND u.role IN (`+strings.Join(marks, ", ")+`) ORDER BY u.id`, roles...)
	if err != nil {
		return nil, errs.Internalf("read approvers: %w", err)
	}
	return scanMembers(rows)
}

// HasApprover reports whether an active account may approve account changes
// (a coordinator): until one exists, `ura user add` creates accounts directly.
func (s *Service) HasApprover(ctx context.Context) (bool, error) {
	m, err := changeWatchers(ctx, s.DB.Read(), access.UserChangeApprove)
	return len(m) > 0, err
}

// AddUserFromCommandLine is `ura user add`: run by an operator on the server.
// On a fresh install (no one yet who may approve) it creates the account
// directly, so the first administrator and coordinator can exist; afterwards
// an account with a role that sees personal data is created closed, waiting
// for a coordinator's approval like one created by an administrator. pending
// says which happened.
func (s *Service) AddUserFromCommandLine(ctx context.Context, in UserInput) (u *User, pending bool, err error) {
	has, err := s.HasApprover(ctx)
	if err != nil {
		return nil, false, err
	}
	u, err = s.createUser(ctx, access.SystemActor, in, has && access.GrantsPersonalData(in.Role))
	if err != nil {
		return nil, false, err
	}
	return u, u.Pending, nil
}

const changeColumns = `c.id, c.kind, c.user_id, c.role, c.org_id, COALESCE(o.name, ''), c.old_role, c.old_org_id,
	COALESCE(oo.name, ''), c.requested_by, c.requested_at, c.state, COALESCE(c.decided_by, ''), c.decided_at,
	c.key_id, c.reason_enc`

const changeFrom = ` FROM user_changes c LEFT JOIN organisations o ON o.id = c.org_id
	LEFT JOIN organisations oo ON oo.id = c.old_org_id`

type changeRow struct {
	Change
	keyID     sql.NullString
	reasonEnc []byte
}

func scanChange(row interface{ Scan(...any) error }) (*changeRow, error) {
	var r changeRow
	var kind, role, oldRole, state string
	var requested, decided store.Time
	err := row.Scan(&r.ID, &kind, &r.UserID, &role, &r.OrgID, &r.OrgName, &oldRole, &r.OldOrgID, &r.OldOrgName,
		&r.RequestedBy, &requested, &state, &r.DecidedBy, &decided, &r.keyID, &r.reasonEnc)
	if err != nil {
		return nil, err
	}
	r.Kind, r.Role, r.OldRole, r.State = ChangeKind(kind), access.Role(role), access.Role(oldRole), ChangeState(state)
	r.RequestedAt, r.DecidedAt = requested.Time, decided.Time
	return &r, nil
}

// ChangeListLimit caps the decided changes ListChanges returns: the audit
// trail holds the full record.
const ChangeListLimit = 100

// ListChanges returns the pending changes, oldest first, then the latest
// decided ones, newest first.
func (s *Service) ListChanges(ctx context.Context, actor access.Actor) (pending, decided []*Change, err error) {
	if err := access.Check(actor, access.UserChangeView); err != nil {
		return nil, nil, err
	}
	if pending, err = s.findChanges(ctx, actor, `c.state = 'pending' ORDER BY c.requested_at, c.id`); err != nil {
		return nil, nil, err
	}
	decided, err = s.findChanges(ctx, actor, `c.state <> 'pending' ORDER BY c.decided_at DESC, c.id LIMIT `+itoa(ChangeListLimit))
	return pending, decided, err
}

// PendingChange returns the change waiting for approval on account userID,
// or nil, to those who may see the account.
func (s *Service) PendingChange(ctx context.Context, actor access.Actor, userID string) (*Change, error) {
	if !access.Can(actor, access.UserChangeView) {
		if err := s.checkUserAccess(actor, userID, access.UserList); err != nil {
			return nil, err
		}
	}
	cs, err := s.findChanges(ctx, actor, `c.state = 'pending' AND c.user_id = $1`, userID)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return cs[0], nil
}

func (s *Service) findChanges(ctx context.Context, actor access.Actor, where string, args ...any) ([]*Change, error) {
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+changeColumns+changeFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, errs.Internalf("list user changes: %w", err)
	}
	var sealed []*changeRow
	for rows.Next() {
		r, err := scanChange(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf("scan user change: %w", err)
		}
		sealed = append(sealed, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("list user changes: %w", err)
	}
	names := map[string]*User{}
	person := func(id string) (*User, error) {
		if id == "" || id == SystemRequester {
			return nil, nil
		}
		if u, ok := names[id]; ok {
			return u, nil
		}
		r, err := s.loadUser(ctx, q, `u.id = $1`, id)
		if errs.Is(err, errs.NotFound) {
			names[id] = nil
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		u, err := s.open(ctx, q, r)
		if err != nil {
			return nil, err
		}
		names[id] = u
		return u, nil
	}
	out := make([]*Change, 0, len(sealed))
	for _, r := range sealed {
		c := r.Change
		if u, err := person(c.UserID); err != nil {
			return nil, err
		} else if u != nil {
			c.UserName, c.UserEmail = u.Name, u.Email
		}
		if u, err := person(c.RequestedBy); err != nil {
			return nil, err
		} else if u != nil {
			c.RequesterName = u.Name
		}
		if u, err := person(c.DecidedBy); err != nil {
			return nil, err
		} else if u != nil {
			c.DeciderName = u.Name
		}
		if r.keyID.Valid && r.reasonEnc != nil {
			reason, err := s.Vault.OpenString(ctx, q, r.keyID.String, vault.AAD{Table: "user_changes", Row: c.ID, Field: "reason"}, r.reasonEnc)
			if err != nil {
				return nil, errs.Internalf("open refusal reason: %w", err)
			}
			c.Reason = reason
		}
		c.Mine = !actor.System && (c.RequestedBy == actor.UserID || c.UserID == actor.UserID)
		out = append(out, &c)
	}
	return out, nil
}

// loadPending reads a pending change for a decision, locked in tx, and
// refuses a decider who asked for it or whom it is about.
func loadPending(ctx context.Context, tx *store.Tx, actor access.Actor, id string) (*changeRow, error) {
	// Lock the row alone: PostgreSQL refuses FOR UPDATE across the outer joins.
	var locked string
	err := tx.QueryRowContext(ctx, `SELECT id FROM user_changes WHERE id = $1`+tx.ForUpdate(), id).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user_change.not_found")
	}
	if err != nil {
		return nil, errs.Internalf("lock user change: %w", err)
	}
	r, err := scanChange(tx.QueryRowContext(ctx, `SELECT `+changeColumns+changeFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user_change.not_found")
	}
	if err != nil {
		return nil, errs.Internalf("load user change: %w", err)
	}
	switch {
	case r.State != ChangePending:
		return nil, errs.E(errs.Conflict, "user_change.decided")
	case !actor.System && r.RequestedBy == actor.UserID:
		return nil, errs.E(errs.Forbidden, "user_change.own_request")
	case !actor.System && r.UserID == actor.UserID:
		return nil, errs.E(errs.Forbidden, "user_change.own_account")
	}
	return r, nil
}

// ApproveChange makes a pending change take effect: the account is opened
// (a new account, a reopened one), given its new role and organisation (in
// which case its sessions end so that it signs in again under the new role),
// or has its second factor reset.
//
// A new account, and one whose second factor is reset, also gets an
// activation code, returned once: the approver
// hands it to the person, who types it at the first sign-in (the second-
// factor enrolment) with the password the administrator gave them. The
// administrator who chose that password cannot sign in with the account
// alone, nor can the approver.
func (s *Service) ApproveChange(ctx context.Context, actor access.Actor, id string) (activation string, err error) {
	if err := access.Check(actor, access.UserChangeApprove); err != nil {
		return "", err
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		c, err := loadPending(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		switch c.Kind {
		case ChangeCreate, ChangeActivate:
			_, err = tx.ExecContext(ctx, `UPDATE users SET active = 1, updated_at = $1 WHERE id = $2`, store.T(tx.Now), c.UserID)
		case ChangeRoleOrg:
			_, err = tx.ExecContext(ctx, `UPDATE users SET role = $1, org_id = $2, updated_at = $3 WHERE id = $4`,
				string(c.Role), c.OrgID, store.T(tx.Now), c.UserID)
			if err == nil {
				err = revokeSessions(ctx, tx, c.UserID, nil)
			}
		case ChangeTOTPReset:
			err = resetTOTP(ctx, tx, c.UserID)
		default:
			return errs.Internalf("user change %s: unknown kind %q", c.ID, c.Kind)
		}
		if err != nil {
			return errs.Internalf("apply user change: %w", err)
		}
		if c.Kind == ChangeCreate || c.Kind == ChangeTOTPReset {
			activation = newRecoveryCode()
			// An older code never used is void: only the newest opens the account.
			if _, err := tx.ExecContext(ctx, `UPDATE user_changes SET activated_at = $1 WHERE user_id = $2
				AND activation_hash IS NOT NULL AND activated_at IS NULL`, store.T(tx.Now), c.UserID); err != nil {
				return errs.Internalf("void activation code: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE user_changes SET activation_hash = $1 WHERE id = $2`,
				s.activationHash(c.UserID, activation), c.ID); err != nil {
				return errs.Internalf("store activation code: %w", err)
			}
		}
		return s.decide(ctx, tx, actor, &c.Change, ChangeApproved, nil, "")
	})
	if err != nil {
		return "", err
	}
	return activation, nil
}

// activationHash is how an activation code is stored: a keyed hash bound to
// the account, like a recovery code.
func (s *Service) activationHash(userID, code string) []byte {
	norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	return s.Vault.BlindIndex(domainActivate, userID+":"+norm)
}

// pendingActivation returns the keyed hash of the account's unused
// activation code and its change's id, or nil when none is due.
func pendingActivation(ctx context.Context, q store.Querier, userID string) (hash []byte, changeID string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, activation_hash FROM user_changes WHERE user_id = $1
		AND activation_hash IS NOT NULL AND activated_at IS NULL ORDER BY decided_at DESC LIMIT 1`, userID).Scan(&changeID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", errs.Internalf("read activation: %w", err)
	}
	return hash, changeID, nil
}

// NeedsActivation reports whether the session's account, at its first
// sign-in after approval, must still give its activation code.
func (s *Service) NeedsActivation(ctx context.Context, token string) (bool, error) {
	_, r, err := s.loadSession(ctx, s.DB.Read(), token, s.now())
	if err != nil {
		return false, err
	}
	h, _, err := pendingActivation(ctx, s.DB.Read(), r.ID)
	return h != nil, err
}

// checkActivation, inside the enrolment's transaction, accepts the account's
// activation code when one is due (and spends it); false means refused.
func (s *Service) checkActivation(ctx context.Context, tx *store.Tx, userID, code string) (bool, error) {
	h, changeID, err := pendingActivation(ctx, tx, userID)
	if err != nil || h == nil {
		return err == nil, err
	}
	if !hmac.Equal(h, s.activationHash(userID, code)) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE user_changes SET activated_at = $1 WHERE id = $2`, store.T(tx.Now), changeID); err != nil {
		return false, errs.Internalf("spend activation code: %w", err)
	}
	return true, nil
}

// RefuseChange refuses a pending change with a reason. The account stays as
// it was (a new account stays closed).
func (s *Service) RefuseChange(ctx context.Context, actor access.Actor, id, reason string) error {
	if err := access.Check(actor, access.UserChangeApprove); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return errs.InvalidField("reason", "validation.required")
	case utf8.RuneCountInString(reason) > MaxRefusalReason:
		return errs.InvalidField("reason", "validation.too_long").With(map[string]any{"max": MaxRefusalReason})
	case strings.IndexFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		return errs.InvalidField("reason", "validation.invalid")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		c, err := loadPending(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		keyID, err := s.Vault.NewDataKey(ctx, tx, "user_change")
		if err != nil {
			return errs.Internalf("user change data key: %w", err)
		}
		enc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "user_changes", Row: c.ID, Field: "reason"}, reason)
		if err != nil {
			return errs.Internalf("seal refusal reason: %w", err)
		}
		return s.decide(ctx, tx, actor, &c.Change, ChangeRefused, enc, keyID)
	})
}

// decide records the decision on c, audits it and tells the requester and
// the auditors.
func (s *Service) decide(ctx context.Context, tx *store.Tx, actor access.Actor, c *Change, state ChangeState, reasonEnc []byte, keyID string) error {
	var key any
	if keyID != "" {
		key = keyID
	}
	_, err := tx.ExecContext(ctx, `UPDATE user_changes SET state = $1, decided_by = $2, decided_at = $3, key_id = $4, reason_enc = $5
		WHERE id = $6 AND state = 'pending'`, string(state), requester(actor), store.T(tx.Now), key, reasonEnc, c.ID)
	if err != nil {
		return errs.Internalf("decide user change: %w", err)
	}
	detail := "kind=" + string(c.Kind) + ",user=" + c.UserID + ",role=" + string(c.Role) + ",org=" + c.OrgID
	action := "user_change.approve"
	if state == ChangeRefused {
		action = "user_change.refuse"
	}
	if err := record(ctx, tx, audit.ActorFrom(actor), action, "user_change", c.ID, detail); err != nil {
		return err
	}
	to, err := changeWatchers(ctx, tx, access.AuditRead)
	if err != nil {
		return err
	}
	if c.RequestedBy != SystemRequester {
		if m, err := MemberByID(ctx, tx, c.RequestedBy); err == nil && m.Active {
			to = append(to, m)
		}
	}
	return s.notifyChange(ctx, tx, to, NoticeChangeDecided, c.ID, requester(actor))
}

func itoa(n int) string { return strconv.Itoa(n) }
