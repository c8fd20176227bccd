package cases

import (
	"context"
	"slices"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The monthly aggregates (case_month_counts, case_month_forms): every
// change to a case's statistical columns moves the case from its old
// combination to its new one in the same transaction (restat), so the
// statistics read small rows per month instead of every case. RecountStats
// rebuilds them from the cases (the bulk generator, which writes rows
// directly, calls it), and a test proves the kept counts equal a recount.

// statKey is where one case is counted.
type statKey struct {
	month, municipality, status, sex, band, citizenship, stage, institution string
	child                                                                   int
	forms                                                                   []string // '' when none
}

func readStatKey(ctx context.Context, tx *store.Tx, caseID string) (*statKey, error) {
	k := &statKey{}
	err := tx.QueryRowContext(ctx, `SELECT c.opened_month, c.municipality, c.victim_status, c.sex, c.age_band, c.is_child,
		c.citizenship, c.stage, COALESCE((SELECT MIN(d.decision_org_type) FROM identification_decisions d
			WHERE d.case_id = c.id AND d.status = 'identified'), '')
		FROM cases c WHERE c.id = $1`, caseID).Scan(&k.month, &k.municipality, &k.status, &k.sex, &k.band, &k.child,
		&k.citizenship, &k.stage, &k.institution)
	if err != nil {
		return nil, errs.Internalf("stat key: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT code FROM case_codes WHERE case_id = $1 AND field = 'exploitation' ORDER BY code`, caseID)
	if err != nil {
		return nil, errs.Internalf("stat key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, errs.Internalf("stat key: %w", err)
		}
		k.forms = append(k.forms, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("stat key: %w", err)
	}
	if len(k.forms) == 0 {
		k.forms = []string{""}
	}
	return k, nil
}

// addStat adds d (1 or -1) to the counts of k.
func addStat(ctx context.Context, tx *store.Tx, k *statKey, d int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_month_counts (opened_month, municipality, victim_status, sex, age_band,
		is_child, citizenship, stage, institution, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution)
		DO UPDATE SET n = case_month_counts.n + excluded.n`,
		k.month, k.municipality, k.status, k.sex, k.band, k.child, k.citizenship, k.stage, k.institution, d); err != nil {
		return errs.Internalf("case counts: %w", err)
	}
	for _, f := range k.forms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_month_forms (opened_month, municipality, victim_status, sex, is_child, code, n)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (opened_month, municipality, victim_status, sex, is_child, code)
			DO UPDATE SET n = case_month_forms.n + excluded.n`,
			k.month, k.municipality, k.status, k.sex, k.child, f, d); err != nil {
			return errs.Internalf("case form counts: %w", err)
		}
	}
	if d < 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_month_counts WHERE n = 0 AND opened_month = $1 AND municipality = $2
			AND victim_status = $3 AND sex = $4 AND age_band = $5 AND is_child = $6 AND citizenship = $7 AND stage = $8 AND institution = $9`,
			k.month, k.municipality, k.status, k.sex, k.band, k.child, k.citizenship, k.stage, k.institution); err != nil {
			return errs.Internalf("case counts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_month_forms WHERE n = 0 AND opened_month = $1 AND municipality = $2
			AND victim_status = $3 AND sex = $4 AND is_child = $5`, k.month, k.municipality, k.status, k.sex, k.child); err != nil {
			return errs.Internalf("case form counts: %w", err)
		}
	}
	return nil
}

func (k *statKey) equal(o *statKey) bool {
	return k.month == o.month && k.municipality == o.municipality && k.status == o.status && k.sex == o.sex &&
		k.band == o.band && k.child == o.child && k.citizenship == o.citizenship && k.stage == o.stage &&
		k.institution == o.institution && slices.Equal(k.forms, o.forms)
}

// moveStat moves case caseID's count from before (read with readStatKey
// before the change) to where it stands now.
func moveStat(ctx context.Context, tx *store.Tx, caseID string, before *statKey) error {
	after, err := readStatKey(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if before.equal(after) {
		return nil
	}
	if err := addStat(ctx, tx, before, -1); err != nil {
		return err
	}
	if err := addStat(ctx, tx, after, 1); err != nil {
		return err
	}
	return moveCoarse(ctx, tx, before, after)
}

// countNew counts a case just registered in tx.
func countNew(ctx context.Context, tx *store.Tx, caseID string) error {
	k, err := readStatKey(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if err := addStat(ctx, tx, k, 1); err != nil {
		return err
	}
	return addCoarse(ctx, tx, k, 1)
}

// RecountStats rebuilds the monthly aggregates from the cases, and the
// coarse ones (stats_coarse.go) from those. The bulk
// generator, which writes cases directly, calls it when it is done.
func RecountStats(ctx context.Context, tx *store.Tx) error {
	for _, q := range []string{`DELETE FROM case_month_counts`, `DELETE FROM case_month_forms`,
		`INSERT INTO case_month_counts (opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution, n)
		SELECT opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution, COUNT(*) FROM (
			SELECT c.opened_month, c.municipality, c.victim_status, c.sex, c.age_band, c.is_child, c.citizenship, c.stage,
				COALESCE((SELECT MIN(d.decision_org_type) FROM identification_decisions d
					WHERE d.case_id = c.id AND d.status = 'identified'), '') AS institution
			FROM cases c) x
		GROUP BY opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution`,
		`INSERT INTO case_month_forms (opened_month, municipality, victim_status, sex, is_child, code, n)
		SELECT c.opened_month, c.municipality, c.victim_status, c.sex, c.is_child, COALESCE(k.code, ''), COUNT(*)
		FROM cases c LEFT JOIN case_codes k ON k.case_id = c.id AND k.field = 'exploitation'
		GROUP BY c.opened_month, c.municipality, c.victim_status, c.sex, c.is_child, COALESCE(k.code, '')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Internalf("recount case statistics: %w", err)
		}
	}
	return recountCoarse(ctx, tx)
}
