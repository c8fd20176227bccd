// Package grants runs grant schemes for civil-society service providers,
// shaped on the EU's external-action procedure (PRAG, DOMAIN-2 §3.2): calls
// for proposals with lots, budget, minimum and maximum grant, co-financing,
// deadlines and an evaluation grid; applications submitted before the
// deadline and immutable after it; the administrative check; evaluation by
// evaluators who first declare that they have no conflict of interest;
// averaged scores, ranking, reserve list and the award with its evaluation
// report; contracts with budget lines, payments and a reporting schedule
// (R3.3); what the money bought, counted from referral's records and
// protected before a funder sees it (R3.2); and the public funding record
// of providers per year.
//
// Nothing here reads a case: services delivered are counted by referral
// (the Counter interface), and only counts leave this package.
package grants

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
)

// Counter counts the persons a provider served in a period, by service
// type, victim category, sex, age band, nationality group and new or
// continuing: referral implements it (ServedBy), over its own records.
type Counter interface {
	ServedBy(ctx context.Context, orgID, from, to string) ([]referral.Served, error)
}

// Users finds accounts by role (the evaluators to assign); *auth.Service is one.
type Users interface {
	FindUsers(ctx context.Context, actor access.Actor, f auth.UserFilter) ([]*auth.User, error)
}

// Service runs the grant schemes. Every method takes the acting user.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	Users Users
	// Counter counts services delivered by a provider (referral implements it).
	Counter Counter
	// Loc is the instance's time zone: a call's deadline is a local time.
	Loc *time.Location
	// Notify, when set (internal/app: the notification service), tells a
	// provider's organisation in the reminder's transaction that a report
	// is due.
	Notify func(ctx context.Context, tx *store.Tx, orgID, kind, objectType, objectID string) error
}

// Remind notifies, once per report, the provider of each contract whose
// report is due within ReminderDays or overdue (the job grants.remind).
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	if s.Notify == nil {
		return 0, nil
	}
	soon := day(now.AddDate(0, 0, ReminderDays))
	n := 0
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, k.id, k.org_id FROM grant_reports r JOIN grant_contracts k ON k.id = r.contract_id
			WHERE r.status IN ('due', 'clarification') AND r.reminded_on = '' AND r.due_on <= $1 ORDER BY r.due_on, r.id`, soon)
		if err != nil {
			return errs.Internalf("read reports: %w", err)
		}
		var due [][3]string
		for rows.Next() {
			var a, b, c string
			if err := rows.Scan(&a, &b, &c); err != nil {
				rows.Close()
				return errs.Internalf("read reports: %w", err)
			}
			due = append(due, [3]string{a, b, c})
		}
		rows.Close()
		for _, d := range due {
			if err := s.Notify(ctx, tx, d[2], "grant.report_due", "grant_contract", d[1]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE grant_reports SET reminded_on = $1 WHERE id = $2`, day(now), d[0]); err != nil {
				return errs.Internalf("remind report: %w", err)
			}
			n++
		}
		return nil
	})
	return n, wrap(err)
}

func (s *Service) loc() *time.Location {
	if s.Loc == nil {
		return time.UTC
	}
	return s.Loc
}

// wrap returns nil for nil, else the *errs.Error inside err.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return errs.As(err)
}

// record appends an audit event in tx (codes and ids only).
func record(ctx context.Context, tx *store.Tx, a access.Actor, action, objType, objID, detail string) error {
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(a), Action: action, ObjectType: objType,
		ObjectID: objID, Detail: detail}); err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

var errNotFound = errs.E(errs.NotFound, "grants.not_found")

// ParseEuro reads an amount in euros ("12500", "12 500,50", "12500.5")
// into cents; field names the form field for the error.
func ParseEuro(field, s string, required bool) (int64, error) {
	s = strings.TrimSpace(strings.NewReplacer(" ", "", "\u00a0", "", "€", "").Replace(s))
	if s == "" {
		if required {
			return 0, errs.InvalidField(field, "validation.required")
		}
		return 0, nil
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e11 {
		return 0, errs.InvalidField(field, "grants.amount_invalid")
	}
	c := math.Round(f * 100)
	if math.Abs(c-f*100) > 1e-6*math.Max(1, f) {
		return 0, errs.InvalidField(field, "grants.amount_invalid")
	}
	return int64(c), nil
}

// Euro formats cents as euros with two decimals ("12 500.00" style is left to pages).
func Euro(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
	if neg {
		out = "-" + out
	}
	return "€\u00a0" + out
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

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// lines splits a text into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// orgNames reads the names of organisations.
func orgNames(ctx context.Context, q store.Querier, ids []string) (map[string]string, error) {
	m, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for id, o := range m {
		out[id] = o.Name
	}
	return out, nil
}

func marks(ids []string, from int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
		args[i] = id
	}
	return b.String(), args
}
