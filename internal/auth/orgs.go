package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Org is an agency of the referral mechanism: a police unit, a shelter, an
// NGO. Organisation names are public facts, not personal data, so they are
// stored in clear.
type Org struct {
	ID           string
	Name         string
	Type         access.OrgType
	Municipality string
	Active       bool
	CreatedAt    time.Time
}

// OrgInput is what an administrator enters for a new organisation.
type OrgInput struct {
	Name         string
	Type         access.OrgType
	Municipality string
}

const maxOrgName = 200

func (in *OrgInput) validate() error {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Municipality = strings.TrimSpace(in.Municipality)
	switch {
	case in.Name == "":
		return errs.InvalidField("name", "validation.required")
	case utf8.RuneCountInString(in.Name) > maxOrgName:
		return errs.InvalidField("name", "validation.too_long").With(map[string]any{"max": maxOrgName})
	case utf8.RuneCountInString(in.Municipality) > 100:
		return errs.InvalidField("municipality", "validation.too_long").With(map[string]any{"max": 100})
	}
	if _, ok := access.ParseOrgType(string(in.Type)); !ok {
		return errs.InvalidField("type", "validation.invalid_choice")
	}
	return nil
}

// CreateOrg adds an organisation. Names are unique: two "Shelter Prizren"
// would send referrals to the wrong door.
func (s *Service) CreateOrg(ctx context.Context, actor access.Actor, in OrgInput) (*Org, error) {
	if err := access.Check(actor, access.OrgManage); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	o := &Org{ID: store.NewID(), Name: in.Name, Type: in.Type, Municipality: in.Municipality, Active: true}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		o.CreatedAt = tx.Now
		_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, type, municipality, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $5)`, o.ID, o.Name, string(o.Type), o.Municipality, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Key: "org.name_taken", Field: "name"}
		}
		if err != nil {
			return errs.Internalf("insert organisation: %w", err)
		}
		return record(ctx, tx, audit.ActorFrom(actor), "org.create", "organisation", o.ID, string(o.Type))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

const orgColumns = `id, name, type, municipality, active, created_at`

func scanOrg(row interface{ Scan(...any) error }) (*Org, error) {
	var o Org
	var typ string
	var active int
	var created store.Time
	if err := row.Scan(&o.ID, &o.Name, &typ, &o.Municipality, &active, &created); err != nil {
		return nil, err
	}
	o.Type, o.Active, o.CreatedAt = access.OrgType(typ), active == 1, created.Time
	return &o, nil
}

// FindOrgs lists every organisation by name: referrals need to name any of
// them, so the list is not scoped to the actor's own.
func (s *Service) FindOrgs(ctx context.Context, actor access.Actor) ([]*Org, error) {
	if err := access.Check(actor, access.OrgList); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name`)
	if err != nil {
		return nil, errs.Internalf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []*Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, errs.Internalf("scan organisation: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("list organisations: %w", err)
	}
	return out, nil
}

// FindOrgByID returns one organisation, or errs.NotFound.
func (s *Service) FindOrgByID(ctx context.Context, actor access.Actor, id string) (*Org, error) {
	if err := access.Check(actor, access.OrgList); err != nil {
		return nil, err
	}
	return s.findOrg(ctx, s.DB.Read(), `id = $1`, id)
}

// FindOrgByName returns the organisation with exactly this name (spaces
// collapsed), or errs.NotFound; the command line names organisations so.
func (s *Service) FindOrgByName(ctx context.Context, actor access.Actor, name string) (*Org, error) {
	if err := access.Check(actor, access.OrgList); err != nil {
		return nil, err
	}
	return s.findOrg(ctx, s.DB.Read(), `name = $1`, strings.Join(strings.Fields(name), " "))
}

func (s *Service) findOrg(ctx context.Context, q store.Querier, where string, arg any) (*Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("org.not_found")
	}
	if err != nil {
		return nil, errs.Internalf("find organisation: %w", err)
	}
	return o, nil
}

// SetOrgActive opens or closes an organisation. Users of a closed
// organisation cannot sign in, and their sessions and tokens stop working at
// their next request (Authenticate checks the organisation too).
func (s *Service) SetOrgActive(ctx context.Context, actor access.Actor, id string, active bool) error {
	if err := access.Check(actor, access.OrgManage); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET active = $1, updated_at = $2 WHERE id = $3`,
			store.Bool(active), store.T(tx.Now), id)
		if err != nil {
			return errs.Internalf("update organisation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("org.not_found")
		}
		action := "org.deactivate"
		if active {
			action = "org.activate"
		}
		return record(ctx, tx, audit.ActorFrom(actor), action, "organisation", id, "")
	})
}
