package browsertest_test

import (
	"bytes"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/web/static"
)

// The fake page data follows the contract documented in layout.html; the
// integrator's own struct may have more fields.
type (
	navItem struct {
		Href, Label string
		Current     bool
	}
	langItem struct {
		Href, Label, Tag string
		Current          bool
	}
	user struct{ Name, RoleLabel, OrgName string }
	page struct {
		Lang  string
		T     func(key string, args ...any) string
		Title string
		User  *user
		Nav   []navItem
		Langs []langItem
		CSRF  string
		Demo  bool
		Flash string
		Asset func(name string) string
		Zone  string
		// A refused form (partials/errors.html); none on the sample page.
		Error, ErrorForm string
		Errors           map[string]string

		// The sample page's own fields.
		Printer *i18n.Printer
		When    time.Time
	}
)

// sampleContent is a small page using the shared frame and the CSS classes
// page templates use: a heading, a table, a form with a hint and an error, a
// copy button and a confirmed destructive action.
const sampleContent = `{{define "content"}}
<h1>{{.Title}}</h1>
<p class="lead">{{call .T "dashboard.welcome" "name" .User.Name}}</p>
<div class="alert alert-warning"><p>{{call .T "session.expired"}}</p></div>
<h2>{{call .T "audit.title"}}</h2>
<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">{{call .T "audit.time"}}</th><th scope="col">{{call .T "audit.filter.actor"}}</th><th scope="col">{{call .T "audit.filter.action"}}</th><th scope="col">{{call .T "audit.filter.outcome"}}</th></tr></thead>
<tbody><tr><td>{{.Printer.DateTime .When}}</td><td>Ana Krasniqi</td><td>case.view</td><td><span class="badge badge-ok">{{call .T "audit.outcome.allowed"}}</span></td></tr></tbody>
</table></div>
<p class="muted">{{.Printer.N "audit.count" 3}} · {{.Printer.N "cases.count" 5}}</p>
<h2>{{call .T "account.password_change"}}</h2>
<form class="form" method="post" action="/done">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<div class="field"><label for="cur">{{call .T "account.password_current"}}</label>
<input id="cur" name="current" type="password" autocomplete="current-password"></div>
<div class="field"><label for="new">{{call .T "account.password_new"}}</label>
<p id="new-hint" class="hint">{{call .T "account.password_hint" "min" 12}}</p>
<input id="new" name="new" type="password" autocomplete="new-password" aria-invalid="true" aria-describedby="new-hint new-error">
<p id="new-error" class="field-error">{{call .T "validation.password_short" "min" 12}}</p></div>
<div class="actions"><button class="btn" type="submit">{{call .T "common.save"}}</button>
<a class="btn btn-secondary" href="/">{{call .T "common.cancel"}}</a></div>
</form>
<h2>{{call .T "admin.tokens.title"}}</h2>
<p>{{call .T "admin.tokens.shown_once"}}</p>
<code class="token" id="token">ura_demo_4f7c2a9e1b</code>
<div class="actions">
<button type="button" class="btn btn-secondary js-only" data-copy="#token" data-copied="{{call .T "common.copied"}}" data-copy-failed="{{call .T "common.copy_failed"}}">{{call .T "common.copy"}}</button>
<form id="revoke" method="post" action="/done" data-confirm="{{call .T "admin.tokens.revoke_confirm"}}">
<input type="hidden" name="csrf" value="{{.CSRF}}"><button class="btn btn-danger" type="submit">{{call .T "admin.tokens.revoke"}}</button></form>
</div>
<p class="empty">{{call .T "dashboard.empty"}}</p>
{{end}}`

// badPage breaks two WCAG rules axe-core rates serious or critical: an image
// without a text alternative and a field without a label.
const badPage = `<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body>
<main><h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="q"></form></main></body></html>`

// csp is as strict as Ura's own: no inline script or style, nothing external.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// newServer serves the sample page in the language of ?lang=, the static
// assets, and the inaccessible page at /bad.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	tmpl := template.Must(template.ParseFiles(
		filepath.Join("..", "web", "templates", "layout.html"),
		filepath.Join("..", "web", "templates", "partials", "header.html"),
		filepath.Join("..", "web", "templates", "partials", "footer.html"),
		filepath.Join("..", "web", "templates", "partials", "flash.html"),
		filepath.Join("..", "web", "templates", "partials", "errors.html"),
	))
	template.Must(tmpl.Parse(sampleContent))

	mux := http.NewServeMux()
	mux.Handle(static.Prefix, static.Handler())
	mux.HandleFunc("GET /bad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(badPage))
	})
	mux.HandleFunc("POST /done", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/?lang=en&done=1", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		lang, ok := i18n.Parse(r.URL.Query().Get("lang"))
		if !ok {
			lang = i18n.Match(r.Header.Get("Accept-Language"))
		}
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, "layout", samplePage(lang)); err != nil {
			t.Errorf("render: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b.Bytes())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func samplePage(lang i18n.Lang) page {
	p := i18n.For(lang)
	pg := page{
		Lang:    string(lang),
		T:       p.T,
		Title:   p.T("dashboard.title.coordinator"),
		User:    &user{Name: "Drita Berisha", RoleLabel: p.T("role.coordinator"), OrgName: p.T("orgtype.coordinator")},
		CSRF:    "csrf-token-for-test",
		Demo:    true,
		Flash:   p.T("account.language_saved"),
		Asset:   static.Path,
		Zone:    "CET (Europe/Belgrade)",
		Printer: p,
		When:    time.Date(2026, time.November, 24, 14, 5, 0, 0, time.UTC),
	}
	for _, n := range []struct{ href, key string }{
		{"/", "nav.dashboard"}, {"/cases", "nav.cases"}, {"/referrals", "nav.referrals"},
		{"/audit", "nav.audit"}, {"/admin", "nav.admin"}, {"/account", "nav.account"},
	} {
		pg.Nav = append(pg.Nav, navItem{Href: n.href, Label: p.T(n.key), Current: n.href == "/"})
	}
	for _, l := range i18n.Supported {
		pg.Langs = append(pg.Langs, langItem{
			Href: "/?lang=" + url.QueryEscape(string(l)), Label: p.LangName(l), Tag: string(l), Current: l == lang,
		})
	}
	return pg
}
