package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/i18n"
)

// The exchange's pages: the contact point's dashboard, a message, the
// guided form of a procedure step with its "what will be sent"
// confirmation, and the administrator's partners page.

// xmsg is a message as a row of a table: every text translated.
type xmsg struct {
	ID, Direction, Country, Type, State, Reason, XRef, CaseID string
	StateCode, CountryCode                                    string
	Created                                                   time.Time
	Due                                                       *time.Time
}

type xfield struct {
	Name, Label, Value string
	Personal           bool
}

type xdash struct {
	*exchange.Dashboard
	Open, Overdue, Recent []xmsg
	Returns               []xreturn
	Monitoring            []xmonitor
	CanSend               bool
	PictureYear           int // the year the dashboard's button sends the regional picture of (last year)
}

type xreturn struct {
	Country, XRef, CaseID, Crossing, Organisation string
	Date                                          time.Time
}

type xmonitor struct {
	Country, XRef, CaseID, Who string
	Months                     int
	Due                        time.Time
	Overdue                    bool
}

// countryLabel names a country in the page's language (i18n.CountryName).
func countryLabel(st *state, cc string) string { return i18n.CountryName(st.lang, st.p.T, cc) }

func (s *server) xrow(st *state, m *exchange.Message) xmsg {
	t := st.p.T
	x := xmsg{ID: m.ID, Direction: t("exchange.direction." + m.Direction), Country: countryLabel(st, m.Country),
		Type: t("exchange.type." + m.Type), State: t("exchange.state." + m.State), StateCode: m.State, XRef: m.XRef,
		CaseID: m.CaseID, Created: m.CreatedAt, Due: m.DueAt, CountryCode: m.Country}
	if m.Reason != "" {
		x.Reason = t("exchange.reason." + m.Reason)
	}
	return x
}

func (s *server) handleExchange(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	actor := st.user.Actor()
	d, err := s.app.Exchange.Dashboard(r.Context(), actor, s.now())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := &xdash{Dashboard: d, CanSend: access.Can(actor, access.ExchangeSend), PictureYear: s.now().In(s.loc).Year() - 1}
	for _, m := range d.OpenRequests {
		v.Open = append(v.Open, s.xrow(st, m))
	}
	for _, m := range d.Overdue {
		v.Overdue = append(v.Overdue, s.xrow(st, m))
	}
	for _, m := range d.Recent {
		v.Recent = append(v.Recent, s.xrow(st, m))
	}
	for _, rt := range d.Returns {
		v.Returns = append(v.Returns, xreturn{Country: countryLabel(st, rt.Country), XRef: rt.XRef, CaseID: rt.CaseID,
			Crossing: rt.Crossing, Organisation: rt.Organisation, Date: rt.Date})
	}
	for _, m := range d.Monitoring {
		who := st.p.T("exchange.monitoring.we_report")
		if m.Direction == "out" {
			who = st.p.T("exchange.monitoring.partner_reports")
		}
		v.Monitoring = append(v.Monitoring, xmonitor{Country: countryLabel(st, m.Country), XRef: m.XRef, CaseID: m.CaseID,
			Who: who, Months: m.Months, Due: m.Due, Overdue: m.Overdue})
	}
	s.render(w, r, http.StatusOK, "exchange", s.newPage(r, "exchange.title", v))
}

type xmessage struct {
	M       xmsg
	Fields  []xfield
	Answer  string // the type that answers this message, if it waits for one
	BasisOK bool
	Basis   string
	// A person query this instance sent: the partner's answer, when it came.
	Query      bool
	Answered   bool
	Candidates []xcandidate
}

func (s *server) handleExchangeMessage(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	m, err := s.app.Exchange.Get(r.Context(), st.user.Actor(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := &xmessage{M: s.xrow(st, m), Fields: s.xfields(st, m.Type, m.Body)}
	if m.Type == "person_query" && m.Direction == "out" {
		v.Query = true
		if v.Answered, v.Candidates, err = s.personAnswer(r, st, m); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if m.LegalBasis != "" {
		v.Basis = st.p.T("exchange.basis." + strings.SplitN(m.LegalBasis, ":", 2)[0])
	}
	if a := exchange.AnswerType(m.Type); a != "" && m.Direction == "in" && m.State == exchange.StateReceived &&
		access.Can(st.user.Actor(), access.ExchangeSend) && exchange.FormType(a) {
		v.Answer = a
	}
	s.render(w, r, http.StatusOK, "exchange_message", s.newPage(r, "exchange.message_title", v))
}

// xfields renders a body in the order of its type's schema, every value in words.
func (s *server) xfields(st *state, typ string, body map[string]any) []xfield {
	mt := exchange.Types[typ]
	var out []xfield
	for _, f := range mt.Fields {
		v, ok := body[f.Name]
		if !ok {
			continue
		}
		out = append(out, xfield{Name: f.Name, Label: st.p.T("exchange.field." + f.Name), Value: valueText(st, f, v), Personal: f.Personal})
	}
	return out
}

func valueText(st *state, f exchange.Field, v any) string {
	t := st.p.T
	one := func(x string) string {
		switch {
		case f.Name == "sex":
			return t("case.sex." + x)
		case f.Name == "forms":
			return t("htcds.exploitation." + x)
		case f.Name == "risk_level":
			return t("risk.level." + x)
		case f.Kind == exchange.KCountry:
			return countryLabel(st, x)
		case f.Kind == exchange.KEnum || f.Kind == exchange.KEnums:
			return t("exchange.value." + x)
		}
		return x
	}
	switch x := v.(type) {
	case bool:
		if x {
			return t("common.yes")
		}
		return t("common.no")
	case string:
		return one(x)
	case []any:
		if f.Kind == exchange.KObjects {
			return t("exchange.objects_count", "count", len(x))
		}
		var parts []string
		for _, e := range x {
			parts = append(parts, one(fmt.Sprint(e)))
		}
		return strings.Join(parts, ", ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// ---- the guided form and its confirmation ----

type xsend struct {
	Partners   []xoption
	Types      []xoption
	To, Type   string
	CaseID     string
	CaseRef    string
	ReplyTo    string
	XRef       string
	Fields     []xinput
	Step       int // 1 choose, 2 fill in, 3 confirm
	Preview    *exchange.Preview
	Shown      []xfield
	Basis      string
	BasisOK    bool
	Personal   bool
	TypeLabel  string
	ToLabel    string
	Hidden     []xoption // the typed values carried to the confirmation
	StepHint   string
	ChildRules bool
}

type xoption struct {
	Value, Label string
	Selected     bool
}

type xinput struct {
	Name, Label, Kind, Value string
	Required, Personal       bool
	Options                  []xoption
	Max                      int
}

func (s *server) sendData(r *http.Request, st *state, form url.Values) (*xsend, error) {
	d := &xsend{To: strings.ToUpper(form.Get("to")), Type: form.Get("type"), CaseID: form.Get("case"),
		ReplyTo: form.Get("reply_to"), XRef: form.Get("xref"), Step: 1}
	ps, err := s.app.Exchange.Partners(r.Context())
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Active {
			d.Partners = append(d.Partners, xoption{Value: p.Country, Label: countryLabel(st, p.Country) + " (" + p.Name + ")",
				Selected: p.Country == d.To})
		}
	}
	for _, n := range exchange.TypeNames() {
		if exchange.FormType(n) {
			d.Types = append(d.Types, xoption{Value: n, Label: st.p.T("exchange.type." + n), Selected: n == d.Type})
		}
	}
	d.TypeLabel, d.ToLabel = st.p.T("exchange.type."+d.Type), countryLabel(st, d.To)
	if d.CaseID != "" {
		ref, err := s.app.Cases.Authorize(r.Context(), s.app.DB.Read(), st.user.Actor(), d.CaseID, access.CaseView)
		if err != nil {
			return nil, err
		}
		d.CaseRef = ref.Reference
		d.ChildRules = ref.IsChild
	}
	mt, ok := exchange.Types[d.Type]
	if !ok || d.To == "" || !exchange.FormType(d.Type) {
		return d, nil
	}
	d.Step = 2
	for _, f := range mt.Fields {
		in := xinput{Name: f.Name, Label: st.p.T("exchange.field." + f.Name), Kind: string(f.Kind), Value: form.Get("f." + f.Name),
			Required: f.Required, Personal: f.Personal, Max: f.Max}
		switch f.Kind {
		case exchange.KEnum, exchange.KEnums:
			vals := form["f."+f.Name]
			for _, e := range f.Enum {
				in.Options = append(in.Options, xoption{Value: e, Label: valueText(st, f, e), Selected: slices.Contains(vals, e)})
			}
		case exchange.KBool:
			in.Options = []xoption{{Value: "true", Label: st.p.T("common.yes"), Selected: in.Value == "true"},
				{Value: "false", Label: st.p.T("common.no"), Selected: in.Value == "false"}}
		}
		d.Fields = append(d.Fields, in)
	}
	return d, nil
}

// bodyFrom builds the message body from the form's f.* fields: only the
// schema's fields are read, empty ones left out.
func bodyFrom(mt exchange.MessageType, form url.Values) json.RawMessage {
	b := map[string]any{}
	for _, f := range mt.Fields {
		vals := form["f."+f.Name]
		v := strings.TrimSpace(form.Get("f." + f.Name))
		switch f.Kind {
		case exchange.KEnums:
			if len(vals) > 0 {
				b[f.Name] = vals
			}
		case exchange.KBool:
			if v != "" {
				b[f.Name] = v == "true"
			}
		case exchange.KInt, exchange.KNumber:
			if v != "" {
				b[f.Name] = json.Number(v)
			}
		default:
			if v != "" {
				b[f.Name] = v
			}
		}
	}
	out, _ := json.Marshal(b)
	return out
}

func (s *server) handleExchangeSendForm(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	d, err := s.sendData(r, st, r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "exchange.send_title", d)
	p.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "exchange_send", p)
}

// handleExchangeSend is the form's two posts: action=preview shows what will
// be sent and on what basis; action=send (from that confirmation) sends.
func (s *server) handleExchangeSend(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, errs.E(errs.Invalid, "error.invalid"))
		return
	}
	d, err := s.sendData(r, st, r.PostForm)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, "exchange.send_title", d)
	p.Form = r.PostForm
	mt, ok := exchange.Types[d.Type]
	if !ok || d.Step != 2 {
		p.ErrorForm = "send-form"
		setFormError(p, st, errs.InvalidField("type", "exchange.type_unknown"))
		s.render(w, r, http.StatusBadRequest, "exchange_send", p)
		return
	}
	req := exchange.SendRequest{To: d.To, Type: d.Type, CaseID: d.CaseID, ReplyTo: d.ReplyTo, XRef: d.XRef, Body: bodyFrom(mt, r.PostForm)}
	fail := func(err error) {
		if !isFormErr(err) {
			s.renderError(w, r, err)
			return
		}
		d.Step = 2
		p.ErrorForm = "send-form"
		setFormError(p, st, err)
		// A field of the body is shown beside its input (f.NAME).
		for k, m := range p.Errors {
			delete(p.Errors, k)
			if name, ok := strings.CutPrefix(k, "body."); ok && slices.ContainsFunc(d.Fields, func(f xinput) bool { return f.Name == name }) {
				p.Errors["f."+name] = m
			} else if p.Error == "" {
				p.Error = m // no input of its own (the partner, the case): the form's message
			}
		}
		if len(p.Errors) > 0 && p.Error == "" {
			p.Error = st.p.T("exchange.fix_fields")
		}
		s.render(w, r, errs.HTTPStatus(err), "exchange_send", p)
	}
	if r.PostFormValue("action") != "send" {
		pv, err := s.app.Exchange.PreviewSend(r.Context(), st.user.Actor(), req)
		if err != nil {
			fail(err)
			return
		}
		d.Step, d.Preview, d.Personal = 3, pv, pv.Personal
		var body map[string]any
		dec := json.NewDecoder(strings.NewReader(string(req.Body)))
		dec.UseNumber()
		dec.Decode(&body)
		d.Shown = s.xfields(st, d.Type, body)
		d.BasisOK = pv.Basis.Allowed
		if pv.Basis.Reason != "" {
			d.Basis = st.p.T("consent.reason." + pv.Basis.Reason)
		}
		for k, vs := range r.PostForm {
			if strings.HasPrefix(k, "f.") {
				for _, v := range vs {
					d.Hidden = append(d.Hidden, xoption{Value: v, Label: k})
				}
			}
		}
		slices.SortFunc(d.Hidden, func(a, b xoption) int { return strings.Compare(a.Label, b.Label) })
		s.render(w, r, http.StatusOK, "exchange_send", p)
		return
	}
	id, err := s.app.Exchange.Send(r.Context(), st.user.Actor(), req)
	if err != nil {
		fail(err)
		return
	}
	s.redirectFlash(w, r, "/exchange/messages/"+id, "flash.exchange_queued")
}

// ---- partners (the administrator) ----

type xpartners struct {
	Me       exchange.Identity
	OwnKeys  []exchange.OwnKey
	Partners []xpartner
}

type xpartner struct {
	exchange.Partner
	Label string
	Keys  []xkey
}

type xkey struct {
	exchange.PartnerKey
	State string
}

func (s *server) partnersPage(w http.ResponseWriter, r *http.Request, status int, formID string, ferr error) {
	st := reqState(r)
	ctx := r.Context()
	me, err := s.app.Exchange.Identity(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	own, err := s.app.Exchange.OwnKeys(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ps, err := s.app.Exchange.Partners(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &xpartners{Me: me, OwnKeys: own}
	for _, p := range ps {
		xp := xpartner{Partner: p, Label: countryLabel(st, p.Country)}
		for _, k := range p.Keys {
			xp.Keys = append(xp.Keys, xkey{PartnerKey: k, State: st.p.T("exchange.key_state." + k.State)})
		}
		d.Partners = append(d.Partners, xp)
	}
	p := s.newPage(r, "exchange.partners_title", d)
	if r.Method == http.MethodPost {
		p.Form = r.PostForm
	}
	if ferr != nil {
		p.ErrorForm = formID
		setFormError(p, st, ferr)
	}
	s.render(w, r, status, "exchange_partners", p)
}

func (s *server) handleExchangePartners(w http.ResponseWriter, r *http.Request) {
	s.partnersPage(w, r, http.StatusOK, "", nil)
}

func (s *server) handleExchangePartnerAdd(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	id, err := exchange.ParseIdentity([]byte(r.PostFormValue("identity")))
	if err == nil {
		_, err = s.app.Exchange.AddPartner(r.Context(), st.user.Actor(), id, r.PostFormValue("name"))
	}
	if err != nil {
		if !isFormErr(err) {
			s.renderError(w, r, err)
			return
		}
		if e := errs.As(err); e.Field != "name" {
			err = &errs.Error{Code: e.Code, Key: e.Key, Field: "identity", Args: e.Args}
		}
		s.partnersPage(w, r, errs.HTTPStatus(err), "partner-add", err)
		return
	}
	s.redirectFlash(w, r, "/exchange/partners", "flash.exchange_partner_added")
}

func (s *server) handleExchangePartnerActivate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	err := s.app.Exchange.ActivatePartner(r.Context(), st.user.Actor(), r.PostFormValue("country"), r.PostFormValue("fingerprint"))
	if err != nil {
		if !isFormErr(err) {
			s.renderError(w, r, err)
			return
		}
		s.partnersPage(w, r, errs.HTTPStatus(err), "partner-activate", err)
		return
	}
	s.redirectFlash(w, r, "/exchange/partners", "flash.exchange_partner_activated")
}

func (s *server) handleExchangePartnerDeactivate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := s.app.Exchange.DeactivatePartner(r.Context(), st.user.Actor(), r.PathValue("country")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/exchange/partners", "flash.exchange_partner_deactivated")
}

func (s *server) handleExchangeRotate(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if _, err := s.app.Exchange.RotateKeys(r.Context(), st.user.Actor(), 0); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/exchange/partners", "flash.exchange_keys_rotated")
}
