package referral

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// locationAAD binds a sealed shelter address to its service row.
func locationAAD(id string) vault.AAD {
	return vault.AAD{Table: "services", Row: id, Field: "location"}
}

// CreateService adds a service to the directory: the coordinator for any
// provider, a provider's staff for their own organisation only. A shelter's
// location is sealed with a data key of the service's own.
func (s *Service) CreateService(ctx context.Context, actor access.Actor, in ServiceInput) (*Offering, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := access.CheckOrg(actor, access.ServiceManage, in.Organisation); err != nil {
		return nil, err
	}
	o := &Offering{ID: store.NewID()}
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		return s.insertService(ctx, tx, actor, o, in, "")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return o, nil
}

func (s *Service) insertService(ctx context.Context, tx *store.Tx, actor access.Actor, o *Offering, in ServiceInput, hsdsID string) error {
	if err := checkProvider(ctx, tx, in.Organisation); err != nil {
		return err
	}
	e := Eligibility{}
	if in.Eligibility != nil {
		e = *in.Eligibility
	}
	var keyID string
	var loc []byte
	if in.Location != "" {
		var err error
		if keyID, err = s.Vault.NewDataKey(ctx, tx, "service"); err != nil {
			return errs.Internalf("service key: %w", err)
		}
		if loc, err = s.Vault.SealString(ctx, tx, keyID, locationAAD(o.ID), in.Location); err != nil {
			return errs.Internalf("seal location: %w", err)
		}
	}
	active := in.Active == nil || *in.Active
	_, err := tx.ExecContext(ctx, `INSERT INTO services (id, org_id, name, type, description, municipality, address,
		location_key, location_enc, hours, phone, email, sex, age_min, age_max, risk_min, risk_max, languages, nationalities,
		nationality_rule, accreditation, accredited_until, beds_total, beds_out_of_service, active, hsds_id, version,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		$19, $20, $21, $22, $23, $24, $25, $26, 1, $27, $27)`,
		o.ID, in.Organisation, in.Name, in.Type, in.Description, in.Municipality, in.Address, keyID, loc, in.Hours, in.Phone,
		in.Email, e.Sex, intOr(e.AgeMin), intOr(e.AgeMax), e.RiskMin, e.RiskMax, strings.Join(e.Languages, ","),
		strings.Join(e.Nationalities, ","), e.NationalityRule, in.Accreditation, in.AccreditedUntil, derefInt(in.BedsTotal),
		derefInt(in.BedsOutOfService), store.Bool(active), hsdsID, store.T(tx.Now))
	if store.IsUniqueViolation(err) {
		return errs.InvalidField("id", "referral.hsds_duplicate")
	}
	if err != nil {
		return errs.Internalf("insert service: %w", err)
	}
	o.OrgID, o.Name, o.Type = in.Organisation, in.Name, in.Type
	return record(ctx, tx, actor, "service.create", "service", o.ID, "", "type="+in.Type+",org="+in.Organisation)
}

// UpdateService changes a service: fields given replace the stored ones,
// nil pointers keep them. The organisation of a service never changes.
func (s *Service) UpdateService(ctx context.Context, actor access.Actor, id string, in ServiceInput) (*Offering, error) {
	var out *Offering
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		cur, err := s.loadService(ctx, tx, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if err := access.CheckOrg(actor, access.ServiceManage, cur.OrgID); err != nil {
			if access.Can(actor, access.ServiceView) {
				return err
			}
			return errNotFound
		}
		in.Organisation = cur.OrgID
		if in.Type == "" {
			in.Type = cur.Type
		}
		if in.Eligibility == nil {
			e := cur.Eligibility
			in.Eligibility = &e
		}
		if in.BedsTotal == nil {
			in.BedsTotal = &cur.BedsTotal
		}
		if in.BedsOutOfService == nil {
			in.BedsOutOfService = &cur.BedsOutOfService
		}
		if in.Active == nil {
			in.Active = &cur.Active
		}
		if err := in.Validate(); err != nil {
			return err
		}
		keyID, loc := cur.locationKey, cur.locationEnc
		if in.Location != "" {
			if keyID == "" {
				if keyID, err = s.Vault.NewDataKey(ctx, tx, "service"); err != nil {
					return errs.Internalf("service key: %w", err)
				}
			}
			if loc, err = s.Vault.SealString(ctx, tx, keyID, locationAAD(id), in.Location); err != nil {
				return errs.Internalf("seal location: %w", err)
			}
		}
		e := in.Eligibility
		_, err = tx.ExecContext(ctx, `UPDATE services SET name = $1, type = $2, description = $3, municipality = $4,
			address = $5, location_key = $6, location_enc = $7, hours = $8, phone = $9, email = $10, sex = $11, age_min = $12,
			age_max = $13, risk_min = $14, risk_max = $15, languages = $16, nationalities = $17, nationality_rule = $18,
			accreditation = $19, accredited_until = $20, beds_total = $21, beds_out_of_service = $22, active = $23,
			version = version + 1, updated_at = $24 WHERE id = $25`,
			in.Name, in.Type, in.Description, in.Municipality, in.Address, keyID, loc, in.Hours, in.Phone, in.Email, e.Sex,
			intOr(e.AgeMin), intOr(e.AgeMax), e.RiskMin, e.RiskMax, strings.Join(e.Languages, ","),
			strings.Join(e.Nationalities, ","), e.NationalityRule, in.Accreditation, in.AccreditedUntil, *in.BedsTotal,
			*in.BedsOutOfService, store.Bool(*in.Active), store.T(tx.Now), id)
		if err != nil {
			return errs.Internalf("update service: %w", err)
		}
		if err := record(ctx, tx, actor, "service.update", "service", id, "", "active="+strconv.FormatBool(*in.Active)); err != nil {
			return err
		}
		out, err = s.loadService(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	out.locationKey, out.locationEnc = "", nil
	return out, nil
}

// checkProvider refuses a service of an unknown or deactivated organisation.
func checkProvider(ctx context.Context, q store.Querier, orgID string) error {
	exists, active, err := auth.OrgActive(ctx, q, orgID)
	if err != nil {
		return err
	}
	if !exists {
		return errs.InvalidField("organisation", "referral.org_unknown")
	}
	if !active {
		return errs.InvalidField("organisation", "referral.provider_inactive")
	}
	return nil
}

// serviceColumns and scanService read a service row (aliased s); the
// organisation's name and state are filled by nameProviders.
const serviceColumns = `s.id, s.org_id, s.name, s.type, s.description, s.municipality, s.address,
	s.location_key, s.location_enc, s.hours, s.phone, s.email, s.sex, s.age_min, s.age_max, s.risk_min, s.risk_max,
	s.languages, s.nationalities, s.nationality_rule, s.accreditation, s.accredited_until, s.beds_total,
	s.beds_out_of_service, s.active, s.hsds_id, s.version, s.updated_at, ` + occupancySQL

// occupancySQL counts a service's occupied beds (open stays) and reserved
// beds (accepted shelter referrals not yet admitted, from the partial index
// referrals_reserved; see directory_cache.go): capacity is derived from the
// records of admissions and answers, never typed in.
const occupancySQL = `(SELECT COALESCE(SUM(st.beds), 0) FROM stays st WHERE st.service_id = s.id AND st.discharged_at IS NULL),
	(SELECT COUNT(*) FROM referrals r WHERE r.state = 'accepted' AND r.service_id = s.id AND r.admitted_at IS NULL
		AND r.service_type IN ('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility'))`

func scanService(row interface{ Scan(...any) error }, extra ...any) (*Offering, error) {
	var o Offering
	var active, ageMin, ageMax int
	var langs, nats string
	var updated store.Time
	dest := []any{&o.ID, &o.OrgID, &o.Name, &o.Type, &o.Description, &o.Municipality, &o.Address,
		&o.locationKey, &o.locationEnc, &o.Hours, &o.Phone, &o.Email, &o.Eligibility.Sex, &ageMin, &ageMax,
		&o.Eligibility.RiskMin, &o.Eligibility.RiskMax, &langs, &nats, &o.Eligibility.NationalityRule, &o.Accreditation,
		&o.AccreditedUntil, &o.BedsTotal, &o.BedsOutOfService, &active, &o.HSDSID, &o.Version, &updated,
		&o.BedsOccupied, &o.BedsReserved}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	o.Active, o.UpdatedAt = active == 1, updated.Time
	o.Eligibility.Languages, o.Eligibility.Nationalities = splitList(langs), splitList(nats)
	if ageMin >= 0 {
		o.Eligibility.AgeMin = &ageMin
	}
	if ageMax >= 0 {
		o.Eligibility.AgeMax = &ageMax
	}
	return &o, nil
}

// loadService reads one service with its live occupancy; lock is
// tx.ForUpdate() when the caller is about to change what depends on it
// (capacity), so concurrent admissions and acceptances serialise.
func (s *Service) loadService(ctx context.Context, q store.Querier, id, lock string) (*Offering, error) {
	if id == "" || len(id) > 64 {
		return nil, errs.E(errs.NotFound, "referral.service_not_found")
	}
	if lock != "" {
		// PostgreSQL cannot lock the nullable side of a join: lock the row alone first.
		var x string
		if err := q.QueryRowContext(ctx, `SELECT id FROM services WHERE id = $1`+lock, id).Scan(&x); errors.Is(err, sql.ErrNoRows) {
			return nil, errs.E(errs.NotFound, "referral.service_not_found")
		} else if err != nil {
			return nil, errs.Internalf("lock service: %w", err)
		}
	}
	o, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceColumns+`
		FROM services s WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "referral.service_not_found")
	}
	if err != nil {
		return nil, errs.Internalf("read service: %w", err)
	}
	if err := nameProviders(ctx, q, []*Offering{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// FindServiceByID returns one service. The shelter's secret location is
// opened for users of the owning organisation only, and that read is audited.
func (s *Service) FindServiceByID(ctx context.Context, actor access.Actor, id string) (*Offering, error) {
	if err := access.Check(actor, access.ServiceView); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	o, err := s.loadService(ctx, q, id, "")
	if err != nil {
		return nil, err
	}
	if o.locationEnc != nil && actor.OrgID == o.OrgID && !actor.System {
		now := s.Clock.Now()
		if _, err := audit.AppendNow(ctx, s.DB, now, audit.Event{Actor: audit.ActorFrom(actor), Action: "service.read_location",
			ObjectType: "service", ObjectID: o.ID}); err != nil {
			return nil, errs.Internalf("audit location read: %w", err)
		}
		if o.Location, err = s.Vault.OpenString(ctx, q, o.locationKey, locationAAD(o.ID), o.locationEnc); err != nil {
			return nil, errs.Internalf("open location: %w", err)
		}
	}
	o.locationKey, o.locationEnc = "", nil
	return o, nil
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
