package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Case is a case as one actor may see it. The statistical fields are always
// there; Person is nil unless the actor may see personal data
// (case.view_personal), Details nil unless case.view_details.
type Case struct {
	ID, Reference, OwnerOrg string
	Stage                   Stage
	Status                  Status
	IsChild, AgeDisputed    bool
	AgeBand, Sex            string
	Citizenship             string
	RiskLevel               string
	// Type is the case type: CaseTypeTHB, CaseTypeGBV or CaseTypeBoth.
	Type                 string
	ExploitationCountry  string
	Municipality         string
	OpenedMonth          string
	Proceedings          string
	NonRemoval           bool
	ClosureReason        string
	Codes                map[string][]string // picklist field → codes
	Version              int
	CreatedAt, UpdatedAt time.Time
	ClosedAt             time.Time

	Person  *Person
	Details *Details
	// BreakGlass is the grant id when personal data was opened by break-glass.
	BreakGlass string

	Team      []TeamMember
	Decisions []Decision
	// Guardians are a child's guardians, the current one first (names and
	// authority for a reader of personal data only).
	Guardians []Guardian
	Timeline  []TimelineEntry
	// Next lists the stages this actor may move the case to (Transition).
	Next []Stage
	// CanDecide, CanEdit, CanManageTeam tell pages which forms to show.
	CanDecide, CanEdit, CanManageTeam bool
}

// HTCDSStatus is cas_Status of the case's stage.
func (c *Case) HTCDSStatus() string { return CaseStatus(c.Stage) }

const caseColumns = `c.id, c.reference, c.owner_org, c.stage, c.victim_status, c.is_child, c.age_disputed, c.age_band,
	c.sex, c.citizenship, c.risk_level, c.exploitation_country, c.municipality, c.opened_month, c.proceedings,
	c.non_removal, c.closure_reason, c.version, c.created_at, c.updated_at, c.closed_at, c.case_type`

func scanCase(row interface{ Scan(...any) error }, extra ...any) (*Case, error) {
	var c Case
	var child, disputed, nonRemoval int
	var created, updated, closed store.Time
	dest := []any{&c.ID, &c.Reference, &c.OwnerOrg, &c.Stage, &c.Status, &child, &disputed, &c.AgeBand,
		&c.Sex, &c.Citizenship, &c.RiskLevel, &c.ExploitationCountry, &c.Municipality, &c.OpenedMonth, &c.Proceedings,
		&nonRemoval, &c.ClosureReason, &c.Version, &created, &updated, &closed, &c.Type}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	c.IsChild, c.AgeDisputed, c.NonRemoval = child == 1, disputed == 1, nonRemoval == 1
	c.CreatedAt, c.UpdatedAt, c.ClosedAt = created.Time, updated.Time, closed.Time
	return &c, nil
}

// FindCaseByID returns the case as the actor may see it: NotFound when the
// actor may not see it at all. Opening personal data is audited
// (case.read_personal, with the break-glass grant as purpose when one was
// needed) and committed before the data is returned; a statistical view is
// audited as case.read.
func (s *Service) FindCaseByID(ctx context.Context, actor access.Actor, id string) (*Case, error) {
	q := s.DB.Read()
	ref, err := s.Authorize(ctx, q, actor, id, access.CaseView)
	if err != nil {
		return nil, err
	}
	var personID, personKey string
	var details []byte
	row := q.QueryRowContext(ctx, `SELECT `+caseColumns+`, c.person_id, p.key_id, c.details_enc
		FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = $1`, ref.ID)
	c, err := scanCase(row, &personID, &personKey, &details)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read case: %w", err)
	}
	if c.Codes, err = readCodes(ctx, q, c.ID); err != nil {
		return nil, err
	}
	if c.Team, err = s.team(ctx, q, c.ID); err != nil {
		return nil, err
	}
	if c.Timeline, err = s.timeline(ctx, q, actor, c.ID); err != nil {
		return nil, err
	}
	personal, grant := s.may(ctx, actor, c.ID, access.CaseViewPersonal)
	secret, grant2 := s.may(ctx, actor, c.ID, access.CaseViewDetails)
	if grant == "" {
		grant = grant2
	}
	if c.Decisions, err = s.decisions(ctx, q, c.ID, ref.KeyID, secret); err != nil {
		return nil, err
	}
	c.BreakGlass = grant
	if personal || secret {
		purpose := ""
		if grant != "" {
			purpose = "break_glass:" + grant
		}
		fields := "personal"
		if secret {
			fields += ",details"
		}
		// Audit first: if the event cannot be committed, nothing is shown.
		if err := s.recordRead(ctx, actor, "case.read_personal", c.Reference, purpose, "fields="+fields); err != nil {
			return nil, err
		}
	} else if err := s.recordRead(ctx, actor, "case.read", c.Reference, "", ""); err != nil {
		return nil, err
	}
	if personal {
		if c.Person, err = s.openPerson(ctx, q, personID, personKey); err != nil {
			return nil, err
		}
	}
	if c.Guardians, err = s.guardians(ctx, q, c.ID, ref.KeyID, personal); err != nil {
		return nil, err
	}
	if secret {
		c.Details = &Details{}
		if details != nil {
			if err := s.openJSON(ctx, q, ref.KeyID, vault.AAD{Table: "cases", Row: c.ID, Field: "details"}, details, c.Details); err != nil {
				return nil, err
			}
		}
	}
	c.Next = NextStages(actor.Role, c.Stage)
	if ok, _ := s.may(ctx, actor, c.ID, access.CaseTransition); !ok {
		c.Next = nil
	}
	c.CanEdit, _ = s.may(ctx, actor, c.ID, access.CaseEdit)
	c.CanDecide, _ = s.may(ctx, actor, c.ID, access.CaseDecide)
	c.CanManageTeam, _ = s.may(ctx, actor, c.ID, access.CaseTeamManage)
	return c, nil
}

func (s *Service) openPerson(ctx context.Context, q store.Querier, id, keyID string) (*Person, error) {
	var enc []byte
	if err := q.QueryRowContext(ctx, `SELECT data_enc FROM persons WHERE id = $1`, id).Scan(&enc); err != nil {
		return nil, errs.Internalf("read person: %w", err)
	}
	var p Person
	if err := s.openJSON(ctx, q, keyID, vault.AAD{Table: "persons", Row: id, Field: "data"}, enc, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Service) openJSON(ctx context.Context, q store.Querier, keyID string, aad vault.AAD, enc []byte, v any) error {
	b, err := s.Vault.Open(ctx, q, keyID, aad, enc)
	if errors.Is(err, vault.ErrShredded) {
		return errs.E(errs.NotFound, "case.shredded")
	}
	if err != nil {
		return errs.Internalf("open %s.%s: %w", aad.Table, aad.Field, err)
	}
	defer clear(b)
	if err := json.Unmarshal(b, v); err != nil {
		return errs.Internalf("decode %s.%s: %w", aad.Table, aad.Field, err)
	}
	return nil
}

func readCodes(ctx context.Context, q store.Querier, caseID string) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT field, code FROM case_codes WHERE case_id = $1 ORDER BY field, code`, caseID)
	if err != nil {
		return nil, errs.Internalf("read codes: %w", err)
	}
	defer rows.Close()
	m := map[string][]string{}
	for rows.Next() {
		var f, c string
		if err := rows.Scan(&f, &c); err != nil {
			return nil, errs.Internalf("read codes: %w", err)
		}
		m[f] = append(m[f], c)
	}
	return m, rows.Err()
}

// PersonForEncoding returns a case's person for the one use that needs the
// person without showing it: the "do you know this person?" encoding sent to
// a partner country (internal/exchange), made by a contact point that may
// send for the case (access.ExchangeSend on it) but need not read its
// personal data. The read is audited under the actor with its purpose; the
// caller must not display the person.
func (s *Service) PersonForEncoding(ctx context.Context, actor access.Actor, caseID string) (*Person, error) {
	q := s.DB.Read()
	ref, err := s.Authorize(ctx, q, actor, caseID, access.ExchangeSend)
	if err != nil {
		return nil, err
	}
	var personID, keyID string
	err = q.QueryRowContext(ctx, `SELECT c.person_id, p.key_id FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = $1`,
		ref.ID).Scan(&personID, &keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("read case person: %w", err)
	}
	// Audit first: if the event cannot be committed, nothing is encoded.
	if err := s.recordRead(ctx, actor, "case.read_personal", ref.Reference, "exchange_encoding", "fields=personal"); err != nil {
		return nil, err
	}
	return s.openPerson(ctx, q, personID, keyID)
}
