package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Registered is the outcome of Open: the new case, or (with a Conflict
// error "case.possible_duplicate") the duplicate warning.
type Registered struct {
	ID, Reference string
	// Duplicates are the references of cases the actor may see that hold a
	// person with the same normalised name and birth date.
	Duplicates []string
	// DuplicateElsewhere says a possible duplicate exists among cases the
	// actor may not see; the coordinator has been told (audit event and a
	// coordinator-only timeline entry on that case).
	DuplicateElsewhere bool
}

// ErrDuplicate is returned by Open when a possible duplicate exists and
// Input.ConfirmDuplicate is false; nothing has been registered.
var ErrDuplicate = errs.E(errs.Conflict, "case.possible_duplicate")

// Open registers a person and opens a case owned by the actor's
// organisation, in stage signal_received with status possible. Child
// procedures apply at once when IsChild says so. When the same person (same
// normalised name and birth date) already has a case, Open registers nothing
// and returns the warning with ErrDuplicate, unless in.ConfirmDuplicate.
//
// The duplicate check reads before the registration transaction: two
// simultaneous registrations of one person may both pass, which is
// acceptable for a warning (it is not a constraint: two cases of one person
// are legitimate, for example a second trafficking episode).
func (s *Service) Open(ctx context.Context, actor access.Actor, in Input) (*Registered, error) {
	if err := access.Check(actor, access.CaseCreate); err != nil {
		return nil, err
	}
	if err := in.validate(s.now()); err != nil {
		return nil, err
	}
	entries := in.Person.indexEntries()
	hits, err := s.findAllDuplicates(ctx, actor, &in.Person, entries)
	if err != nil {
		return nil, err
	}
	out := &Registered{}
	var hidden []dupHit
	for _, h := range hits {
		if h.visible {
			out.Duplicates = append(out.Duplicates, h.ref)
		} else {
			hidden = append(hidden, h)
		}
	}
	out.DuplicateElsewhere = len(hidden) > 0
	if len(hits) > 0 && !in.ConfirmDuplicate {
		if len(hidden) > 0 {
			err := s.inTx(ctx, func(tx *store.Tx) error { return s.noticeDuplicates(ctx, tx, actor, hidden, "") })
			if err != nil {
				return nil, err
			}
		}
		return out, ErrDuplicate
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		if err := s.insertCase(ctx, tx, actor, &in, entries, out); err != nil {
			return err
		}
		return s.noticeDuplicates(ctx, tx, actor, hidden, out.Reference)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type dupHit struct {
	id, ref string
	visible bool
}

// findDuplicates looks for cases of persons with the same
// name-and-birth-date key, saying for each whether the actor may see it.
func (s *Service) findDuplicates(ctx context.Context, q store.Querier, actor access.Actor, entries []indexEntry) ([]dupHit, error) {
	var key []byte
	for _, e := range entries {
		if e.kind == IndexNameBirthDate {
			key = s.index(e)
		}
	}
	if key == nil {
		return nil, nil
	}
	var a args
	k := a.add(IndexNameBirthDate)
	v := a.add(key)
	see := scopeSQL(actor, access.CaseView, &a)
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.reference, CASE WHEN `+see+` THEN 1 ELSE 0 END
		FROM person_index i JOIN cases c ON c.person_id = i.person_id
		WHERE i.kind = `+k+` AND i.value = `+v+` ORDER BY c.reference`, a.list...)
	if err != nil {
		return nil, errs.Internalf("duplicate check: %w", err)
	}
	defer rows.Close()
	var hits []dupHit
	for rows.Next() {
		var h dupHit
		var vis int
		if err := rows.Scan(&h.id, &h.ref, &vis); err != nil {
			return nil, errs.Internalf("duplicate check: %w", err)
		}
		h.visible = vis == 1
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("duplicate check: %w", err)
	}
	return hits, nil
}

// noticeDuplicates tells the coordinator about possible duplicates the actor
// may not see: an audit event per hidden case and a timeline entry only the
// coordinator sees. newRef is the new case's reference (” when the
// registration stopped at the warning).
func (s *Service) noticeDuplicates(ctx context.Context, tx *store.Tx, actor access.Actor, hidden []dupHit, newRef string) error {
	for _, h := range hidden {
		detail := "by_org=" + actor.OrgID
		if newRef != "" {
			detail += ",new=" + newRef
		}
		if err := record(ctx, tx, actor, "case.duplicate_suspected", h.ref, detail); err != nil {
			return err
		}
		e := timelineEntry(actor, h.id, "duplicate", "suspected;v=2;"+strings.ReplaceAll(detail, ",", ";"))
		e.Visibility = VisibleCoordinator
		if err := AppendTimeline(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// index returns the blind index of one entry. The domain separates kinds, so
// a birth date never equals a name token's index.
func (s *Service) index(e indexEntry) []byte { return s.Vault.BlindIndex("person."+e.kind, e.value) }

// nextReference takes the next number of the year for the country: the
// upsert locks the counter row on both engines (PostgreSQL row lock, SQLite's
// single writer) until the transaction ends, so numbers are never handed out
// twice and a rolled-back registration does not burn one.
func (s *Service) nextReference(ctx context.Context, tx *store.Tx) (string, error) {
	year := tx.Now.Year()
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (country, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (country, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, s.Country, year).Scan(&n)
	if err != nil {
		return "", errs.Internalf("case counter: %w", err)
	}
	return fmt.Sprintf("%s-%d-%04d", s.Country, year, n), nil
}

// insertCase writes the person, the index, the case, its codes, the owner on
// the team, the timeline and the audit event.
func (s *Service) insertCase(ctx context.Context, tx *store.Tx, actor access.Actor, in *Input, entries []indexEntry, out *Registered) error {
	now := tx.Now
	p := &in.Person
	child := IsChild(p.BirthDate, p.BirthDateEstimated, p.AgeDisputed, now)
	band := AgeBand(p.BirthDate, p.BirthDateEstimated, now)
	personID, caseID := store.NewID(), store.NewID()
	ref, err := s.nextReference(ctx, tx)
	if err != nil {
		return err
	}
	pkey, err := s.Vault.NewDataKey(ctx, tx, "person")
	if err != nil {
		return errs.Internalf("person key: %w", err)
	}
	pdata, err := json.Marshal(p)
	if err != nil {
		return errs.Internalf("person json: %w", err)
	}
	penc, err := s.Vault.Seal(ctx, tx, pkey, vault.AAD{Table: "persons", Row: personID, Field: "data"}, pdata)
	clear(pdata)
	if err != nil {
		return errs.Internalf("seal person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO persons (id, key_id, data_enc, sex, age_band, citizenship, is_child, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, personID, pkey, penc, p.Sex, band, p.Citizenship, store.Bool(child), store.T(now)); err != nil {
		return errs.Internalf("insert person: %w", err)
	}
	if err := s.writePersonIndexes(ctx, tx, personID, p, entries); err != nil {
		return err
	}
	ckey, err := s.Vault.NewDataKey(ctx, tx, "case")
	if err != nil {
		return errs.Internalf("case key: %w", err)
	}
	var denc []byte
	if !in.Details.empty() {
		if denc, err = s.sealDetails(ctx, tx, ckey, caseID, &in.Details); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, reference, owner_org, person_id, key_id, stage, victim_status,
		is_child, age_disputed, age_band, sex, citizenship, risk_level, exploitation_country, municipality, opened_month,
		proceedings, non_removal, details_enc, version, created_at, updated_at, case_type)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'none', 0, $17, 1, $18, $18, $19)`,
		caseID, ref, actor.OrgID, personID, ckey, string(StageSignal), string(StatusPossible), store.Bool(child),
		store.Bool(p.AgeDisputed), band, p.Sex, p.Citizenship, in.RiskLevel, in.ExploitationCountry, in.Municipality,
		now.Format("2006-01"), denc, store.T(now), caseTypeOr(in.CaseType))
	if err != nil {
		return errs.Internalf("insert case: %w", err)
	}
	if err := writeCodes(ctx, tx, caseID, map[string][]string{
		FieldExploitation: in.Exploitation, FieldControl: in.Control, FieldRecruitment: in.Recruitment}); err != nil {
		return err
	}
	if err := countNew(ctx, tx, caseID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_team (case_id, org_id, user_id, role_in_case, via, added_at, added_by)
		VALUES ($1, $2, '', 'owner', 'owner', $3, $4)`, caseID, actor.OrgID, store.T(now), actor.UserID); err != nil {
		return errs.Internalf("insert team: %w", err)
	}
	summary := "opened;v=2"
	if child {
		summary += ";child"
	}
	if err := AppendTimeline(ctx, tx, timelineEntry(actor, caseID, "stage", summary+";to="+string(StageSignal))); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, "case.create", ref, "child="+fmt.Sprint(child)); err != nil {
		return err
	}
	out.ID, out.Reference = caseID, ref
	r := Ref{ID: caseID, Reference: ref, OwnerOrg: actor.OrgID, IsChild: child, Stage: StageSignal, Status: StatusPossible, KeyID: ckey}
	return s.runHooks(ctx, tx, Change{Ref: r, Opened: true, To: StageSignal, Actor: actor, ScreeningID: in.ScreeningID})
}

// writeIndex replaces nothing: it adds the blind indexes of a new person.
func (s *Service) writeIndex(ctx context.Context, tx *store.Tx, personID string, entries []indexEntry) error {
	for _, e := range entries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_index (person_id, kind, value) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, personID, e.kind, s.index(e)); err != nil {
			return errs.Internalf("insert index: %w", err)
		}
	}
	return nil
}

// writeCodes sets the picklist codes of the given fields (replacing them).
func writeCodes(ctx context.Context, tx *store.Tx, caseID string, fields map[string][]string) error {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_codes WHERE case_id = $1 AND field = $2`, caseID, f); err != nil {
			return errs.Internalf("codes: %w", err)
		}
		for _, c := range fields[f] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_codes (case_id, field, code) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, caseID, f, c); err != nil {
				return errs.Internalf("codes: %w", err)
			}
		}
	}
	return nil
}

func (s *Service) sealDetails(ctx context.Context, tx *store.Tx, keyID, caseID string, d *Details) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, errs.Internalf("details json: %w", err)
	}
	enc, err := s.Vault.Seal(ctx, tx, keyID, vault.AAD{Table: "cases", Row: caseID, Field: "details"}, b)
	clear(b)
	if err != nil {
		return nil, errs.Internalf("seal details: %w", err)
	}
	return enc, nil
}
