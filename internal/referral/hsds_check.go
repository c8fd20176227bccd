package referral

import (
	"math"
	"strings"
)

var hsdsStatuses = []string{"active", "inactive", "defunct", "temporarily closed"}

// check validates required fields, codes and references within the file.
func (p *parser) check(h *HSDS) {
	orgs := map[string]bool{}
	for _, o := range h.Organizations {
		switch {
		case o.ID == "" || len(o.ID) > 64:
			p.add(o.line, "organizations.id", "directory.hsds_id")
		case orgs[o.ID]:
			p.add(o.line, "organizations.id", "directory.hsds_duplicate_id")
		case strings.TrimSpace(o.Name) == "":
			p.add(o.line, "organizations.name", "validation.required")
		}
		orgs[o.ID] = true
	}
	svcs := map[string]bool{}
	for _, s := range h.Services {
		switch {
		case s.ID == "" || len(s.ID) > 64:
			p.add(s.line, "services.id", "directory.hsds_id")
		case svcs[s.ID]:
			p.add(s.line, "services.id", "directory.hsds_duplicate_id")
		case strings.TrimSpace(s.Name) == "" || len(s.Name) > 200:
			p.add(s.line, "services.name", "validation.required")
		case !contains(hsdsStatuses, s.Status):
			p.add(s.line, "services.status", "validation.invalid_choice")
		case !orgs[s.OrganizationID]:
			p.add(s.line, "services.organization_id", "directory.hsds_unknown_ref")
		case !ageOK(s.MinimumAge) || !ageOK(s.MaximumAge):
			p.add(s.line, "services.minimum_age", "validation.invalid")
		case s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge:
			p.add(s.line, "services.maximum_age", "referral.age_range")
		case !contains(Types, s.uraType()):
			p.add(s.line, "services.attributes", "directory.hsds_type_missing")
		case !languagesOK(s.Languages):
			p.add(s.line, "services.languages", "validation.invalid")
		}
		svcs[s.ID] = true
	}
	locs := map[string]bool{}
	for _, l := range h.Locations {
		switch {
		case l.ID == "" || len(l.ID) > 64:
			p.add(l.line, "locations.id", "directory.hsds_id")
		case locs[l.ID]:
			p.add(l.line, "locations.id", "directory.hsds_duplicate_id")
		}
		locs[l.ID] = true
	}
	for _, sl := range h.ServiceAtLocations {
		if !svcs[sl.ServiceID] || !locs[sl.LocationID] {
			p.add(sl.line, "service_at_locations", "directory.hsds_unknown_ref")
		}
	}
}

func ageOK(a *float64) bool {
	return a == nil || (*a >= 0 && *a <= 120 && *a == math.Trunc(*a))
}

func languagesOK(ls []HSDSLanguage) bool {
	for _, l := range ls {
		if !langRE.MatchString(strings.ToLower(l.Code)) {
			return false
		}
	}
	return true
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
