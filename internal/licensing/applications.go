package licensing

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// A provider applies for a licence: the service it would provide, its
// premises, the documents it encloses and its declaration. The
// coordinator's office receives it, checks that it is complete, schedules
// the inspection (recorded then as any inspection) and decides: a grant
// records the licence with its expiry in the same transaction, a refusal
// gives its reasons. The provider follows its own applications; every
// step is kept in the application's history.

// The states of a licence application.
const (
	AppSubmitted  = "submitted"
	AppIncomplete = "incomplete"
	AppComplete   = "complete"
	AppInspection = "inspection"
	AppGranted    = "granted"
	AppRefused    = "refused"
)

// MaxDocuments is how many documents an application may list.
const MaxDocuments = 30

// ApplicationInput is a provider's application as submitted.
type ApplicationInput struct {
	Category    string `json:"category"`
	Premises    string `json:"premises"`
	Documents   string `json:"documents"` // one per line
	Declaration bool   `json:"declaration"`
}

// Application is a licence application as shown.
type Application struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"organisation"`
	OrgName      string    `json:"organisation_name"`
	Category     string    `json:"category"`
	Premises     string    `json:"premises"`
	Documents    []string  `json:"documents"`
	Status       string    `json:"status"`
	Note         string    `json:"note,omitempty"`
	InspectionOn string    `json:"inspection_on,omitempty"`
	LicenceID    string    `json:"licence,omitempty"`
	SubmittedAt  time.Time `json:"submitted_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
	Steps        []Step    `json:"steps,omitempty"`
}

// Step is one step of an application's history.
type Step struct {
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Apply records a provider's application for its own organisation.
func (s *Service) Apply(ctx context.Context, actor access.Actor, in ApplicationInput) (*Application, error) {
	if err := access.Check(actor, access.LicenceApply); err != nil {
		return nil, err
	}
	if !contains(Categories, in.Category) {
		return nil, errs.InvalidField("category", "validation.invalid_choice")
	}
	if err := textField("premises", &in.Premises, 1000, true); err != nil {
		return nil, err
	}
	if err := textField("documents", &in.Documents, 5000, true); err != nil {
		return nil, err
	}
	var docs []string
	for _, l := range strings.Split(in.Documents, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			docs = append(docs, l)
		}
	}
	if len(docs) > MaxDocuments {
		return nil, errs.InvalidField("documents", "validation.too_many").With(map[string]any{"max": MaxDocuments})
	}
	if !in.Declaration {
		return nil, errs.InvalidField("declaration", "licensing.declaration_required")
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM licence_applications WHERE org_id = $1 AND category = $2
			AND status IN ('submitted', 'complete', 'inspection')`, actor.OrgID, in.Category).Scan(&n); err != nil {
			return errs.Internalf("read licence applications: %w", err)
		}
		if n > 0 {
			return errs.InvalidField("category", "licensing.application_pending")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO licence_applications (id, org_id, category, premises, documents, status,
			submitted_by, submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $7)`,
			id, actor.OrgID, in.Category, in.Premises, strings.Join(docs, "\n"), actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert licence application: %w", err)
		}
		if err := step(ctx, tx, actor, id, AppSubmitted, ""); err != nil {
			return err
		}
		return record(ctx, tx, actor, "licence.apply", "licence_application", id, "category="+in.Category)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Application(ctx, actor, id)
}

// step appends a step to an application's history.
func step(ctx context.Context, tx *store.Tx, actor access.Actor, id, status, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO licence_application_steps (application_id, seq, status, note, actor_id, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM licence_application_steps WHERE application_id = $1), $2, $3, $4, $5)`,
		id, status, note, actor.UserID, store.T(tx.Now)); err != nil {
		return errs.Internalf("application step: %w", err)
	}
	return nil
}

// advance moves an application from one of the states from to status,
// guarded by version, and runs more in the same transaction.
func (s *Service) advance(ctx context.Context, actor access.Actor, id string, version int, from []string, status, note, action string,
	more func(tx *store.Tx, orgID, category string) error) error {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var cur, org, cat string
		var v int
		err := tx.QueryRowContext(ctx, `SELECT status, org_id, category, version FROM licence_applications WHERE id = $1`+tx.ForUpdate(), id).
			Scan(&cur, &org, &cat, &v)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read licence application: %w", err)
		}
		if v != version {
			return errs.E(errs.Conflict, "error.conflict")
		}
		if !contains(from, cur) {
			return errs.E(errs.Conflict, "licensing.application_state")
		}
		if more != nil {
			if err := more(tx, org, cat); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE licence_applications SET status = $1, note = $2, updated_at = $3,
			version = version + 1 WHERE id = $4`, status, note, store.T(tx.Now), id); err != nil {
			return errs.Internalf("update licence application: %w", err)
		}
		if err := step(ctx, tx, actor, id, status, note); err != nil {
			return err
		}
		return record(ctx, tx, actor, action, "licence_application", id, "status="+status)
	}))
}

// CheckCompleteness records whether a submitted application is complete;
// an incomplete one needs a note of what is missing (the provider then
// applies again).
func (s *Service) CheckCompleteness(ctx context.Context, actor access.Actor, id string, version int, complete bool, note string) error {
	if err := textField("note", &note, 2000, !complete); err != nil {
		return err
	}
	status := AppComplete
	action := "licence.application_complete"
	if !complete {
		status = AppIncomplete
		action = "licence.application_incomplete"
	}
	return s.advance(ctx, actor, id, version, []string{AppSubmitted}, status, note, action, nil)
}

// ScheduleInspection sets the day of the inspection of a complete
// application (or moves it); the inspection itself is recorded against the
// minimum standards as any other.
func (s *Service) ScheduleInspection(ctx context.Context, actor access.Actor, id string, version int, on string) error {
	if err := validDate("inspection_on", on, true); err != nil {
		return err
	}
	if on < today(s.Clock.Now()) {
		return errs.InvalidField("inspection_on", "licensing.inspection_past")
	}
	action := "licence.application_inspection"
	return s.advance(ctx, actor, id, version, []string{AppComplete, AppInspection}, AppInspection, "", action,
		func(tx *store.Tx, _, _ string) error {
			if _, err := tx.ExecContext(ctx, `UPDATE licence_applications SET inspection_on = $1 WHERE id = $2`, on, id); err != nil {
				return errs.Internalf("schedule inspection: %w", err)
			}
			return nil
		})
}

// Decision is the coordinator's decision on an application: a grant with
// the licence's number and expiry, or a refusal with its reasons.
type Decision struct {
	Grant      bool   `json:"grant"`
	Number     string `json:"number"`
	ValidUntil string `json:"valid_until"`
	Conditions string `json:"conditions"`
	Reasons    string `json:"reasons"`
}

// Decide grants (recording the licence, issued today, in the same
// transaction) or refuses an application whose inspection is scheduled.
func (s *Service) Decide(ctx context.Context, actor access.Actor, id string, version int, d Decision) error {
	if !d.Grant {
		if err := textField("reasons", &d.Reasons, 2000, true); err != nil {
			return err
		}
		action := "licence.application_refused"
		return s.advance(ctx, actor, id, version, []string{AppInspection}, AppRefused, d.Reasons, action, nil)
	}
	issued := today(s.Clock.Now())
	lid := store.NewID()
	action := "licence.application_granted"
	return s.advance(ctx, actor, id, version, []string{AppInspection}, AppGranted, "", action, func(tx *store.Tx, org, cat string) error {
		in := LicenceInput{OrgID: org, Number: d.Number, Category: cat, IssuedOn: issued, ValidUntil: d.ValidUntil, Conditions: d.Conditions}
		if err := in.Validate(); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO licences (id, org_id, number, category, issued_on, valid_until, status,
			conditions, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $9)`,
			lid, org, in.Number, cat, issued, in.ValidUntil, in.Conditions, actor.UserID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("number", "licensing.number_taken")
		}
		if err != nil {
			return errs.Internalf("insert licence: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE licence_applications SET licence_id = $1 WHERE id = $2`, lid, id); err != nil {
			return errs.Internalf("grant licence: %w", err)
		}
		return record(ctx, tx, actor, "licence.record", "licence", lid, "org="+org+",category="+cat+",application="+id)
	})
}

const applicationCols = `id, org_id, category, premises, documents, status, note, inspection_on, licence_id, submitted_at,
	updated_at, version`

func (s *Service) applications(ctx context.Context, q store.Querier, where string, args ...any) ([]*Application, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+applicationCols+` FROM licence_applications WHERE `+where+`
		ORDER BY submitted_at DESC, id`, args...)
	if err != nil {
		return nil, errs.Internalf("read licence applications: %w", err)
	}
	defer rows.Close()
	var out []*Application
	var ids []string
	for rows.Next() {
		a := &Application{}
		var docs string
		var sub, upd store.Time
		if err := rows.Scan(&a.ID, &a.OrgID, &a.Category, &a.Premises, &docs, &a.Status, &a.Note, &a.InspectionOn, &a.LicenceID,
			&sub, &upd, &a.Version); err != nil {
			return nil, errs.Internalf("read licence applications: %w", err)
		}
		a.Documents = strings.Split(docs, "\n")
		a.SubmittedAt, a.UpdatedAt = sub.Time, upd.Time
		out = append(out, a)
		ids = append(ids, a.OrgID)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read licence applications: %w", err)
	}
	rows.Close()
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		if o := orgs[a.OrgID]; o != nil {
			a.OrgName = o.Name
		}
	}
	return out, nil
}

// Applications lists the licence applications the actor may see: every
// one for the coordinator's office, its own organisation's for a provider.
func (s *Service) Applications(ctx context.Context, actor access.Actor) ([]*Application, error) {
	switch access.ScopeOf(actor, access.LicenceView) {
	case access.All:
		return s.applications(ctx, s.DB.Read(), `1 = 1`)
	case access.Org:
		return s.applications(ctx, s.DB.Read(), `org_id = $1`, actor.OrgID)
	}
	return nil, errs.E(errs.Forbidden, "error.forbidden")
}

// Application returns one application with its history, if the actor may
// see it.
func (s *Service) Application(ctx context.Context, actor access.Actor, id string) (*Application, error) {
	if err := access.Check(actor, access.LicenceView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	as, err := s.applications(ctx, q, `id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 || access.CheckOrg(actor, access.LicenceView, as[0].OrgID) != nil {
		return nil, errNotFound
	}
	a := as[0]
	rows, err := q.QueryContext(ctx, `SELECT status, note, at FROM licence_application_steps WHERE application_id = $1
		ORDER BY seq`, id)
	if err != nil {
		return nil, errs.Internalf("read application steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		var at store.Time
		if err := rows.Scan(&st.Status, &st.Note, &at); err != nil {
			return nil, errs.Internalf("read application steps: %w", err)
		}
		st.At = at.Time
		a.Steps = append(a.Steps, st)
	}
	return a, rows.Err()
}
