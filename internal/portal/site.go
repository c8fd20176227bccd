// Package portal is the public site at /help/: the helpline and its hours,
// how to recognise trafficking, victims' rights, the public part of the
// service directory, "Is this offer safe?", anonymous tips and how to browse
// more safely, in nine languages.
//
// Nothing on these pages is personal: they are rendered once per language
// (and per state of the helpline, and version of the directory) and then
// served from memory with an ETag. They set no cookie, load nothing from
// another site, need no JavaScript, and each has a quick exit.
package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/tips"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// Config is what an instance says about its helpline.
type Config struct {
	HelplineNumber string // as shown, e.g. "0800 11112"
	Hours          Hours
	Emergency      string // e.g. "192"
	ExitURL        string // the neutral site quick exit goes to
	Loc            *time.Location
	// Campaign returns the public awareness campaign running now, or nil;
	// nil Campaign shows none. The portal reads no coordination table: the
	// coordination capability answers with the fields marked public only.
	Campaign func(ctx context.Context) (*Campaign, error)
}

// Campaign is what the home page shows of a running awareness campaign.
type Campaign struct {
	Title, Theme, StartsOn, EndsOn string
}

// Directory reads the public part of the service directory.
type Directory func(ctx context.Context) ([]referral.PublicService, error)

// Site renders and serves the portal.
type Site struct {
	cfg   Config
	cats  map[Lang]Catalog
	pages map[string]*template.Template
	dir   Directory
	now   func() time.Time
	Guard *Guard
	Tips  TipStore

	cache sync.Map // key → *Page

	dirMu   sync.Mutex
	dirAt   time.Time
	dirList []referral.PublicService
	dirKey  string

	campMu  sync.Mutex
	campAt  time.Time
	camp    *Campaign
	campKey string

	assets map[string]*Page
	// AssetVersion is added to asset URLs so a new build is fetched anew.
	AssetVersion string
}

// Page is one rendered answer.
type Page struct {
	Body        []byte
	ETag        string
	ContentType string
}

// PageNames are the pages of the portal, by the path under /help/.
var PageNames = []string{"home", "recognise", "rights", "services", "check", "tip", "add", "safety", "thanks"}

// New loads the catalogues and templates.
func New(cfg Config, dir Directory, tips TipStore, now func() time.Time) (*Site, error) {
	if now == nil {
		now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	cats, err := LoadCatalogs()
	if err != nil {
		return nil, err
	}
	if m := MissingKeys(cats); len(m) > 0 {
		return nil, fmt.Errorf("portal catalogues incomplete: %v", m)
	}
	s := &Site{cfg: cfg, cats: cats, dir: dir, now: now, Tips: tips, Guard: NewGuard(DefaultLimits, now),
		pages: map[string]*template.Template{}, assets: map[string]*Page{}}
	for _, name := range PageNames {
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("portal template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	h := sha256.New()
	for _, f := range []struct{ name, typ string }{{"portal.css", "text/css; charset=utf-8"}, {"portal.js", "text/javascript; charset=utf-8"}} {
		b, err := staticFS.ReadFile("static/" + f.name)
		if err != nil {
			return nil, err
		}
		h.Write(b)
		s.assets[f.name] = &Page{Body: b, ETag: etag(b), ContentType: f.typ}
	}
	s.AssetVersion = hex.EncodeToString(h.Sum(nil)[:6])
	return s, nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// View is what a template sees.
type View struct {
	Lang        Lang
	Dir         string
	Name        string
	Unreviewed  bool
	UnknownLang bool
	Langs       []LangLink
	ExitURL     string
	Helpline    string
	HelplineTel string
	Emergency   string
	Asset       string
	Data        any
	// The self-check's questions and answers (check page).
	Questions []Question
	Answers   []string

	// Form pages: what was typed and what was wrong.
	Form   url.Values
	Errors map[string]string // field → message key
	Error  string            // message key of the whole form
	Args   map[string]any

	cat  Catalog
	used map[string]bool
}

// LangLink is one entry of the language list.
type LangLink struct {
	Lang    Lang
	Name    string
	Dir     string
	Current bool
}

// T returns the message key in the page's language.
func (v *View) T(key string) string {
	if v.used != nil {
		v.used[key] = true
	}
	if m, ok := v.cat[key]; ok {
		return m.Text
	}
	return key
}

// Tf is T with {name} placeholders filled from pairs of name and value.
func (v *View) Tf(key string, pairs ...any) string {
	s := v.T(key)
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(pairs[i])+"}", fmt.Sprint(pairs[i+1]))
	}
	return s
}

// Href is a portal path with the page's language.
func (v *View) Href(path string) string { return path + "?lang=" + url.QueryEscape(string(v.Lang)) }

// Val is a typed form value.
func (v *View) Val(name string) string { return v.Form.Get(name) }

// Err is a field's message, or "".
func (v *View) Err(field string) string {
	if k, ok := v.Errors[field]; ok {
		return v.Tf(k, "max", v.Args["max"])
	}
	return ""
}

// Day is a weekday's name.
func (v *View) Day(d time.Weekday) string { return v.T("day." + strings.ToLower(d.String()[:3])) }

func (s *Site) view(l Lang, name string, unknown bool) *View {
	v := &View{Lang: l, Dir: Dir(l), Name: name, UnknownLang: unknown, ExitURL: s.cfg.ExitURL,
		Helpline: s.cfg.HelplineNumber, HelplineTel: telURI(s.cfg.HelplineNumber), Emergency: s.cfg.Emergency,
		Asset: s.AssetVersion, Questions: Questions, Answers: Answers, cat: s.cats[l], used: map[string]bool{}, Form: url.Values{}, Errors: map[string]string{}}
	for _, x := range Langs {
		v.Langs = append(v.Langs, LangLink{Lang: x, Name: Names[x], Dir: Dir(x), Current: x == l})
	}
	return v
}

func telURI(n string) string {
	var b strings.Builder
	for _, r := range n {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// render runs a page's template; when the page used a message no human
// translator has reviewed, it renders again with the notice that says so.
func (s *Site) render(v *View) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.pages[v.Name].Execute(&buf, v); err != nil {
		return nil, err
	}
	if v.Lang != Source {
		for k := range v.used {
			if m, ok := v.cat[k]; ok && !m.Reviewed {
				v.Unreviewed = true
				break
			}
		}
		if v.Unreviewed {
			buf.Reset()
			if err := s.pages[v.Name].Execute(&buf, v); err != nil {
				return nil, err
			}
		}
	}
	return buf.Bytes(), nil
}

// cached renders a page once per key and keeps it.
func (s *Site) cached(key string, build func() (*View, error)) (*Page, error) {
	if p, ok := s.cache.Load(key); ok {
		return p.(*Page), nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	b, err := s.render(v)
	if err != nil {
		return nil, err
	}
	p := &Page{Body: b, ETag: etag(b), ContentType: "text/html; charset=utf-8"}
	s.cache.Store(key, p)
	return p, nil
}

// HomeState is the helpline's state shown on the home page.
type HomeState struct {
	Open       bool
	Always     bool
	Spans      []Span
	ReopenDay  time.Weekday
	ReopenTime string
	ReopenDate string // YYYY-MM-DD
	Tomorrow   bool
	Today      bool
	// Campaign is the public awareness campaign running now, if any.
	Campaign *Campaign
}

// campaign returns the current public campaign, asked at most once a
// minute, and a key that changes with it (for the page cache).
func (s *Site) campaign(ctx context.Context) (*Campaign, string) {
	if s.cfg.Campaign == nil {
		return nil, ""
	}
	s.campMu.Lock()
	defer s.campMu.Unlock()
	now := s.now()
	if s.campKey == "" || now.Sub(s.campAt) > time.Minute {
		c, err := s.cfg.Campaign(ctx)
		if err == nil || s.campKey == "" {
			if err != nil {
				c = nil // none shown rather than no page
			}
			h := sha256.New()
			if c != nil {
				fmt.Fprintf(h, "%q", *c)
			}
			s.camp, s.campKey, s.campAt = c, hex.EncodeToString(h.Sum(nil)[:8]), now
		}
	}
	return s.camp, s.campKey
}

func (s *Site) homeState(now time.Time) HomeState {
	t := now.In(s.cfg.Loc)
	h := HomeState{Open: s.cfg.Hours.OpenAt(t), Always: s.cfg.Hours.Always, Spans: s.cfg.Hours.Spans()}
	if !h.Open {
		if n := s.cfg.Hours.NextOpen(t); !n.IsZero() {
			h.ReopenDay, h.ReopenTime, h.ReopenDate = n.Weekday(), n.Format("15:04"), n.Format("2006-01-02")
			y, m, d := t.Date()
			ny, nm, nd := n.Date()
			h.Today = y == ny && m == nm && d == nd
			tm := t.AddDate(0, 0, 1)
			ty, tmo, td := tm.Date()
			h.Tomorrow = ty == ny && tmo == nm && td == nd
		}
	}
	return h
}

func (s *Site) directory(ctx context.Context) ([]referral.PublicService, string) {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	now := s.now()
	if s.dir != nil && (s.dirKey == "" || now.Sub(s.dirAt) > time.Minute) {
		list, err := s.dir(ctx)
		if err == nil {
			h := sha256.New()
			for _, x := range list {
				fmt.Fprintf(h, "%q", x)
			}
			s.dirList, s.dirKey, s.dirAt = list, hex.EncodeToString(h.Sum(nil)[:8]), now
		} else if s.dirKey == "" {
			return nil, "unavailable"
		}
	}
	return s.dirList, s.dirKey
}

// ServiceGroup is the directory's services of one municipality.
type ServiceGroup struct {
	Municipality string
	Services     []referral.PublicService
}

func group(list []referral.PublicService) []ServiceGroup {
	var out []ServiceGroup
	for _, x := range list {
		if n := len(out); n == 0 || out[n-1].Municipality != x.Municipality {
			out = append(out, ServiceGroup{Municipality: x.Municipality})
		}
		out[len(out)-1].Services = append(out[len(out)-1].Services, x)
	}
	return out
}

// Lang resolves the page language: ?lang= when it names a portal language,
// else the browser's Accept-Language. unknown is set when ?lang= named a
// language the portal does not have; explicit when ?lang= chose.
func LangOf(r *http.Request) (l Lang, unknown, explicit bool) {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := ParseLang(q); ok {
			return l, false, true
		}
		unknown = true
	}
	return MatchLang(r.Header.Get("Accept-Language")), unknown, false
}

// static pages: no data beyond the language.
var staticPages = map[string]bool{"recognise": true, "rights": true, "safety": true, "tip": true, "add": true}

// ServePage answers GET for a cached page: home, recognise, rights,
// services, safety, tip and add (their empty forms), and check without
// answers.
func (s *Site) ServePage(w http.ResponseWriter, r *http.Request, name string) {
	l, unknown, explicit := LangOf(r)
	key := name + "|" + string(l)
	if unknown {
		key += "|unknown"
	}
	var build func() (*View, error)
	switch {
	case name == "home":
		st := s.homeState(s.now())
		var ck string
		st.Campaign, ck = s.campaign(r.Context())
		key += "|c" + ck
		if st.Open {
			key += "|open"
		} else {
			key += "|closed|" + st.ReopenDate + st.ReopenTime + fmt.Sprint(st.Today, st.Tomorrow)
		}
		build = func() (*View, error) { v := s.view(l, name, unknown); v.Data = st; return v, nil }
	case name == "services":
		list, dk := s.directory(r.Context())
		key += "|" + dk
		build = func() (*View, error) { v := s.view(l, name, unknown); v.Data = group(list); return v, nil }
	case name == "check":
		if r.URL.Query().Has("answered") {
			s.serveCheckResult(w, r, l, unknown)
			return
		}
		build = func() (*View, error) { return s.view(l, name, unknown), nil }
	case name == "tip":
		build = func() (*View, error) { v := s.view(l, name, unknown); v.Data = municipalityOptions(l); return v, nil }
	case staticPages[name]:
		build = func() (*View, error) { return s.view(l, name, unknown), nil }
	default:
		http.NotFound(w, r)
		return
	}
	p, err := s.cached(key, build)
	if err != nil {
		s.fail(w, r, l, err)
		return
	}
	h := w.Header()
	if !explicit {
		h.Set("Vary", "Accept-Language")
	}
	// Revalidated each time (no-cache), cheap with the ETag: a shared
	// phone's next visitor gets the page of now, not of then.
	h.Set("Cache-Control", "no-cache")
	serve(w, r, p)
}

func serve(w http.ResponseWriter, r *http.Request, p *Page) {
	h := w.Header()
	h.Set("ETag", p.ETag)
	h.Set("Content-Type", p.ContentType)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, p.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(p.Body)
}

// ServeAsset answers the portal's stylesheet and script.
func (s *Site) ServeAsset(w http.ResponseWriter, r *http.Request, name string) {
	p, ok := s.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	serve(w, r, p)
}

func (s *Site) serveCheckResult(w http.ResponseWriter, r *http.Request, l Lang, unknown bool) {
	q := r.URL.Query()
	answers := map[string]string{}
	for _, x := range Questions {
		answers[x.Key] = q.Get(x.Key)
	}
	res, warnings := Assess(answers)
	v := s.view(l, "check", unknown)
	v.Data = CheckView{Answered: true, Results: res, Warnings: warnings}
	for k, a := range answers {
		v.Form.Set(k, a)
	}
	s.dynamic(w, r, v, http.StatusOK)
}

// CheckView is the self-check's result.
type CheckView struct {
	Answered bool
	Results  []Result
	Warnings int
}

// dynamic renders a page for this request only, never cached anywhere.
func (s *Site) dynamic(w http.ResponseWriter, r *http.Request, v *View, status int) {
	b, err := s.render(v)
	if err != nil {
		s.fail(w, r, v.Lang, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Site) fail(w http.ResponseWriter, r *http.Request, l Lang, err error) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "%s\n%s %s\n", s.cats[l]["error.internal"].Text, s.cats[l]["layout.helpline"].Text, s.cfg.HelplineNumber)
}

// MunicipalityOption is one choice of the tip form's municipality.
type MunicipalityOption struct{ Code, Name string }

// municipalityOptions names the municipalities in the page's language:
// Albanian names in Albanian, Serbian ones in Serbian, both elsewhere.
func municipalityOptions(l Lang) []MunicipalityOption {
	out := make([]MunicipalityOption, 0, len(tips.Municipalities))
	for _, m := range tips.Municipalities {
		name := m.SQ + " / " + m.SR
		switch {
		case l == Albanian:
			name = m.SQ
		case l == SerbianLatin:
			name = m.SR
		case l == SerbianCyrillic:
			name = i18n.LatinToCyrillic(m.SR)
		case m.SQ == m.SR:
			name = m.SQ
		}
		out = append(out, MunicipalityOption{Code: m.Code, Name: name})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
