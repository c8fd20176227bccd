package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/helpline"
)

// The helpline's API: log a contact (the console's form as JSON), read one
// back, and the figures for a period — counts only.

type contactJSON struct {
	ID              string     `json:"id"`
	Reference       string     `json:"reference"`
	StartedAt       time.Time  `json:"started_at"`
	DurationMin     int        `json:"duration_min"`
	Channel         string     `json:"channel"`
	CallerType      string     `json:"caller_type"`
	Language        string     `json:"language"`
	Municipality    string     `json:"municipality"`
	TaxonomyVersion string     `json:"taxonomy_version"`
	Topic           string     `json:"topic"`
	ImmediateDanger bool       `json:"immediate_danger"`
	ChildInvolved   bool       `json:"child_involved"`
	CallerIsVictim  bool       `json:"caller_is_victim"`
	Actions         []string   `json:"actions"`
	CallbackDue     *time.Time `json:"callback_due,omitempty"`
	CallbackDone    *time.Time `json:"callback_done_at,omitempty"`
	HasCallerCode   bool       `json:"has_caller_code"`
	PersonalConsent bool       `json:"personal_consent"`
	Note            string     `json:"note,omitempty"`
	CallerName      string     `json:"caller_name,omitempty"`
	CallerPhone     string     `json:"caller_phone,omitempty"`
	Alerted         bool       `json:"alerted"`
	CaseID          string     `json:"case_id,omitempty"`
	CaseReference   string     `json:"case_reference,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func contactOut(c *helpline.Contact) contactJSON {
	out := contactJSON{ID: c.ID, Reference: c.Reference, StartedAt: c.StartedAt, DurationMin: c.DurationMin, Channel: c.Channel,
		CallerType: c.CallerType, Language: c.Language, Municipality: c.Municipality, TaxonomyVersion: c.TaxonomyVersion,
		Topic: c.Topic, ImmediateDanger: c.ImmediateDanger, ChildInvolved: c.ChildInvolved, CallerIsVictim: c.CallerIsVictim,
		Actions: c.Actions, CallbackDue: timePtr(c.CallbackDue), CallbackDone: timePtr(c.CallbackDone),
		HasCallerCode: c.HasCallerCode, PersonalConsent: c.PersonalConsent, Note: c.Note, CallerName: c.CallerName,
		CallerPhone: c.CallerPhone, Alerted: c.AlertOrg != "", CaseID: c.CaseID, CaseReference: c.CaseRef, CreatedAt: c.CreatedAt}
	if out.Actions == nil {
		out.Actions = []string{}
	}
	return out
}

func (a *api) handleHelplineLog(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Helpline == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in helpline.Input
	if !a.readJSON(w, r, &in) {
		return
	}
	c, err := a.Helpline.Log(r.Context(), u.Actor(), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusCreated, contactOut(c), nil)
}

func (a *api) handleHelplineContact(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Helpline == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	c, err := a.Helpline.Find(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusOK, contactOut(c), nil)
}

type figuresJSON struct {
	From   time.Time                   `json:"from"`
	To     time.Time                   `json:"to"`
	Total  int                         `json:"total"`
	Urgent int                         `json:"urgent"`
	ToCase int                         `json:"to_case"`
	By     map[string][]helpline.Count `json:"by"`
}

// figuresPeriod reads ?from=YYYY-MM&to=YYYY-MM (both months included;
// default: this year up to this month, UTC); any other parameter is an error.
func figuresPeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	q := r.URL.Query()
	for k, v := range q {
		if k != "from" && k != "to" || len(v) != 1 {
			return time.Time{}, time.Time{}, errs.E(errs.Invalid, "validation.invalid")
		}
	}
	month := func(field, v, def string) (time.Time, error) {
		v = strings.TrimSpace(v)
		if v == "" {
			v = def
		}
		t, err := time.Parse("2006-01", v)
		if err != nil || len(v) != 7 {
			return t, errs.InvalidField(field, "validation.invalid")
		}
		return t, nil
	}
	now = now.UTC()
	from, err := month("from", q.Get("from"), now.Format("2006")+"-01")
	if err != nil {
		return from, from, err
	}
	to, err := month("to", q.Get("to"), now.Format("2006-01"))
	if err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, errs.InvalidField("to", "helpline.error.period")
	}
	return from, to.AddDate(0, 1, 0), nil
}

func (a *api) handleHelplineFigures(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Helpline == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	from, to, err := figuresPeriod(r, a.Clock.Now())
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	f, err := a.Helpline.Figures(r.Context(), u.Actor(), from, to)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := figuresJSON{From: f.From, To: f.To, Total: f.Total, Urgent: f.Urgent, ToCase: f.ToCase, By: map[string][]helpline.Count{}}
	for _, d := range helpline.Dimensions {
		out.By[d] = f.By[d]
		if out.By[d] == nil {
			out.By[d] = []helpline.Count{}
		}
	}
	a.answer(w, r, http.StatusOK, out, nil)
}
