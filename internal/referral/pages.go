package referral

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// The referral inbox in pages and the counts of the home pages. A page is
// read newest first after a cursor (the last referral of the page before),
// so the thousandth page of a police unit's inbox costs what the first
// does; the counts read the same indexes as the lists they link to.

// PageSize is how many referrals a page of the inbox shows.
const PageSize = 50

// Page is one page of a list of referrals.
type Page struct {
	Referrals []*Referral
	// Older is the cursor of the next page (the last referral's id), empty
	// on the last page.
	Older string
	// Total is how many referrals match, counted up to 10,001.
	Total int
}

// FindReferralPage lists the referrals of f (direction and state; the
// offset is ignored) newest first, the page after the referral before (an
// id from Page.Older; empty for the first page). Lists carry no reasons.
func (s *Service) FindReferralPage(ctx context.Context, actor access.Actor, f ReferralFilter, before string) (*Page, error) {
	if err := access.Check(actor, access.ReferralView); err != nil {
		return nil, err
	}
	if f.State != nil && !contains(States, *f.State) {
		return nil, errs.InvalidField("state", "validation.invalid_choice")
	}
	where, args, err := referralWhere(actor, f)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = PageSize
	}
	p := &Page{}
	if p.Total, err = s.countReferrals(ctx, where, args); err != nil {
		return nil, err
	}
	// newestFirst names the list's order column in a range, so that
	// SQLite, without statistics, reads the index that leads with the
	// organisation and then created_at and stops after a page, instead of
	// another index on the organisation and a sort of its every referral
	// (7.8 s for a shelter with 366,000 at a million cases; 1 ms).
	page, pargs := where+newestFirst, append([]any(nil), args...)
	if before != "" {
		var created string
		err := s.DB.Read().QueryRowContext(ctx, `SELECT r.created_at FROM referrals r WHERE `+where+
			` AND r.id = $`+strconv.Itoa(len(args)+1), append(append([]any(nil), args...), before)...).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errs.InvalidField("before", "referrals.err.page")
		}
		if err != nil {
			return nil, errs.Internalf("referral page: %w", err)
		}
		n := len(pargs)
		page += ` AND (r.created_at < $` + strconv.Itoa(n+1) + ` OR (r.created_at = $` + strconv.Itoa(n+1) +
			` AND r.id < $` + strconv.Itoa(n+2) + `))`
		pargs = append(pargs, created, before)
	}
	list, err := s.referralPage(ctx, page, pargs, `r.created_at DESC, r.id DESC`, limit+1, 0)
	if err != nil {
		return nil, err
	}
	if len(list) > limit {
		list = list[:limit]
		p.Older = list[limit-1].ID
	}
	p.Referrals = list
	return p, nil
}

// CountReferrals counts the referrals of f (direction, state, overdue), up
// to 10,001: the "referrals waiting" of a home page.
func (s *Service) CountReferrals(ctx context.Context, actor access.Actor, f ReferralFilter) (int, error) {
	if err := access.Check(actor, access.ReferralView); err != nil {
		return 0, err
	}
	where, args, err := referralWhere(actor, f)
	if err != nil {
		return 0, err
	}
	return s.countReferrals(ctx, where, args)
}

// MaxStayCases bounds the people listed as staying in one organisation's
// shelters: more than any shelter has beds.
const MaxStayCases = 2000

// OpenStayCases returns the cases of the people staying now in the
// actor's organisation's shelters (open stays), for the case list's "in
// our shelter now" filter. Only the cases' ids leave this package; the
// case list checks the actor's scope on each.
func (s *Service) OpenStayCases(ctx context.Context, actor access.Actor) ([]string, error) {
	if err := access.Check(actor, access.StayRecord); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT st.case_id FROM stays st
		WHERE st.service_id IN (SELECT sv.id FROM services sv WHERE sv.org_id = $1) AND st.discharged_at IS NULL
		ORDER BY st.case_id LIMIT `+strconv.Itoa(MaxStayCases), actor.OrgID)
	if err != nil {
		return nil, errs.Internalf("open stays: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Internalf("open stays: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("open stays: %w", err)
	}
	return out, nil
}
