package exchange

// Every statement of the exchange tables, in one place.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// ---- own keys ----

type keyRow struct {
	ID, Fingerprint, KeyID  string
	SignPub, EncPub, Secret []byte
	CreatedAt               time.Time
	ValidUntil              store.Time
}

func loadKeyRows(ctx context.Context, q store.Querier) ([]keyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, fingerprint, key_id, sign_pub, enc_pub, secret_enc, created_at, valid_until
		FROM exchange_keys ORDER BY CASE WHEN valid_until IS NULL THEN 0 ELSE 1 END, created_at DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []keyRow
	for rows.Next() {
		var k keyRow
		var created store.Time
		if err := rows.Scan(&k.ID, &k.Fingerprint, &k.KeyID, &k.SignPub, &k.EncPub, &k.Secret, &created, &k.ValidUntil); err != nil {
			return nil, err
		}
		k.CreatedAt = created.Time
		out = append(out, k)
	}
	return out, rows.Err()
}

func insertKeyRow(ctx context.Context, tx *store.Tx, k keyRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_keys (id, created_at, sign_pub, enc_pub, fingerprint, key_id, secret_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, store.T(tx.Now), k.SignPub, k.EncPub, k.Fingerprint, k.KeyID, k.Secret)
	return err
}

// retireKeys sets valid_until on every current key set.
func retireKeys(ctx context.Context, tx *store.Tx, until time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE exchange_keys SET valid_until = $1 WHERE valid_until IS NULL`, store.T(until))
	return err
}

func keyAAD(id string) vault.AAD {
	return vault.AAD{Table: "exchange_keys", Row: id, Field: "secret_enc"}
}

func msgAAD(direction, id string) vault.AAD {
	return vault.AAD{Table: "exchange_messages", Row: direction + ":" + id, Field: "body_enc"}
}

// ---- partners ----

func loadPartners(ctx context.Context, q store.Querier, country string) ([]Partner, error) {
	where, args := "", []any{}
	if country != "" {
		where, args = " WHERE p.country = $1", []any{country}
	}
	rows, err := q.QueryContext(ctx, `SELECT p.country, p.name, p.url, p.active, p.created_at, p.activated_at, p.deactivated_at
		FROM exchange_partners p`+where+` ORDER BY p.country`, args...)
	if err != nil {
		return nil, err
	}
	var out []Partner
	for rows.Next() {
		var p Partner
		var active int
		var created, act, deact store.Time
		if err := rows.Scan(&p.Country, &p.Name, &p.URL, &active, &created, &act, &deact); err != nil {
			rows.Close()
			return nil, err
		}
		p.Active, p.CreatedAt, p.ActivatedAt, p.DeactivatedAt = active == 1, created.Time, act.Time, deact.Time
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		ks, err := loadPartnerKeys(ctx, q, out[i].Country)
		if err != nil {
			return nil, err
		}
		out[i].Keys = ks
	}
	return out, nil
}

func loadPartnerKeys(ctx context.Context, q store.Querier, country string) ([]PartnerKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, state, sign_pub, enc_pub, fingerprint, added_at, activated_at, valid_until
		FROM exchange_partner_keys WHERE country = $1 ORDER BY added_at DESC, id`, country)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PartnerKey
	for rows.Next() {
		var k PartnerKey
		var added, act, until store.Time
		if err := rows.Scan(&k.ID, &k.State, &k.SignPub, &k.EncPub, &k.Fingerprint, &added, &act, &until); err != nil {
			return nil, err
		}
		k.AddedAt, k.ActivatedAt, k.ValidUntil = added.Time, act.Time, until.Time
		out = append(out, k)
	}
	return out, rows.Err()
}

func upsertPartner(ctx context.Context, tx *store.Tx, country, name, url string) (created bool, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE exchange_partners SET name = $2, url = $3, updated_at = $4 WHERE country = $1`,
		country, name, url, store.T(tx.Now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO exchange_partners (country, name, url, active, created_at, updated_at)
		VALUES ($1, $2, $3, 0, $4, $4)`, country, name, url, store.T(tx.Now))
	return true, err
}

func insertPartnerKey(ctx context.Context, tx *store.Tx, country string, k PartnerKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_partner_keys (id, country, state, sign_pub, enc_pub, fingerprint, added_at)
		VALUES ($1, $2, 'pending', $3, $4, $5, $6)`, store.NewID(), country, k.SignPub, k.EncPub, k.Fingerprint, store.T(tx.Now))
	return err
}

func activatePartnerKey(ctx context.Context, tx *store.Tx, country, keyID string, retireUntil time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE exchange_partner_keys SET state = 'retired', valid_until = $3
		WHERE country = $1 AND state = 'active' AND id <> $2`, country, keyID, store.T(retireUntil)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE exchange_partner_keys SET state = 'active', activated_at = $3, valid_until = NULL
		WHERE country = $1 AND id = $2`, country, keyID, store.T(tx.Now)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE exchange_partners SET active = 1, activated_at = $2, updated_at = $2 WHERE country = $1`,
		country, store.T(tx.Now))
	return err
}

func setPartnerInactive(ctx context.Context, tx *store.Tx, country string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE exchange_partners SET active = 0, deactivated_at = $2, updated_at = $2
		WHERE country = $1 AND active = 1`, country, store.T(tx.Now))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ---- case references ----

func caseRef(ctx context.Context, q store.Querier, caseID, country string) (string, error) {
	var x string
	err := q.QueryRowContext(ctx, `SELECT xref FROM exchange_case_refs WHERE case_id = $1 AND country = $2`, caseID, country).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return x, err
}

func insertCaseRef(ctx context.Context, tx *store.Tx, caseID, country, xref string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_case_refs (case_id, country, xref, created_at) VALUES ($1, $2, $3, $4)`,
		caseID, country, xref, store.T(tx.Now))
	return err
}

func caseOfRef(ctx context.Context, q store.Querier, xref string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT case_id FROM exchange_case_refs WHERE xref = $1`, xref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// ---- messages ----

const msgColumns = `id, direction, peer, type, schema_version, xref, case_id, reply_to, state, reason, attempts,
	next_attempt_at, created_at, expires_at, sent_at, delivered_at, acknowledged_at, due_at, actor_id, legal_basis,
	envelope, envelope_sha256, receipt, body_key, body_enc`

func scanMsg(sc interface{ Scan(...any) error }) (*row, error) {
	var r row
	var caseID sql.NullString
	var created, expires store.Time
	if err := sc.Scan(&r.ID, &r.Direction, &r.Peer, &r.Type, &r.Schema, &r.XRef, &caseID, &r.ReplyTo, &r.State, &r.Reason,
		&r.Attempts, &r.NextAttempt, &created, &expires, &r.SentAt, &r.DeliveredAt, &r.AckedAt, &r.DueAt, &r.ActorID,
		&r.LegalBasis, &r.Envelope, &r.EnvelopeSHA, &r.Receipt, &r.BodyKey, &r.BodyEnc); err != nil {
		return nil, err
	}
	r.CaseID, r.CreatedAt, r.ExpiresAt = caseID.String, created.Time, expires.Time
	return &r, nil
}

func insertMsg(ctx context.Context, tx *store.Tx, r *row) error {
	var caseID any
	if r.CaseID != "" {
		caseID = r.CaseID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_messages (id, direction, peer, type, schema_version, xref, case_id,
		reply_to, state, reason, attempts, next_attempt_at, created_at, expires_at, delivered_at, due_at, actor_id, legal_basis,
		ciphertext, envelope, envelope_sha256, receipt, body_key, body_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		r.ID, r.Direction, r.Peer, r.Type, r.Schema, r.XRef, caseID, r.ReplyTo, r.State, r.Reason, r.NextAttempt,
		store.T(r.CreatedAt), store.T(r.ExpiresAt), r.DeliveredAt, r.DueAt, r.ActorID, r.LegalBasis, r.Ciphertext,
		r.Envelope, r.EnvelopeSHA, r.Receipt, r.BodyKey, r.BodyEnc)
	return err
}

func getMsg(ctx context.Context, q store.Querier, direction, id string) (*row, error) {
	r, err := scanMsg(q.QueryRowContext(ctx, `SELECT `+msgColumns+` FROM exchange_messages WHERE direction = $1 AND id = $2`,
		direction, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// listMsgs lists messages of a direction (all when empty), newest first;
// with before, those created before it.
func listMsgs(ctx context.Context, q store.Querier, direction, xref string, limit int) ([]*row, error) {
	where, args := "WHERE 1 = 1", []any{}
	if direction != "" {
		args = append(args, direction)
		where += " AND direction = $1"
	}
	if xref != "" {
		args = append(args, xref)
		where += " AND xref = $" + itoa(len(args))
	}
	args = append(args, limit)
	return queryMsgs(ctx, q, `SELECT `+msgColumns+` FROM exchange_messages `+where+
		` ORDER BY created_at DESC, id LIMIT $`+itoa(len(args)), args...)
}

// dueOut lists outgoing messages due for an attempt to active partners.
func dueOut(ctx context.Context, q store.Querier, now time.Time, limit int) ([]*row, error) {
	return queryMsgs(ctx, q, `SELECT `+msgColumns+` FROM exchange_messages m
		WHERE m.direction = 'out' AND m.state = 'queued' AND m.next_attempt_at <= $1
		AND EXISTS (SELECT 1 FROM exchange_partners p WHERE p.country = m.peer AND p.active = 1)
		ORDER BY m.next_attempt_at, m.id LIMIT $2`, store.T(now), limit)
}

// nextDue is the earliest next attempt of a queued message, or zero.
func nextDue(ctx context.Context, q store.Querier) (time.Time, error) {
	var t store.Time
	err := q.QueryRowContext(ctx, `SELECT MIN(m.next_attempt_at) FROM exchange_messages m WHERE m.direction = 'out' AND m.state = 'queued'
		AND EXISTS (SELECT 1 FROM exchange_partners p WHERE p.country = m.peer AND p.active = 1)`).Scan(&t)
	return t.Time, err
}

func markDelivered(ctx context.Context, tx *store.Tx, id string, envelope, receipt []byte, sha string) error {
	// An answer may have arrived before the receipt was recorded (state
	// acknowledged): the receipt is kept all the same, the state stays.
	_, err := tx.ExecContext(ctx, `UPDATE exchange_messages SET state = CASE WHEN state = 'queued' THEN 'delivered' ELSE state END,
		reason = '', attempts = attempts + 1, sent_at = $2, delivered_at = $2, envelope = $3, receipt = $4, envelope_sha256 = $5,
		next_attempt_at = NULL
		WHERE direction = 'out' AND id = $1 AND state IN ('queued', 'acknowledged') AND receipt IS NULL`, id, store.T(tx.Now), envelope, receipt, sha)
	return err
}

func markRetry(ctx context.Context, tx *store.Tx, id, reason string, next time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE exchange_messages SET reason = $2, attempts = attempts + 1, sent_at = $3,
		next_attempt_at = $4 WHERE direction = 'out' AND id = $1 AND state = 'queued'`, id, reason, store.T(tx.Now), store.T(next))
	return err
}

func markRejected(ctx context.Context, tx *store.Tx, id, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE exchange_messages SET state = 'rejected', reason = $2, attempts = attempts + 1,
		sent_at = $3, next_attempt_at = NULL WHERE direction = 'out' AND id = $1 AND state = 'queued'`, id, reason, store.T(tx.Now))
	return err
}

// markAcknowledged records that the partner answered an outgoing message.
func markAcknowledged(ctx context.Context, tx *store.Tx, id, peer string) error {
	_, err := tx.ExecContext(ctx, `UPDATE exchange_messages SET state = 'acknowledged', acknowledged_at = $3
		WHERE direction = 'out' AND id = $1 AND peer = $2 AND state IN ('delivered', 'queued')`, id, peer, store.T(tx.Now))
	return err
}

// countMsgs counts messages by direction and state (the dashboard, metrics).
func countMsgs(ctx context.Context, q store.Querier) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT direction, state, COUNT(*) FROM exchange_messages GROUP BY direction, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var d, s string
		var n int
		if err := rows.Scan(&d, &s, &n); err != nil {
			return nil, err
		}
		out[d+"."+s] = n
	}
	return out, rows.Err()
}

// markInAnswered records that this instance answered an incoming message.
func markInAnswered(ctx context.Context, tx *store.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE exchange_messages SET state = 'answered', acknowledged_at = $2
		WHERE direction = 'in' AND id = $1`, id, store.T(tx.Now))
	return err
}

// listTypes lists messages of the given types (both directions), newest first.
func listTypes(ctx context.Context, q store.Querier, types []string, limit int) ([]*row, error) {
	var ph []string
	var args []any
	for _, t := range types {
		args = append(args, t)
		ph = append(ph, "$"+itoa(len(args)))
	}
	args = append(args, limit)
	return queryMsgs(ctx, q, `SELECT `+msgColumns+` FROM exchange_messages WHERE type IN (`+strings.Join(ph, ", ")+`)
		ORDER BY created_at DESC, id LIMIT $`+itoa(len(args)), args...)
}

func setLinkage(ctx context.Context, tx *store.Tx, country string, schema []byte, keyID string, secret []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE exchange_partners SET linkage_schema = $2, linkage_key_id = $3, linkage_secret = $4,
		updated_at = $5 WHERE country = $1`, country, schema, keyID, secret, store.T(tx.Now))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func loadLinkage(ctx context.Context, q store.Querier, country string) (schema []byte, keyID string, secret []byte, err error) {
	var k sql.NullString
	err = q.QueryRowContext(ctx, `SELECT linkage_schema, linkage_key_id, linkage_secret FROM exchange_partners WHERE country = $1`,
		country).Scan(&schema, &k, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return schema, k.String, secret, err
}

// receivedOfType lists incoming messages of a type still waiting for an answer.
func receivedOfType(ctx context.Context, q store.Querier, typ string, limit int) ([]*row, error) {
	return queryMsgs(ctx, q, `SELECT `+msgColumns+` FROM exchange_messages WHERE direction = 'in' AND type = $1
		AND state = 'received' ORDER BY created_at, id LIMIT $2`, typ, limit)
}

// queryMsgs runs a query of msgColumns and scans every message it returns.
func queryMsgs(ctx context.Context, q store.Querier, query string, args ...any) ([]*row, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*row
	for rows.Next() {
		r, err := scanMsg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- the regional picture ----

type pictureRow struct {
	Country, MessageID string
	At                 time.Time
	Body               []byte
}

// putPicture keeps a country's picture of a year, replacing an older one.
func putPicture(ctx context.Context, tx *store.Tx, country, direction, id string, p *stats.Picture, body []byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM exchange_pictures WHERE country = $1 AND year = $2`, country, p.Year); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_pictures (country, year, direction, message_id, method, k, epsilon, body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, country, p.Year, direction, id, string(p.Method), p.K, epsilonText(p),
		string(body), store.T(tx.Now))
	return err
}

// loadPictures reads the pictures of year by country, and the years held.
func loadPictures(ctx context.Context, q store.Querier, year int) ([]pictureRow, []int, error) {
	rows, err := q.QueryContext(ctx, `SELECT country, message_id, received_at, body FROM exchange_pictures
		WHERE year = $1 ORDER BY country`, year)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []pictureRow
	for rows.Next() {
		var r pictureRow
		var at store.Time
		var body string
		if err := rows.Scan(&r.Country, &r.MessageID, &at, &body); err != nil {
			return nil, nil, err
		}
		r.At, r.Body = at.Time, []byte(body)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	yrs, err := q.QueryContext(ctx, `SELECT DISTINCT year FROM exchange_pictures ORDER BY year DESC`)
	if err != nil {
		return nil, nil, err
	}
	defer yrs.Close()
	var years []int
	for yrs.Next() {
		var y int
		if err := yrs.Scan(&y); err != nil {
			return nil, nil, err
		}
		years = append(years, y)
	}
	return out, years, yrs.Err()
}
