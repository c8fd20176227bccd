package referral

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ImportHSDS loads an HSDS bundle into the directory in one transaction:
// all of it or, on any problem, nothing. Services are matched by their HSDS
// id (a second import updates them); organisations by name, and each must
// already be registered in Ura (organisations carry accounts and access,
// so an import never creates one). A shelter's location is sealed as its
// secret address; any other service's location becomes its office address.
func (s *Service) ImportHSDS(ctx context.Context, actor access.Actor, data []byte) (*ImportResult, error) {
	if err := access.Check(actor, access.DirectoryImport); err != nil {
		return nil, err
	}
	h, err := ParseHSDS(data)
	if err != nil {
		return nil, err
	}
	orgIDs := map[string]string{}
	var problems []ImportProblem
	for _, o := range h.Organizations {
		id, found, err := auth.OrgIDByNameFold(ctx, s.DB.Read(), strings.TrimSpace(o.Name))
		if err != nil {
			return nil, err
		}
		if !found {
			problems = append(problems, ImportProblem{Line: o.line, Field: "organizations.name", Code: "directory.org_unknown"})
			continue
		}
		orgIDs[o.ID] = id
	}
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	locs := map[string]HSDSLocation{}
	for _, l := range h.Locations {
		locs[l.ID] = l
	}
	at := map[string]HSDSLocation{}
	for _, sl := range h.ServiceAtLocations {
		if _, dup := at[sl.ServiceID]; !dup {
			at[sl.ServiceID] = locs[sl.LocationID]
		}
	}
	res := &ImportResult{}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		for i := range h.Services {
			hs := &h.Services[i]
			in := hs.input(orgIDs[hs.OrganizationID], at[hs.ID])
			if err := in.Validate(); err != nil {
				e := errs.As(err)
				return &ImportError{Problems: []ImportProblem{{Line: hs.line, Field: "services." + e.Field, Code: e.Key}}}
			}
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM services WHERE hsds_id = $1`+tx.ForUpdate(), hs.ID).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := s.insertService(ctx, tx, actor, &Offering{ID: store.NewID()}, in, hs.ID); err != nil {
					return err
				}
				res.Created++
			case err != nil:
				return errs.Internalf("read service: %w", err)
			default:
				if err := s.updateImported(ctx, tx, id, in); err != nil {
					return err
				}
				res.Updated++
			}
		}
		return record(ctx, tx, actor, "directory.import", "directory", "hsds", "",
			"created="+strconv.Itoa(res.Created)+",updated="+strconv.Itoa(res.Updated))
	})
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			return nil, ie
		}
		return nil, errs.As(err)
	}
	return res, nil
}

// input maps an HSDS service to Ura's input.
func (hs *HSDSService) input(orgID string, loc HSDSLocation) ServiceInput {
	in := ServiceInput{Name: hs.Name, Type: hs.uraType(), Organisation: orgID, Description: hs.Description, Email: hs.Email}
	active := hs.Status == "active"
	in.Active = &active
	e := &Eligibility{}
	if hs.MinimumAge != nil {
		a := int(*hs.MinimumAge)
		e.AgeMin = &a
	}
	if hs.MaximumAge != nil {
		a := int(*hs.MaximumAge)
		e.AgeMax = &a
	}
	for _, l := range hs.Languages {
		e.Languages = append(e.Languages, strings.ToLower(l.Code))
	}
	in.Eligibility = e
	if len(hs.Phones) > 0 {
		in.Phone = hs.Phones[0].Number
	}
	if len(hs.Schedules) > 0 {
		in.Hours = hs.Schedules[0].Description
	}
	if len(loc.Addresses) > 0 {
		a := loc.Addresses[0]
		addr := strings.TrimSpace(strings.Trim(a.Address1+", "+a.City, ", "))
		in.Municipality = a.City
		if IsShelter(in.Type) {
			in.Location = addr
		} else {
			in.Address = addr
		}
	}
	return in
}

// updateImported rewrites the fields an HSDS file carries, keeping what
// only Ura knows (beds, risk range, sex, accreditation state).
func (s *Service) updateImported(ctx context.Context, tx *store.Tx, id string, in ServiceInput) error {
	var keyID string
	var loc []byte
	if err := tx.QueryRowContext(ctx, `SELECT location_key, location_enc FROM services WHERE id = $1`, id).Scan(&keyID, &loc); err != nil {
		return errs.Internalf("read service: %w", err)
	}
	if in.Location != "" {
		var err error
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
	_, err := tx.ExecContext(ctx, `UPDATE services SET name = $1, type = $2, description = $3, municipality = $4, address = $5,
		location_key = $6, location_enc = $7, hours = $8, phone = $9, email = $10, age_min = $11, age_max = $12,
		languages = $13, active = $14, version = version + 1, updated_at = $15 WHERE id = $16`,
		in.Name, in.Type, in.Description, in.Municipality, in.Address, keyID, loc, in.Hours, in.Phone, in.Email,
		intOr(e.AgeMin), intOr(e.AgeMax), strings.Join(e.Languages, ","), store.Bool(*in.Active), store.T(tx.Now), id)
	if err != nil {
		return errs.Internalf("update service: %w", err)
	}
	return nil
}

// ExportHSDS writes the directory as an HSDS bundle. Shelter locations are
// never exported: a shelter has no location in the file at all.
func (s *Service) ExportHSDS(ctx context.Context, actor access.Actor) (*HSDS, error) {
	var list []*Offering
	for {
		page, _, err := s.FindServices(ctx, actor, ServiceFilter{Limit: MaxLimit, Offset: len(list)})
		if err != nil {
			return nil, err
		}
		list = append(list, page...)
		if len(page) < MaxLimit {
			break
		}
	}
	h := &HSDS{Organizations: []HSDSOrganization{}, Services: []HSDSService{}, Locations: []HSDSLocation{},
		ServiceAtLocations: []HSDSServiceLocation{}}
	orgs := map[string]bool{}
	for _, o := range list {
		if !orgs[o.OrgID] {
			orgs[o.OrgID] = true
			h.Organizations = append(h.Organizations, HSDSOrganization{ID: o.OrgID, Name: o.OrgName})
		}
		id := o.HSDSID
		if id == "" {
			id = o.ID
		}
		hs := HSDSService{ID: id, OrganizationID: o.OrgID, Name: o.Name, Description: o.Description, Email: o.Email,
			Status: "inactive", Attributes: []HSDSAttribute{{TaxonomyTerm: &HSDSTerm{Code: o.Type, Taxonomy: TaxonomyType}}}}
		if o.Active {
			hs.Status = "active"
		}
		if a := o.Eligibility.AgeMin; a != nil {
			f := float64(*a)
			hs.MinimumAge = &f
		}
		if a := o.Eligibility.AgeMax; a != nil {
			f := float64(*a)
			hs.MaximumAge = &f
		}
		for _, l := range o.Eligibility.Languages {
			hs.Languages = append(hs.Languages, HSDSLanguage{Code: l})
		}
		if o.Phone != "" {
			hs.Phones = []HSDSPhone{{Number: o.Phone}}
		}
		if o.Hours != "" {
			hs.Schedules = []HSDSSchedule{{Description: o.Hours}}
		}
		if o.Accreditation != "" {
			hs.Accreditations = o.Accreditation
			if o.AccreditedUntil != "" {
				hs.Accreditations += " until " + o.AccreditedUntil
			}
		}
		h.Services = append(h.Services, hs)
		if o.Address != "" && !IsShelter(o.Type) {
			lid := "loc-" + id
			h.Locations = append(h.Locations, HSDSLocation{ID: lid, Name: o.Name, LocationType: "physical",
				Addresses: []HSDSAddress{{Address1: o.Address, City: o.Municipality, Country: s.Cases.Country, AddressType: "physical"}}})
			h.ServiceAtLocations = append(h.ServiceAtLocations, HSDSServiceLocation{ID: "sal-" + id, ServiceID: id, LocationID: lid})
		}
	}
	sort.Slice(h.Organizations, func(i, j int) bool { return h.Organizations[i].Name < h.Organizations[j].Name })
	return h, nil
}
