package referral_test

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"testing"
	"time"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hsdsObject is what HSDS 3.0's JSON schema (schema/<object>.json of the
// Open Referral specification, version 3.0) says of one object: its
// properties and their kinds, which are required, which are UUIDs, e-mail
// addresses or date-times, the enumerations, and the objects nested in it.
// Written from the published schema; the export is read against it as
// plain JSON, so a field the Go types write wrongly is caught too.
type hsdsObject struct {
	required []string
	strings  []string
	numbers  []string
	uuids    []string
	emails   []string
	times    []string
	enums    map[string][]string
	objects  map[string]string // property → nested object kind
	arrays   map[string]string // property → kind of the array's items
}

var hsdsSchema = map[string]hsdsObject{
	"service": {
		required: []string{"id", "name", "status"},
		strings: []string{"name", "alternate_name", "description", "url", "interpretation_services", "application_process",
			"fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "assured_date", "licenses", "alert"},
		numbers: []string{"minimum_age", "maximum_age"},
		uuids:   []string{"id", "organization_id", "program_id"},
		emails:  []string{"email", "assurer_email"},
		times:   []string{"last_modified"},
		enums:   map[string][]string{"status": {"active", "inactive", "defunct", "temporarily closed"}},
		objects: map[string]string{"organization": "organization", "program": "program"},
		arrays: map[string]string{"phones": "phone", "schedules": "schedule", "service_areas": "service_area",
			"service_at_locations": "service_at_location", "languages": "language", "funding": "funding",
			"cost_options": "cost_option", "required_documents": "required_document", "contacts": "contact",
			"attributes": "attribute", "metadata": "metadata"},
	},
	"organization": {
		required: []string{"id", "name", "description"},
		strings: []string{"name", "alternate_name", "description", "website", "tax_status", "tax_id", "legal_status",
			"logo", "uri"},
		numbers: []string{"year_incorporated"},
		uuids:   []string{"id", "parent_organization_id"},
		emails:  []string{"email"},
		arrays: map[string]string{"funding": "funding", "contacts": "contact", "phones": "phone", "locations": "location",
			"programs": "program", "organization_identifiers": "organization_identifier", "attributes": "attribute",
			"metadata": "metadata"},
	},
	"service_at_location": {
		required: []string{"id"},
		strings:  []string{"description"},
		uuids:    []string{"id", "service_id", "location_id"},
		objects:  map[string]string{"location": "location"},
		arrays: map[string]string{"contacts": "contact", "phones": "phone", "schedules": "schedule",
			"attributes": "attribute", "metadata": "metadata"},
	},
	"location": {
		required: []string{"id", "location_type"},
		strings: []string{"url", "name", "alternate_name", "description", "transportation", "external_identifier",
			"external_identifier_type"},
		numbers: []string{"latitude", "longitude"},
		uuids:   []string{"id", "organization_id"},
		enums:   map[string][]string{"location_type": {"physical", "postal", "virtual"}},
		arrays: map[string]string{"languages": "language", "addresses": "address", "contacts": "contact",
			"accessibility": "accessibility", "phones": "phone", "schedules": "schedule", "attributes": "attribute",
			"metadata": "metadata"},
	},
	"address": {
		required: []string{"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
		strings:  []string{"attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country"},
		uuids:    []string{"id", "location_id"},
		enums:    map[string][]string{"address_type": {"physical", "postal", "virtual"}},
		arrays:   map[string]string{"attributes": "attribute", "metadata": "metadata"},
	},
	"phone": {
		required: []string{"id", "number"},
		strings:  []string{"number", "type", "description"},
		numbers:  []string{"extension"},
		uuids:    []string{"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"},
		arrays:   map[string]string{"languages": "language", "attributes": "attribute", "metadata": "metadata"},
	},
	"language": {
		required: []string{"id"},
		strings:  []string{"name", "code", "note"},
		uuids:    []string{"id", "service_id", "location_id", "phone_id"},
		arrays:   map[string]string{"attributes": "attribute", "metadata": "metadata"},
	},
	"schedule": {
		required: []string{"id"},
		strings: []string{"valid_from", "valid_to", "dtstart", "until", "byday", "byweekno", "bymonthday", "byyearday",
			"description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"},
		numbers: []string{"timezone", "count", "interval"},
		uuids:   []string{"id", "service_id", "location_id", "service_at_location_id"},
		enums: map[string][]string{"wkst": {"MO", "TU", "WE", "TH", "FR", "SA", "SU"},
			"freq": {"WEEKLY", "MONTHLY"}},
		arrays: map[string]string{"attributes": "attribute", "metadata": "metadata"},
	},
	"attribute": {
		required: []string{"id"},
		strings:  []string{"link_type", "link_entity", "value"},
		uuids:    []string{"id", "link_id", "taxonomy_term_id"},
		objects:  map[string]string{"taxonomy_term": "taxonomy_term"},
		arrays:   map[string]string{"metadata": "metadata"},
	},
	"taxonomy_term": {
		required: []string{"id", "name", "description"},
		strings:  []string{"code", "name", "description", "taxonomy", "language", "term_uri"},
		uuids:    []string{"id", "parent_id", "taxonomy_id"},
		objects:  map[string]string{"taxonomy_detail": "taxonomy"},
		arrays:   map[string]string{"metadata": "metadata"},
	},
}

var hsdsUUIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkHSDSSchema reads b as an HSDS 3.0 page of services (the API's
// GET /services answer) and reports every breach of the schema's rules,
// and every property the schema does not define for its object.
func checkHSDSSchema(t *testing.T, b []byte) {
	t.Helper()
	for _, m := range hsdsBreaches(b) {
		t.Error(m)
	}
}

// hsdsBreaches lists the breaches of HSDS 3.0's rules in b.
func hsdsBreaches(b []byte) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var page map[string]any
	if err := json.Unmarshal(b, &page); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	for _, k := range []string{"total_items", "total_pages", "page_number", "size"} {
		if n, ok := page[k].(float64); !ok || n != float64(int(n)) {
			add("page.%s = %v, want an integer", k, page[k])
		}
	}
	for _, k := range []string{"first_page", "last_page", "empty"} {
		if _, ok := page[k].(bool); !ok {
			add("page.%s = %v, want a boolean", k, page[k])
		}
	}
	contents, ok := page["contents"].([]any)
	if !ok {
		return append(out, fmt.Sprintf("page.contents = %T, want an array", page["contents"]))
	}
	if size, _ := page["size"].(float64); int(size) != len(contents) || page["empty"] != (len(contents) == 0) {
		add("page counts %v %v for %d services", page["size"], page["empty"], len(contents))
	}
	ids := map[string]string{}
	for i, s := range contents {
		checkHSDSObject(add, fmt.Sprintf("contents[%d]", i), "service", s, ids)
	}
	return out
}

func checkHSDSObject(add func(string, ...any), path, kind string, v any, ids map[string]string) {
	rule, known := hsdsSchema[kind]
	obj, ok := v.(map[string]any)
	switch {
	case !ok:
		add("%s: a %s must be an object, not %T", path, kind, v)
		return
	case !known:
		return // an object kind Ura never writes
	}
	for _, k := range rule.required {
		if _, ok := obj[k]; !ok {
			add("%s: the %s lacks the required %q", path, kind, k)
		}
	}
	if id, ok := obj["id"].(string); ok {
		// One id names one object: the same id twice must be the same
		// object (an organisation repeated with each of its services).
		was, seen := ids[id]
		j, _ := json.Marshal(obj)
		now := string(j)
		if seen && was != now {
			add("%s: id %s names two different objects", path, id)
		}
		ids[id] = now
	}
	for k, val := range obj {
		p := path + "." + k
		switch {
		case slices.Contains(rule.uuids, k):
			if s, ok := val.(string); !ok || !hsdsUUIDRE.MatchString(s) {
				add("%s = %v, want a UUID", p, val)
			}
		case slices.Contains(rule.emails, k):
			if s, ok := val.(string); !ok {
				add("%s = %v, want a string", p, val)
			} else if _, err := mail.ParseAddress(s); err != nil {
				add("%s = %q, want an e-mail address", p, s)
			}
		case slices.Contains(rule.times, k):
			if s, ok := val.(string); !ok {
				add("%s = %v, want a string", p, val)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				add("%s = %q, want a date-time", p, s)
			}
		case rule.enums[k] != nil:
			if s, ok := val.(string); !ok || !slices.Contains(rule.enums[k], s) {
				add("%s = %v, want one of %v", p, val, rule.enums[k])
			}
		case slices.Contains(rule.strings, k):
			if _, ok := val.(string); !ok {
				add("%s = %v, want a string", p, val)
			}
		case slices.Contains(rule.numbers, k):
			if _, ok := val.(float64); !ok {
				add("%s = %v, want a number", p, val)
			}
		case rule.objects[k] != "":
			checkHSDSObject(add, p, rule.objects[k], val, ids)
		case rule.arrays[k] != "":
			list, ok := val.([]any)
			if !ok {
				add("%s = %v, want an array", p, val)
				continue
			}
			for i, item := range list {
				checkHSDSObject(add, fmt.Sprintf("%s[%d]", p, i), rule.arrays[k], item, ids)
			}
		default:
			add("%s: HSDS 3.0 defines no %q in a %s", p, k, kind)
		}
	}
}

// TestHSDSSchemaCheck: the schema check itself catches what it must, so a
// passing export means something.
func TestHSDSSchemaCheck(t *testing.T) {
	good := hsdsFile(t, hsdsService())
	for name, change := range map[string]func(map[string]any){
		"id not a UUID":        func(s map[string]any) { s["id"] = "svc-1" },
		"status off its list":  func(s map[string]any) { s["status"] = "open" },
		"required name absent": func(s map[string]any) { delete(s, "name") },
		"undefined property":   func(s map[string]any) { s["services"] = []any{} },
		"nested required":      func(s map[string]any) { delete(s["organization"].(map[string]any), "description") },
		"age as text":          func(s map[string]any) { s["minimum_age"] = "18" },
	} {
		s := hsdsService()
		change(s)
		if !schemaFails(hsdsFile(t, s)) {
			t.Errorf("%s: the schema check passes it", name)
		}
	}
	page := func(s string) string {
		return `{"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": true, "last_page": true, "empty": false, ` + s[1:]
	}
	if schemaFails(page(good)) {
		t.Error("the schema check refuses a valid page")
	}
}

// schemaFails reports whether the schema check finds a breach in doc.
func schemaFails(doc string) bool { return len(hsdsBreaches([]byte(doc))) > 0 }
