package referral

import (
	"context"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// Served is one combination of the persons a provider served in a period,
// for a funder's report (grants, R3.2): codes and a count, never a case.
type Served struct {
	ServiceType      string
	VictimCategory   string // vot (identified) | pvot (possible, presumed) | other
	Sex              string
	AgeBand          string
	NationalityGroup string // national | foreign | unknown
	New              bool   // the person's service began in the period
	Count            int64
}

// ServedBy counts the persons a provider's organisation served in a period
// (from, to: YYYY-MM-DD, inclusive), once per person and service type: a
// referral to it accepted (or completed) and still running on or after
// from, or a service delivered in the period. New means the person's first
// referral or delivery of that type at this provider that runs in the
// period began in it; otherwise (a referral accepted before the period and
// still running) it continues from before. A service that ended before the
// period is not looked at: a person whose earlier service ended and who
// was referred again in the period counts as new. It trusts its caller (grants checks
// the actor and protects the counts before a funder sees them).
func (s *Service) ServedBy(ctx context.Context, orgID, from, to string) ([]Served, error) {
	q := s.DB.Read()
	hi := to + "T99" // after every time of the last day
	rows, err := q.QueryContext(ctx, `SELECT case_id, service_type, MIN(b) FROM (
			SELECT case_id, service_type, answered_at AS b FROM referrals
			WHERE to_org = $1 AND answered_at <= $2 AND state IN ('accepted', 'completed')
				AND (completed_at IS NULL OR completed_at >= $3)
			UNION ALL
			SELECT case_id, service_type, delivered_on AS b FROM services_delivered
			WHERE org_id = $1 AND delivered_on >= $3 AND delivered_on <= $4
		) x GROUP BY case_id, service_type`, orgID, hi, from, to)
	if err != nil {
		return nil, errs.Internalf("count served: %w", err)
	}
	type pair struct {
		caseID, typ string
		isNew       bool
	}
	var pairs []pair
	var ids []string
	seen := map[string]bool{}
	for rows.Next() {
		var p pair
		var first string
		if err := rows.Scan(&p.caseID, &p.typ, &first); err != nil {
			rows.Close()
			return nil, errs.Internalf("count served: %w", err)
		}
		p.isNew = first >= from
		pairs = append(pairs, p)
		if !seen[p.caseID] {
			seen[p.caseID] = true
			ids = append(ids, p.caseID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("count served: %w", err)
	}
	fields, err := s.Cases.StatFieldsOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	idx := map[Served]int64{}
	for _, p := range pairs {
		f := fields[p.caseID]
		cat := "other"
		switch f.Status {
		case cases.StatusIdentified:
			cat = "vot"
		case cases.StatusPossible, cases.StatusPresumed:
			cat = "pvot"
		}
		sex := f.Sex
		if sex == "" {
			sex = "unknown"
		}
		band := f.AgeBand
		if band == "" {
			band = "unknown"
		}
		k := Served{ServiceType: p.typ, VictimCategory: cat, Sex: sex, AgeBand: band, NationalityGroup: f.NationalityGroup, New: p.isNew}
		if k.NationalityGroup == "" {
			k.NationalityGroup = "unknown"
		}
		idx[k]++
	}
	out := make([]Served, 0, len(idx))
	for k, n := range idx {
		k.Count = n
		out = append(out, k)
	}
	return out, nil
}
