package helpline

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// CaseInput is what the operator adds when a contact becomes a case: the
// person's name (or the name they agreed to be known by), sex and birth
// year if given, the screening made first when trafficking is suspected,
// and the caller's consent — to processing their data, and optionally to
// being referred for a kind of assistance.
type CaseInput struct {
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name,omitempty"`
	Sex        string `json:"sex,omitempty"`
	BirthYear  string `json:"birth_year,omitempty"`
	// ScreeningID is a screening of the operator's organisation not yet
	// attached to a case; required when the topic is trafficking.
	ScreeningID string `json:"screening_id,omitempty"`
	// Consent: the caller was told what the case file is for, how their
	// data is used and kept, their right of access and that they may
	// withdraw, and agreed.
	Consent bool `json:"consent"`
	// ReferFor is a kind of assistance (consent.ServiceTypes) the caller
	// also agreed to be referred for; empty for none yet.
	ReferFor         string `json:"refer_for,omitempty"`
	ConfirmDuplicate bool   `json:"confirm_duplicate,omitempty"`
}

// linkKey carries, through the case file's registration, the contact a
// new case is opened from: OnCaseChange finds it in the registration's
// context and links both ways in its transaction.
type linkKey struct{}

type link struct {
	contactID string
	actor     access.Actor
	grant     *consent.GrantInput
	done      bool
}

// OpenCase carries a contact into a new case through the case file's own
// registration (cases.Service.Open): the statistical facts of the contact
// become the case's first facts, the screening (required when trafficking
// is suspected) is attached, and in the registration's transaction the
// caller's consent is recorded and the contact and the case are linked both
// ways (OnCaseChange). A contact already carried into a case is a Conflict.
func (s *Service) OpenCase(ctx context.Context, actor access.Actor, contactID string, in CaseInput) (*cases.Registered, error) {
	if err := access.Check(actor, access.HelplineCase); err != nil {
		return nil, err
	}
	c, err := scanContact(s.DB.Read().QueryRowContext(ctx, `SELECT `+columns+` FROM helpline_contacts
		WHERE id = $1 AND org_id = $2`, contactID, actor.OrgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("contact: %w", err)
	}
	if c.CaseID != "" {
		return nil, errs.E(errs.Conflict, "helpline.error.already_case")
	}
	in.ScreeningID = strings.TrimSpace(in.ScreeningID)
	in.BirthYear = strings.TrimSpace(in.BirthYear)
	switch {
	case c.TraffickingSuspected() && in.ScreeningID == "":
		return nil, errs.InvalidField("screening_id", "helpline.error.screening_first")
	case !in.Consent:
		return nil, errs.InvalidField("consent", "helpline.error.consent")
	case in.ReferFor != "" && !inList(consent.ServiceTypes, in.ReferFor):
		return nil, errs.InvalidField("refer_for", "validation.invalid_choice")
	case in.BirthYear != "" && (len(in.BirthYear) != 4 || strings.Trim(in.BirthYear, "0123456789") != ""):
		return nil, errs.InvalidField("birth_year", "helpline.error.birth_year")
	}
	ci := cases.Input{
		Person: cases.Person{GivenName: in.GivenName, FamilyName: in.FamilyName, Sex: in.Sex,
			BirthDate: in.BirthYear, BirthDateEstimated: in.BirthYear != "", AgeDisputed: c.ChildInvolved && c.CallerIsVictim && in.BirthYear == ""},
		Municipality: c.Municipality, ScreeningID: in.ScreeningID, ConfirmDuplicate: in.ConfirmDuplicate,
	}
	if c.Language != "other" {
		ci.Person.Languages = []string{c.Language}
	}
	if _, sub, ok := Topics.Topic(c.Topic); ok && sub.HTCDS != "" {
		ci.Exploitation = []string{sub.HTCDS}
	}
	// A call about domestic or gender-based violence opens a GBV case
	// (internal/gbv): the case page then offers incidents, the DV risk
	// assessment, the safety plan and protection orders.
	if cat, _, ok := Topics.Topic(c.Topic); ok && (cat.Code == "domestic_violence" || cat.Code == "gbv") {
		ci.CaseType = cases.CaseTypeGBV
	}
	if c.ImmediateDanger {
		ci.RiskLevel = "high"
	}
	// A child's consent is the guardian's, recorded on the case once a
	// guardian is known: the contact carries none for a child.
	child := cases.IsChild(ci.Person.BirthDate, ci.Person.BirthDateEstimated, ci.Person.AgeDisputed, s.Clock.Now())
	var grant *consent.GrantInput
	if !child {
		grant = &consent.GrantInput{Scope: consent.ScopeDataProcessing, GivenBy: consent.ByPerson,
			Language: consentLanguage(c.Language), Informed: consent.Informed{Purpose: true, DataUse: true,
				StorageDuration: true, AccessRight: true, Withdrawal: true},
			EffectiveAt: s.Clock.Now().UTC().Format("2006-01-02"), Remarks: ""}
		if in.ReferFor != "" {
			grant.Scope, grant.Target, grant.WithProcessing = consent.ScopeService, in.ReferFor, true
		}
	}
	l := &link{contactID: c.ID, actor: actor, grant: grant}
	reg, err := s.Cases.Open(context.WithValue(ctx, linkKey{}, l), actor, ci)
	if err != nil {
		return reg, err
	}
	if !l.done {
		return nil, errs.Internalf("contact %s: the case was opened without the link hook", c.ID)
	}
	return reg, nil
}

// consentLanguage is the contact's language as the consent ledger records
// it (two or three lower-case letters); "other" becomes undetermined.
func consentLanguage(l string) string {
	if l == "other" {
		return "und"
	}
	return l
}

// OnCaseChange is the case file's hook (cases.Service.OnChange): when the
// registration carries a contact (OpenCase), it records the consent in the
// case's ledger, links the contact to the case and names the contact on
// the case's timeline, all in the registration's transaction.
func (s *Service) OnCaseChange(ctx context.Context, tx *store.Tx, ch cases.Change) error {
	l, _ := ctx.Value(linkKey{}).(*link)
	if l == nil || !ch.Opened || l.done {
		return nil
	}
	var channel, ref string
	var linked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT channel, reference, case_id FROM helpline_contacts WHERE id = $1 AND org_id = $2`+tx.ForUpdate(),
		l.contactID, l.actor.OrgID).Scan(&channel, &ref, &linked)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	if err != nil {
		return errs.Internalf("link contact: %w", err)
	}
	if linked.Valid {
		return errs.E(errs.Conflict, "helpline.error.already_case")
	}
	if l.grant != nil && s.Consent != nil {
		if _, err := s.Consent.RecordIn(ctx, tx, l.actor, &ch.Ref, *l.grant); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE helpline_contacts SET case_id = $1, case_reference = $2, linked_at = $3 WHERE id = $4`,
		ch.Ref.ID, ch.Ref.Reference, store.T(tx.Now), l.contactID); err != nil {
		return errs.Internalf("link contact: %w", err)
	}
	if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ch.Ref.ID, Kind: "helpline", ActorID: l.actor.UserID,
		ActorOrg: l.actor.OrgID, RefTable: "helpline_contacts", RefID: l.contactID,
		Summary: "from_contact;v=2;contact=" + ref + ";channel=" + channel}); err != nil {
		return err
	}
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(l.actor), Action: "helpline.contact.case",
		ObjectType: "helpline_contact", ObjectID: l.contactID, Detail: "case=" + ch.Ref.Reference}); err != nil {
		return errs.Internalf("audit link: %w", err)
	}
	l.done = true
	return nil
}
