package referral_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/hsds")

// hsdsService is a valid HSDS 3.0 service of one file, as a map a test
// changes before it writes the file.
func hsdsService() map[string]any {
	return map[string]any{
		"id": "0f6c8f0e-2a41-4c5e-9b7d-3e1a2c4b5d60", "name": "Legal counselling", "status": "active",
		"organization": map[string]any{"id": "6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Victim Advocates", "description": ""},
		"attributes": []any{map[string]any{"id": "3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c", "taxonomy_term": map[string]any{
			"id": "4a5b6c7d-8e9f-4a0b-9c2d-3e4f5a6b7c8d", "code": "legal_aid", "name": "Legal aid", "description": "", "taxonomy": "ura:service_type"}}},
		"service_at_locations": []any{map[string]any{"id": "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e", "location": map[string]any{
			"id": "6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0f", "location_type": "physical", "addresses": []any{map[string]any{
				"id": "7d8e9f0a-1b2c-4d3e-8f5a-6b7c8d9e0f1a", "address_1": "Office street 2", "city": "Prizren",
				"state_province": "", "postal_code": "", "country": "XK", "address_type": "physical"}}}}},
	}
}

// hsdsFile writes services into a page, each service on line 3 onwards,
// one line each.
func hsdsFile(t *testing.T, svcs ...map[string]any) string {
	var b strings.Builder
	b.WriteString("{\n\"contents\": [\n")
	for i, s := range svcs {
		j, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(j)
	}
	b.WriteString("\n]}")
	return b.String()
}

// TestHSDSMalformed: a malformed file is refused whole, and each problem
// names the line of the offending value and the field's path: HSDS 3.0's
// rules (UUID ids, required fields, enumerations) and Ura's own (a service
// type, an organisation with the service).
func TestHSDSMalformed(t *testing.T) {
	with := func(change func(s map[string]any)) string {
		s := hsdsService()
		change(s)
		return hsdsFile(t, s)
	}
	sub := func(s map[string]any, path ...any) map[string]any {
		var v any = s
		for _, p := range path {
			switch p := p.(type) {
			case string:
				v = v.(map[string]any)[p]
			case int:
				v = v.([]any)[p]
			}
		}
		return v.(map[string]any)
	}
	address := func(s map[string]any) map[string]any {
		return sub(s, "service_at_locations", 0, "location", "addresses", 0)
	}
	tests := []struct {
		name  string
		in    string
		line  int
		field string
		code  string
	}{
		{"NotAnObject", `[]`, 1, "", "directory.hsds_not_object"},
		{"ContentsNotArray", "{\n\"contents\": {}\n}", 2, "contents", "directory.hsds_not_array"},
		{"TypeError", "{\n\"contents\": [\n {\"id\": \"a\",\n  \"minimum_age\": \"ten\"}\n]\n}", 4, "contents.minimum_age", "directory.hsds_type"},
		{"SyntaxError", "{\n\"contents\": [\n {\"id\": \"a\",,}\n]}", 3, "", "directory.hsds_syntax"},
		{"Truncated", "{\n\"contents\": [\n {\"id\": \"a\"", 3, "", "directory.hsds_truncated"},
		{"Trailing", "{}\n{}", 2, "", "directory.hsds_trailing"},
		{"TablesNotAPage", "{\"organizations\": [],\n\"services\": []}", 1, "contents", "directory.hsds_not_object"},
		{"IDNotUUID", with(func(s map[string]any) { s["id"] = "svc-legal" }), 3, "contents.id", "directory.hsds_id"},
		{"MissingName", with(func(s map[string]any) { delete(s, "name") }), 3, "contents.name", "validation.required"},
		{"BadStatus", with(func(s map[string]any) { s["status"] = "open" }), 3, "contents.status", "validation.invalid_choice"},
		{"NoOrganization", with(func(s map[string]any) { delete(s, "organization") }), 3, "contents.organization", "directory.hsds_org_missing"},
		{"OrganizationWithoutDescription", with(func(s map[string]any) { delete(sub(s, "organization"), "description") }), 3, "contents.organization.description", "validation.required"},
		{"OrganizationIDMismatch", with(func(s map[string]any) { s["organization_id"] = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e" }), 3, "contents.organization_id", "directory.hsds_unknown_ref"},
		{"NoUraType", with(func(s map[string]any) { delete(s, "attributes") }), 3, "contents.attributes", "directory.hsds_type_missing"},
		{"TermWithoutID", with(func(s map[string]any) { delete(sub(s, "attributes", 0, "taxonomy_term"), "id") }), 3, "contents.attributes.taxonomy_term.id", "directory.hsds_id"},
		{"LanguageCode", with(func(s map[string]any) {
			s["languages"] = []any{map[string]any{"id": "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e", "code": "Albanian"}}
		}), 3, "contents.languages.code", "validation.invalid"},
		{"LocationType", with(func(s map[string]any) { sub(s, "service_at_locations", 0, "location")["location_type"] = "street" }), 3, "contents.service_at_locations.location.location_type", "validation.invalid_choice"},
		{"AddressWithoutPostalCode", with(func(s map[string]any) { delete(address(s), "postal_code") }), 3, "contents.service_at_locations.location.addresses.postal_code", "validation.required"},
		{"AddressCountry", with(func(s map[string]any) { address(s)["country"] = "Kosovo" }), 3, "contents.service_at_locations.location.addresses.country", "directory.hsds_country"},
		{"DuplicateID", hsdsFile(t, hsdsService(), hsdsService()), 4, "contents.id", "directory.hsds_duplicate_id"},
		{"OrganizationNamedTwice", func() string {
			a, b := hsdsService(), hsdsService()
			b["id"] = "1a7d9f1f-3b52-4d6f-8c8e-4f2b3d5c6e71"
			sub(b, "organization")["name"] = "Another name"
			return hsdsFile(t, a, b)
		}(), 4, "contents.organization.name", "directory.hsds_org_conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := referral.ParseHSDS([]byte(tt.in))
			var ie *referral.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an ImportError", err)
			}
			p := ie.Problems[0]
			if p.Line != tt.line || p.Field != tt.field || p.Code != tt.code {
				t.Errorf("got %+v, want line %d field %q code %s", p, tt.line, tt.field, tt.code)
			}
		})
	}
	if _, err := referral.ParseHSDS([]byte(hsdsFile(t, hsdsService()))); err != nil {
		t.Errorf("the valid service is refused: %v", err)
	}
}

// TestHSDSImportExport loads testdata/hsds/directory.json, checks that the
// shelter's location is sealed, and compares the export with the golden file.
func TestHSDSImportExport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			en := newEnv(t, e)
			in, err := os.ReadFile(filepath.Join("testdata", "hsds", "directory.json"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := en.svc.ImportHSDS(ctx, en.users["advocate"], in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("import by an advocate: %v, want forbidden", err)
			}
			res, err := en.svc.ImportHSDS(ctx, en.users["coord"], in)
			if err != nil || res.Created != 2 {
				t.Fatalf("import: %+v %v", res, err)
			}
			res, err = en.svc.ImportHSDS(ctx, en.users["coord"], in)
			if err != nil || res.Updated != 2 || res.Created != 0 {
				t.Fatalf("second import: %+v %v", res, err)
			}
			unknown := bytes.Replace(in, []byte(`"Victim Advocates"`), []byte(`"Nobody"`), 1)
			var ie *referral.ImportError
			legal := bytes.Count(in[:bytes.Index(in, []byte(`"Legal counselling"`))], []byte("\n")) + 1
			if _, err := en.svc.ImportHSDS(ctx, en.users["coord"], unknown); !errors.As(err, &ie) || ie.Problems[0].Line != legal ||
				ie.Problems[0].Field != "contents.organization.name" {
				t.Errorf("unknown organisation: %v", err)
			}
			list, _, err := en.svc.FindServices(ctx, en.users["thb"], referral.ServiceFilter{})
			if err != nil || len(list) != 2 {
				t.Fatalf("services %v %v", list, err)
			}
			for _, o := range list {
				if o.Type == referral.TypeTHBShelter {
					own, err := en.svc.FindServiceByID(ctx, en.users["thb"], o.ID)
					if err != nil || own.Location != "Secret street 1, Prishtinë" || own.Address != "" {
						t.Errorf("shelter: location %q address %q %v", own.Location, own.Address, err)
					}
				}
			}
			h, err := en.svc.ExportHSDS(ctx, en.users["police"])
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(h, "", "  ")
			for name, id := range en.orgs {
				got = bytes.ReplaceAll(got, []byte(`"`+referral.HSDSUUID("organization", id)+`"`), []byte(`"org:`+name+`"`))
			}
			again, _ := en.svc.ExportHSDS(ctx, en.users["police"])
			if b, _ := json.Marshal(again); !bytes.Equal(b, mustJSON(t, h)) {
				t.Error("a second export gives other ids")
			}
			checkHSDSSchema(t, mustJSON(t, h))
			if strings.Contains(string(got), "Secret street") {
				t.Error("the shelter's location is in the export")
			}
			golden := filepath.Join("testdata", "hsds", "export.golden.json")
			if *update {
				os.WriteFile(golden, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("export differs from %s (run with -update):\n%s", golden, got)
			}
			if _, err := referral.ParseHSDS(mustJSON(t, h)); err != nil {
				t.Errorf("the export does not parse back: %v", err)
			}
		})
	}
}

// FuzzParseHSDS: the parser never panics, and every problem it reports
// has a line inside the input.
func FuzzParseHSDS(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "hsds", "directory.json")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := referral.ParseHSDS(b)
		var ie *referral.ImportError
		switch {
		case err == nil && h == nil:
			t.Fatal("no bundle and no error")
		case err != nil && !errors.As(err, &ie):
			t.Fatalf("error of type %T", err)
		case err != nil:
			lines := bytes.Count(b, []byte("\n")) + 1
			for _, p := range ie.Problems {
				if p.Line < 1 || p.Line > lines || p.Code == "" {
					t.Fatalf("problem %+v outside %d lines", p, lines)
				}
			}
		}
	})
}
