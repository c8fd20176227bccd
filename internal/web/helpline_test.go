package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// send makes a request as the signed-in role with a form body.
func (en *env) send(t testing.TB, method, path, cookie, csrf string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if method == "POST" {
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf", csrf)
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

var contactLocRE = regexp.MustCompile(`^/helpline/contacts/([a-z2-9]{26})$`)

// TestHelplinePages: an operator logs a contact through the console; bad
// input comes back beside its field with what was typed kept and nothing
// stored; a script in the note is shown as text; the coordinator sees the
// figures (counts, not notes) and a CSV export guarded against formulas.
func TestHelplinePages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newEnv(t, e)
			tok, csrf := en.session(t, access.Helpline)
			if rec := en.send(t, "GET", "/helpline", tok, csrf, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="contact-form"`) {
				t.Fatalf("console: %d", rec.Code)
			}
			form := url.Values{"duration_min": {"6"}, "channel": {"phone"}, "caller_type": {"anonymous"}, "language": {"sq"},
				"municipality": {"Atlantis"}, "topic": {"migration.job_offer"}, "action": {"information"},
				"note": {`<script>alert("x")</script> =cmd|' /C calc'!A0`}}
			rec := en.send(t, "POST", "/helpline/contacts", tok, csrf, form)
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, `id="err-municipality"`) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Fatalf("unknown municipality: %d\n%s", rec.Code, between(body, "<main", "</main>"))
			}
			if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") || strings.Contains(body, `<script>alert("x")`) {
				t.Error("the typed note is not kept, or not escaped")
			}
			if !strings.Contains(body, `value="migration.job_offer" selected`) {
				t.Error("the chosen topic was lost")
			}
			var n int
			en.app.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM helpline_contacts`).Scan(&n)
			if n != 0 {
				t.Errorf("%d contacts stored from a refused form", n)
			}
			for field, bad := range map[string]string{"duration_min": "lots", "topic": "<b>x</b>", "channel": "fax"} {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Set("municipality", "Prizren")
				f.Set(field, bad)
				if rec := en.send(t, "POST", "/helpline/contacts", tok, csrf, f); rec.Code != 400 || !strings.Contains(rec.Body.String(), `id="err-`+field+`"`) {
					t.Errorf("bad %s: %d", field, rec.Code)
				}
			}
			form.Set("municipality", "Prizren")
			rec = en.send(t, "POST", "/helpline/contacts", tok, csrf, form)
			m := contactLocRE.FindStringSubmatch(rec.Header().Get("Location"))
			if rec.Code != http.StatusSeeOther || m == nil {
				t.Fatalf("log: %d %s", rec.Code, rec.Header().Get("Location"))
			}
			rec = en.send(t, "GET", m[0], tok, csrf, nil)
			body = rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, `<script>alert`) {
				t.Fatalf("contact page: %d", rec.Code)
			}
			if !strings.Contains(body, "Job offer abroad") || !strings.Contains(body, `id="case-form"`) {
				t.Error("the contact page lacks its topic in words or the case form")
			}
			if rec := en.send(t, "GET", "/", tok, csrf, nil); !strings.Contains(rec.Body.String(), `id="home-callbacks"`) {
				t.Error("the operator's home page lacks the call-backs")
			}
			// The coordinator: counts, never the contact.
			ctok, ccsrf := en.session(t, access.Coordinator)
			if rec := en.send(t, "GET", m[0], ctok, ccsrf, nil); rec.Code != http.StatusForbidden {
				t.Errorf("coordinator opens a contact: %d", rec.Code)
			}
			rec = en.send(t, "GET", "/helpline/figures", ctok, ccsrf, nil)
			body = rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, `id="figures-total" data-count="1"`) || strings.Contains(body, "script") && strings.Contains(body, "alert") {
				t.Fatalf("figures: %d\n%s", rec.Code, between(body, "<main", "</main>"))
			}
			if rec := en.send(t, "GET", "/helpline/figures?from=2026-13&to=x", ctok, ccsrf, nil); rec.Code != 400 || !strings.Contains(rec.Body.String(), `id="err-from"`) {
				t.Errorf("bad period: %d", rec.Code)
			}
			rec = en.send(t, "GET", "/helpline/figures.csv", ctok, ccsrf, nil)
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Body.String(), "channel,phone,Phone,1") {
				t.Errorf("csv: %d %q", rec.Code, rec.Body.String())
			}
		})
	}
}
