package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
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

// User is a staff account. Email and Name are decrypted for the caller; the
// database holds them sealed under the user's own data key.
type User struct {
	ID          string
	OrgID       string
	OrgName     string
	Role        access.Role
	Email       string
	Name        string
	TOTPEnabled bool
	Active      bool
	Demo        bool
	Lang        string
	CreatedAt   time.Time
	// Pending: the account was created closed and waits for a second
	// person's approval (approvals.go).
	Pending bool
}

// Actor is the user as the acting party of a capability call.
func (u *User) Actor() access.Actor {
	return access.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}

// UserInput is what an administrator (or ura user add) enters for an account.
type UserInput struct {
	Email    string
	Name     string
	Role     access.Role
	OrgID    string
	Password string
	// Demo marks synthetic demo accounts (see HasRealData).
	Demo bool
}

// UserFilter narrows FindUsers; nil fields do not filter.
type UserFilter struct {
	OrgID  *string
	Role   *access.Role
	Active *bool
}

// Blind-index domains: each use of a keyed hash has its own, so an email's
// index never equals its throttle key.
const (
	domainEmail    = "user.email"
	domainAccount  = "signin.account"
	domainIP       = "signin.ip"
	domainSecond   = "signin.second_factor"
	domainChange   = "password.change"
	domainRecover  = "auth.recovery_code"
	domainActivate = "user.activation"
)

// NormalizeEmail is the form of an email that is indexed and compared:
// trimmed and lower-cased (mailbox case-sensitivity is never relied on).
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func validEmail(e string) bool {
	if len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(e, '@')
	return at > 0 && strings.Contains(e[at+1:], ".")
}

func (in *UserInput) validate() error {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	switch {
	case in.Email == "":
		return errs.InvalidField("email", "validation.required")
	case !validEmail(in.Email):
		return errs.InvalidField("email", "validation.email")
	case in.Name == "":
		return errs.InvalidField("name", "validation.required")
	case utf8.RuneCountInString(in.Name) > 200 || strings.IndexFunc(in.Name, unicode.IsControl) >= 0:
		return errs.InvalidField("name", "validation.too_long").With(map[string]any{"max": 200})
	}
	if _, ok := access.ParseRole(string(in.Role)); !ok {
		return errs.InvalidField("role", "validation.invalid_choice")
	}
	if in.OrgID == "" {
		return errs.InvalidField("org", "validation.required")
	}
	return ValidatePassword(in.Password)
}

// CreateUser adds an account. A role that sees personal data enrols a second
// factor at its first sign-in. Created by a person (not Ura itself), an
// account with a role that sees personal data is created closed and waits
// for a second person's approval (approvals.go): the returned User is
// Pending and not Active.
func (s *Service) CreateUser(ctx context.Context, actor access.Actor, in UserInput) (*User, error) {
	return s.createUser(ctx, actor, in, needsApproval(actor, in.Role))
}

func (s *Service) createUser(ctx context.Context, actor access.Actor, in UserInput, pending bool) (*User, error) {
	if err := access.Check(actor, access.UserManage); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	org, err := s.findOrg(ctx, s.DB.Read(), `id = $1`, in.OrgID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.InvalidField("org", "org.not_found")
		}
		return nil, err
	}
	if !org.Active {
		return nil, errs.InvalidField("org", "org.inactive")
	}
	pwHash, err := s.hash(in.Password)
	if err != nil {
		return nil, errs.Internalf("hash password: %w", err)
	}
	u := &User{ID: store.NewID(), OrgID: org.ID, OrgName: org.Name, Role: in.Role, Email: in.Email,
		Name: in.Name, Active: !pending, Demo: in.Demo, Pending: pending}
	index := s.Vault.BlindIndex(domainEmail, in.Email)
	err = s.inTx(ctx, func(tx *store.Tx) error {
		u.CreatedAt = tx.Now
		keyID, err := s.Vault.NewDataKey(ctx, tx, "user")
		if err != nil {
			return errs.Internalf("user data key: %w", err)
		}
		emailEnc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "users", Row: u.ID, Field: "email"}, u.Email)
		if err != nil {
			return errs.Internalf("seal email: %w", err)
		}
		nameEnc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "users", Row: u.ID, Field: "name"}, u.Name)
		if err != nil {
			return errs.Internalf("seal name: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (id, org_id, role, key_id, email_index, email_enc, name_enc,
			password_hash, demo, active, password_changed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)`,
			u.ID, u.OrgID, string(u.Role), keyID, index, emailEnc, nameEnc, pwHash, store.Bool(u.Demo), store.Bool(u.Active), store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Key: "user.email_taken", Field: "email"}
		}
		if err != nil {
			return errs.Internalf("insert user: %w", err)
		}
		if err := record(ctx, tx, audit.ActorFrom(actor), "user.create", "user", u.ID, "role="+string(u.Role)+",org="+u.OrgID); err != nil {
			return err
		}
		if !pending {
			return nil
		}
		return s.requestChange(ctx, tx, actor, &Change{Kind: ChangeCreate, UserID: u.ID, Role: u.Role, OrgID: u.OrgID})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// userRow is a users row with its organisation, still sealed.
type userRow struct {
	User
	keyID             string
	emailEnc, nameEnc []byte
	passwordHash      string
	totpEnc           []byte
	totpLastStep      int64
	orgActive         bool
	emailIndex        []byte
}

const userColumns = `u.id, u.org_id, o.name, o.active, u.role, u.key_id, u.email_index, u.email_enc, u.name_enc,
	u.password_hash, u.totp_secret_enc, u.totp_enabled, u.totp_last_step, u.lang, u.active, u.demo, u.created_at`

const userFrom = ` FROM users u JOIN organisations o ON o.id = u.org_id`

func scanUser(row interface{ Scan(...any) error }) (*userRow, error) {
	var r userRow
	var role string
	var orgActive, totp, active, demo int
	var created store.Time
	err := row.Scan(&r.ID, &r.OrgID, &r.OrgName, &orgActive, &role, &r.keyID, &r.emailIndex, &r.emailEnc, &r.nameEnc,
		&r.passwordHash, &r.totpEnc, &totp, &r.totpLastStep, &r.Lang, &active, &demo, &created)
	if err != nil {
		return nil, err
	}
	r.Role, r.orgActive, r.TOTPEnabled = access.Role(role), orgActive == 1, totp == 1
	r.Active, r.Demo, r.CreatedAt = active == 1, demo == 1, created.Time
	return &r, nil
}

// open decrypts the row's email and name into its User.
func (s *Service) open(ctx context.Context, q store.Querier, r *userRow) (*User, error) {
	email, err := s.Vault.OpenString(ctx, q, r.keyID, vault.AAD{Table: "users", Row: r.ID, Field: "email"}, r.emailEnc)
	if err != nil {
		return nil, errs.Internalf("open user email: %w", err)
	}
	name, err := s.Vault.OpenString(ctx, q, r.keyID, vault.AAD{Table: "users", Row: r.ID, Field: "name"}, r.nameEnc)
	if err != nil {
		return nil, errs.Internalf("open user name: %w", err)
	}
	u := r.User
	u.Email, u.Name = email, name
	return &u, nil
}

// loadUser reads one user row by a condition, sealed; sql.ErrNoRows becomes
// not found.
func (s *Service) loadUser(ctx context.Context, q store.Querier, where string, args ...any) (*userRow, error) {
	r, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user.not_found")
	}
	if err != nil {
		return nil, errs.Internalf("load user: %w", err)
	}
	return r, nil
}

// FindUsers lists accounts for administrators and auditors, oldest first.
func (s *Service) FindUsers(ctx context.Context, actor access.Actor, f UserFilter) ([]*User, error) {
	if err := access.Check(actor, access.UserList); err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OrgID != nil {
		add("u.org_id = ?", *f.OrgID)
	}
	if f.Role != nil {
		add("u.role = ?", string(*f.Role))
	}
	if f.Active != nil {
		add("u.active = ?", store.Bool(*f.Active))
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+userFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY u.created_at, u.id`, args...)
	if err != nil {
		return nil, errs.Internalf("list users: %w", err)
	}
	var sealed []*userRow
	for rows.Next() {
		r, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf("scan user: %w", err)
		}
		sealed = append(sealed, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("list users: %w", err)
	}
	out := make([]*User, 0, len(sealed))
	for _, r := range sealed {
		u, err := s.open(ctx, q, r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// FindUserByID returns an account: one's own always, others' with UserList.
// Anyone else gets not found, as if the account did not exist.
func (s *Service) FindUserByID(ctx context.Context, actor access.Actor, id string) (*User, error) {
	if err := s.checkUserAccess(actor, id, access.UserList); err != nil {
		return nil, err
	}
	r, err := s.loadUser(ctx, s.DB.Read(), `u.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, s.DB.Read(), r)
}

// FindUserByEmail finds an account by its blind index, for administrators.
func (s *Service) FindUserByEmail(ctx context.Context, actor access.Actor, email string) (*User, error) {
	if err := access.Check(actor, access.UserList); err != nil {
		return nil, err
	}
	r, err := s.loadUser(ctx, s.DB.Read(), `u.email_index = $1`, s.Vault.BlindIndex(domainEmail, NormalizeEmail(email)))
	if err != nil {
		return nil, err
	}
	return s.open(ctx, s.DB.Read(), r)
}

// checkUserAccess authorises act on account id: one's own account through
// AccountManage, another's through act (and not found without it).
func (s *Service) checkUserAccess(actor access.Actor, id string, act access.Action) error {
	if id != "" && id == actor.UserID && !actor.System {
		return access.Check(actor, access.AccountManage)
	}
	return checkOther(actor, act)
}

// Member is a user as far as routing work needs: no personal field.
type Member struct {
	ID, OrgID string
	Role      access.Role
	Active    bool
}

// ActiveMembers lists the active users of an organisation, read through q:
// the caller's transaction, so a caller holding locks never waits for a
// second connection from a pool that its own waiters may have exhausted.
func ActiveMembers(ctx context.Context, q store.Querier, orgID string) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, org_id, role FROM users WHERE org_id = $1 AND active = 1 ORDER BY id`, orgID)
	if err != nil {
		return nil, errs.Internalf("read members: %w", err)
	}
	return scanMembers(rows)
}

// scanMembers reads rows of (id, org_id, role) of active users.
func scanMembers(rows *sql.Rows) ([]Member, error) {
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m := Member{Active: true}
		var role string
		if err := rows.Scan(&m.ID, &m.OrgID, &role); err != nil {
			return nil, errs.Internalf("read members: %w", err)
		}
		m.Role = access.Role(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read members: %w", err)
	}
	return out, nil
}

// MemberByID reads one user's organisation, role and state through q.
func MemberByID(ctx context.Context, q store.Querier, id string) (Member, error) {
	m := Member{ID: id}
	var role string
	var active int
	err := q.QueryRowContext(ctx, `SELECT org_id, role, active FROM users WHERE id = $1`, id).Scan(&m.OrgID, &role, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.E(errs.NotFound, "user.not_found")
	}
	if err != nil {
		return m, errs.Internalf("read member: %w", err)
	}
	m.Role, m.Active = access.Role(role), active == 1
	return m, nil
}
