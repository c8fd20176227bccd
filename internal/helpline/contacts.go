package helpline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

var errNotFound = errs.E(errs.NotFound, "helpline.error.not_found")

func noteAAD(id string) vault.AAD {
	return vault.AAD{Table: "helpline_contacts", Row: id, Field: "note"}
}
func personalAAD(id string) vault.AAD {
	return vault.AAD{Table: "helpline_contacts", Row: id, Field: "personal"}
}

// personal is the caller's name and phone, sealed together.
type personal struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// callerIndex is the keyed blind index of a normalised caller code.
func (s *Service) callerIndex(code string) []byte {
	if code == "" {
		return nil
	}
	return s.Vault.BlindIndex("helpline.caller_code", code)
}

// Log records a contact in the actor's organisation, audited in the same
// transaction; an urgent contact (immediate danger) notifies the
// organisation the alert setting names, in that transaction too. Bad input
// stores nothing.
func (s *Service) Log(ctx context.Context, actor access.Actor, in Input) (*Contact, error) {
	if err := access.Check(actor, access.HelplineLog); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if err := in.Validate(now, s.loc()); err != nil {
		return nil, err
	}
	cat, _, _ := Topics.Topic(in.Topic)
	c := &Contact{ID: store.NewID(), OrgID: actor.OrgID, OperatorID: actor.UserID, StartedAt: in.started.UTC(),
		DurationMin: in.DurationMin, Channel: in.Channel, CallerType: in.CallerType, Language: in.Language,
		Municipality: in.Municipality, TaxonomyVersion: Topics.Version, Topic: in.Topic,
		ImmediateDanger: in.ImmediateDanger, ChildInvolved: in.ChildInvolved, CallerIsVictim: in.CallerIsVictim,
		Actions: in.Actions, CallbackDue: in.callback.UTC(), HasCallerCode: in.CallerCode != "",
		PersonalConsent: in.KeepPersonal, Note: in.Note, CallerName: in.CallerName, CallerPhone: in.CallerPhone, CreatedAt: now}
	did := map[string]int{}
	for _, a := range in.Actions {
		did[a] = 1
	}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := nextReference(ctx, tx)
		if err != nil {
			return err
		}
		c.Reference = ref
		var keyID sql.NullString
		if c.Note != "" || c.CallerName != "" || c.CallerPhone != "" {
			id, err := s.Vault.NewDataKey(ctx, tx, "helpline_contact")
			if err != nil {
				return errs.Internalf("contact key: %w", err)
			}
			keyID = sql.NullString{String: id, Valid: true}
			if c.Note != "" {
				if c.noteEnc, err = s.Vault.SealString(ctx, tx, id, noteAAD(c.ID), c.Note); err != nil {
					return errs.Internalf("seal note: %w", err)
				}
			}
			if c.CallerName != "" || c.CallerPhone != "" {
				b, _ := json.Marshal(personal{Name: c.CallerName, Phone: c.CallerPhone})
				c.personEnc, err = s.Vault.Seal(ctx, tx, id, personalAAD(c.ID), b)
				clear(b)
				if err != nil {
					return errs.Internalf("seal personal: %w", err)
				}
			}
		}
		var alert sql.NullString
		if c.ImmediateDanger {
			org, ok, err := store.Setting(ctx, tx, AlertSetting)
			if err != nil {
				return err
			}
			if ok && org != "" {
				alert = sql.NullString{String: org, Valid: true}
				c.AlertOrg = org
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO helpline_contacts (id, reference, org_id, operator_id, started_at, month,
			duration_min, channel, caller_type, language, municipality, taxonomy_version, category, topic,
			immediate_danger, child_involved, caller_is_victim, did_information, did_police, did_shelter, did_csw,
			did_service, did_callback, caller_idx, key_id, note_enc, personal_consent, personal_enc, callback_due,
			alert_org, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28, $29, $30, $31)`,
			c.ID, c.Reference, c.OrgID, c.OperatorID, store.T(c.StartedAt), c.StartedAt.Format("2006-01"),
			c.DurationMin, c.Channel, c.CallerType, c.Language, c.Municipality, c.TaxonomyVersion, cat.Code, c.Topic,
			store.Bool(c.ImmediateDanger), store.Bool(c.ChildInvolved), store.Bool(c.CallerIsVictim),
			did["information"], did["police"], did["shelter"], did["csw"], did["service"], did["callback"],
			s.callerIndex(in.CallerCode), keyID, c.noteEnc, store.Bool(c.PersonalConsent), c.personEnc,
			store.T(c.CallbackDue), alert, store.T(now)); err != nil {
			return errs.Internalf("insert contact: %w", err)
		}
		detail := "ref=" + c.Reference + ";channel=" + c.Channel + ";topic=" + c.Topic
		if c.ImmediateDanger {
			detail += ";urgent=1"
		}
		if c.PersonalConsent {
			detail += ";personal=consented"
		}
		if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "helpline.contact.log",
			ObjectType: "helpline_contact", ObjectID: c.ID, Detail: detail}); err != nil {
			return errs.Internalf("audit contact: %w", err)
		}
		if alert.Valid && s.Notifier != nil {
			if err := s.Notifier.Notify(ctx, tx, Notification{OrgID: alert.String, Kind: "helpline.urgent",
				ObjectType: "helpline_contact", ObjectID: c.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return c, nil
}

// nextReference takes the next contact number of the year: the upsert locks
// the counter row until the transaction ends (as the case file's does).
func nextReference(ctx context.Context, tx *store.Tx) (string, error) {
	year := tx.Now.Year()
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO helpline_counters (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = helpline_counters.last + 1 RETURNING last`, year).Scan(&n)
	if err != nil {
		return "", errs.Internalf("contact counter: %w", err)
	}
	return fmt.Sprintf("HL-%d-%04d", year, n), nil
}

const columns = `id, reference, org_id, operator_id, started_at, duration_min, channel, caller_type, language,
	municipality, taxonomy_version, topic, immediate_danger, child_involved, caller_is_victim, did_information,
	did_police, did_shelter, did_csw, did_service, did_callback, CASE WHEN caller_idx IS NULL THEN 0 ELSE 1 END, key_id, note_enc,
	personal_consent, personal_enc, callback_due, callback_done_at, alert_org, case_id, case_reference, created_at`

func scanContact(row interface{ Scan(...any) error }) (*Contact, error) {
	var c Contact
	var started, due, done, created store.Time
	var danger, child, victim, hasCode, consent int
	var did [6]int
	var keyID, alert, caseID, caseRef sql.NullString
	if err := row.Scan(&c.ID, &c.Reference, &c.OrgID, &c.OperatorID, &started, &c.DurationMin, &c.Channel, &c.CallerType,
		&c.Language, &c.Municipality, &c.TaxonomyVersion, &c.Topic, &danger, &child, &victim, &did[0], &did[1], &did[2],
		&did[3], &did[4], &did[5], &hasCode, &keyID, &c.noteEnc, &consent, &c.personEnc, &due, &done, &alert, &caseID,
		&caseRef, &created); err != nil {
		return nil, err
	}
	c.StartedAt, c.CallbackDue, c.CallbackDone, c.CreatedAt = started.Time, due.Time, done.Time, created.Time
	c.ImmediateDanger, c.ChildInvolved, c.CallerIsVictim = danger == 1, child == 1, victim == 1
	c.HasCallerCode, c.PersonalConsent = hasCode == 1, consent == 1
	for i, a := range Actions {
		if did[i] == 1 {
			c.Actions = append(c.Actions, a)
		}
	}
	c.keyID, c.AlertOrg, c.CaseID, c.CaseRef = keyID.String, alert.String, caseID.String, caseRef.String
	return &c, nil
}

func scanContacts(rows *sql.Rows, err error) ([]*Contact, error) {
	if err != nil {
		return nil, errs.Internalf("contacts: %w", err)
	}
	defer rows.Close()
	var out []*Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, errs.Internalf("contacts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("contacts: %w", err)
	}
	return out, nil
}

// readable is the SQL condition of the contacts an actor may open: the
// operators their organisation's; the police unit the urgent contacts
// alerted to it. $2 is the actor's organisation.
func readable(actor access.Actor) (string, bool) {
	if access.ScopeOf(actor, access.HelplineRead) != access.Org || actor.OrgID == "" {
		return "", false
	}
	if actor.Role == access.Helpline {
		return "org_id = $2", true
	}
	return "alert_org = $2 AND immediate_danger = 1", true
}

// Find returns one contact the actor may read, with its note; an operator
// of the contact's organisation also gets the caller's name and phone when
// kept. Anything else, and a contact that does not exist, is NotFound. The
// read is audited before anything is returned.
func (s *Service) Find(ctx context.Context, actor access.Actor, id string) (*Contact, error) {
	cond, ok := readable(actor)
	if !ok {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	q := s.DB.Read()
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+columns+` FROM helpline_contacts WHERE id = $1 AND `+cond, id, actor.OrgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("contact: %w", err)
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor),
		Action: "helpline.contact.read", ObjectType: "helpline_contact", ObjectID: c.ID}); err != nil {
		return nil, errs.Internalf("audit contact read: %w", err)
	}
	if c.noteEnc != nil {
		if c.Note, err = s.Vault.OpenString(ctx, q, c.keyID, noteAAD(c.ID), c.noteEnc); err != nil {
			return nil, errs.Internalf("open note: %w", err)
		}
	}
	if c.personEnc != nil && actor.Role == access.Helpline {
		b, err := s.Vault.Open(ctx, q, c.keyID, personalAAD(c.ID), c.personEnc)
		if err != nil {
			return nil, errs.Internalf("open personal: %w", err)
		}
		var p personal
		err = json.Unmarshal(b, &p)
		clear(b)
		if err != nil {
			return nil, errs.Internalf("personal json: %w", err)
		}
		c.CallerName, c.CallerPhone = p.Name, p.Phone
	}
	return c, nil
}

// RecentLimit is how many contacts the console lists.
const RecentLimit = 20

// Recent lists the organisation's latest contacts, newest first, without
// notes or personal data.
func (s *Service) Recent(ctx context.Context, actor access.Actor) ([]*Contact, error) {
	if err := access.Check(actor, access.HelplineLog); err != nil {
		return nil, err
	}
	return scanContacts(s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM helpline_contacts
		WHERE org_id = $1 ORDER BY started_at DESC, id DESC LIMIT `+strconv.Itoa(RecentLimit), actor.OrgID))
}

// Callbacks lists the organisation's call-backs not yet made, the earliest
// due first (at most 200).
func (s *Service) Callbacks(ctx context.Context, actor access.Actor) ([]*Contact, error) {
	if err := access.Check(actor, access.HelplineLog); err != nil {
		return nil, err
	}
	return scanContacts(s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM helpline_contacts
		WHERE org_id = $1 AND callback_due IS NOT NULL AND callback_done_at IS NULL
		ORDER BY callback_due, id LIMIT 200`, actor.OrgID))
}

// Earlier lists the organisation's other contacts by the same caller (the
// same caller code), newest first: a repeat caller's history.
func (s *Service) Earlier(ctx context.Context, actor access.Actor, c *Contact) ([]*Contact, error) {
	if actor.Role != access.Helpline || !c.HasCallerCode {
		return nil, nil
	}
	return scanContacts(s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM helpline_contacts
		WHERE org_id = $1 AND id <> $2 AND caller_idx = (SELECT caller_idx FROM helpline_contacts WHERE id = $2)
		ORDER BY started_at DESC, id DESC LIMIT 50`, actor.OrgID, c.ID))
}

// FindByCallerCode lists the organisation's contacts with a caller code, newest
// first: the console's look-up when a caller gives their code.
func (s *Service) FindByCallerCode(ctx context.Context, actor access.Actor, code string) ([]*Contact, error) {
	if err := access.Check(actor, access.HelplineLog); err != nil {
		return nil, err
	}
	in := Input{CallerCode: code}
	if err := in.validateCallerCode(); err != nil {
		return nil, err
	}
	list, err := scanContacts(s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM helpline_contacts
		WHERE org_id = $1 AND caller_idx = $2 ORDER BY started_at DESC, id DESC LIMIT 50`, actor.OrgID, s.callerIndex(in.CallerCode)))
	if err != nil {
		return nil, err
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor),
		Action: "helpline.caller.lookup", ObjectType: "helpline_contact", Detail: "count=" + strconv.Itoa(len(list))}); err != nil {
		return nil, errs.Internalf("audit lookup: %w", err)
	}
	return list, nil
}

// CallbackDone marks a contact's call-back as made.
func (s *Service) CallbackDone(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Check(actor, access.HelplineLog); err != nil {
		return err
	}
	now := s.Clock.Now()
	return wrap(s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE helpline_contacts SET callback_done_at = $1, callback_done_by = $2
			WHERE id = $3 AND org_id = $4 AND callback_due IS NOT NULL AND callback_done_at IS NULL`,
			store.T(now), actor.UserID, id, actor.OrgID)
		if err != nil {
			return errs.Internalf("callback done: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "helpline.callback.done",
			ObjectType: "helpline_contact", ObjectID: id})
		return err
	}))
}

// SetAlertOrg names the organisation alerted for urgent contacts (the
// police THB unit on duty); an empty id alerts no one.
func (s *Service) SetAlertOrg(ctx context.Context, actor access.Actor, orgID string) error {
	if !actor.System && actor.Role != access.Admin {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		if err := store.PutSetting(ctx, tx, AlertSetting, orgID); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "helpline.alert_org",
			ObjectType: "organisation", ObjectID: orgID})
		return err
	}))
}

// wrap is errs.As that keeps a nil error nil.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return errs.As(err)
}
