package scale

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/store"
)

// Every statement of the generator is in this file.

// writer turns batches into rows and writes them, one transaction a batch.
type writer struct {
	a        *app.App
	db       *store.DB
	country  string
	orgs     []*org // organisations that own cases
	byType   map[access.OrgType][]*org
	services []service
}

// readDirectory reads the organisations with their first active staff
// account, and the active services.
func (w *writer) readDirectory(ctx context.Context) error {
	rows, err := w.db.Read().QueryContext(ctx, `SELECT o.id, o.type, o.municipality, u.id, u.role
		FROM organisations o JOIN users u ON u.org_id = o.id
		WHERE o.active = 1 AND u.active = 1 ORDER BY o.name, u.created_at, u.id`)
	if err != nil {
		return fmt.Errorf("scale: read organisations: %w", err)
	}
	seen := map[string]bool{}
	w.byType = map[access.OrgType][]*org{}
	for rows.Next() {
		var o org
		var typ, role string
		if err := rows.Scan(&o.id, &typ, &o.municipality, &o.user, &role); err != nil {
			rows.Close()
			return fmt.Errorf("scale: read organisations: %w", err)
		}
		o.typ, o.role = access.OrgType(typ), access.Role(role)
		if seen[o.id] || roleOfType[o.typ] != o.role {
			continue // one actor per organisation, of the organisation's own kind
		}
		seen[o.id] = true
		w.byType[o.typ] = append(w.byType[o.typ], &o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scale: read organisations: %w", err)
	}
	for _, t := range []access.OrgType{"police", "social_work", "victim_advocacy", "ngo", "helpline"} {
		w.orgs = append(w.orgs, w.byType[t]...)
	}
	if len(w.byType["police"]) == 0 {
		return fmt.Errorf("scale: no police organisation with an account: load the demo first")
	}
	srows, err := w.db.Read().QueryContext(ctx, `SELECT id, org_id, type FROM services WHERE active = 1 ORDER BY id`)
	if err != nil {
		return fmt.Errorf("scale: read services: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var s service
		if err := srows.Scan(&s.id, &s.orgID, &s.typ); err != nil {
			return fmt.Errorf("scale: read services: %w", err)
		}
		w.services = append(w.services, s)
	}
	return srows.Err()
}

// table collects the rows of one table for a batch, flattened.
type table struct {
	name string
	cols []string
	args []any
}

func (t *table) add(vals ...any) {
	if len(vals) != len(t.cols) {
		panic(fmt.Sprintf("scale: %s: %d values for %d columns", t.name, len(vals), len(t.cols)))
	}
	t.args = append(t.args, vals...)
}

func (t *table) rows() int { return len(t.args) / len(t.cols) }

func newTables() []*table {
	return []*table{
		{name: "data_keys", cols: []string{"id", "purpose", "master_version", "wrapped", "created_at"}},
		{name: "persons", cols: []string{"id", "key_id", "data_enc", "sex", "age_band", "citizenship", "is_child", "created_at", "updated_at"}},
		{name: "person_index", cols: []string{"person_id", "kind", "value"}},
		{name: "person_dedup_keys", cols: []string{"person_id", "value"}},
		{name: "cases", cols: []string{"id", "reference", "owner_org", "person_id", "key_id", "stage", "victim_status", "is_child",
			"age_disputed", "age_band", "sex", "citizenship", "risk_level", "exploitation_country", "municipality", "opened_month",
			"proceedings", "non_removal", "closure_reason", "details_enc", "version", "created_at", "updated_at", "closed_at"}},
		{name: "case_codes", cols: []string{"case_id", "field", "code"}},
		{name: "case_team", cols: []string{"case_id", "org_id", "user_id", "role_in_case", "via", "added_at", "added_by"}},
		{name: "case_events", cols: []string{"id", "case_id", "at", "kind", "actor_id", "actor_org", "ref_table", "ref_id", "visibility", "summary"}},
		{name: "identification_decisions", cols: []string{"id", "case_id", "status", "decision_org_type", "decided_by_org", "decided_by",
			"with_advocate_org", "social_worker_org", "decided_at", "grounds_enc", "created_at"}},
		{name: "case_notes", cols: []string{"id", "case_id", "visibility", "category", "author_id", "author_org", "author_role", "body_enc", "created_at"}},
		{name: "referrals", cols: []string{"id", "case_id", "case_ref", "service_id", "service_type", "from_org", "from_user", "to_org",
			"urgency", "state", "deadline", "consent_basis", "reason_enc", "outcome", "answered_at", "answered_by", "completed_at", "admitted_at", "created_at", "version"}},
		{name: "stays", cols: []string{"id", "case_id", "case_ref", "service_id", "org_id", "referral_id", "admitted_at", "admitted_by",
			"discharged_at", "discharged_by", "exit_code"}},
		{name: "audit_events", cols: []string{"seq", "at", "actor_id", "actor_org", "actor_role", "action", "object_type", "object_id",
			"outcome", "purpose", "detail", "request_id", "prev_hash", "hash"}},
	}
}

// write inserts a batch: its case references first, in a short transaction
// of their own (a failed batch burns its numbers, as a failed registration
// never does, which is fine for generated data); then every row, with the
// audit events last, so the chain head — which serialises every writer —
// is held only for the end of the transaction and two writers overlap.
func (w *writer) write(ctx context.Context, b *batch) (Result, error) {
	var res Result
	err := w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error { return w.reserveReferences(ctx, tx, b) })
	if err != nil {
		return res, err
	}
	err = w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
		res = Result{}
		if tx.Engine() == store.SQLite {
			// With the secondary indexes deferred and time-ordered ids, the
			// keys still inserted at random are the blind indexes' (person
			// index, duplicate keys): 1.5 GB of cache (this process only,
			// used as it fills) holds them at a million cases, and keeps the
			// load under 2 GB of memory (it was 4 GB: 3.3 GB RSS at 100,000
			// cases).
			if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -1572864`); err != nil {
				return fmt.Errorf("scale: cache size: %w", err)
			}
			// Foreign keys are off for the load (store.WithoutForeignKeys,
			// see Load): the rows go in parents first.
		}
		tabs := newTables()
		byName := map[string]*table{}
		for _, t := range tabs {
			byName[t.name] = t
		}
		for _, c := range b.cases {
			c.rows(byName)
		}
		for _, t := range tabs {
			if t.name == "audit_events" {
				continue
			}
			if err := w.insert(ctx, tx, t); err != nil {
				return err
			}
			res.Rows += t.rows()
		}
		chain, err := audit.OpenChain(ctx, tx)
		if err != nil {
			return err
		}
		ev := byName["audit_events"]
		for _, c := range b.cases {
			for i := range c.audit {
				e := &c.audit[i]
				e.ObjectID = strings.ReplaceAll(e.ObjectID, refMark, c.ref)
				e.Detail = strings.ReplaceAll(e.Detail, refMark, c.ref)
				prev, sum, err := chain.Link(e)
				if err != nil {
					return fmt.Errorf("scale: audit event: %w", err)
				}
				ev.add(e.Seq, store.FormatTime(e.At), e.Actor.UserID, e.Actor.OrgID, e.Actor.Role, e.Action, e.ObjectType,
					e.ObjectID, e.Outcome, e.Purpose, e.Detail, e.RequestID, prev, sum)
			}
		}
		if err := w.insert(ctx, tx, ev); err != nil {
			return err
		}
		if err := chain.Close(ctx, tx); err != nil {
			return err
		}
		res.Rows += ev.rows()
		res.Cases = len(b.cases)
		res.Persons = byName["persons"].rows()
		res.Notes = byName["case_notes"].rows()
		res.Referrals = byName["referrals"].rows()
		res.Stays = byName["stays"].rows()
		res.Timeline = byName["case_events"].rows()
		res.AuditEvents = ev.rows()
		return nil
	})
	return res, err
}

func (r *Result) add(o Result) {
	r.Cases += o.Cases
	r.Persons += o.Persons
	r.Notes += o.Notes
	r.Referrals += o.Referrals
	r.Stays += o.Stays
	r.Timeline += o.Timeline
	r.AuditEvents += o.AuditEvents
	r.Rows += o.Rows
}

// reserveReferences takes a block of reference numbers per year, as
// registration takes one: the counter row is locked until the end of tx.
func (w *writer) reserveReferences(ctx context.Context, tx *store.Tx, b *batch) error {
	perYear := map[int]int{}
	for _, c := range b.cases {
		perYear[c.opened.Year()]++
	}
	years := make([]int, 0, len(perYear))
	for y := range perYear {
		years = append(years, y)
	}
	sort.Ints(years)
	next := map[int]int{}
	for _, y := range years {
		var last int
		err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (country, year, last) VALUES ($1, $2, $3)
			ON CONFLICT (country, year) DO UPDATE SET last = case_counters.last + $3 RETURNING last`, w.country, y, perYear[y]).Scan(&last)
		if err != nil {
			return fmt.Errorf("scale: case counter: %w", err)
		}
		next[y] = last - perYear[y] + 1
	}
	for _, c := range b.cases {
		y := c.opened.Year()
		c.ref = fmt.Sprintf("%s-%d-%04d", w.country, y, next[y])
		next[y]++
	}
	return nil
}

// deferIndexes drops the secondary indexes of every table the load writes,
// when the store holds no case yet, and says whether it did.
func (w *writer) deferIndexes(ctx context.Context) (bool, error) {
	var one int
	err := w.db.Read().QueryRowContext(ctx, `SELECT 1 FROM cases LIMIT 1`).Scan(&one)
	if err == nil {
		return false, nil // a store with cases keeps its indexes
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("scale: %w", err)
	}
	names := []string{"helpline_contacts"}
	for _, t := range newTables() {
		names = append(names, t.name)
	}
	err = w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
		_, err := store.DeferIndexes(ctx, tx, names)
		return err
	})
	return err == nil, err
}

// maxParams keeps a statement under SQLite's 32,766 host parameters (and
// PostgreSQL's 65,535); maxRows keeps statements a size both parse fast.
const (
	maxParams = 30000
	maxRows   = 500
)

// insert writes t in multi-row INSERT statements; the full-size statement
// is prepared once per table and batch.
func (w *writer) insert(ctx context.Context, tx *store.Tx, t *table) error {
	n := t.rows()
	if n == 0 {
		return nil
	}
	per := min(maxRows, maxParams/len(t.cols))
	if n >= per {
		stmt, err := tx.PrepareContext(ctx, insertSQL(tx.Engine(), t, per))
		if err != nil {
			return fmt.Errorf("scale: prepare %s: %w", t.name, err)
		}
		defer stmt.Close()
		for ; n >= per; n -= per {
			off := (t.rows() - n) * len(t.cols)
			if _, err := stmt.ExecContext(ctx, t.args[off:off+per*len(t.cols)]...); err != nil {
				return fmt.Errorf("scale: insert %s: %w", t.name, err)
			}
		}
	}
	if n > 0 {
		off := (t.rows() - n) * len(t.cols)
		if _, err := tx.ExecContext(ctx, insertSQL(tx.Engine(), t, n), t.args[off:]...); err != nil {
			return fmt.Errorf("scale: insert %s: %w", t.name, err)
		}
	}
	return nil
}

// insertSQL writes the statement for rows rows. SQLite gets anonymous
// parameters: it looks numbered ones up by a linear search per parameter,
// which makes a 30,000-parameter statement quadratic.
func insertSQL(e store.Engine, t *table, rows int) string {
	var b strings.Builder
	if e == store.SQLite {
		b.WriteString("INSERT OR FAIL INTO ")
	} else {
		b.WriteString("INSERT INTO ")
	}
	b.WriteString(t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if e == store.SQLite {
				b.WriteByte('?')
			} else {
				b.WriteString("$" + strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// analyze refreshes the planner's statistics after a bulk load, as a
// database administrator would: PostgreSQL would get there by autovacuum in
// time, SQLite only when told. SQLite samples (analysis_limit) so a
// ten-gigabyte file takes seconds.
func (w *writer) analyze(ctx context.Context) error {
	return w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
		if tx.Engine() == store.SQLite {
			if _, err := tx.ExecContext(ctx, `PRAGMA analysis_limit = 1000`); err != nil {
				return fmt.Errorf("scale: analyze: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `ANALYZE`); err != nil {
			return fmt.Errorf("scale: analyze: %w", err)
		}
		// The generated persons carry their blocking keys and have been
		// compared with one another as far as anyone will: the duplicate
		// job starts from here instead of rescanning a million persons.
		return dedup.ScannedThrough(ctx, tx, tx.Now)
	})
}
