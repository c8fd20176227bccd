package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

// auditDynamicActions are the actions built at run time rather than written
// as one literal: "consent."+type, "referral."+verbAction(verb),
// "case.person_"+kind.
var auditDynamicActions = []string{
	"consent.grant", "consent.withdrawal", "consent.override",
	"referral.accept", "referral.decline", "referral.withdraw", "referral.complete",
	"case.person_merge", "case.person_unmerge",
}

// auditActionsInCode finds every audit action name written in the code: a
// literal in an Action: field, the first dotted literal passed to one of
// the packages' audit helpers, or a literal assigned to a variable named
// action.
func auditActionsInCode(t *testing.T) map[string]string {
	t.Helper()
	dotted := regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$`)
	helpers := map[string]bool{"record": true, "recordRead": true, "recordEvent": true, "appendAudit": true, "written": true,
		"secondFactor": true, "auditRead": true, "event": true}
	found := map[string]string{}
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
			if err != nil {
				return err
			}
			lit := func(e ast.Expr) string {
				b, ok := e.(*ast.BasicLit)
				if !ok || b.Kind != token.STRING {
					return ""
				}
				s, _ := strconv.Unquote(b.Value)
				if dotted.MatchString(s) {
					return s
				}
				return ""
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.KeyValueExpr:
					if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Action" {
						if s := lit(x.Value); s != "" {
							found[s] = p
						}
					}
				case *ast.CallExpr:
					name := ""
					switch fn := x.Fun.(type) {
					case *ast.Ident:
						name = fn.Name
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					}
					if helpers[name] {
						for _, a := range x.Args {
							if s := lit(a); s != "" {
								found[s] = p
								break
							}
						}
					}
				case *ast.AssignStmt:
					for i, l := range x.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(x.Rhs) {
							if s := lit(x.Rhs[i]); s != "" {
								found[s] = p
							}
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range auditDynamicActions {
		found[a] = "(built at run time)"
	}
	return found
}

// Every audit action the code writes has a sentence, and its group a name,
// in every language: the auditor never reads a code such as auth.totp.
func TestAuditActionsHaveSentences(t *testing.T) {
	actions := auditActionsInCode(t)
	if len(actions) < 60 {
		t.Fatalf("found only %d actions: the walk is broken", len(actions))
	}
	for _, must := range []string{"auth.totp", "account.lang", "case.read", "breakglass.open", "breakglass.read_reason", "case.read_history"} {
		if _, ok := actions[must]; !ok {
			t.Errorf("the walk missed %s", must)
		}
	}
	for _, l := range i18n.Supported {
		keys := map[string]bool{}
		for _, e := range i18n.Catalogue(l) {
			keys[e.Key] = true
		}
		for a, where := range actions {
			if !keys["audit.act."+a] {
				t.Errorf("%s: action %s (%s) has no sentence audit.act.%s", l, a, where, a)
			}
			g, _, _ := strings.Cut(a, ".")
			if !keys["audit.group."+g] {
				t.Errorf("%s: action group %s has no name audit.group.%s", l, g, g)
			}
		}
	}
	// And the sentences name only actions that exist, so the filter's list
	// offers nothing that never happens.
	listed, _ := auditActionNames()
	for _, a := range listed {
		if _, ok := actions[a]; !ok {
			t.Errorf("audit.act.%s names an action the code never writes", a)
		}
	}
	if !slices.IsSorted(listed) {
		t.Error("the action list is not sorted")
	}
}
