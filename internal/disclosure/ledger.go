package disclosure

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// Audiences a table is released to. The coordinator's office (Office) may
// receive raw tables; every other audience only protected ones.
const (
	Office  = "office"
	Analyst = "analyst"
	Partner = "partner"
	Public  = "public"
)

// Audiences lists them, least to most open.
var Audiences = []string{Office, Analyst, Partner, Public}

// DefaultYearBudget is the ε a report family may spend per year when the
// Ledger names no other: 1.0 in total, whatever the number of tables, so
// that all the noisy tables of one report about one year together give
// ε = 1 differential privacy (sequential composition) — a common choice for
// official statistics, e.g. ten tables of ε = 0.1 each.
const DefaultYearBudget = 1.0

// Ledger records releases and keeps the yearly privacy budget.
type Ledger struct {
	// Budgets is the ε per year of each report family; a family missing
	// here gets Default (and DefaultYearBudget when Default is 0).
	Budgets map[string]float64
	Default float64
}

// Release is one table leaving the coordinator's office.
type Release struct {
	ID       string
	At       time.Time // set from the transaction's clock
	By       string    // user id
	Report   string    // report family: greta, eurostat, tip, plan, dashboard, ...
	Table    string    // the table's stable name (report.Table.Name)
	Period   string    // the period the table counts, e.g. 2026-01-01/2026-12-31
	Audience string    // office | analyst | partner | public
	Policy   Policy
	Year     int // the year whose budget is charged (usually the period's year)
}

// Budget returns the yearly ε of a report family.
func (l Ledger) Budget(report string) float64 {
	if b, ok := l.Budgets[report]; ok {
		return b
	}
	if l.Default > 0 {
		return l.Default
	}
	return DefaultYearBudget
}

func micro(e float64) int64 { return int64(math.Round(e * 1e6)) }

func fromMicro(m int64) float64 { return float64(m) / 1e6 }

func version(p Policy) string {
	if p.Method == None {
		return "raw"
	}
	return "protected"
}

// Record writes the release in tx, after checking it: a known audience, raw
// tables to the office only, never the raw and a protected version of one
// table (report, table, period) to the same audience, and for a Noise
// release its ε within what is left of the report's budget for r.Year. A
// refusal is an *Error (CodeBadRelease, CodeRawAndProtected, CodeOverBudget,
// or the policy's own codes); the caller returns it from InTx so nothing of
// the refused release is kept.
func (l Ledger) Record(ctx context.Context, tx *store.Tx, r Release) (Release, error) {
	p, err := Check(r.Policy)
	if err != nil {
		return r, err
	}
	r.Policy = p
	switch {
	case r.Report == "":
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "report"}}
	case r.Table == "":
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "table"}}
	case r.Period == "":
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "period"}}
	case r.By == "":
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "by"}}
	case r.Year < 1900 || r.Year > 9999:
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "year"}}
	case !inList(Audiences, r.Audience):
		return r, &Error{Code: CodeBadRelease, Args: []any{"field", "audience"}}
	case p.Method == None && r.Audience != Office:
		return r, &Error{Code: CodeRawOutsideOffice, Args: []any{"audience", r.Audience}}
	}
	r.ID, r.At = store.NewID(), tx.Now

	// One version per table and audience: the first release fixes it.
	if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_exposures (report, table_name, period, audience, version, first_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		r.Report, r.Table, r.Period, r.Audience, version(p), store.T(r.At)); err != nil {
		return r, fmt.Errorf("disclosure: record exposure: %w", err)
	}
	var have string
	if err := tx.QueryRowContext(ctx, `SELECT version FROM disclosure_exposures
		WHERE report = $1 AND table_name = $2 AND period = $3 AND audience = $4`,
		r.Report, r.Table, r.Period, r.Audience).Scan(&have); err != nil {
		return r, fmt.Errorf("disclosure: read exposure: %w", err)
	}
	if have != version(p) {
		return r, &Error{Code: CodeRawAndProtected, Args: []any{"table", r.Table, "report", r.Report,
			"period", r.Period, "audience", r.Audience, "previous", have}}
	}

	var eps int64
	if p.Method == Noise {
		eps = micro(p.Epsilon)
		budget := micro(l.Budget(r.Report))
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_budgets (report, year, spent_micro)
			VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, r.Report, r.Year); err != nil {
			return r, fmt.Errorf("disclosure: budget row: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE disclosure_budgets SET spent_micro = spent_micro + $1
			WHERE report = $2 AND year = $3 AND spent_micro + $1 <= $4`, eps, r.Report, r.Year, budget)
		if err != nil {
			return r, fmt.Errorf("disclosure: charge budget: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return r, fmt.Errorf("disclosure: charge budget: %w", err)
		} else if n == 0 {
			spent, err := l.spent(ctx, tx, r.Report, r.Year)
			if err != nil {
				return r, err
			}
			return r, &Error{Code: CodeOverBudget, Args: []any{"epsilon", formatEpsilon(p.Epsilon),
				"report", r.Report, "year", strconv.Itoa(r.Year), "budget", formatEpsilon(l.Budget(r.Report)),
				"left", formatEpsilon(fromMicro(max(budget-spent, 0)))}}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_releases (id, released_at, released_by, report, table_name,
		period, audience, method, k, base, epsilon_micro, charged_year)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, store.T(r.At), r.By, r.Report, r.Table, r.Period, r.Audience, string(p.Method),
		releaseK(p), releaseBase(p), eps, r.Year); err != nil {
		return r, fmt.Errorf("disclosure: record release: %w", err)
	}
	return r, nil
}

func releaseK(p Policy) int {
	if p.Method == Suppress {
		return p.K
	}
	return 0
}

func releaseBase(p Policy) int {
	if p.Method == Round {
		return p.Base
	}
	return 0
}

func (l Ledger) spent(ctx context.Context, q store.Querier, report string, year int) (int64, error) {
	var s int64
	err := q.QueryRowContext(ctx, `SELECT spent_micro FROM disclosure_budgets WHERE report = $1 AND year = $2`,
		report, year).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("disclosure: read budget: %w", err)
	}
	return s, nil
}

// Spent returns the ε a report family has spent for a year.
func (l Ledger) Spent(ctx context.Context, q store.Querier, report string, year int) (float64, error) {
	s, err := l.spent(ctx, q, report, year)
	return fromMicro(s), err
}

// Left returns the ε a report family may still spend for a year.
func (l Ledger) Left(ctx context.Context, q store.Querier, report string, year int) (float64, error) {
	s, err := l.spent(ctx, q, report, year)
	if err != nil {
		return 0, err
	}
	return fromMicro(max(micro(l.Budget(report))-s, 0)), nil
}

// Releases lists a report family's releases charged to a year, oldest first.
func (l Ledger) Releases(ctx context.Context, q store.Querier, report string, year int) ([]Release, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, released_at, released_by, table_name, period, audience, method,
		k, base, epsilon_micro FROM disclosure_releases WHERE report = $1 AND charged_year = $2
		ORDER BY released_at, id`, report, year)
	if err != nil {
		return nil, fmt.Errorf("disclosure: list releases: %w", err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		r := Release{Report: report, Year: year}
		var at store.Time
		var method string
		var eps int64
		if err := rows.Scan(&r.ID, &at, &r.By, &r.Table, &r.Period, &r.Audience, &method,
			&r.Policy.K, &r.Policy.Base, &eps); err != nil {
			return nil, fmt.Errorf("disclosure: list releases: %w", err)
		}
		r.At, r.Policy.Method, r.Policy.Epsilon = at.Time, Method(method), fromMicro(eps)
		out = append(out, r)
	}
	return out, rows.Err()
}

func inList(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Releases records whole documents' releases in the ledger: every table of
// one document in one transaction, so that a refused table (over budget,
// raw and protected) keeps none of the document's records.
type Releases struct {
	DB     *store.DB
	Clock  interface{ Now() time.Time }
	Ledger Ledger
}

// Record writes rs, all or nothing.
func (r Releases) Record(ctx context.Context, rs []Release) error {
	if len(rs) == 0 {
		return nil
	}
	return r.DB.InTx(ctx, r.Clock.Now(), func(tx *store.Tx) error {
		for _, rel := range rs {
			if _, err := r.Ledger.Record(ctx, tx, rel); err != nil {
				return err
			}
		}
		return nil
	})
}
