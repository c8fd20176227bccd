package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// CTDCRow is one victim for the CTDC export (ura export ctdc): statistical
// fields only, as plain columns hold them — no name, no reference, no exact
// date, nothing sealed is opened.
type CTDCRow struct {
	Year                int    // year of the month the case was opened
	Sex                 string // female | male | other | unknown
	AgeBand             string // AgeBands, '' unknown
	Citizenship         string // ISO 3166-1 alpha-2, '' unknown
	ExploitationCountry string // ISO 3166-1 alpha-2, '' unknown
	Exploitation        []string
	Control             []string
}

// CTDCRows reads the export's rows for the presumed and identified victims
// (CTDC holds registered victims: possible victims not yet assessed and
// persons found not to be victims are left out) whose cases were opened in the months
// fromMonth..toMonth (YYYY-MM, inclusive; ” leaves that end open). It is
// the operator's command-line export, which runs with the store's own
// credentials; a page or API offering it must check access.CaseStats first.
// Pass a read transaction (store.DB.ReadTx) so both queries see one snapshot.
func CTDCRows(ctx context.Context, q store.Querier, fromMonth, toMonth string) ([]CTDCRow, error) {
	if toMonth == "" {
		toMonth = "9999-12"
	}
	const where = ` FROM cases c WHERE c.victim_status IN ('presumed', 'identified')
		AND c.opened_month >= $1 AND c.opened_month <= $2`
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.opened_month, c.sex, c.age_band, c.citizenship, c.exploitation_country`+
		where+` ORDER BY c.id`, fromMonth, toMonth)
	if err != nil {
		return nil, errs.Internalf("ctdc rows: %w", err)
	}
	defer rows.Close()
	var out []CTDCRow
	index := map[string]int{}
	for rows.Next() {
		var id, month string
		var r CTDCRow
		if err := rows.Scan(&id, &month, &r.Sex, &r.AgeBand, &r.Citizenship, &r.ExploitationCountry); err != nil {
			return nil, errs.Internalf("ctdc rows: %w", err)
		}
		if len(month) >= 4 {
			for _, d := range month[:4] {
				r.Year = r.Year*10 + int(d-'0')
			}
		}
		index[id] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("ctdc rows: %w", err)
	}
	codes, err := q.QueryContext(ctx, `SELECT cc.case_id, cc.field, cc.code FROM case_codes cc
		WHERE cc.field IN ('exploitation', 'control') AND cc.case_id IN (SELECT c.id`+where+`)
		ORDER BY cc.case_id, cc.field, cc.code`, fromMonth, toMonth)
	if err != nil {
		return nil, errs.Internalf("ctdc codes: %w", err)
	}
	defer codes.Close()
	for codes.Next() {
		var id, field, code string
		if err := codes.Scan(&id, &field, &code); err != nil {
			return nil, errs.Internalf("ctdc codes: %w", err)
		}
		i, ok := index[id]
		if !ok {
			continue // opened or changed between the two reads
		}
		if field == FieldExploitation {
			out[i].Exploitation = append(out[i].Exploitation, code)
		} else {
			out[i].Control = append(out[i].Control, code)
		}
	}
	if err := codes.Err(); err != nil {
		return nil, errs.Internalf("ctdc codes: %w", err)
	}
	return out, nil
}
