// Package justice is the criminal-justice track (DOMAIN-2 part 1, docs/justice.md):
// criminal cases with their numbers in the police, prosecution and court
// systems, linked to victim cases both ways; proceeding events as an ordered
// state machine; legal deadlines from versioned configuration per
// jurisdiction; suspects and defendants (sealed), charges with their
// qualification history, decisions and sentences per count; and the victim
// in proceedings.
//
// The criminal file is separate from the assistance file: its tables are
// read only here, under actions that shelter, NGO and helpline roles do not
// have; it reads the victim case only through cases.Service.Authorize, and
// writes nothing on the victim case's timeline (which the whole team, the
// shelter included, reads).
package justice

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// CaseAccess is what justice needs from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// BreakGlass finds an open grant (breakglass.Service).
type BreakGlass interface {
	Active(ctx context.Context, actor access.Actor, objectType, objectID string) (*breakglass.Grant, error)
}

// Reminder schedules a reminder to an organisation about a victim case
// without any criminal detail (clocks); optional.
type Reminder interface {
	TestimonyReminder(ctx context.Context, tx *store.Tx, caseID string, due time.Time) error
}

// Service keeps criminal cases.
type Service struct {
	DB         *store.DB
	Vault      *vault.Vault
	Clock      clock.Clock
	Cases      CaseAccess
	BreakGlass BreakGlass
	Reminders  Reminder
	// Config is the legal configuration; nil means DefaultConfig.
	Config Config
	// OrgType answers an organisation's type (for the prosecution office a
	// criminal report goes to); nil accepts none.
	OrgType func(ctx context.Context, q store.Querier, orgID string) (access.OrgType, bool, error)
}

func (s *Service) cfg() Config {
	if s.Config != nil {
		return s.Config
	}
	return DefaultConfig
}

// BreakGlassObject is the object type a break-glass grant names for a
// criminal case's defendants (with the criminal case id).
const BreakGlassObject = "criminal_case"

var errNotFound = errs.E(errs.NotFound, "justice.not_found")

// Systems of the external references (R1.3.3) and the court instances.
var (
	Systems   = []string{"police", "prosecution", "court"}
	Instances = []string{"basic", "appeals", "supreme", "constitutional"}
)

// Reference is a criminal case's number in one system.
type Reference struct {
	ID       string `json:"-"`
	System   string `json:"system"`
	Number   string `json:"number"`
	Instance string `json:"instance,omitempty"`
}

// CreateInput files a criminal case (the API's body, the form's fields).
type CreateInput struct {
	VictimCaseIDs []string    `json:"victim_case_ids"`
	OffenceCode   string      `json:"offence_code"`
	OffenceDate   string      `json:"offence_date"`
	Jurisdiction  string      `json:"jurisdiction,omitempty"`
	ReportDate    string      `json:"report_date,omitempty"`
	References    []Reference `json:"references"`
	// ProsecutionOrgID is the prosecution office the report goes to; it
	// joins the criminal case.
	ProsecutionOrgID string `json:"prosecution_org_id,omitempty"`
}

// Limits.
const (
	MaxVictims    = 50
	MaxReferences = 20
	MaxNumber     = 60
	MaxName       = 200
	MaxDetails    = 2000
)

func parseDay(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, errs.InvalidField(field, "validation.required")
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, errs.InvalidField(field, "validation.date")
	}
	return t, nil
}

func cleanText(field string, v *string, max int, required bool) error {
	*v = strings.TrimSpace(*v)
	switch {
	case !utf8.ValidString(*v) || strings.ContainsRune(*v, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *v == "" && required:
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*v) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	for _, r := range *v {
		if r < 0x20 && r != '\n' && r != '\t' {
			return errs.InvalidField(field, "validation.invalid")
		}
	}
	return nil
}

func (s *Service) today() time.Time {
	now := s.Clock.Now().UTC()
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// Create files a criminal case linked to the victim cases, with its
// criminal report as the first event. Errors name the field; nothing is
// written unless everything is valid.
func (s *Service) Create(ctx context.Context, actor access.Actor, in CreateInput) (string, error) {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return "", err
	}
	c := s.cfg()
	if in.Jurisdiction == "" {
		in.Jurisdiction = "XK"
	}
	if c[in.Jurisdiction] == nil {
		return "", errs.InvalidField("jurisdiction", "validation.invalid_choice")
	}
	if len(in.VictimCaseIDs) == 0 {
		return "", errs.InvalidField("victim_case_ids", "justice.error.victim_required")
	}
	if len(in.VictimCaseIDs) > MaxVictims {
		return "", errs.InvalidField("victim_case_ids", "validation.too_many").With(map[string]any{"max": MaxVictims})
	}
	in.OffenceCode = strings.TrimSpace(in.OffenceCode)
	if in.OffenceCode == "" {
		return "", errs.InvalidField("offence_code", "validation.required")
	}
	if !contains(c.OffenceCodes(in.Jurisdiction), in.OffenceCode) {
		return "", errs.InvalidField("offence_code", "validation.invalid_choice")
	}
	today := s.today()
	od, err := parseDay("offence_date", in.OffenceDate)
	if err != nil {
		return "", err
	}
	if od.After(today) {
		return "", errs.InvalidField("offence_date", "validation.date_future")
	}
	law, ok := c.CriminalCodeOn(in.Jurisdiction, Day(od))
	if !ok {
		return "", errs.InvalidField("offence_date", "justice.error.no_code_in_force")
	}
	if _, ok := c.OffenceOn(in.Jurisdiction, in.OffenceCode, Day(od)); !ok {
		return "", errs.InvalidField("offence_code", "justice.error.not_in_force").With(map[string]any{"law": law.ID})
	}
	report := today
	if strings.TrimSpace(in.ReportDate) != "" {
		if report, err = parseDay("report_date", in.ReportDate); err != nil {
			return "", err
		}
		if report.After(today) {
			return "", errs.InvalidField("report_date", "validation.date_future")
		}
		if report.Before(od) {
			return "", errs.InvalidField("report_date", "justice.error.report_before_offence")
		}
	}
	if len(in.References) > MaxReferences {
		return "", errs.InvalidField("references", "validation.too_many").With(map[string]any{"max": MaxReferences})
	}
	for i := range in.References {
		if err := checkRef(&in.References[i]); err != nil {
			return "", err
		}
	}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	id := store.NewID()
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for _, vid := range in.VictimCaseIDs {
			if seen[vid] {
				continue
			}
			seen[vid] = true
			if _, err := s.Cases.Authorize(ctx, tx, actor, vid, access.JusticeRecord); err != nil {
				if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
					return errs.InvalidField("victim_case_ids", "justice.error.victim_case_unknown")
				}
				return err
			}
		}
		orgs := []string{actor.OrgID}
		if p := strings.TrimSpace(in.ProsecutionOrgID); p != "" {
			if s.OrgType == nil {
				return errs.InvalidField("prosecution_org_id", "validation.invalid_choice")
			}
			typ, active, err := s.OrgType(ctx, tx, p)
			if err != nil {
				return err
			}
			if typ != "prosecution" || !active {
				return errs.InvalidField("prosecution_org_id", "validation.invalid_choice")
			}
			if p != actor.OrgID {
				orgs = append(orgs, p)
			}
		}
		keyID, err := s.Vault.NewDataKey(ctx, tx, "criminal_case")
		if err != nil {
			return errs.Internalf("criminal case key: %w", err)
		}
		if err := insertCase(ctx, tx, id, in, Day(od), law.ID, actor, keyID); err != nil {
			return err
		}
		for _, o := range orgs {
			if err := insertOrg(ctx, tx, id, o); err != nil {
				return err
			}
		}
		for vid := range seen {
			if err := insertVictimLink(ctx, tx, id, vid); err != nil {
				return err
			}
		}
		for _, r := range in.References {
			if err := insertRef(ctx, tx, id, r); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, id, Event{ID: store.NewID(), Seq: 1, Type: CriminalReport, Date: report, CreatedBy: actor.UserID}); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.create", id, "offence="+in.OffenceCode)
	})
	if err != nil {
		return "", errs.As(err)
	}
	return id, nil
}

func checkRef(r *Reference) error {
	r.System, r.Instance = strings.TrimSpace(r.System), strings.TrimSpace(r.Instance)
	if !contains(Systems, r.System) {
		return errs.InvalidField("references", "justice.error.reference_system")
	}
	if r.System == "court" {
		if r.Instance == "" {
			r.Instance = "basic"
		}
		if !contains(Instances, r.Instance) {
			return errs.InvalidField("references", "justice.error.reference_instance")
		}
	} else if r.Instance != "" {
		return errs.InvalidField("references", "justice.error.reference_instance")
	}
	if err := cleanText("references", &r.Number, MaxNumber, true); err != nil {
		return err
	}
	if strings.ContainsAny(r.Number, "\n\t") {
		return errs.InvalidField("references", "validation.invalid")
	}
	return nil
}

func (s *Service) recordEvent(ctx context.Context, tx *store.Tx, actor access.Actor, action, id, detail string) error {
	_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: action, ObjectType: "criminal_case",
		ObjectID: id, Detail: detail})
	if err != nil {
		return errs.Internalf("audit: %w", err)
	}
	return nil
}

// header is a criminal case's row.
type header struct {
	ID, Jurisdiction, OffenceCode, OffenceDate, CriminalLaw, Stage, Status, OwnerOrg, KeyID string
	CreatedAt, UpdatedAt                                                                    time.Time
	Version                                                                                 int
}

// grantFor is what authorize found: the case, and the break-glass grant
// that was needed for act ("" when none).
type grantFor struct {
	h     *header
	grant string
}

// authorize loads criminal case id for actor about to do act. NotFound
// when the actor may not see it (existence is never revealed), Forbidden
// when they see it but may not do act.
//
// Team scope: the actor's organisation works the criminal case, or the
// actor may see one of its victim cases under the same action (the case
// file's own scope, through cases.Service.Authorize).
func (s *Service) authorize(ctx context.Context, q store.Querier, actor access.Actor, id string, act access.Action) (*grantFor, error) {
	if id == "" || len(id) > 64 {
		return nil, errNotFound
	}
	view := access.ScopeOf(actor, access.JusticeView)
	if view == access.None {
		return nil, errNotFound
	}
	h, err := loadHeader(ctx, q, id)
	if err != nil {
		return nil, err
	}
	onTeam := func(a access.Action) (bool, error) {
		in, err := orgOnCase(ctx, q, id, actor.OrgID)
		if err != nil || in {
			return in, err
		}
		vids, err := victimIDs(ctx, q, id)
		if err != nil {
			return false, err
		}
		for _, vid := range vids {
			if _, err := s.Cases.Authorize(ctx, q, actor, vid, a); err == nil {
				return true, nil
			} else if !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Forbidden) {
				return false, err
			}
		}
		return false, nil
	}
	if view == access.Team {
		ok, err := onTeam(access.JusticeView)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNotFound
		}
	}
	switch access.ScopeOf(actor, act) {
	case access.All, access.Stats:
		return &grantFor{h: h}, nil
	case access.Team:
		ok, err := onTeam(act)
		if err != nil {
			return nil, err
		}
		if ok {
			return &grantFor{h: h}, nil
		}
	}
	if access.BreakGlassOpens(actor, act) && s.BreakGlass != nil {
		g, err := s.BreakGlass.Active(ctx, actor, BreakGlassObject, id)
		if err == nil {
			return &grantFor{h: h, grant: g.ID}, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return nil, err
		}
	}
	return nil, errs.E(errs.Forbidden, "error.forbidden")
}

// may tells whether actor may do act on an authorized criminal case.
func (s *Service) may(ctx context.Context, q store.Querier, actor access.Actor, id string, act access.Action) (bool, string) {
	if !access.Can(actor, act) && !access.BreakGlassOpens(actor, act) {
		return false, ""
	}
	g, err := s.authorize(ctx, q, actor, id, act)
	if err != nil {
		return false, ""
	}
	return true, g.grant
}
