package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
)

// The regional picture: each country's protected table of a year, own and
// received, each with its protection stated; the contact point sends its
// own table to every partner from here (or from the dashboard).

type xregional struct {
	Year      int
	Years     []xoption
	Countries []xcountry
	Missing   []string // active partners with no table for the year
	CanSend   bool
	SendYear  string
	Method    string
}

type xcountry struct {
	ID, Name, Protection, When string
	At                         time.Time
	Own, Noisy                 bool
	Rows                       []xcell
	Total                      string
}

type xcell struct {
	Citizenship, Form, Country, Count string
	Suppressed, Noisy                 bool
}

func pictureCountry(st *state, cc string) string {
	if cc == exchange.UnknownCountry || cc == "unknown" {
		return st.p.T("exchange.picture.country_unknown")
	}
	return countryLabel(st, cc)
}

func (s *server) handleExchangeRegional(w http.ResponseWriter, r *http.Request) {
	s.regionalPage(w, r, http.StatusOK, nil)
}

func (s *server) regionalPage(w http.ResponseWriter, r *http.Request, status int, ferr error) {
	st := reqState(r)
	t := st.p.T
	actor := st.user.Actor()
	now := s.now().In(s.loc)
	year := now.Year() - 1
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	pics, years, err := s.app.Exchange.Pictures(r.Context(), actor, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &xregional{Year: year, CanSend: access.Can(actor, access.ExchangeSend), SendYear: strconv.Itoa(now.Year() - 1),
		Method: string(disclosure.Suppress)}
	for _, y := range []int{now.Year(), now.Year() - 1} {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	slices.Reverse(years)
	for _, y := range years {
		d.Years = append(d.Years, xoption{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	have := map[string]bool{}
	for _, cp := range pics {
		have[cp.Country] = true
		p := cp.Picture
		c := xcountry{ID: "picture-" + cp.Country, Name: countryLabel(st, cp.Country), Own: cp.Own, At: cp.At,
			Noisy: p.Method == disclosure.Noise}
		if cp.Own {
			c.When = t("exchange.picture.sent_on", "date", st.p.DateTime(cp.At))
		} else {
			c.When = t("exchange.picture.received_on", "date", st.p.DateTime(cp.At))
		}
		if c.Noisy {
			c.Protection = t("exchange.picture.protection_dp", "epsilon", strconv.FormatFloat(p.Epsilon, 'g', 4, 64))
		} else {
			c.Protection = t("exchange.picture.protection_suppression", "k", p.K)
		}
		total := 0
		for _, cell := range p.Cells {
			x := xcell{Citizenship: pictureCountry(st, cell.Citizenship), Form: t("htcds.exploitation." + cell.Form),
				Country: pictureCountry(st, cell.Country), Suppressed: cell.Suppressed, Noisy: c.Noisy}
			if cell.Form == "none" {
				x.Form = t("exchange.picture.form_none")
			}
			switch {
			case cell.Suppressed:
				x.Count = t("exchange.picture.under", "k", p.K)
			case c.Noisy:
				x.Count = t("exchange.picture.about", "count", st.p.Number(int64(cell.Count)))
			default:
				x.Count = st.p.Number(int64(cell.Count))
			}
			total += cell.Count
			c.Rows = append(c.Rows, x)
		}
		c.Total = st.p.Number(int64(total))
		d.Countries = append(d.Countries, c)
	}
	ps, err := s.app.Exchange.Partners(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, p := range ps {
		if p.Active && !have[p.Country] {
			d.Missing = append(d.Missing, countryLabel(st, p.Country))
		}
	}
	p := s.newPage(r, "exchange.picture.title", d)
	if r.Method == http.MethodPost {
		p.Form = r.PostForm
		d.SendYear, d.Method = r.PostFormValue("year"), r.PostFormValue("protection")
	}
	if ferr != nil {
		p.ErrorForm = "picture-form"
		setFormError(p, st, ferr)
		if e := errs.As(ferr); e.Field != "year" && e.Field != "protection" && e.Field != "" {
			delete(p.Errors, e.Field)
			p.Errors["year"] = t(e.Key, argList(e.Args)...)
		}
	}
	s.render(w, r, status, "exchange_regional", p)
}

func (s *server) handleExchangePictureSend(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, errs.E(errs.Invalid, "error.invalid"))
		return
	}
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		s.regionalPage(w, r, http.StatusBadRequest, errs.InvalidField("year", "exchange.picture_year_invalid"))
		return
	}
	method := disclosure.Method(r.PostFormValue("protection"))
	if method == "" {
		method = disclosure.Suppress
	}
	if _, err := s.app.Exchange.SendPicture(r.Context(), st.user.Actor(), year, method); err != nil {
		if !isFormErr(err) {
			s.renderError(w, r, err)
			return
		}
		s.regionalPage(w, r, errs.HTTPStatus(err), err)
		return
	}
	s.redirectFlash(w, r, "/exchange/regional?year="+strconv.Itoa(year), "flash.exchange_picture_sent")
}
