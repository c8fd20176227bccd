// Package licensing keeps the licences of service providers against the
// minimum standards (the Minimum Standards of Care for Victims of
// Trafficking and the social-services standards, DOMAIN-2 §3.3), the
// inspections that record each standard met, partly met or not met with its
// evidence and the corrective action due, and the reminders of licences
// about to expire and actions overdue.
//
// Referral does not import this package: internal/app gives referral a
// gate (Service.Gate) that refuses a referral to a provider whose licence
// is missing, expired, suspended or revoked when the instance is
// configured so (R3.1, the setting SettingRequired), and a reader of
// licence status for the directory (Service.StatusOf).
package licensing

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// SettingRequired names the setting that makes referral refuse providers
// without a licence in force: "1" on, anything else off.
const SettingRequired = "licensing.referral_requires_licence"

// The stored states of a licence. Expired is derived: a licence whose
// valid_until is before today is expired whatever its stored status.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusRevoked   = "revoked"
	StatusExpired   = "expired"
	StatusNone      = "none" // the provider holds no licence at all
)

// Statuses are the states a coordinator may set.
var Statuses = []string{StatusActive, StatusSuspended, StatusRevoked}

// Categories are the services a licence covers.
var Categories = []string{"shelter_trafficking", "shelter_general", "social_services", "reintegration"}

// ExpiryWarningDays is how long before its expiry a licence is listed
// among the reminders.
const ExpiryWarningDays = 60

// Service runs licensing. Every method takes the acting user explicitly.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	// Notify, when set (internal/app: the notification service), tells a
	// provider's organisation in the transaction of the reminder that its
	// licence expires soon or has expired.
	Notify func(ctx context.Context, tx *store.Tx, orgID, kind, objectType, objectID string) error
}

// Remind notifies, once per licence and validity, the organisations whose
// active licence expires within ExpiryWarningDays or has expired (the job
// licences.remind). It returns how many it notified.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	if s.Notify == nil {
		return 0, nil
	}
	soon := today(now.AddDate(0, 0, ExpiryWarningDays))
	n := 0
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, org_id FROM licences WHERE status = 'active' AND reminded_on = ''
			AND valid_until <= $1 ORDER BY valid_until, id`, soon)
		if err != nil {
			return errs.Internalf("read licences: %w", err)
		}
		var due [][2]string
		for rows.Next() {
			var id, org string
			if err := rows.Scan(&id, &org); err != nil {
				rows.Close()
				return errs.Internalf("read licences: %w", err)
			}
			due = append(due, [2]string{id, org})
		}
		rows.Close()
		for _, d := range due {
			if err := s.Notify(ctx, tx, d[1], "licence.expiring", "licence", d[0]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE licences SET reminded_on = $1 WHERE id = $2`, today(now), d[0]); err != nil {
				return errs.Internalf("remind licence: %w", err)
			}
			n++
		}
		return nil
	})
	return n, wrap(err)
}

// Licence is one licence as shown.
type Licence struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"organisation"`
	OrgName    string    `json:"organisation_name"`
	Number     string    `json:"number"`
	Category   string    `json:"category"`
	IssuedOn   string    `json:"issued_on"`
	ValidUntil string    `json:"valid_until"`
	Status     string    `json:"status"`    // stored: active | suspended | revoked
	Effective  string    `json:"effective"` // with expiry: active | suspended | revoked | expired
	Conditions string    `json:"conditions,omitempty"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// LicenceInput is a licence as the coordinator records it.
type LicenceInput struct {
	OrgID      string `json:"organisation"`
	Number     string `json:"number"`
	Category   string `json:"category"`
	IssuedOn   string `json:"issued_on"`
	ValidUntil string `json:"valid_until"`
	Conditions string `json:"conditions"`
}

// Effective is the status of a licence on day (YYYY-MM-DD).
func Effective(status, validUntil, day string) string {
	if status == StatusActive && validUntil < day {
		return StatusExpired
	}
	return status
}

func today(t time.Time) string { return t.UTC().Format("2006-01-02") }

// validDate checks a YYYY-MM-DD date field.
func validDate(field, v string, required bool) error {
	if v == "" {
		if required {
			return errs.InvalidField(field, "validation.required")
		}
		return nil
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return errs.InvalidField(field, "validation.date")
	}
	return nil
}

func textField(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case !utf8.ValidString(*s) || utf8.RuneCountInString(*s) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Validate checks a licence's fields, each beside its own field.
func (in *LicenceInput) Validate() error {
	if in.OrgID == "" {
		return errs.InvalidField("organisation", "validation.required")
	}
	if err := textField("number", &in.Number, 60, true); err != nil {
		return err
	}
	if !contains(Categories, in.Category) {
		return errs.InvalidField("category", "validation.invalid_choice")
	}
	if err := validDate("issued_on", in.IssuedOn, true); err != nil {
		return err
	}
	if err := validDate("valid_until", in.ValidUntil, true); err != nil {
		return err
	}
	if in.ValidUntil <= in.IssuedOn {
		return errs.InvalidField("valid_until", "licensing.until_before_issued")
	}
	return textField("conditions", &in.Conditions, 2000, false)
}

// record appends an audit event in tx (codes and ids only).
func record(ctx context.Context, tx *store.Tx, a access.Actor, action, objType, objID, detail string) error {
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(a), Action: action, ObjectType: objType,
		ObjectID: objID, Detail: detail}); err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

// Record adds a licence to a provider (the coordinator's office).
func (s *Service) Record(ctx context.Context, actor access.Actor, in LicenceInput) (*Licence, error) {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	l := &Licence{ID: store.NewID()}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		orgs, err := auth.OrgsByID(ctx, tx, []string{in.OrgID})
		if err != nil {
			return err
		}
		if orgs[in.OrgID] == nil {
			return errs.InvalidField("organisation", "licensing.no_such_provider")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO licences (id, org_id, number, category, issued_on, valid_until, status,
			conditions, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $9)`,
			l.ID, in.OrgID, in.Number, in.Category, in.IssuedOn, in.ValidUntil, in.Conditions, actor.UserID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("number", "licensing.number_taken")
		}
		if err != nil {
			return errs.Internalf("insert licence: %w", err)
		}
		return record(ctx, tx, actor, "licence.record", "licence", l.ID, "org="+in.OrgID+",category="+in.Category)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Licence(ctx, actor, l.ID)
}

// SetStatus suspends, revokes or reinstates a licence, or extends its
// validity (validUntil non-empty). version guards against a stale form.
func (s *Service) SetStatus(ctx context.Context, actor access.Actor, id, status, validUntil string, version int) error {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return err
	}
	if !contains(Statuses, status) {
		return errs.InvalidField("status", "validation.invalid_choice")
	}
	if err := validDate("valid_until", validUntil, false); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var issued, until string
		var v int
		err := tx.QueryRowContext(ctx, `SELECT issued_on, valid_until, version FROM licences WHERE id = $1`+tx.ForUpdate(), id).
			Scan(&issued, &until, &v)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read licence: %w", err)
		}
		if v != version {
			return errs.E(errs.Conflict, "error.conflict")
		}
		if validUntil == "" {
			validUntil = until
		}
		if validUntil <= issued {
			return errs.InvalidField("valid_until", "licensing.until_before_issued")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE licences SET status = $1, valid_until = $2, reminded_on = '', updated_at = $3,
			version = version + 1 WHERE id = $4`, status, validUntil, store.T(tx.Now), id); err != nil {
			return errs.Internalf("update licence: %w", err)
		}
		return record(ctx, tx, actor, "licence.status", "licence", id, "status="+status)
	}))
}

var errNotFound = errs.E(errs.NotFound, "licensing.not_found")

const licenceCols = `id, org_id, number, category, issued_on, valid_until, status, conditions, version, updated_at`

func scanLicences(rows *sql.Rows, day string) ([]*Licence, error) {
	defer rows.Close()
	var out []*Licence
	for rows.Next() {
		l := &Licence{}
		var upd store.Time
		if err := rows.Scan(&l.ID, &l.OrgID, &l.Number, &l.Category, &l.IssuedOn, &l.ValidUntil, &l.Status, &l.Conditions,
			&l.Version, &upd); err != nil {
			return nil, errs.Internalf("read licences: %w", err)
		}
		l.UpdatedAt = upd.Time
		l.Effective = Effective(l.Status, l.ValidUntil, day)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read licences: %w", err)
	}
	return out, nil
}

// names fills the organisations' names.
func names(ctx context.Context, q store.Querier, ls []*Licence) error {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.OrgID
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if o := orgs[l.OrgID]; o != nil {
			l.OrgName = o.Name
		}
	}
	return nil
}

// List returns the licences the actor may see: every one for the
// coordinator's office, its own organisation's for a provider.
func (s *Service) List(ctx context.Context, actor access.Actor) ([]*Licence, error) {
	sc := access.ScopeOf(actor, access.LicenceView)
	if sc == access.None {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	org := ""
	if sc != access.All {
		org = actor.OrgID
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+licenceCols+` FROM licences WHERE ($1 = '' OR org_id = $1)
		ORDER BY valid_until, number`, org)
	if err != nil {
		return nil, errs.Internalf("read licences: %w", err)
	}
	ls, err := scanLicences(rows, today(s.Clock.Now()))
	if err != nil {
		return nil, err
	}
	return ls, names(ctx, q, ls)
}

// Licence returns one licence the actor may see.
func (s *Service) Licence(ctx context.Context, actor access.Actor, id string) (*Licence, error) {
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+licenceCols+` FROM licences WHERE id = $1`, id)
	if err != nil {
		return nil, errs.Internalf("read licence: %w", err)
	}
	ls, err := scanLicences(rows, today(s.Clock.Now()))
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 || access.CheckOrg(actor, access.LicenceView, ls[0].OrgID) != nil {
		return nil, errNotFound
	}
	return ls[0], names(ctx, q, ls)
}

// StatusOf gives the licence status of each organisation on day: the best
// of its licences (active before suspended before expired before revoked),
// StatusNone for one without any. It trusts its caller (referral's
// directory, which shows the status to everyone who reads the directory).
func StatusOf(ctx context.Context, q store.Querier, orgIDs []string, day string) (map[string]string, error) {
	out := make(map[string]string, len(orgIDs))
	for _, id := range orgIDs {
		out[id] = StatusNone
	}
	if len(orgIDs) == 0 {
		return out, nil
	}
	seen := map[string]bool{}
	var args []any
	var marks []string
	for _, id := range orgIDs {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
			marks = append(marks, "$"+itoa(len(args)))
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT org_id, status, valid_until FROM licences WHERE org_id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf("read licence status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, st, until string
		if err := rows.Scan(&org, &st, &until); err != nil {
			return nil, errs.Internalf("read licence status: %w", err)
		}
		if e := Effective(st, until, day); rank[e] > rank[out[org]] {
			out[org] = e
		}
	}
	return out, rows.Err()
}

var rank = map[string]int{StatusNone: 0, StatusRevoked: 1, StatusExpired: 2, StatusSuspended: 3, StatusActive: 4}

func itoa(n int) string { return strconv.Itoa(n) }

// Required reports whether referral must refuse unlicensed providers.
func Required(ctx context.Context, q store.Querier) (bool, error) {
	v, _, err := store.Setting(ctx, q, SettingRequired)
	if err != nil {
		return false, errs.Internalf("%w", err)
	}
	return v == "1", nil
}

// SetRequired turns the rule R3.1 on or off (the coordinator's office).
func (s *Service) SetRequired(ctx context.Context, actor access.Actor, on bool) error {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return err
	}
	v := "0"
	if on {
		v = "1"
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if err := store.PutSetting(ctx, tx, SettingRequired, v); err != nil {
			return errs.Internalf("%w", err)
		}
		return record(ctx, tx, actor, "licence.setting", "setting", SettingRequired, "value="+v)
	}))
}

// Gate is referral's hook (R3.1): inside the referral's transaction it
// refuses a service whose provider holds no licence in force, when the
// instance requires one. The error names the field service_id and says
// why in words (expired, suspended, revoked, none).
func Gate(ctx context.Context, tx *store.Tx, orgID string) error {
	on, err := Required(ctx, tx)
	if err != nil || !on {
		return err
	}
	st, err := StatusOf(ctx, tx, []string{orgID}, today(tx.Now))
	if err != nil {
		return err
	}
	if s := st[orgID]; s != StatusActive {
		return errs.InvalidField("service_id", "licensing.refused."+s)
	}
	return nil
}

// wrap returns nil for nil, else the *errs.Error inside err (never a typed nil).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return errs.As(err)
}
