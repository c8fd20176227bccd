package justice

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Every SQL statement of the package is in this file.

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func exec(ctx context.Context, tx *store.Tx, what, q string, args ...any) error {
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return errs.Internalf("%s: %w", what, err)
	}
	return nil
}

func insertCase(ctx context.Context, tx *store.Tx, id string, in CreateInput, offenceDay, law string, actor access.Actor, keyID string) error {
	return exec(ctx, tx, "insert criminal case", `INSERT INTO criminal_cases (id, jurisdiction, offence_code, offence_date, criminal_law,
		stage, status, owner_org, key_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $10)`,
		id, in.Jurisdiction, in.OffenceCode, offenceDay, law, CriminalReport, actor.OrgID, keyID, actor.UserID, store.T(tx.Now))
}

func insertOrg(ctx context.Context, tx *store.Tx, id, org string) error {
	return exec(ctx, tx, "insert criminal case org", `INSERT INTO criminal_case_orgs (criminal_case_id, org_id) VALUES ($1, $2)`, id, org)
}

func insertVictimLink(ctx context.Context, tx *store.Tx, id, caseID string) error {
	return exec(ctx, tx, "link victim case", `INSERT INTO criminal_case_victims (criminal_case_id, case_id, created_at) VALUES ($1, $2, $3)`,
		id, caseID, store.T(tx.Now))
}

func insertRef(ctx context.Context, tx *store.Tx, id string, r Reference) error {
	return exec(ctx, tx, "insert reference", `INSERT INTO criminal_case_refs (id, criminal_case_id, system, instance, number, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, store.NewID(), id, r.System, r.Instance, r.Number, store.T(tx.Now))
}

func insertEvent(ctx context.Context, tx *store.Tx, id string, e Event) error {
	if err := exec(ctx, tx, "insert event", `INSERT INTO criminal_events (id, criminal_case_id, seq, type, event_date, outcome, detention,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, id, e.Seq, e.Type, Day(e.Date), e.Outcome, b2i(e.Detention), e.CreatedBy, store.T(tx.Now)); err != nil {
		return err
	}
	return exec(ctx, tx, "update stage", `UPDATE criminal_cases SET stage = $2, status = $3, updated_at = $4, version = version + 1 WHERE id = $1`,
		id, e.Type, statusAfter(e.Type), store.T(tx.Now))
}

func statusAfter(t string) string {
	if t == FinalJudgment {
		return "closed"
	}
	return "open"
}

const headerColumns = `id, jurisdiction, offence_code, offence_date, criminal_law, stage, status, owner_org, key_id, created_at, updated_at, version`

func scanHeader(row interface{ Scan(...any) error }) (*header, error) {
	var h header
	var created, updated store.Time
	if err := row.Scan(&h.ID, &h.Jurisdiction, &h.OffenceCode, &h.OffenceDate, &h.CriminalLaw, &h.Stage, &h.Status, &h.OwnerOrg,
		&h.KeyID, &created, &updated, &h.Version); err != nil {
		return nil, err
	}
	h.CreatedAt, h.UpdatedAt = created.Time, updated.Time
	return &h, nil
}

func loadHeader(ctx context.Context, q store.Querier, id string) (*header, error) {
	h, err := scanHeader(q.QueryRowContext(ctx, `SELECT `+headerColumns+` FROM criminal_cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Internalf("criminal case: %w", err)
	}
	return h, nil
}

func orgOnCase(ctx context.Context, q store.Querier, id, org string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM criminal_case_orgs WHERE criminal_case_id = $1 AND org_id = $2`, id, org).Scan(&n)
	if err != nil {
		return false, errs.Internalf("criminal case orgs: %w", err)
	}
	return n > 0, nil
}

func strings1(ctx context.Context, q store.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Internalf("criminal cases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, errs.Internalf("criminal cases: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("criminal cases: %w", err)
	}
	return out, nil
}

func victimIDs(ctx context.Context, q store.Querier, id string) ([]string, error) {
	return strings1(ctx, q, `SELECT case_id FROM criminal_case_victims WHERE criminal_case_id = $1 ORDER BY created_at, case_id`, id)
}

// criminalCasesOf lists the criminal cases linked to a victim case.
func criminalCasesOf(ctx context.Context, q store.Querier, caseID string) ([]string, error) {
	return strings1(ctx, q, `SELECT criminal_case_id FROM criminal_case_victims WHERE case_id = $1 ORDER BY created_at, criminal_case_id`, caseID)
}

// casesOfOrg lists the open criminal cases an organisation works.
func casesOfOrg(ctx context.Context, q store.Querier, org string) ([]string, error) {
	return strings1(ctx, q, `SELECT c.id FROM criminal_cases c JOIN criminal_case_orgs o ON o.criminal_case_id = c.id
		WHERE o.org_id = $1 AND c.status = 'open' ORDER BY c.created_at DESC LIMIT 500`, org)
}

func loadRefs(ctx context.Context, q store.Querier, id string) ([]Reference, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, system, instance, number FROM criminal_case_refs WHERE criminal_case_id = $1
		ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("references: %w", err)
	}
	defer rows.Close()
	var out []Reference
	for rows.Next() {
		var r Reference
		if err := rows.Scan(&r.ID, &r.System, &r.Instance, &r.Number); err != nil {
			return nil, errs.Internalf("references: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func loadEvents(ctx context.Context, q store.Querier, id string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, seq, type, event_date, outcome, detention, created_by, created_at
		FROM criminal_events WHERE criminal_case_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, errs.Internalf("events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var day string
		var det int
		var created store.Time
		if err := rows.Scan(&e.ID, &e.Seq, &e.Type, &day, &e.Outcome, &det, &e.CreatedBy, &created); err != nil {
			return nil, errs.Internalf("events: %w", err)
		}
		e.Date, _ = time.Parse(time.DateOnly, day)
		e.Detention, e.CreatedAt = det == 1, created.Time
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertDefendant(ctx context.Context, tx *store.Tx, id, ccID string, name, details []byte, in DefendantInput) error {
	return exec(ctx, tx, "insert defendant", `INSERT INTO criminal_defendants (id, criminal_case_id, name_enc, details_enc, sex,
		nationality, roles, official, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, ccID, name, details, in.Sex, in.Nationality, strings.Join(in.Roles, ","), b2i(in.Official), store.T(tx.Now))
}

type defendantRow struct {
	Defendant
	nameEnc, detailsEnc []byte
}

func loadDefendants(ctx context.Context, q store.Querier, id string) ([]defendantRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name_enc, details_enc, sex, nationality, roles, official, created_at
		FROM criminal_defendants WHERE criminal_case_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("defendants: %w", err)
	}
	defer rows.Close()
	var out []defendantRow
	for rows.Next() {
		var d defendantRow
		var roles string
		var official int
		var created store.Time
		if err := rows.Scan(&d.ID, &d.nameEnc, &d.detailsEnc, &d.Sex, &d.Nationality, &roles, &official, &created); err != nil {
			return nil, errs.Internalf("defendants: %w", err)
		}
		if roles != "" {
			d.Roles = strings.Split(roles, ",")
		}
		d.Official, d.CreatedAt = official == 1, created.Time
		out = append(out, d)
	}
	return out, rows.Err()
}

func insertCharge(ctx context.Context, tx *store.Tx, ccID string, c Charge) error {
	if c.ReplacesID != "" {
		if err := exec(ctx, tx, "requalify charge", `UPDATE criminal_charges SET current = 0 WHERE id = $1 AND criminal_case_id = $2`,
			c.ReplacesID, ccID); err != nil {
			return err
		}
	}
	return exec(ctx, tx, "insert charge", `INSERT INTO criminal_charges (id, criminal_case_id, defendant_id, stage, offence_code,
		criminal_law, article, replaces_id, current, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)`,
		c.ID, ccID, c.DefendantID, c.Stage, c.OffenceCode, c.Law, c.Article, c.ReplacesID, store.T(tx.Now))
}

func loadCharges(ctx context.Context, q store.Querier, id string) ([]Charge, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, defendant_id, stage, offence_code, criminal_law, article, replaces_id, current, created_at
		FROM criminal_charges WHERE criminal_case_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("charges: %w", err)
	}
	defer rows.Close()
	var out []Charge
	for rows.Next() {
		var c Charge
		var cur int
		var created store.Time
		if err := rows.Scan(&c.ID, &c.DefendantID, &c.Stage, &c.OffenceCode, &c.Law, &c.Article, &c.ReplacesID, &cur, &created); err != nil {
			return nil, errs.Internalf("charges: %w", err)
		}
		c.Current, c.CreatedAt = cur == 1, created.Time
		out = append(out, c)
	}
	return out, rows.Err()
}

func insertSentence(ctx context.Context, tx *store.Tx, ccID string, x Sentence) error {
	return exec(ctx, tx, "insert sentence", `INSERT INTO criminal_sentences (id, criminal_case_id, charge_id, event_id, outcome,
		imprisonment_months, suspended, fine_eur, below_minimum, final, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		x.ID, ccID, x.ChargeID, x.EventID, x.Outcome, x.ImprisonmentMonths, b2i(x.Suspended), x.FineEUR, b2i(x.BelowMinimum),
		b2i(x.Final), store.T(tx.Now))
}

func loadSentences(ctx context.Context, q store.Querier, id string) ([]Sentence, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, charge_id, event_id, outcome, imprisonment_months, suspended, fine_eur, below_minimum, final
		FROM criminal_sentences WHERE criminal_case_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("sentences: %w", err)
	}
	defer rows.Close()
	var out []Sentence
	for rows.Next() {
		var x Sentence
		var susp, below, final int
		if err := rows.Scan(&x.ID, &x.ChargeID, &x.EventID, &x.Outcome, &x.ImprisonmentMonths, &susp, &x.FineEUR, &below, &final); err != nil {
			return nil, errs.Internalf("sentences: %w", err)
		}
		x.Suspended, x.BelowMinimum, x.Final = susp == 1, below == 1, final == 1
		out = append(out, x)
	}
	return out, rows.Err()
}

func insertAsset(ctx context.Context, tx *store.Tx, ccID string, a Asset) error {
	return exec(ctx, tx, "insert asset", `INSERT INTO criminal_assets (id, criminal_case_id, defendant_id, measure, value_eur, measure_date,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, ccID, a.DefendantID, a.Measure, a.ValueEUR, Day(a.Date), store.T(tx.Now))
}

func loadAssets(ctx context.Context, q store.Querier, id string) ([]Asset, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, defendant_id, measure, value_eur, measure_date FROM criminal_assets
		WHERE criminal_case_id = $1 ORDER BY measure_date, id`, id)
	if err != nil {
		return nil, errs.Internalf("assets: %w", err)
	}
	defer rows.Close()
	var out []Asset
	for rows.Next() {
		var a Asset
		var day string
		if err := rows.Scan(&a.ID, &a.DefendantID, &a.Measure, &a.ValueEUR, &day); err != nil {
			return nil, errs.Internalf("assets: %w", err)
		}
		a.Date, _ = time.Parse(time.DateOnly, day)
		out = append(out, a)
	}
	return out, rows.Err()
}

func dayOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Day(t)
}

func insertVictimRecord(ctx context.Context, tx *store.Tx, ccID string, v VictimRecord, by string) error {
	return exec(ctx, tx, "insert victim record", `INSERT INTO criminal_victim_records (id, criminal_case_id, case_id, event_id, kind, code,
		status, lang, record_date, due_date, decided_date, present, advocate_present, claimed_eur, awarded_eur, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		v.ID, ccID, v.CaseID, v.EventID, v.Kind, v.Code, v.Status, v.Lang, Day(v.Date), dayOrEmpty(v.Due), dayOrEmpty(v.Decided),
		b2i(v.Present), b2i(v.AdvocatePresent), v.ClaimedEUR, v.AwardedEUR, by, store.T(tx.Now))
}

func loadVictimRecords(ctx context.Context, q store.Querier, id string) ([]VictimRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, event_id, kind, code, status, lang, record_date, due_date, decided_date, present,
		advocate_present, claimed_eur, awarded_eur FROM criminal_victim_records WHERE criminal_case_id = $1 ORDER BY record_date, created_at, id`, id)
	if err != nil {
		return nil, errs.Internalf("victim records: %w", err)
	}
	defer rows.Close()
	var out []VictimRecord
	for rows.Next() {
		var v VictimRecord
		var day, due, decided string
		var present, adv int
		if err := rows.Scan(&v.ID, &v.CaseID, &v.EventID, &v.Kind, &v.Code, &v.Status, &v.Lang, &day, &due, &decided, &present, &adv,
			&v.ClaimedEUR, &v.AwardedEUR); err != nil {
			return nil, errs.Internalf("victim records: %w", err)
		}
		v.Date, _ = time.Parse(time.DateOnly, day)
		v.Due, _ = time.Parse(time.DateOnly, due)
		v.Decided, _ = time.Parse(time.DateOnly, decided)
		v.Present, v.AdvocatePresent = present == 1, adv == 1
		out = append(out, v)
	}
	return out, rows.Err()
}
