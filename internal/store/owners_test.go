package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/store"
)

var (
	createTable = regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	tableUse    = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)`)
)

// migrationTables returns every table the migrations create.
func migrationTables(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	out := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			out[strings.ToLower(m[1])] = true
		}
	}
	return out
}

// tablesNamed returns the known tables that the SQL in the string literals
// of one Go source names after FROM, JOIN, INTO or UPDATE (DELETE FROM and
// INSERT INTO included), and the tables whose associated data it seals or
// opens records with (vault.AAD{Table: …}).
func tablesNamed(t *testing.T, name string, src any, known map[string]bool) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		// A record sealed or opened with a table's associated data
		// (vault.AAD{Table: "persons"}) is a read of that table's content.
		if cl, ok := n.(*ast.CompositeLit); ok && isAAD(cl.Type) {
			for _, e := range cl.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, ok := kv.Key.(*ast.Ident)
				val, ok2 := kv.Value.(*ast.BasicLit)
				if ok && ok2 && key.Name == "Table" && val.Kind == token.STRING {
					if tbl, err := strconv.Unquote(val.Value); err == nil && known[tbl] {
						out[tbl] = true
					}
				}
			}
			return true
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		for _, m := range tableUse.FindAllStringSubmatch(s, -1) {
			if tbl := strings.ToLower(m[1]); known[tbl] {
				out[tbl] = true
			}
		}
		return true
	})
	return out
}

func isAAD(t ast.Expr) bool {
	switch t := t.(type) {
	case *ast.SelectorExpr:
		return t.Sel.Name == "AAD"
	case *ast.Ident:
		return t.Name == "AAD"
	}
	return false
}

// TestEveryTableHasOneOwner keeps one owner per table: every table of the
// migrations has an owning package in store.TableOwners, and no package but
// the owner (and the documented exceptions) names it in its SQL.
func TestEveryTableHasOneOwner(t *testing.T) {
	tables := migrationTables(t)
	tables["schema_migrations"] = true // created by migrate.go itself
	for tbl := range tables {
		if store.TableOwners[tbl] == "" {
			t.Errorf("table %s has no owner in store.TableOwners", tbl)
		}
	}
	for tbl := range store.TableOwners {
		if !tables[tbl] {
			t.Errorf("store.TableOwners names %s, which no migration creates", tbl)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var offences []string
	scanned := 0
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			if store.TableOwnerExceptions[pkg] != "" {
				return nil
			}
			scanned++
			for tbl := range tablesNamed(t, path, nil, tables) {
				if owner := store.TableOwners[tbl]; owner != pkg {
					file, _ := filepath.Rel(root, path)
					offences = append(offences, filepath.ToSlash(file)+" names "+tbl+", owned by "+owner)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if scanned < 50 {
		t.Fatalf("scanned %d Go files: the walk missed the source tree", scanned)
	}
	sort.Strings(offences)
	for _, o := range offences {
		t.Error(o)
	}
}

// TestTablesNamed checks the scanner itself: it must see every form of SQL
// that would cross an owner's boundary, and nothing in prose or identifiers.
func TestTablesNamed(t *testing.T) {
	known := map[string]bool{"cases": true, "persons": true, "settings": true, "case_team": true, "organisations": true, "users": true}
	src := "package p\n" +
		"const a = `SELECT id FROM cases WHERE x = 1`\n" +
		"const b = \"UPDATE persons SET merged_into = $1\"\n" +
		"const c = `INSERT INTO settings (name, value) VALUES ($1, $2)`\n" +
		"const d = `DELETE FROM case_team WHERE case_id = $1`\n" +
		"const e = `SELECT 1 FROM services s\n\t\tJOIN organisations o ON o.id = s.org_id`\n" +
		"// a comment that reads FROM users is not SQL\n" +
		"var casesFromUsers = 1\n" +
		"var aad = vault.AAD{Table: \"users\", Row: id, Field: \"data\"}\n"
	got := tablesNamed(t, "p.go", src, known)
	want := []string{"case_team", "cases", "organisations", "persons", "settings", "users"}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("tables named = %v, want %v", names, want)
	}
}
