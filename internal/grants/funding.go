package grants

import (
	"context"
	"sort"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Funding sources of the public funding record.
var FundingSources = []string{"central", "municipal", "donor"}

// FundingInput is one line of a provider's public funding in a year.
type FundingInput struct {
	OrgID     string `json:"organisation"`
	Year      string `json:"year"`
	Source    string `json:"source"`
	Amount    string `json:"amount"`
	DailyRate string `json:"daily_rate"` // per victim and day, when paid per day of stay
	Note      string `json:"note"`
}

// Funding is one recorded line.
type Funding struct {
	ID        string `json:"id"`
	OrgID     string `json:"organisation"`
	OrgName   string `json:"organisation_name"`
	Year      int    `json:"year"`
	Source    string `json:"source"`
	Amount    int64  `json:"amount_cents"`
	DailyRate int64  `json:"daily_rate_cents"`
	Note      string `json:"note,omitempty"`
}

// FundingYear is a provider's funding in one year, by source.
type FundingYear struct {
	OrgID    string           `json:"organisation"`
	OrgName  string           `json:"organisation_name"`
	Year     int              `json:"year"`
	BySource map[string]int64 `json:"by_source"`
	Total    int64            `json:"total_cents"`
	Lines    []Funding        `json:"lines"`
}

// RecordFunding adds a line to the public funding record.
func (s *Service) RecordFunding(ctx context.Context, actor access.Actor, in FundingInput) error {
	if err := access.Check(actor, access.FundingRecord); err != nil {
		return err
	}
	if in.OrgID == "" {
		return errs.InvalidField("organisation", "validation.required")
	}
	y, err := strconv.Atoi(in.Year)
	if err != nil || y < 2000 || y > s.Clock.Now().Year()+1 {
		return errs.InvalidField("year", "grants.year_invalid")
	}
	if !contains(FundingSources, in.Source) {
		return errs.InvalidField("source", "validation.invalid_choice")
	}
	a, err := ParseEuro("amount", in.Amount, true)
	if err != nil {
		return err
	}
	if a == 0 {
		return errs.InvalidField("amount", "grants.amount_positive")
	}
	rate, err := ParseEuro("daily_rate", in.DailyRate, false)
	if err != nil {
		return err
	}
	if err := textField("note", &in.Note, 500, false); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		orgs, err := auth.OrgsByID(ctx, tx, []string{in.OrgID})
		if err != nil {
			return err
		}
		if orgs[in.OrgID] == nil {
			return errs.InvalidField("organisation", "licensing.no_such_provider")
		}
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO public_funding (id, org_id, year, source, amount_cents, daily_rate_cents,
			note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, in.OrgID, y, in.Source, a, rate,
			in.Note, actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert funding: %w", err)
		}
		return record(ctx, tx, actor, "grant.funding", "public_funding", id, "org="+in.OrgID)
	}))
}

// FundingRecord lists the public funding per provider and year, newest
// year first, each with its total by source.
func (s *Service) FundingRecord(ctx context.Context, actor access.Actor) ([]*FundingYear, error) {
	if err := access.Check(actor, access.FundingRecord); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, org_id, year, source, amount_cents, daily_rate_cents, note FROM public_funding
		ORDER BY year DESC, org_id, recorded_at`)
	if err != nil {
		return nil, errs.Internalf("read funding: %w", err)
	}
	defer rows.Close()
	byKey := map[string]*FundingYear{}
	var out []*FundingYear
	var ids []string
	for rows.Next() {
		var f Funding
		if err := rows.Scan(&f.ID, &f.OrgID, &f.Year, &f.Source, &f.Amount, &f.DailyRate, &f.Note); err != nil {
			return nil, errs.Internalf("read funding: %w", err)
		}
		key := f.OrgID + "/" + strconv.Itoa(f.Year)
		y := byKey[key]
		if y == nil {
			y = &FundingYear{OrgID: f.OrgID, Year: f.Year, BySource: map[string]int64{}}
			byKey[key] = y
			out = append(out, y)
			ids = append(ids, f.OrgID)
		}
		y.BySource[f.Source] += f.Amount
		y.Total += f.Amount
		y.Lines = append(y.Lines, f)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read funding: %w", err)
	}
	rows.Close()
	names, err := orgNames(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, y := range out {
		y.OrgName = names[y.OrgID]
		for i := range y.Lines {
			y.Lines[i].OrgName = y.OrgName
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year > out[j].Year
		}
		return out[i].OrgName < out[j].OrgName
	})
	return out, nil
}

// Providers lists the active organisations (for the coordinator's forms).
func (s *Service) Providers(ctx context.Context, actor access.Actor) ([]*auth.Org, error) {
	if !access.Can(actor, access.GrantManage) && !access.Can(actor, access.FundingRecord) {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	q := s.DB.Read()
	ids, err := auth.ActiveOrgIDs(ctx, q, "")
	if err != nil {
		return nil, err
	}
	m, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*auth.Org, 0, len(m))
	for _, id := range ids {
		if o := m[id]; o != nil {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
