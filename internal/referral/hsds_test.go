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

// TestHSDSMalformed: a malformed file is refused whole, and each problem
// names the line of the offending value.
func TestHSDSMalformed(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		line  int
		field string
		code  string
	}{
		{"NotAnObject", `[]`, 1, "", "directory.hsds_not_object"},
		{"TableNotArray", "{\n\"services\": {}\n}", 2, "services", "directory.hsds_not_array"},
		{"TypeError", "{\n\"services\": [\n {\"id\": \"a\",\n  \"minimum_age\": \"ten\"}\n]\n}", 4, "services.minimum_age", "directory.hsds_type"},
		{"SyntaxError", "{\n\"services\": [\n {\"id\": \"a\",,}\n]}", 3, "", "directory.hsds_syntax"},
		{"Truncated", "{\n\"services\": [\n {\"id\": \"a\"", 3, "", "directory.hsds_truncated"},
		{"Trailing", "{}\n{}", 2, "", "directory.hsds_trailing"},
		{"MissingName", "{\"organizations\": [{\"id\": \"o\", \"name\": \"N\"}],\n\"services\": [\n{\"id\": \"s\", \"organization_id\": \"o\", \"status\": \"active\"}]}", 3, "services.name", "validation.required"},
		{"BadStatus", "{\"organizations\": [{\"id\": \"o\", \"name\": \"N\"}],\n\"services\": [\n\n{\"id\": \"s\", \"organization_id\": \"o\", \"name\": \"n\", \"status\": \"open\"}]}", 4, "services.status", "validation.invalid_choice"},
		{"UnknownOrganization", "{\"services\": [\n{\"id\": \"s\", \"organization_id\": \"x\", \"name\": \"n\", \"status\": \"active\"}]}", 2, "services.organization_id", "directory.hsds_unknown_ref"},
		{"NoUraType", "{\"organizations\": [{\"id\": \"o\", \"name\": \"N\"}],\n\"services\": [\n{\"id\": \"s\", \"organization_id\": \"o\", \"name\": \"n\", \"status\": \"active\"}]}", 3, "services.attributes", "directory.hsds_type_missing"},
		{"DuplicateID", "{\"organizations\": [\n{\"id\": \"o\", \"name\": \"N\"},\n{\"id\": \"o\", \"name\": \"M\"}]}", 3, "organizations.id", "directory.hsds_duplicate_id"},
		{"DanglingServiceAtLocation", "{\"service_at_locations\": [\n\n{\"id\": \"x\", \"service_id\": \"s\", \"location_id\": \"l\"}]}", 3, "service_at_locations", "directory.hsds_unknown_ref"},
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
			if _, err := en.svc.ImportHSDS(ctx, en.users["coord"], unknown); !errors.As(err, &ie) || ie.Problems[0].Line != 4 {
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
				got = bytes.ReplaceAll(got, []byte(`"`+id+`"`), []byte(`"org:`+name+`"`))
			}
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
			if _, err := referral.ParseHSDS(got); err != nil {
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
