package referral

import (
	"math"

	"github.com/ura-nrm/ura/internal/codes"
	"regexp"
	"strings"
)

// The rules below are HSDS 3.0's schema (schema/*.json of the Open Referral
// specification) for the objects Ura reads: required fields, UUID ids, and
// enumerations. A file breaking one is refused whole with the field's path.
var (
	hsdsStatuses      = []string{"active", "inactive", "defunct", "temporarily closed"}
	hsdsLocationTypes = []string{"physical", "postal", "virtual"}
	uuidRE            = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// IsUUID reports whether s has the form HSDS requires of every id.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }

// check validates each service of the file and the references within it.
func (p *parser) check(h *HSDS) {
	svcs := map[string]bool{}
	orgs := map[string]string{} // organization id → name, one name per id
	for i := range h.Contents {
		s := &h.Contents[i]
		field, code := checkService(s)
		if code == "" && svcs[strings.ToLower(s.ID)] {
			field, code = "contents.id", "directory.hsds_duplicate_id"
		}
		if code == "" && s.Organization != nil {
			id := strings.ToLower(s.Organization.ID)
			if name, seen := orgs[id]; seen && !strings.EqualFold(name, s.Organization.Name) {
				field, code = "contents.organization.name", "directory.hsds_org_conflict"
			}
			orgs[id] = s.Organization.Name
		}
		if code != "" {
			p.add(s.line, field, code)
		}
		svcs[strings.ToLower(s.ID)] = true
	}
}

// checkService returns the first fault of one service as its field path and
// catalogue key ("" when none).
func checkService(s *HSDSService) (field, code string) {
	switch {
	case !IsUUID(s.ID):
		return "contents.id", "directory.hsds_id"
	case strings.TrimSpace(s.Name) == "" || len(s.Name) > 200:
		return "contents.name", "validation.required"
	case !contains(hsdsStatuses, s.Status):
		return "contents.status", "validation.invalid_choice"
	case s.OrganizationID != "" && !IsUUID(s.OrganizationID):
		return "contents.organization_id", "directory.hsds_id"
	case s.Organization == nil:
		return "contents.organization", "directory.hsds_org_missing"
	case !IsUUID(s.Organization.ID):
		return "contents.organization.id", "directory.hsds_id"
	case s.OrganizationID != "" && !strings.EqualFold(s.OrganizationID, s.Organization.ID):
		return "contents.organization_id", "directory.hsds_unknown_ref"
	case strings.TrimSpace(s.Organization.Name) == "":
		return "contents.organization.name", "validation.required"
	case s.Organization.Description == nil:
		return "contents.organization.description", "validation.required"
	case !ageOK(s.MinimumAge) || !ageOK(s.MaximumAge):
		return "contents.minimum_age", "validation.invalid"
	case s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge:
		return "contents.maximum_age", "referral.age_range"
	case !contains(Types, s.uraType()):
		return "contents.attributes", "directory.hsds_type_missing"
	}
	for _, l := range s.Languages {
		if !IsUUID(l.ID) {
			return "contents.languages.id", "directory.hsds_id"
		}
		if !langRE.MatchString(strings.ToLower(l.Code)) {
			return "contents.languages.code", "validation.invalid"
		}
	}
	for _, ph := range s.Phones {
		if !IsUUID(ph.ID) {
			return "contents.phones.id", "directory.hsds_id"
		}
		if strings.TrimSpace(ph.Number) == "" {
			return "contents.phones.number", "validation.required"
		}
	}
	for _, sc := range s.Schedules {
		if !IsUUID(sc.ID) {
			return "contents.schedules.id", "directory.hsds_id"
		}
	}
	for _, a := range s.Attributes {
		if f, c := checkAttribute(a); c != "" {
			return f, c
		}
	}
	for _, sl := range s.ServiceAtLocations {
		if f, c := checkServiceAtLocation(s, sl); c != "" {
			return f, c
		}
	}
	return "", ""
}

func checkAttribute(a HSDSAttribute) (field, code string) {
	t := a.TaxonomyTerm
	switch {
	case !IsUUID(a.ID):
		return "contents.attributes.id", "directory.hsds_id"
	case t == nil:
		return "", ""
	case !IsUUID(t.ID):
		return "contents.attributes.taxonomy_term.id", "directory.hsds_id"
	case a.TaxonomyTermID != "" && !strings.EqualFold(a.TaxonomyTermID, t.ID):
		return "contents.attributes.taxonomy_term_id", "directory.hsds_unknown_ref"
	case strings.TrimSpace(t.Name) == "":
		return "contents.attributes.taxonomy_term.name", "validation.required"
	}
	return "", ""
}

func checkServiceAtLocation(s *HSDSService, sl HSDSServiceLocation) (field, code string) {
	switch {
	case !IsUUID(sl.ID):
		return "contents.service_at_locations.id", "directory.hsds_id"
	case sl.ServiceID != "" && !strings.EqualFold(sl.ServiceID, s.ID):
		return "contents.service_at_locations.service_id", "directory.hsds_unknown_ref"
	case sl.Location == nil:
		return "", ""
	case !IsUUID(sl.Location.ID):
		return "contents.service_at_locations.location.id", "directory.hsds_id"
	case sl.LocationID != "" && !strings.EqualFold(sl.LocationID, sl.Location.ID):
		return "contents.service_at_locations.location_id", "directory.hsds_unknown_ref"
	case !contains(hsdsLocationTypes, sl.Location.LocationType):
		return "contents.service_at_locations.location.location_type", "validation.invalid_choice"
	}
	for _, a := range sl.Location.Addresses {
		const f = "contents.service_at_locations.location.addresses."
		switch {
		case !IsUUID(a.ID):
			return f + "id", "directory.hsds_id"
		case strings.TrimSpace(a.Address1) == "":
			return f + "address_1", "validation.required"
		case strings.TrimSpace(a.City) == "":
			return f + "city", "validation.required"
		case a.StateProvince == nil:
			return f + "state_province", "validation.required"
		case a.PostalCode == nil:
			return f + "postal_code", "validation.required"
		case !codes.IsCountry(a.Country):
			return f + "country", "directory.hsds_country"
		case !contains(hsdsLocationTypes, a.AddressType):
			return f + "address_type", "validation.invalid_choice"
		}
	}
	return "", ""
}

func ageOK(a *float64) bool {
	return a == nil || (*a >= 0 && *a <= 120 && *a == math.Trunc(*a))
}

// uraType is the service's Ura type from its attributes ("" when none).
func (s *HSDSService) uraType() string {
	for _, a := range s.Attributes {
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == TaxonomyType {
			return a.TaxonomyTerm.Code
		}
	}
	return ""
}

// location is the service's first location with an address, if any.
func (s *HSDSService) location() *HSDSLocation {
	for _, sl := range s.ServiceAtLocations {
		if sl.Location != nil && len(sl.Location.Addresses) > 0 {
			return sl.Location
		}
	}
	return nil
}
