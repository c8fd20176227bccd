package cases

import (
	"context"
	"slices"
	"strings"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// StatFields are the statistical columns of a case that other capabilities
// count by (grants' "what the money bought", through referral): codes only,
// never a person's data.
type StatFields struct {
	Status           Status // victim status
	Sex              string
	AgeBand          string
	NationalityGroup string // national | foreign | unknown (citizenship against the instance's country)
}

// statBatch is how many cases StatFieldsOf reads per query. SQLite numbers
// a statement's $N parameters by searching the names it has seen, so the
// preparation grows with the square of the ids per query: at a million
// cases the funder's report took 1.05–1.21 s with 100 a query, 1.19–1.57 s
// with 500 and 1.70–1.83 s with 2,000 (docs/benchmarks.md, "Grants").
// PostgreSQL keeps 500: fewer round trips.
func statBatch(e store.Engine) int {
	if e == store.SQLite {
		return 100
	}
	return 500
}

// StatFieldsOf reads the statistical columns of the given cases, a hundred
// or a few hundred per query, in id order (neighbouring ids share pages of the
// covering index cases_stat_fields, migration 0026). It trusts its caller,
// which counts and never shows a case.
func (s *Service) StatFieldsOf(ctx context.Context, q store.Querier, caseIDs []string) (map[string]StatFields, error) {
	out := make(map[string]StatFields, len(caseIDs))
	caseIDs = slices.Sorted(slices.Values(caseIDs))
	hint := store.IndexedBy(s.DB.Engine, "cases_stat_fields")
	batch := statBatch(s.DB.Engine)
	for lo := 0; lo < len(caseIDs); lo += batch {
		ids := caseIDs[lo:min(lo+batch, len(caseIDs))]
		m, args := idMarks(ids, 1)
		rows, err := q.QueryContext(ctx, `SELECT id, victim_status, sex, age_band, citizenship FROM cases`+hint+` WHERE id IN (`+m+`)`, args...)
		if err != nil {
			return nil, errs.Internalf("read case fields: %w", err)
		}
		for rows.Next() {
			var id, st, sex, band, cit string
			if err := rows.Scan(&id, &st, &sex, &band, &cit); err != nil {
				rows.Close()
				return nil, errs.Internalf("read case fields: %w", err)
			}
			g := "unknown"
			switch {
			case cit == "":
			case strings.EqualFold(cit, s.Country):
				g = "national"
			default:
				g = "foreign"
			}
			out[id] = StatFields{Status: Status(st), Sex: sex, AgeBand: band, NationalityGroup: g}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Internalf("read case fields: %w", err)
		}
	}
	return out, nil
}
