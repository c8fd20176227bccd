package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/i18n"
)

// The helpline pages (internal/helpline): the console where an operator
// logs a contact with the keyboard alone and sees the call-backs due and
// the latest contacts; a contact's page, where it becomes a case and the
// case is referred; and the figures, counts only.

type checkOpt struct {
	Value, Label string
	Checked      bool
}

type optGroup struct {
	Label   string
	Options []option
}

type contactRow struct {
	ID, Reference, Channel, Topic, CaseRef string
	Started, CallbackDue                   time.Time
	Overdue, Urgent                        bool
}

type helplineConsole struct {
	Now            string
	Channels       []option
	Callers        []option
	Languages      []option
	Municipalities []option
	Topics         []optGroup
	Version        string
	Flags          []checkOpt
	Actions        []checkOpt
	Callbacks      []contactRow
	Recent         []contactRow
	Caller         string
	Found          []contactRow
	Looked         bool
}

// choices builds a select's options from codes, labelled by prefix+code;
// the chosen one is cur, or def when nothing was sent.
func choices(p *i18n.Printer, prefix string, codes []string, cur, def string) []option {
	if cur == "" {
		cur = def
	}
	out := make([]option, 0, len(codes))
	for _, c := range codes {
		out = append(out, option{Value: c, Label: p.T(prefix + c), Selected: c == cur})
	}
	return out
}

func checks(p *i18n.Printer, prefix string, codes []string, on []string) []checkOpt {
	set := map[string]bool{}
	for _, v := range on {
		set[v] = true
	}
	out := make([]checkOpt, 0, len(codes))
	for _, c := range codes {
		out = append(out, checkOpt{Value: c, Label: p.T(prefix + c), Checked: set[c]})
	}
	return out
}

// topicLabel names a topic: "Category: sub-category".
func topicLabel(p *i18n.Printer, topic string) string {
	cat, _, _ := strings.Cut(topic, ".")
	return p.T("helpline.topic."+cat) + ": " + p.T("helpline.topic."+topic)
}

func (s *server) contactRows(p *i18n.Printer, list []*helpline.Contact) []contactRow {
	now := s.now()
	out := make([]contactRow, 0, len(list))
	for _, c := range list {
		out = append(out, contactRow{ID: c.ID, Reference: c.Reference, Channel: p.T("helpline.channel." + c.Channel),
			Topic: topicLabel(p, c.Topic), CaseRef: c.CaseRef, Started: c.StartedAt, CallbackDue: c.CallbackDue,
			Overdue: c.CallbackOpen() && c.CallbackDue.Before(now), Urgent: c.ImmediateDanger})
	}
	return out
}

func (s *server) handleHelpline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	caller := strings.TrimSpace(q.Get("caller"))
	if _, ok := q["caller"]; ok {
		s.renderHelpline(w, r, http.StatusOK, nil, caller, true)
		return
	}
	s.renderHelpline(w, r, http.StatusOK, nil, "", false)
}

func (s *server) renderHelpline(w http.ResponseWriter, r *http.Request, status int, formErr error, caller string, look bool) {
	st := reqState(r)
	a := st.user.Actor()
	p := st.p
	form := url.Values{}
	if r.Method == http.MethodPost {
		form = r.PostForm
	}
	d := &helplineConsole{Now: s.now().In(s.loc).Format("2006-01-02T15:04"), Version: helpline.Topics.Version, Caller: caller}
	if v := form.Get("started_at"); v != "" {
		d.Now = v
	}
	d.Channels = choices(p, "helpline.channel.", helpline.Channels, form.Get("channel"), "phone")
	d.Callers = choices(p, "helpline.caller.", helpline.CallerTypes, form.Get("caller_type"), "anonymous")
	d.Languages = choices(p, "helpline.lang.", helpline.Languages, form.Get("language"), "sq")
	d.Municipalities = []option{{Value: "", Label: p.T("helpline.municipality_none")}}
	for _, m := range helpline.Municipalities {
		d.Municipalities = append(d.Municipalities, option{Value: m, Label: municipalityName(p, m), Selected: m == form.Get("municipality")})
	}
	for _, c := range helpline.Topics.Categories {
		g := optGroup{Label: p.T("helpline.topic." + c.Code)}
		for _, sub := range c.Subs {
			code := c.Code + "." + sub.Code
			g.Options = append(g.Options, option{Value: code, Label: p.T("helpline.topic." + code), Selected: code == form.Get("topic")})
		}
		d.Topics = append(d.Topics, g)
	}
	d.Flags = checks(p, "helpline.flag.", helpline.Flags, form["flag"])
	d.Actions = checks(p, "helpline.action.", helpline.Actions, form["action"])
	cbs, err := s.app.Helpline.Callbacks(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Callbacks = s.contactRows(p, cbs)
	recent, err := s.app.Helpline.Recent(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Recent = s.contactRows(p, recent)
	var lookErr error
	if look {
		found, err := s.app.Helpline.FindByCallerCode(r.Context(), a, caller)
		switch {
		case err == nil:
			d.Found, d.Looked = s.contactRows(p, found), true
		case isFormErr(err):
			lookErr, status = err, http.StatusBadRequest
		default:
			s.renderError(w, r, err)
			return
		}
	}
	pg := s.newPage(r, "helpline.title", d)
	pg.Form = form
	switch {
	case formErr != nil:
		setFormError(pg, st, formErr)
		pg.ErrorForm = "contact-form"
	case lookErr != nil:
		setFormError(pg, st, lookErr)
		pg.ErrorForm = "caller-form"
	}
	s.render(w, r, status, "helpline", pg)
}

// helplineInput reads the contact form.
func helplineInput(r *http.Request) (helpline.Input, error) {
	f := r.PostForm
	in := helpline.Input{StartedAt: f.Get("started_at"), Channel: f.Get("channel"), CallerType: f.Get("caller_type"),
		Language: f.Get("language"), Municipality: f.Get("municipality"), Topic: f.Get("topic"), Actions: f["action"],
		CallbackDue: f.Get("callback_due"), Note: f.Get("note"), CallerCode: f.Get("caller_code"),
		KeepPersonal: f.Get("keep_personal") == "1", CallerName: f.Get("caller_name"), CallerPhone: f.Get("caller_phone")}
	for _, fl := range f["flag"] {
		switch fl {
		case "immediate_danger":
			in.ImmediateDanger = true
		case "child_involved":
			in.ChildInvolved = true
		case "caller_is_victim":
			in.CallerIsVictim = true
		default:
			return in, errs.InvalidField("flag", "validation.invalid_choice")
		}
	}
	dur := strings.TrimSpace(f.Get("duration_min"))
	if dur == "" {
		return in, errs.InvalidField("duration_min", "validation.required")
	}
	n, err := strconv.Atoi(dur)
	if err != nil || len(dur) > 6 {
		return in, errs.InvalidField("duration_min", "helpline.error.duration").With(map[string]any{"max": helpline.MaxDuration})
	}
	in.DurationMin = n
	return in, nil
}

func (s *server) handleHelplineLog(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	r.ParseForm()
	in, err := helplineInput(r)
	if err == nil {
		var c *helpline.Contact
		if c, err = s.app.Helpline.Log(r.Context(), st.user.Actor(), in); err == nil {
			s.redirectFlash(w, r, "/helpline/contacts/"+c.ID, "flash.helpline_logged")
			return
		}
	}
	if !isFormErr(err) {
		s.renderError(w, r, err)
		return
	}
	s.renderHelpline(w, r, errs.HTTPStatus(err), err, "", false)
}

type contactPage struct {
	C               *helpline.Contact
	Channel, Caller string
	Language, Topic string
	Municipality    string // in the reader's language
	Flags, Actions  []string
	Operator        bool
	Earlier         []contactRow
	CanCase         bool
	Trafficking     bool
	Screenings      []option
	Sexes           []option
	ReferFor        []option
	ShowConfirm     bool
	Duplicates      []string
	Open            bool
}

func (s *server) handleHelplineContact(w http.ResponseWriter, r *http.Request) {
	s.renderContact(w, r, http.StatusOK, nil, nil)
}

func (s *server) renderContact(w http.ResponseWriter, r *http.Request, status int, formErr error, dup []string) {
	st := reqState(r)
	a := st.user.Actor()
	p := st.p
	c, err := s.app.Helpline.Find(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{}
	if r.Method == http.MethodPost {
		form = r.PostForm
	}
	d := &contactPage{C: c, Channel: p.T("helpline.channel." + c.Channel), Caller: p.T("helpline.caller." + c.CallerType),
		Language: p.T("helpline.lang." + c.Language), Topic: topicLabel(p, c.Topic), Municipality: municipalityName(p, c.Municipality), Operator: a.Role == access.Helpline,
		Trafficking: c.TraffickingSuspected(), Duplicates: dup, ShowConfirm: len(dup) > 0}
	for _, f := range helpline.Flags {
		if f == "immediate_danger" && c.ImmediateDanger || f == "child_involved" && c.ChildInvolved || f == "caller_is_victim" && c.CallerIsVictim {
			d.Flags = append(d.Flags, p.T("helpline.flag."+f))
		}
	}
	for _, act := range c.Actions {
		d.Actions = append(d.Actions, p.T("helpline.action."+act))
	}
	if d.Operator {
		earlier, err := s.app.Helpline.Earlier(r.Context(), a, c)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Earlier = s.contactRows(p, earlier)
	}
	d.CanCase = c.CaseID == "" && access.Can(a, access.HelplineCase)
	if d.CanCase {
		if d.Trafficking && access.Can(a, access.ScreeningRead) {
			list, err := s.app.Screenings.FindUnattached(r.Context(), a)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			d.Screenings = []option{{Value: "", Label: p.T("helpline.screening_none")}}
			for _, sc := range list {
				d.Screenings = append(d.Screenings, option{Value: sc.ID, Selected: sc.ID == form.Get("screening_id"),
					Label: s.printer(st.lang).DateTime(sc.At) + " — " + p.T("screening.profile."+string(sc.Profile)) +
						" — " + p.T("screening.outcome."+string(sc.Outcome))})
			}
		}
		for _, sx := range []string{"unknown", "female", "male", "other"} {
			d.Sexes = append(d.Sexes, option{Value: sx, Label: p.T("case.sex." + sx), Selected: sx == form.Get("sex")})
		}
		d.ReferFor = []option{{Value: "", Label: p.T("helpline.refer_for_none")}}
		for _, t := range consent.ServiceTypes {
			d.ReferFor = append(d.ReferFor, option{Value: t, Label: p.T("consent.service." + t), Selected: t == form.Get("refer_for")})
		}
		d.Open = formErr != nil || r.URL.Query().Get("open") == "case-form"
	}
	pg := s.newPage(r, "helpline.contact_title", d)
	pg.Title = p.T("helpline.contact_title", "ref", c.Reference)
	pg.Form = form
	if formErr != nil {
		setFormError(pg, st, formErr)
		pg.ErrorForm = "case-form"
	}
	s.render(w, r, status, "helpline_contact", pg)
}

func (s *server) handleHelplineCase(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	r.ParseForm()
	f := r.PostForm
	in := helpline.CaseInput{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), Sex: f.Get("sex"),
		BirthYear: f.Get("birth_year"), ScreeningID: f.Get("screening_id"), Consent: f.Get("consent") == "1",
		ReferFor: f.Get("refer_for"), ConfirmDuplicate: f.Get("confirm_duplicate") == "1"}
	reg, err := s.app.Helpline.OpenCase(r.Context(), st.user.Actor(), r.PathValue("id"), in)
	if err == nil {
		s.redirectFlash(w, r, "/helpline/contacts/"+r.PathValue("id")+"#case", "flash.helpline_case")
		return
	}
	if !isFormErr(err) {
		s.renderError(w, r, err)
		return
	}
	// The case file's own messages name the person's fields; the form here
	// names them without the prefix.
	if e := errs.As(err); strings.HasPrefix(e.Field, "person.") {
		cp := *e
		cp.Field = strings.TrimPrefix(e.Field, "person.")
		if cp.Field == "birth_date" {
			cp.Field = "birth_year"
		}
		err = &cp
	}
	var dup []string
	if errs.As(err).Key == "case.possible_duplicate" && reg != nil {
		dup = reg.Duplicates
		if len(dup) == 0 {
			dup = []string{st.p.T("case.duplicate_elsewhere")}
		}
	}
	s.renderContact(w, r, errs.HTTPStatus(err), err, dup)
}

func (s *server) handleHelplineCallbackDone(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	if err := s.app.Helpline.CallbackDone(r.Context(), st.user.Actor(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/helpline#callbacks", "flash.helpline_callback")
}

type figuresPage struct {
	From, To string
	F        *helpline.Figures
	Groups   []figureGroup
	CSV      string
}

type figureGroup struct {
	ID, Title string
	Rows      []figureRow
}

type figureRow struct {
	Label string
	Count int
}

// figurePeriod reads ?from=YYYY-MM&to=YYYY-MM (both months included); the
// default is the current year up to this month.
func (s *server) figurePeriod(q url.Values) (fromS, toS string, from, to time.Time, err error) {
	now := s.now().In(s.loc)
	fromS, toS = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if fromS == "" {
		fromS = now.Format("2006") + "-01"
	}
	if toS == "" {
		toS = now.Format("2006-01")
	}
	from, e1 := time.ParseInLocation("2006-01", fromS, s.loc)
	toM, e2 := time.ParseInLocation("2006-01", toS, s.loc)
	switch {
	case e1 != nil || len(fromS) != 7:
		return fromS, toS, from, to, errs.InvalidField("from", "validation.invalid")
	case e2 != nil || len(toS) != 7:
		return fromS, toS, from, to, errs.InvalidField("to", "validation.invalid")
	case toM.Before(from):
		return fromS, toS, from, to, errs.InvalidField("to", "helpline.error.period")
	}
	return fromS, toS, from, toM.AddDate(0, 1, 0), nil
}

// figureLabel names a breakdown's value in words.
func figureLabel(p *i18n.Printer, dim, v string) string {
	switch {
	case v == "" && dim == "municipality":
		return p.T("helpline.municipality_none")
	case dim == "municipality":
		return municipalityName(p, v)
	case dim == "channel":
		return p.T("helpline.channel." + v)
	case dim == "category":
		return p.T("helpline.topic." + v)
	case dim == "topic":
		return topicLabel(p, v)
	case dim == "caller_type":
		return p.T("helpline.caller." + v)
	case dim == "language":
		return p.T("helpline.lang." + v)
	case dim == "month":
		if t, err := time.Parse("2006-01", v); err == nil {
			if p.Lang() == i18n.English {
				return t.Format("Jan 2006")
			}
			return t.Format("01.2006")
		}
	}
	return v
}

func (s *server) figures(w http.ResponseWriter, r *http.Request) (*figuresPage, *page, bool) {
	st := reqState(r)
	q := r.URL.Query()
	fromS, toS, from, to, err := s.figurePeriod(q)
	d := &figuresPage{From: fromS, To: toS, CSV: "/helpline/figures.csv?" + url.Values{"from": {fromS}, "to": {toS}}.Encode()}
	pg := s.newPage(r, "helpline.figures_title", d)
	if err != nil {
		pg.Form = q
		setFormError(pg, st, err)
		pg.ErrorForm = "period-form"
		s.render(w, r, http.StatusBadRequest, "helpline_figures", pg)
		return nil, nil, false
	}
	f, err := s.app.Helpline.Figures(r.Context(), st.user.Actor(), from, to)
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	d.F = f
	for _, dim := range helpline.Dimensions {
		g := figureGroup{ID: "by-" + dim, Title: st.p.T("helpline.by." + dim)}
		for _, c := range f.By[dim] {
			g.Rows = append(g.Rows, figureRow{Label: figureLabel(st.p, dim, c.Value), Count: c.Count})
		}
		d.Groups = append(d.Groups, g)
	}
	return d, pg, true
}

func (s *server) handleHelplineFigures(w http.ResponseWriter, r *http.Request) {
	_, pg, ok := s.figures(w, r)
	if ok {
		s.render(w, r, http.StatusOK, "helpline_figures", pg)
	}
}

// handleHelplineFiguresCSV exports the figures: one row per breakdown and
// value, every cell made safe for spreadsheets (helpline.CSVCell).
func (s *server) handleHelplineFiguresCSV(w http.ResponseWriter, r *http.Request) {
	d, _, ok := s.figures(w, r)
	if !ok {
		return
	}
	st := reqState(r)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"breakdown", "value", "label", "contacts"})
	for _, dim := range helpline.Dimensions {
		for _, c := range d.F.By[dim] {
			cw.Write([]string{dim, helpline.CSVCell(c.Value), helpline.CSVCell(figureLabel(st.p, dim, c.Value)), strconv.Itoa(c.Count)})
		}
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="helpline-figures-`+d.From+`-`+d.To+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
