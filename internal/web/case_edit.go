package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// The edit page reuses the registration form (case_new.html), filled from the
// case as the user may see it: the person only for roles that read personal
// data, the details only for those that read investigation details, so
// nobody overwrites what they cannot read.

func (s *server) handleCaseEdit(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Cases.FindCaseByID(r.Context(), reqState(r).user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderCaseEdit(w, r, http.StatusOK, c, caseForm(c), nil)
}

// caseForm renders a case as the values of the registration form.
func caseForm(c *cases.Case) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	set("exploitation_country", c.ExploitationCountry)
	set("municipality", c.Municipality)
	set("risk_level", c.RiskLevel)
	for field, codes := range c.Codes {
		f[field] = append([]string(nil), codes...)
	}
	if p := c.Person; p != nil {
		set("given_name", p.GivenName)
		set("family_name", p.FamilyName)
		set("birth_date", p.BirthDate)
		set("sex", p.Sex)
		set("citizenship", p.Citizenship)
		set("aliases", strings.Join(p.Aliases, "\n"))
		if p.BirthDateEstimated {
			f.Set("birth_date_estimated", "1")
		}
		if p.AgeDisputed {
			f.Set("age_disputed", "1")
		}
		if len(p.Documents) > 0 {
			set("document_type", p.Documents[0].Type)
			set("document_number", p.Documents[0].Number)
			set("document_country", p.Documents[0].Country)
		}
		for _, ct := range p.Contacts {
			if ct.Type == "phone" {
				set("phone", ct.Value)
			}
		}
	}
	if d := c.Details; d != nil {
		set("recruitment_place", d.RecruitmentPlace)
		set("recruitment_date", d.RecruitmentDate)
		set("exploitation_place", d.ExploitationPlace)
		set("exploitation_from", d.ExploitationFrom)
		set("exploitation_to", d.ExploitationTo)
		set("narrative", d.Narrative)
	}
	return f
}

func (s *server) renderCaseEdit(w http.ResponseWriter, r *http.Request, status int, c *cases.Case, form url.Values, formErr error) {
	st := reqState(r)
	d := &caseNewData{Sexes: cases.Sexes, Fields: cases.PicklistFields, Picklists: cases.Picklists, Risks: cases.RiskLevels,
		Checked: map[string]bool{}, DocTypes: []string{"passport", "id_card", "birth_certificate", "residence_permit", "other"},
		EditID: c.ID, Version: c.Version, HasPerson: c.Person != nil, HasDetails: c.Details != nil}
	for _, f := range cases.PicklistFields {
		for _, code := range form[f] {
			d.Checked[f+"."+code] = true
		}
	}
	p := s.newPage(r, "case.edit_title", d)
	p.Form = form
	if formErr != nil {
		setFormError(p, st, formErr)
		p.ErrorForm = "case-form"
	}
	s.render(w, r, status, "case_new", p)
}

// handleCaseUpdate saves the edit form. The form carries the version it was
// filled from: if someone else saved in between, the edit is refused and the
// page shows the other person's version, so no write is lost unseen.
func (s *server) handleCaseUpdate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	c, err := s.app.Cases.FindCaseByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	in := caseInputFromForm(r.PostForm)
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	up := cases.UpdateInput{Version: v, RiskLevel: optional(in.RiskLevel), Municipality: &in.Municipality,
		ExploitationCountry: &in.ExploitationCountry, Exploitation: &in.Exploitation, Control: &in.Control,
		Recruitment: &in.Recruitment}
	if c.Person != nil {
		up.Person = &in.Person
	}
	if c.Details != nil {
		up.Details = &in.Details
	}
	err = s.app.Cases.Update(r.Context(), a, c.ID, up)
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/cases/"+c.ID, "flash.saved")
	case errs.Is(err, errs.Conflict):
		fresh, ferr := s.app.Cases.FindCaseByID(r.Context(), a, c.ID)
		if ferr != nil {
			s.renderError(w, r, ferr)
			return
		}
		if err == cases.ErrStale {
			err = errs.E(errs.Conflict, "case.stale_edit")
		}
		s.renderCaseEdit(w, r, http.StatusConflict, fresh, caseForm(fresh), err)
	case isFormErr(err):
		s.renderCaseEdit(w, r, errs.HTTPStatus(err), c, r.PostForm, err)
	default:
		s.renderError(w, r, err)
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
