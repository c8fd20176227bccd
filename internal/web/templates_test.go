package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/i18n"
)

var tKeyRE = regexp.MustCompile(`call \$?\.T "([a-z0-9_.]+)"`)
var goKeyRE = regexp.MustCompile(`"((?:flash|error|validation|session|signin|totp|enrol|dashboard\.title|admin|account|tokens|audit|nav|role|orgtype|sessions|form)\.[a-z0-9_.]+)"`)

// TestEveryUsedKeyExists fails when a template or a handler uses a message
// key that the English catalogue lacks (the catalogue test then makes sure
// every language has it).
func TestEveryUsedKeyExists(t *testing.T) {
	known := map[string]bool{}
	for _, k := range i18n.Keys() {
		known[k] = true
	}
	used := map[string]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".html"):
			for _, m := range tKeyRE.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = path
			}
		case strings.HasSuffix(path, ".go"):
			for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") {
					used[m[1]] = path
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range access.Roles {
		used["role."+string(r)] = "access.Roles"
		used["dashboard.title."+string(r)] = "access.Roles"
	}
	for _, o := range access.OrgTypes {
		used["orgtype."+string(o)] = "access.OrgTypes"
	}
	for k, where := range used {
		if !known[k] {
			t.Errorf("%s uses %q, missing from the English catalogue", where, k)
		}
	}
}
