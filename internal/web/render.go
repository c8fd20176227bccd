package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/web/static"
)

//go:embed templates
var templateFS embed.FS

// templates holds one parsed set per page: the layout, the partials and the
// page's own "content" block.
type templates struct{ pages map[string]*template.Template }

var funcs = template.FuncMap{
	"asset": static.Path,
	// dict builds the argument of a partial: (dict "P" $ "Form" "note-form").
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"roleLabel": func(t func(string, ...any) string, r access.Role) string {
		return t("role." + string(r))
	},
	"evidence": evidenceItems,
	// day shows a calendar day kept as YYYY-MM-DD (a birth date) in the
	// page's date form: {{day $.Date .BirthDate}}; a partial date (YYYY-MM,
	// YYYY) is shown as kept.
	"day": calendarDate,
	// country names a country code in the page's language: {{country $.Lang $.T .Citizenship}}.
	"country": func(lang string, t func(string, ...any) string, code string) string {
		return i18n.CountryName(i18n.Lang(lang), t, code)
	},
	// euro shows an amount in cents as euros (grants).
	"euro": grants.Euro,
	// lotPairs offers a call's lots as (value, label) pairs for "g-select".
	"lotPairs": func(lots []string) [][2]string {
		out := make([][2]string, len(lots))
		for i, l := range lots {
			out[i] = [2]string{l, l}
		}
		return out
	},
	// outcome is a ranked application's state in words' key (grants).
	"outcome":      grants.Outcome,
	"reviewStates": func() []string { return []string{"approved", "clarification", "rejected"} },
	// excerpt shortens a text to at most n characters for a list.
	"excerpt": func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n]) + "…"
	},
}

// evidenceItem is one field of a duplicate pair's evidence ("given=close"):
// Field and Level name catalogue keys (dedup.evidence.*, dedup.level.*), so
// the page reads "Given name: matches closely", never the code.
type evidenceItem struct {
	Field, Level string
	Swapped      bool
}

var evidenceCode = regexp.MustCompile(`^[a-z]+$`)

// evidenceItems splits "given=exact,family=close_swapped,…"; a part that is
// not a known shape is left out rather than shown raw.
func evidenceItems(s string) []evidenceItem {
	var out []evidenceItem
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		it := evidenceItem{Field: k}
		it.Level, it.Swapped = strings.CutSuffix(v, "_swapped")
		if ok && evidenceCode.MatchString(k) && evidenceCode.MatchString(it.Level) {
			out = append(out, it)
		}
	}
	return out
}

func parseTemplates() (*templates, error) {
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(templateFS, "templates/partials/*.html")
	t := &templates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, p)
		tt, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		t.pages[strings.TrimSuffix(path.Base(p), ".html")] = tt
	}
	return t, nil
}

// navItem and langItem feed the layout's navigation and language switcher.
type navItem struct {
	Href, Label string
	Current     bool
}

type langItem struct {
	Href, Label, Tag string
	Current          bool
}

type userView struct{ Name, RoleLabel, OrgName string }

// page is the data of every page (the layout's contract) plus the page's own.
type page struct {
	Lang     string
	T        func(key string, args ...any) string
	Title    string
	User     *userView
	Nav      []navItem
	Langs    []langItem
	CSRF     string
	Demo     bool
	Flash    string
	Asset    func(string) string
	Date     func(time.Time) string
	DateTime func(time.Time) string
	// Zone names the time zone every time on the page is shown in, e.g.
	// "CET (Europe/Belgrade)"; the header shows it.
	Zone   string
	Errors map[string]string
	Error  string
	// ErrorForm is the id of the form whose submission was refused: the
	// error summary links to it and its message is shown beside it.
	ErrorForm string
	Form      url.Values
	Data      any
}

func (s *server) newPage(r *http.Request, titleKey string, data any) *page {
	st := reqState(r)
	p := &page{
		Lang: string(st.lang), T: st.p.T, Title: st.p.T(titleKey), Asset: static.Path, Date: st.p.Date, DateTime: st.p.DateTime,
		Demo: s.app.Cfg.Demo, Data: data, Errors: map[string]string{}, Form: url.Values{},
	}
	if st.sess != nil {
		p.CSRF = st.sess.CSRF
	}
	p.Zone = s.zoneName()
	if st.user != nil && st.sess != nil && st.sess.Stage == "full" {
		p.User = &userView{Name: st.user.Name, RoleLabel: st.p.T("role." + string(st.user.Role)), OrgName: st.user.OrgName}
		p.Nav = s.nav(r, st)
	}
	for _, l := range i18n.Supported {
		q := r.URL.Query()
		q.Set("lang", string(l))
		href := r.URL.Path + "?" + q.Encode()
		if r.Method != http.MethodGet {
			href = "?" + url.Values{"lang": {string(l)}}.Encode()
		}
		p.Langs = append(p.Langs, langItem{Href: href, Label: st.p.LangName(l), Tag: string(l), Current: l == st.lang})
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		if strings.HasPrefix(c.Value, "flash.") {
			p.Flash = st.p.T(c.Value)
		}
	}
	return p
}

// nav lists what the signed-in user may open, in one order for every role.
func (s *server) nav(r *http.Request, st *state) []navItem {
	a := st.user.Actor()
	items := []struct {
		href, key string
		act       access.Action
	}{
		{"/", "nav.dashboard", access.DashboardView},
		{"/helpline", "nav.helpline", access.HelplineLog},
		{"/screening", "nav.screening", access.ScreeningAssess},
		{"/cases", "nav.cases", access.CaseList},
		{"/referrals", "nav.referrals", access.ReferralView},
		{"/services", "nav.services", access.ServiceView},
		{"/shelters", "nav.shelters", access.ServiceView},
		{"/helpline/figures", "nav.helpline_figures", access.HelplineStats},
		{"/notifications", "nav.notifications", access.NotificationRead},
		{"/audit", "nav.audit", access.AuditRead},
		{"/duplicates", "nav.duplicates", access.DuplicateReview},
		{"/stats", "nav.stats", access.StatsView},
		{"/tips", "nav.tips", access.TipRead},
		{"/justice", "nav.justice", access.JusticeDashboard},
		{"/grants", "nav.grants", access.GrantView},
		{"/grants/figures", "nav.grant_figures", access.GrantFigures},
		{"/licensing", "nav.licensing", access.LicenceView},
		{"/exchange", "nav.exchange", access.ExchangeRead},
		{"/exchange/partners", "nav.exchange_partners", access.ExchangePartner},
		{"/coord", "nav.coord", access.CoordView},
		{"/admin/users", "nav.users", access.UserList},
		{"/admin/approvals", "nav.approvals", access.UserChangeView},
		{"/admin/orgs", "nav.organisations", access.OrgManage},
		{"/account", "nav.account", access.AccountManage},
	}
	var out []navItem
	for _, it := range items {
		if access.Can(a, it.act) {
			cur := r.URL.Path == it.href || (it.href != "/" && strings.HasPrefix(r.URL.Path, it.href))
			if it.href == "/helpline" && strings.HasPrefix(r.URL.Path, "/helpline/figures") {
				cur = false
			}
			if it.href == "/grants" && strings.HasPrefix(r.URL.Path, "/grants/figures") {
				cur = false
			}
			label := st.p.T(it.key)
			if it.href == "/notifications" && s.app.Notify != nil {
				// The unread count rides on the label, so the layout's contract is unchanged.
				if n, err := s.app.Notify.UnreadCount(r.Context(), a); err == nil && n > 0 {
					label = st.p.T("nav.notifications_unread", "count", n)
				}
			}
			out = append(out, navItem{Href: it.href, Label: label, Current: cur})
		}
	}
	return out
}

// render writes a page, rendered into a buffer first so a template error
// never leaves half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.tmpl.pages[name]
	if !ok {
		s.renderError(w, r, errs.Internalf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "id", reqState(r).id, "page", name, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(w, reqState(r).p.T("error.internal"))
		return
	}
	if _, ok := r.Cookie(flashCookie); ok == nil && p.Flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

const flashCookie = "ura_flash"

// redirectFlash answers a successful form with a redirect (post/redirect/get)
// and a one-time message named by a catalogue key — never by a value.
func (s *server) redirectFlash(w http.ResponseWriter, r *http.Request, to, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// zoneName is the instance's time zone as a reader knows it: its current
// abbreviation and, when that differs, its IANA name ("CET (Europe/Belgrade)").
func (s *server) zoneName() string {
	loc := s.loc
	if loc == nil {
		loc = time.UTC
	}
	abbr, _ := time.Now().In(loc).Zone()
	if name := loc.String(); name != abbr && name != "Local" {
		return abbr + " (" + name + ")"
	}
	return abbr
}

type errorData struct {
	Status  int
	Message string
	// Home is where the way back leads: the start page, or the sign-in
	// page for someone not signed in.
	Home string
}

// errorTitles gives the refusals a reader meets most their own title; every
// other error is "Something went wrong".
var errorTitles = map[errs.Code]string{
	errs.Forbidden: "error.title_forbidden",
	errs.NotFound:  "error.title_not_found",
}

// renderError shows a safe error page; internal causes go to the log once.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteProblem(w, r, err, s.log)
		return
	}
	e := errs.As(err)
	st := reqState(r)
	status := errs.HTTPStatus(e)
	if e.Code == errs.Internal {
		if r.Context().Err() != nil {
			s.log.Info("request abandoned by the client", "id", st.id)
		} else {
			s.log.Error("internal error", "id", st.id, "err", e.Err)
		}
	}
	key := e.Key
	if key == "" || e.Code == errs.Internal {
		key = "error." + string(e.Code)
	}
	title := "error.title"
	if k, ok := errorTitles[e.Code]; ok {
		title = k
	}
	p := s.newPage(r, title, errorData{Status: status, Message: st.p.T(key, argList(e.Args)...), Home: "/"})
	s.render(w, r, status, "error", p)
}

func argList(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	reqState(r).route = "notfound"
	s.renderError(w, r, errs.E(errs.NotFound, "error.not_found"))
}
