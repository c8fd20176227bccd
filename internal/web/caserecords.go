package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

// The case records on the case page: consent, risk and needs, the plan,
// notes and documents, tasks. Each section is loaded only when the role may
// read it; a section whose service answers NotFound or Forbidden is simply
// absent (break-glass not open, a record outside the actor's reach), never
// an error page. Forms post to /cases/{id}/…, answer with a redirect and a
// flash, or show the case page again with the message next to the field.
// Field names in errors are prefixed with the form ("consent.language"), so
// two forms on one page never show each other's messages.

// caseRecords is the data of the record sections (caseData.Records).
type caseRecords struct {
	CaseID  string
	IsChild bool
	Consent *consentSection
	// Guardian is a child's guardian section (caseguardian.go).
	Guardian *guardianSection
	Care     *careSection
	Notes    *notesSection
	Tasks    *tasksSection
	// Referrals is the referrals and stays section (referral_case.go).
	Referrals *referralsSection
	// GBV is the domestic and gender-based violence section (gbv.go).
	GBV *gbvSection
	// Screenings are the organisation's saved screenings that no case
	// holds yet, to attach to this one (nil: the actor may not attach).
	Screenings *screeningsSection
	// Refill holds the values of the form that failed, by form name, so
	// only that form is filled in again.
	Refill  map[string]url.Values
	Orgs    []orgOption
	orgName map[string]string
}

type orgOption struct{ ID, Name string }

// recordForms maps the last part of a form's path to its name in Refill
// and in error fields.
var recordForms = map[string]string{
	"consent": "consent", "withdraw": "withdraw", "risk": "risk", "needs": "needs", "plan": "plan",
	"items": "item", "progress": "progress", "notes": "note", "documents": "document", "guardians": "guardian",
	"screenings": "screening", "referrals": "referral", "stays": "stay", "discharge": "discharge",
	"extend": "extend", "gbv-type": "gbvtype", "incidents": "incident", "risk-assessments": "dvrisk", "safety-plans": "safety",
	"orders": "order", "violations": "violation", "dependants": "dependant", "perpetrators": "perpetrator",
}

// absent reports whether err only means the section is not for this actor.
func absent(err error) bool {
	return errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden)
}

// mayRead is whether to try a read: the policy allows it, or an open
// break-glass grant on this case could.
func mayRead(a access.Actor, c *cases.Case, act access.Action) bool {
	return access.Can(a, act) || c.BreakGlass != "" && access.BreakGlassOpens(a, act)
}

// loadCaseRecords loads every section the actor may read. An error other
// than NotFound/Forbidden (a failed audit, a broken key) is returned: the
// page then shows nothing rather than records whose read was not recorded.
func (s *server) loadCaseRecords(r *http.Request, a access.Actor, c *cases.Case, p *i18n.Printer) (*caseRecords, error) {
	ctx := r.Context()
	d := &caseRecords{CaseID: c.ID, IsChild: c.IsChild, Refill: map[string]url.Values{}, orgName: map[string]string{}}
	if r.Method == http.MethodPost {
		parts := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
		if name, ok := recordForms[parts[len(parts)-1]]; ok {
			d.Refill[name] = r.PostForm
		}
	}
	if access.Can(a, access.OrgList) {
		orgs, err := s.app.Auth.FindOrgs(ctx, a)
		if err != nil && !absent(err) {
			return nil, err
		}
		for _, o := range orgs {
			d.orgName[o.ID] = o.Name
			if o.Active {
				d.Orgs = append(d.Orgs, orgOption{ID: o.ID, Name: o.Name})
			}
		}
	}
	for _, load := range []func() error{
		func() error { return s.loadConsent(r, a, c, d) },
		func() error { s.loadGuardian(a, c, d); return nil },
		func() error { return s.loadCare(r, a, c, d) },
		func() error { return s.loadGBV(r, a, c, d, p) },
		func() error { return s.loadNotes(r, a, c, d) },
		func() error { return s.loadTasks(r, a, c, d, p) },
		func() error { return s.loadReferrals(r, a, c, d, p) },
		func() error { return s.loadScreenings(r, a, c, d, p) },
	} {
		if err := load(); err != nil && !absent(err) {
			return nil, err
		}
	}
	return d, nil
}

// org names an organisation, or gives its id when the actor cannot list
// organisations.
func (d *caseRecords) org(id string) string {
	if n, ok := d.orgName[id]; ok {
		return n
	}
	return id
}

// recordResult answers a record form: back to the section with a flash, the
// case page again with the message next to the field, or an error page.
func (s *server) recordResult(w http.ResponseWriter, r *http.Request, form, anchor string, err error, flash string) {
	switch {
	case err == nil:
		s.redirectFlash(w, r, "/cases/"+r.PathValue("id")+"#"+anchor, flash)
	case isFormErr(err) || errs.Is(err, errs.TooLarge):
		s.renderCase(w, r, errs.HTTPStatus(err), fieldIn(form, err))
	default:
		s.renderError(w, r, err)
	}
}

// fieldIn prefixes an error's field with the form's name; the informed-of
// checklist shows one message for the whole group, and the small forms
// repeated on every row (withdraw, progress) one message above their table.
func fieldIn(form string, err error) error {
	e := errs.As(err)
	c := *e
	switch {
	case c.Field == "" || form == "withdraw" || form == "progress" || form == "violation" || form == "extend" || form == "screening" || form == "stay" || form == "discharge":
		// The form's own message, beside the form (page.Error).
		c.Field = ""
	case strings.HasPrefix(c.Field, "informed."):
		c.Field = form + ".informed"
	default:
		c.Field = form + "." + c.Field
	}
	return &c
}

// screeningsSection lists saved screenings to attach to the case.
type screeningsSection struct {
	Unattached []savedRow
}

func (s *server) loadScreenings(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords, p *i18n.Printer) error {
	if s.app.Screenings == nil || !c.CanEdit || !access.Can(a, access.ScreeningRead) || !access.Can(a, access.CaseEdit) {
		return nil
	}
	list, err := s.app.Screenings.FindUnattached(r.Context(), a)
	if err != nil {
		return err
	}
	sec := &screeningsSection{}
	for i, sc := range list {
		if i == 20 {
			break
		}
		sec.Unattached = append(sec.Unattached, savedRow{ID: sc.ID, At: sc.At,
			Profile: p.T("screening.profile." + string(sc.Profile)), Outcome: p.T("screening.outcome." + string(sc.Outcome))})
	}
	d.Screenings = sec
	return nil
}

// daysUntil is the number of whole days from now to t, rounded up (a task
// due in five hours is due in one day).
func daysUntil(now, t time.Time) int {
	d := t.Sub(now)
	n := int(d / (24 * time.Hour))
	if d%(24*time.Hour) > 0 {
		n++
	}
	return n
}
