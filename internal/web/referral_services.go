package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/referral"
)

// The service directory (/services): every provider's services, searched by
// name and filtered by type, municipality and whom they accept. Providers
// keep their own entries and the coordinator every entry (/services/new,
// /services/{id}); a shelter's confidential location is shown to its own
// organisation only (referral.FindServiceByID decides and audits).

type servicesData struct {
	Services  []serviceRow
	Total     int
	Types     []string
	Risks     []string
	Sexes     []string
	Query     url.Values
	CanManage bool
}

func (s *server) handleServices(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	q := r.URL.Query()
	f := referral.ServiceFilter{ActiveOnly: q.Get("inactive") == ""}
	if v := strings.TrimSpace(q.Get("q")); v != "" {
		f.Query = &v
	}
	if v := q.Get("type"); v != "" {
		f.Type = &v
	}
	if v := strings.TrimSpace(q.Get("municipality")); v != "" {
		f.Municipality = &v
	}
	list, _, err := s.app.Referral.FindServices(r.Context(), a, f)
	if errs.Is(err, errs.Invalid) {
		list, err = nil, nil // an unknown type in the address finds nothing
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &servicesData{Types: referral.Types, Risks: referral.RiskLevels, Sexes: sexes, Query: q, CanManage: access.Can(a, access.ServiceManage)}
	for _, o := range list {
		if accepts(o, q.Get("children") == "1", q.Get("sex"), q.Get("risk")) {
			d.Services = append(d.Services, serviceRow{Offering: o, Accepts: eligibilityText(reqState(r).p, o)})
		}
	}
	d.Total = len(d.Services)
	s.render(w, r, http.StatusOK, "services", s.newPage(r, "services.title", d))
}

// sexes are the values of a service's sex restriction.
var sexes = []string{"female", "male"}

// serviceRow is one line of the directory with its eligibility in words.
type serviceRow struct {
	*referral.Offering
	Accepts string
}

// eligibilityText says whom a service takes, in the reader's language.
func eligibilityText(p *i18n.Printer, o *referral.Offering) string {
	e := o.Eligibility
	var parts []string
	if e.Sex != "" {
		parts = append(parts, p.T("case.sex."+e.Sex))
	}
	if e.AgeMin != nil || e.AgeMax != nil {
		lo, hi := "0", "…"
		if e.AgeMin != nil {
			lo = strconv.Itoa(*e.AgeMin)
		}
		if e.AgeMax != nil {
			hi = strconv.Itoa(*e.AgeMax)
		}
		parts = append(parts, p.T("services.ages", "min", lo, "max", hi))
	}
	if e.RiskMin != "" || e.RiskMax != "" {
		lo, hi := cmp.Or(e.RiskMin, "low"), cmp.Or(e.RiskMax, "high")
		parts = append(parts, p.T("services.risks", "min", p.T("case.risk."+lo), "max", p.T("case.risk."+hi)))
	}
	if len(e.Languages) > 0 {
		parts = append(parts, p.T("services.languages_short")+": "+strings.Join(e.Languages, ", "))
	}
	if len(parts) == 0 {
		return p.T("services.everyone")
	}
	return strings.Join(parts, "; ")
}

// accepts filters the directory by eligibility: a child (under 18), a sex,
// an assessed risk level. An empty criterion accepts every service.
func accepts(o *referral.Offering, child bool, sex, risk string) bool {
	e := o.Eligibility
	if child && (o.Type != referral.TypeChildShelter && e.AgeMin != nil && *e.AgeMin >= 18) {
		return false
	}
	if child && o.Type != referral.TypeChildShelter && referral.IsShelter(o.Type) && e.AgeMin == nil {
		return false // a shelter without an age range is not child-appropriate (placement rules)
	}
	if sex != "" && e.Sex != "" && e.Sex != sex {
		return false
	}
	if risk != "" {
		n := slices.Index(referral.RiskLevels, risk)
		if n < 0 {
			return true
		}
		if e.RiskMin != "" && n < slices.Index(referral.RiskLevels, e.RiskMin) ||
			e.RiskMax != "" && n > slices.Index(referral.RiskLevels, e.RiskMax) {
			return false
		}
		if o.Type == referral.TypeDVShelter && risk != "low" {
			return false
		}
		if risk == "high" && referral.IsShelter(o.Type) && o.Type != referral.TypeSecureFacility && o.Type != referral.TypeTHBShelter {
			return false
		}
	}
	return true
}

// serviceFormData is the add and edit form of a service.
type serviceFormData struct {
	Service   *referral.Offering // nil on /services/new
	CanManage bool
	Orgs      []orgOption // the coordinator chooses the provider
	Types     []string
	Risks     []string
	Sexes     []string
	Form      url.Values
}

func (s *server) handleServiceNew(w http.ResponseWriter, r *http.Request) {
	s.renderServiceForm(w, r, http.StatusOK, nil, nil)
}

func (s *server) handleServiceView(w http.ResponseWriter, r *http.Request) {
	o, err := s.app.Referral.FindServiceByID(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderServiceForm(w, r, http.StatusOK, o, nil)
}

func (s *server) renderServiceForm(w http.ResponseWriter, r *http.Request, status int, o *referral.Offering, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	d := &serviceFormData{Service: o, Types: referral.Types, Risks: referral.RiskLevels, Sexes: sexes, Form: url.Values{}}
	if o == nil {
		d.CanManage = access.Can(a, access.ServiceManage)
	} else {
		d.CanManage = access.CheckOrg(a, access.ServiceManage, o.OrgID) == nil
		d.Form = serviceValues(o)
	}
	if o == nil && access.ScopeOf(a, access.ServiceManage) == access.All && access.Can(a, access.OrgList) {
		orgs, err := s.app.Auth.FindOrgs(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, org := range orgs {
			if org.Active {
				d.Orgs = append(d.Orgs, orgOption{ID: org.ID, Name: org.Name})
			}
		}
	}
	title := "services.new"
	if o != nil {
		title = "services.view"
	}
	p := s.newPage(r, title, d)
	if o != nil {
		p.Title = o.Name
	}
	if formErr != nil {
		setFormError(p, st, formErr)
		d.Form = r.PostForm
	}
	s.render(w, r, status, "services_form", p)
}

// serviceValues fills the edit form from a stored service.
func serviceValues(o *referral.Offering) url.Values {
	v := url.Values{"name": {o.Name}, "type": {o.Type}, "municipality": {o.Municipality}, "address": {o.Address},
		"location": {o.Location}, "hours": {o.Hours}, "phone": {o.Phone}, "email": {o.Email}, "description": {o.Description},
		"beds_total": {strconv.Itoa(o.BedsTotal)}, "beds_out_of_service": {strconv.Itoa(o.BedsOutOfService)},
		"sex": {o.Eligibility.Sex}, "risk_min": {o.Eligibility.RiskMin}, "risk_max": {o.Eligibility.RiskMax},
		"languages": {strings.Join(o.Eligibility.Languages, ", ")}}
	if o.Eligibility.AgeMin != nil {
		v.Set("age_min", strconv.Itoa(*o.Eligibility.AgeMin))
	}
	if o.Eligibility.AgeMax != nil {
		v.Set("age_max", strconv.Itoa(*o.Eligibility.AgeMax))
	}
	if o.Active {
		v.Set("active", "1")
	}
	return v
}

// serviceInput reads the service form. A number that is not one is an
// error on its field.
func serviceInput(f url.Values, editing bool) (referral.ServiceInput, error) {
	in := referral.ServiceInput{Name: f.Get("name"), Type: f.Get("type"), Organisation: strings.TrimSpace(f.Get("organisation")),
		Municipality: f.Get("municipality"), Address: f.Get("address"), Location: f.Get("location"), Hours: f.Get("hours"),
		Phone: f.Get("phone"), Email: f.Get("email"), Description: f.Get("description")}
	e := &referral.Eligibility{Sex: f.Get("sex"), RiskMin: f.Get("risk_min"), RiskMax: f.Get("risk_max")}
	for _, l := range strings.Split(f.Get("languages"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			e.Languages = append(e.Languages, l)
		}
	}
	num := func(name string) (*int, error) {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, errs.InvalidField(name, "validation.invalid")
		}
		return &n, nil
	}
	var err error
	for _, x := range []struct {
		name string
		dst  **int
	}{{"beds_total", &in.BedsTotal}, {"beds_out_of_service", &in.BedsOutOfService}, {"age_min", &e.AgeMin}, {"age_max", &e.AgeMax}} {
		if *x.dst, err = num(x.name); err != nil {
			return in, err
		}
	}
	in.Eligibility = e
	if editing {
		active := f.Get("active") == "1"
		in.Active = &active
	}
	return in, nil
}

func (s *server) handleServiceCreate(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	in, err := serviceInput(r.PostForm, false)
	if access.ScopeOf(a, access.ServiceManage) != access.All {
		in.Organisation = a.OrgID // a provider adds its own services only
	}
	var o *referral.Offering
	if err == nil {
		o, err = s.app.Referral.CreateService(r.Context(), a, in)
	}
	s.serviceResult(w, r, nil, o, err, "flash.service_created")
}

func (s *server) handleServiceUpdate(w http.ResponseWriter, r *http.Request) {
	a := reqState(r).user.Actor()
	cur, err := s.app.Referral.FindServiceByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	in, err := serviceInput(r.PostForm, true)
	var o *referral.Offering
	if err == nil {
		o, err = s.app.Referral.UpdateService(r.Context(), a, cur.ID, in)
	}
	s.serviceResult(w, r, cur, o, err, "flash.service_saved")
}

func (s *server) serviceResult(w http.ResponseWriter, r *http.Request, cur, o *referral.Offering, err error, flash string) {
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/services/"+o.ID, flash)
	case isFormErr(err):
		s.renderServiceForm(w, r, errs.HTTPStatus(err), cur, err)
	default:
		s.renderError(w, r, err)
	}
}
