package consent

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

var errEntryNotFound = errs.E(errs.NotFound, "consent.not_found")

// Record adds a grant to the ledger of a case.
func (s *Service) Record(ctx context.Context, actor access.Actor, caseID string, in GrantInput) (*Entry, error) {
	now := s.Clock.Now()
	var out *Entry
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.ConsentRecord)
		if err != nil {
			return err
		}
		out, err = s.RecordIn(ctx, tx, actor, ref, in)
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// RecordIn adds a grant to the ledger of the case ref inside the caller's
// transaction: a capability that opens a case with the person's consent
// (the helpline, from a contact) records it where the case is registered,
// so neither exists without the other. The caller has authorized the case.
func (s *Service) RecordIn(ctx context.Context, tx *store.Tx, actor access.Actor, ref *cases.Ref, in GrantInput) (*Entry, error) {
	if err := in.Validate(ref.IsChild, tx.Now); err != nil {
		return nil, err
	}
	guardian, err := currentGuardian(ctx, tx, ref.ID, in.GivenBy)
	if err != nil {
		return nil, err
	}
	if in.Scope == ScopeOrganisation && s.Orgs != nil {
		if _, err := s.Orgs.FindOrgByID(ctx, access.SystemActor, in.Target); err != nil {
			return nil, errs.InvalidField("target", "consent.target_org").Wrap(err)
		}
	}
	c := content{Target: in.Target, GivenBy: in.GivenBy, Guardian: guardian, ChildView: in.ChildView, Language: in.Language,
		Interpreter: in.Interpreter, Informed: in.Informed, Remarks: in.Remarks}
	e, err := s.insert(ctx, tx, actor, ref, TypeGrant, in.Scope, "", in.effective, c)
	if err != nil {
		return nil, err
	}
	if in.WithProcessing && in.Scope != ScopeDataProcessing {
		c.Target = ""
		if _, err := s.insert(ctx, tx, actor, ref, TypeGrant, ScopeDataProcessing, "", in.effective, c); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Withdraw records that a grant was withdrawn. The grant stays in the ledger
// as it was; the withdrawal is a new entry, and a grant is withdrawn once.
func (s *Service) Withdraw(ctx context.Context, actor access.Actor, grantID string, in WithdrawInput) (*Entry, error) {
	now := s.Clock.Now()
	var out *Entry
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var caseID, typ, scope, withdrawn string
		err := tx.QueryRowContext(ctx, `SELECT g.case_id, g.entry_type, g.scope, COALESCE(w.id, '')
			FROM consent_entries g LEFT JOIN consent_entries w ON w.withdraws = g.id
			WHERE g.id = $1`, grantID).Scan(&caseID, &typ, &scope, &withdrawn)
		if errors.Is(err, sql.ErrNoRows) {
			return errEntryNotFound
		}
		if err != nil {
			return errs.Internalf("consent withdraw: %w", err)
		}
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.ConsentRecord)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errEntryNotFound
			}
			return err
		}
		switch {
		case EntryType(typ) != TypeGrant:
			return errs.E(errs.Invalid, "consent.not_a_grant")
		case withdrawn != "":
			return errs.E(errs.Conflict, "consent.already_withdrawn")
		}
		if err := in.Validate(ref.IsChild, now); err != nil {
			return err
		}
		guardian, err := currentGuardian(ctx, tx, ref.ID, in.GivenBy)
		if err != nil {
			return err
		}
		c := content{GivenBy: in.GivenBy, Guardian: guardian, Remarks: in.Remarks}
		e, err := s.insert(ctx, tx, actor, ref, TypeWithdrawal, Scope(scope), grantID, in.effective, c)
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "consent.already_withdrawn")
		}
		if err != nil {
			return err
		}
		out = e
		return nil
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return out, nil
}

// insert seals c and writes one entry, its audit event and its timeline line.
func (s *Service) insert(ctx context.Context, tx *store.Tx, actor access.Actor, ref *cases.Ref, typ EntryType,
	scope Scope, withdraws string, effective time.Time, c content) (*Entry, error) {
	id := store.NewID()
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, errs.Internalf("consent encode: %w", err)
	}
	enc, err := s.Vault.Seal(ctx, tx, ref.KeyID, aad(id), plain)
	clear(plain)
	if err != nil {
		return nil, errs.Internalf("consent seal: %w", err)
	}
	by, org := actor.UserID, actor.OrgID
	if actor.System {
		by, org = "system", ""
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consent_entries (id, case_id, entry_type, scope, withdraws,
		effective_at, recorded_at, recorded_by, recorded_org, content_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, ref.ID, string(typ), string(scope), withdraws, store.T(effective), store.T(tx.Now), by, org, enc); err != nil {
		return nil, err
	}
	ev := audit.Event{Actor: audit.ActorFrom(actor), Action: "consent." + string(typ), ObjectType: "case",
		ObjectID: ref.Reference, Detail: "entry=" + id + ",scope=" + string(scope)}
	if typ == TypeOverride {
		ev.Purpose = "consent_override:" + id
		ev.Detail += ",flag=review"
	}
	if _, err := audit.Append(ctx, tx, ev); err != nil {
		return nil, errs.Internalf("audit consent: %w", err)
	}
	if err := timeline(ctx, tx, actor, ref.ID, id, "consent."+string(typ)+":"+string(scope)+";v=2"); err != nil {
		return nil, err
	}
	e := entryOf(c)
	e.ID, e.CaseID, e.Type, e.Scope, e.Withdraws = id, ref.ID, typ, scope, withdraws
	e.EffectiveAt, e.RecordedAt, e.RecordedBy, e.RecordedOrg = effective, tx.Now, by, org
	e.Active = typ == TypeGrant
	return e, nil
}

func entryOf(c content) *Entry {
	return &Entry{Target: c.Target, GivenBy: c.GivenBy, Guardian: c.Guardian, ChildView: c.ChildView, Language: c.Language,
		Interpreter: c.Interpreter, Informed: c.Informed, Remarks: c.Remarks, Reason: c.Reason}
}

// List returns a case's ledger, oldest first, with each grant's withdrawal
// (if any) linked. The read is audited before anything is returned.
func (s *Service) List(ctx context.Context, actor access.Actor, caseID string) ([]*Entry, error) {
	ref, err := s.Cases.Authorize(ctx, s.DB.Read(), actor, caseID, access.ConsentRead)
	if err != nil {
		return nil, err
	}
	entries, err := s.load(ctx, s.DB.Read(), ref)
	if err != nil {
		return nil, err
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "consent.read",
		ObjectType: "case", ObjectID: ref.Reference}); err != nil {
		return nil, errs.Internalf("audit consent read: %w", err)
	}
	return entries, nil
}

// load reads and opens every entry of a case, oldest first.
func (s *Service) load(ctx context.Context, q store.Querier, ref *cases.Ref) ([]*Entry, error) {
	if err := s.Vault.Warm(ctx, q, ref.KeyID); err != nil {
		return nil, errs.Internalf("consent key: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, entry_type, scope, withdraws, effective_at, recorded_at,
		recorded_by, recorded_org, content_enc FROM consent_entries WHERE case_id = $1 ORDER BY recorded_at, id`, ref.ID)
	if err != nil {
		return nil, errs.Internalf("consent list: %w", err)
	}
	defer rows.Close()
	var out []*Entry
	byID := map[string]*Entry{}
	for rows.Next() {
		var id, typ, scope, withdraws, by, org string
		var eff, rec store.Time
		var enc []byte
		if err := rows.Scan(&id, &typ, &scope, &withdraws, &eff, &rec, &by, &org, &enc); err != nil {
			return nil, errs.Internalf("consent scan: %w", err)
		}
		plain, err := s.Vault.Open(ctx, q, ref.KeyID, aad(id), enc)
		if err != nil {
			return nil, errs.Internalf("consent open: %w", err)
		}
		var c content
		err = json.Unmarshal(plain, &c)
		clear(plain)
		if err != nil {
			return nil, errs.Internalf("consent decode: %w", err)
		}
		e := entryOf(c)
		e.ID, e.CaseID, e.Type, e.Scope, e.Withdraws = id, ref.ID, EntryType(typ), Scope(scope), withdraws
		e.EffectiveAt, e.RecordedAt, e.RecordedBy, e.RecordedOrg = eff.Time, rec.Time, by, org
		e.Active = e.Type == TypeGrant
		out = append(out, e)
		byID[id] = e
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("consent list: %w", err)
	}
	for _, e := range out {
		if g := byID[e.Withdraws]; e.Type == TypeWithdrawal && g != nil {
			g.WithdrawnBy, g.Active = e.ID, false
		}
	}
	return out, nil
}

// currentGuardian ties consent given by the guardian to the guardian
// recorded on the case (cases.AppointGuardian): without one, nobody may
// speak as the guardian. It returns the guardian's id ("" when the person
// spoke for themselves).
func currentGuardian(ctx context.Context, tx *store.Tx, caseID, givenBy string) (string, error) {
	if givenBy != ByGuardian {
		return "", nil
	}
	id, ok, err := cases.CurrentGuardian(ctx, tx, caseID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.InvalidField("given_by", "consent.guardian_not_appointed")
	}
	return id, nil
}
