package referral

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
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
	orgIDs := map[string]string{} // HSDS organization id → Ura organisation
	var problems []ImportProblem
	for _, hs := range h.Contents {
		o := hs.Organization
		key := strings.ToLower(o.ID)
		if _, done := orgIDs[key]; done {
			continue
		}
		id, found, err := auth.OrgIDByNameFold(ctx, s.DB.Read(), strings.TrimSpace(o.Name))
		if err != nil {
			return nil, err
		}
		if !found {
			problems = append(problems, ImportProblem{Line: hs.line, Field: "contents.organization.name", Code: "directory.org_unknown"})
		}
		orgIDs[key] = id
	}
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	res := &ImportResult{}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		for i := range h.Contents {
			hs := &h.Contents[i]
			in := hs.input(orgIDs[strings.ToLower(hs.Organization.ID)])
			if err := in.Validate(); err != nil {
				e := errs.As(err)
				return &ImportError{Problems: []ImportProblem{{Line: hs.line, Field: "contents." + e.Field, Code: e.Key}}}
			}
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM services WHERE hsds_id = $1`+tx.ForUpdate(), strings.ToLower(hs.ID)).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := s.insertService(ctx, tx, actor, &Offering{ID: store.NewID()}, in, strings.ToLower(hs.ID)); err != nil {
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
func (hs *HSDSService) input(orgID string) ServiceInput {
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
	if loc := hs.location(); loc != nil {
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

// ExportHSDS writes the directory as an HSDS 3.0 page of fully nested
// services. Every id is a UUID, the same at every export: an imported
// service keeps its HSDS id, any other object's id is derived (UUID version
// 5) from Ura's id for it. Shelter locations are never exported: a shelter
// has no location in the file at all.
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
	h := &HSDS{Contents: []HSDSService{}, PageNumber: 1, TotalPages: 1, FirstPage: true, LastPage: true}
	empty := ""
	en := i18n.For(i18n.English) // HSDS names are for other systems: English
	for _, o := range list {
		id := o.HSDSID
		if !IsUUID(id) {
			id = hsdsUUID("service", o.ID)
		}
		part := func(kind string, i int) string { return hsdsUUID(kind, id, strconv.Itoa(i)) }
		orgID := hsdsUUID("organization", o.OrgID)
		hs := HSDSService{ID: id, OrganizationID: orgID, Name: o.Name, Description: o.Description, Email: o.Email,
			Status: "inactive", Organization: &HSDSOrganization{ID: orgID, Name: o.OrgName, Description: &empty}}
		if o.Active {
			hs.Status = "active"
		}
		if !o.UpdatedAt.IsZero() {
			hs.LastModified = o.UpdatedAt.UTC().Format(time.RFC3339)
		}
		term := hsdsUUID("taxonomy_term", TaxonomyType, o.Type)
		hs.Attributes = []HSDSAttribute{{ID: part("attribute", 0), LinkID: id, LinkType: "service", LinkEntity: "service",
			TaxonomyTermID: term, TaxonomyTerm: &HSDSTerm{ID: term, Code: o.Type, Name: en.T("service.type." + o.Type),
				Description: "", Taxonomy: TaxonomyType}}}
		if a := o.Eligibility.AgeMin; a != nil {
			f := float64(*a)
			hs.MinimumAge = &f
		}
		if a := o.Eligibility.AgeMax; a != nil {
			f := float64(*a)
			hs.MaximumAge = &f
		}
		for i, l := range o.Eligibility.Languages {
			hs.Languages = append(hs.Languages, HSDSLanguage{ID: part("language", i), ServiceID: id, Code: l})
		}
		if o.Phone != "" {
			hs.Phones = []HSDSPhone{{ID: part("phone", 0), ServiceID: id, Number: o.Phone}}
		}
		if o.Hours != "" {
			hs.Schedules = []HSDSSchedule{{ID: part("schedule", 0), ServiceID: id, Description: o.Hours}}
		}
		if o.Accreditation != "" {
			hs.Accreditations = o.Accreditation
			if o.AccreditedUntil != "" {
				hs.Accreditations += "; until " + o.AccreditedUntil
			}
		}
		if o.Address != "" && !IsShelter(o.Type) {
			lid := part("location", 0)
			hs.ServiceAtLocations = []HSDSServiceLocation{{ID: part("service_at_location", 0), ServiceID: id, LocationID: lid,
				Location: &HSDSLocation{ID: lid, LocationType: "physical", Name: o.Name, Addresses: []HSDSAddress{{
					ID: part("address", 0), LocationID: lid, Address1: o.Address, City: o.Municipality,
					StateProvince: &empty, PostalCode: &empty, Country: s.Cases.Country, AddressType: "physical"}}}}}
		}
		h.Contents = append(h.Contents, hs)
	}
	sort.SliceStable(h.Contents, func(i, j int) bool {
		a, b := h.Contents[i], h.Contents[j]
		if a.Organization.Name != b.Organization.Name {
			return a.Organization.Name < b.Organization.Name
		}
		return a.Name < b.Name
	})
	h.TotalItems, h.Size, h.Empty = len(h.Contents), len(h.Contents), len(h.Contents) == 0
	return h, nil
}

// hsdsNamespace is the namespace of the UUIDs (version 5) Ura derives for
// HSDS objects from its own ids.
var hsdsNamespace = [16]byte{0x5b, 0x2e, 0x8c, 0x41, 0x0d, 0x7a, 0x4f, 0x63, 0x9e, 0x12, 0x6a, 0xc4, 0x37, 0x50, 0xb1, 0x8d}

// hsdsUUID is the name-based UUID (RFC 9562 version 5, SHA-1) of the parts
// joined by "/" in Ura's namespace: the same parts give the same id.
func hsdsUUID(parts ...string) string {
	h := sha1.New()
	h.Write(hsdsNamespace[:])
	h.Write([]byte(strings.Join(parts, "/")))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u[:])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
