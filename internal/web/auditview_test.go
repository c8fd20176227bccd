package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

const bgReason = "Person reported missing from the shelter tonight"

// TestAuditView reads the audit log as the auditor: who by name, role and
// organisation, what as a sentence, the case by its reference, the
// break-glass reason (its reading audited), and each filter with its
// refusals beside the field. On both engines.
func TestAuditView(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			en := newEnv(t, e)
			police, pcsrf := en.session(t, access.Police)
			rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Fjolla"}, "family_name": {"Gashi"},
				"birth_date": {"1999-02-03"}, "sex": {"female"}, "citizenship": {"XK"}, "exploitation": {"SexualExploitation"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("register: %d", rec.Code)
			}
			casePath := rec.Header().Get("Location")
			if code, _ := en.get(t, police, casePath); code != http.StatusOK {
				t.Fatalf("case page: %d", code)
			}
			var ref string
			if err := en.app.DB.Read().QueryRowContext(ctx, `SELECT reference FROM cases WHERE id = $1`,
				strings.TrimPrefix(casePath, "/cases/")).Scan(&ref); err != nil {
				t.Fatal(err)
			}
			if code, _ := en.get(t, police, "/audit"); code != http.StatusForbidden && code != http.StatusNotFound {
				t.Errorf("police on the audit log: %d", code)
			}
			coord := en.users[access.Coordinator]
			if _, err := en.app.BreakGlass.Open(ctx, coord.Actor(), "case", ref, bgReason); err != nil {
				t.Fatal(err)
			}
			pu := en.users[access.Police]
			auditorTok, _ := en.session(t, access.Auditor)

			code, body := en.get(t, auditorTok, "/audit")
			if code != http.StatusOK {
				t.Fatalf("audit view: %d", code)
			}
			table := section(t, body, `id="audit-table"`)
			text := visibleText(table)
			wantIn(t, "audit table", text, "User police", "Police officer, Org police", "Registered a case", ref,
				"Opened a case with the person's personal data", "Was refused a page or function", "Page /audit",
				"User coordinator", "Opened emergency access (break-glass) to a record outside their scope", bgReason, "To review",
				"Signed in with the password")
			if m := rawCode.FindString(text); m != "" {
				t.Errorf("the audit table shows the raw code %q", m)
			}
			for _, id := range []string{pu.ID, pu.OrgID, coord.ID} {
				if strings.Contains(text, id) {
					t.Errorf("the audit table shows the internal id %s", id)
				}
			}
			filters := section(t, body, `id="filters"`)
			wantIn(t, "person filter", filters, `<option value="`+pu.ID+`">User police — Police officer, Org police</option>`,
				`type="date"`, `<option value="breakglass">`)
			evs, _, err := audit.Find(ctx, en.app.DB.Read(), audit.Filter{Action: ptr("breakglass.read_reason"), ActorID: &en.users[access.Auditor].ID})
			if err != nil || len(evs) == 0 {
				t.Errorf("reading the break-glass reason was not audited (%v)", err)
			}

			// Filters.
			rows := func(q string) (int, string) {
				t.Helper()
				code, body := en.get(t, auditorTok, "/audit?"+q)
				if code != http.StatusOK {
					return code, body
				}
				if !strings.Contains(body, `id="audit-table"`) {
					return code, ""
				}
				return code, visibleText(section(t, body, `id="audit-table"`))
			}
			if _, text := rows("actor=" + pu.ID); !strings.Contains(text, "Registered a case") || strings.Contains(text, "User coordinator") {
				t.Errorf("by person: %q", text)
			}
			if _, text := rows("case=" + strings.ToLower(ref)); !strings.Contains(text, "Registered a case") || strings.Contains(text, "Signed in") {
				t.Errorf("by case reference: %q", text)
			}
			if _, text := rows("group=auth"); !strings.Contains(text, "Signed in") || strings.Contains(text, "Registered a case") {
				t.Errorf("by group: %q", text)
			}
			if _, text := rows("outcome=breakglass"); !strings.Contains(text, bgReason) || strings.Contains(text, "Registered a case") {
				t.Errorf("break-glass to review: %q", text)
			}
			if _, text := rows("outcome=denied"); !strings.Contains(text, "Was refused") || strings.Contains(text, "Registered a case") {
				t.Errorf("denied: %q", text)
			}
			today := en.clk.Now().Format("2006-01-02")
			if _, text := rows("from=" + today + "&to=" + today); !strings.Contains(text, "Registered a case") {
				t.Errorf("today: %q", text)
			}
			for _, c := range []struct{ q, field, msg string }{
				{"actor=nosuchuser", "actor", "Choose a person from the list."},
				{"case=%3Cscript%3E", "case", "Enter a case reference such as XK-2026-0042."},
				{"group=nosuch", "group", "Choose a kind of action from the list."},
				{"action=auth.nosuch", "action", "Choose an action from the list."},
				{"outcome=maybe", "outcome", "Choose an outcome from the list."},
				{"from=2026-13-45", "from", "Enter a valid date."},
				{"from=2026-05-02&to=2026-05-01", "to", "The end date is before the start date."},
			} {
				code, body := en.get(t, auditorTok, "/audit?"+c.q)
				if code != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", c.q, code)
					continue
				}
				described := `aria-invalid="true" aria-describedby="err-` + c.field + `"`
				if c.field == "case" {
					described = `aria-describedby="case-hint err-case" aria-invalid="true"`
				}
				wantIn(t, c.q, body, `<p class="field-error" id="err-`+c.field+`">`+c.msg+`</p>`, described,
					`id="error-summary"`, `href="#err-`+c.field+`"`)
				if strings.Contains(body, "&lt;script&gt;") && c.field != "case" {
					t.Errorf("%s: echoed", c.q)
				}
				if code := en.getCode(t, auditorTok, "/audit/export.csv?"+c.q); code != http.StatusBadRequest {
					t.Errorf("export %s: %d, want 400", c.q, code)
				}
			}

			// In Albanian (the choice sticks to the account: last).
			_, body = en.get(t, auditorTok, "/audit?lang=sq")
			wantIn(t, "audit table in Albanian", visibleText(section(t, body, `id="audit-table"`)), "Regjistroi një rast", "Zyrtar policie")
		})
	}
}

func (en *env) getCode(t *testing.T, cookie, path string) int {
	code, _ := en.get(t, cookie, path)
	return code
}
