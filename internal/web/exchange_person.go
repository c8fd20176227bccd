package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
)

// "Do you know this person?": the contact point picks a partner for a
// case's person, sees exactly what will be sent (one encoding, no name),
// sends it; the message page shows the partner's answer when it comes.

type xperson struct {
	CaseID, CaseRef string
	Partners        []xoption
	To, ToLabel     string
	Query           *exchange.PersonQuery
}

func (s *server) personQuery(r *http.Request, st *state, caseID, to string) (*xperson, error) {
	d := &xperson{CaseID: caseID, To: to}
	c, err := s.app.Cases.FindCaseByID(r.Context(), st.user.Actor(), caseID)
	if err != nil {
		return nil, err
	}
	d.CaseRef = c.Reference
	ps, err := s.app.Exchange.Partners(r.Context())
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Active {
			d.Partners = append(d.Partners, xoption{Value: p.Country, Label: countryLabel(st, p.Country), Selected: p.Country == to})
		}
	}
	if to == "" {
		return d, nil
	}
	d.ToLabel = countryLabel(st, to)
	person := c.Person
	if person == nil && access.Can(st.user.Actor(), access.ExchangeSend) {
		// The contact point may send the encoding of a person it may not
		// read (it is on no case team): the case file hands the person over
		// for the encoding only (policy-checked, audited), never shown.
		if person, err = s.app.Cases.PersonForEncoding(r.Context(), st.user.Actor(), caseID); err != nil {
			return nil, err
		}
	}
	d.Query, err = s.app.Exchange.PlanPersonQuery(r.Context(), st.user.Actor(), to, caseID, person)
	return d, err
}

func (s *server) handleExchangePerson(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	q := r.URL.Query()
	d, err := s.personQuery(r, st, q.Get("case"), q.Get("to"))
	s.personPage(w, r, st, d, err)
}

func (s *server) personPage(w http.ResponseWriter, r *http.Request, st *state, d *xperson, err error) {
	if d == nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "exchange.person.title", d)
	status := http.StatusOK
	if err != nil {
		if !isFormErr(err) {
			s.renderError(w, r, err)
			return
		}
		d.Query = nil
		p.ErrorForm = "person-choose"
		setFormError(p, st, err)
		if e := errs.As(err); e.Field != "to" {
			delete(p.Errors, e.Field)
			p.Errors["to"] = st.p.T(e.Key, argList(e.Args)...)
		}
		status = errs.HTTPStatus(err)
	}
	s.render(w, r, status, "exchange_person", p)
}

func (s *server) handleExchangePersonSend(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	d, err := s.personQuery(r, st, r.PostFormValue("case"), r.PostFormValue("to"))
	if err != nil || d.Query == nil {
		if err == nil {
			err = errs.InvalidField("to", "validation.required")
		}
		s.personPage(w, r, st, d, err)
		return
	}
	id, err := s.app.Exchange.SendPersonQuery(r.Context(), st.user.Actor(), d.Query)
	if err != nil {
		s.personPage(w, r, st, d, err)
		return
	}
	s.redirectFlash(w, r, "/exchange/messages/"+id, "flash.exchange_queued")
}

// xcandidate is one line of a person_answer, in words.
type xcandidate struct {
	Score, XRef string
}

// personAnswer renders the answer to a person query sent from this page.
func (s *server) personAnswer(r *http.Request, st *state, m *exchange.Message) (answered bool, out []xcandidate, err error) {
	a, err := s.app.Exchange.AnswerTo(r.Context(), st.user.Actor(), m.ID)
	if err != nil || a == nil {
		return false, nil, err
	}
	list, _ := a.Body["candidates"].([]any)
	for _, c := range list {
		o, _ := c.(map[string]any)
		f, _ := strconv.ParseFloat(valueString(o["score"]), 64)
		out = append(out, xcandidate{Score: st.p.T("exchange.person.score", "percent", int(math.Round(f*100))), XRef: valueString(o["xref"])})
	}
	return true, out, nil
}

func valueString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
