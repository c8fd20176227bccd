package referral

import (
	"context"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
)

// ServiceFilter selects services; each non-nil field adds one condition.
type ServiceFilter struct {
	Type         *string
	OrgID        *string
	Municipality *string
	Language     *string
	Query        *string // part of the name, any case
	ActiveOnly   bool
	Offset       int
	Limit        int
}

// MaxLimit caps one page of a list.
const MaxLimit = 500

// FindServices lists the directory, by type and name, with the total.
// Locations are never part of a list.
func (s *Service) FindServices(ctx context.Context, actor access.Actor, f ServiceFilter) ([]*Offering, int, error) {
	if err := access.Check(actor, access.ServiceView); err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	add := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Type != nil {
		if !contains(Types, *f.Type) {
			return nil, 0, errs.InvalidField("type", "validation.invalid_choice")
		}
		where = append(where, "s.type = "+add(*f.Type))
	}
	if f.OrgID != nil {
		where = append(where, "s.org_id = "+add(*f.OrgID))
	}
	if f.Municipality != nil {
		where = append(where, "s.municipality = "+add(*f.Municipality))
	}
	if f.Language != nil {
		if !langRE.MatchString(strings.ToLower(*f.Language)) {
			return nil, 0, errs.InvalidField("language", "validation.invalid")
		}
		where = append(where, "(',' || s.languages || ',') LIKE "+add("%,"+strings.ToLower(*f.Language)+",%"))
	}
	if f.Query != nil && strings.TrimSpace(*f.Query) != "" {
		q := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(strings.TrimSpace(*f.Query)))
		where = append(where, "LOWER(s.name) LIKE "+add("%"+q+"%")+` ESCAPE '\'`)
	}
	if f.ActiveOnly {
		providers, err := activeProviderSQL(ctx, s.DB.Read(), "s.org_id", add)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "s.active = 1 AND "+providers)
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+serviceColumns+`, COUNT(*) OVER()
		FROM services s`+w+` ORDER BY s.type, s.name, s.id
		LIMIT `+add(f.Limit)+` OFFSET `+add(max(0, f.Offset)), args...)
	if err != nil {
		return nil, 0, errs.Internalf("find services: %w", err)
	}
	var out []*Offering
	total := 0
	for rows.Next() {
		o, err := scanService(rows, &total)
		if err != nil {
			rows.Close()
			return nil, 0, errs.Internalf("find services: %w", err)
		}
		o.locationKey, o.locationEnc = "", nil
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Internalf("find services: %w", err)
	}
	if err := nameProviders(ctx, s.DB.Read(), out); err != nil {
		return nil, 0, err
	}
	if err := s.licences(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// licences fills each offering's licence status when licensing is wired.
func (s *Service) licences(ctx context.Context, list []*Offering) error {
	if s.LicenceStatus == nil || len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.OrgID
	}
	st, err := s.LicenceStatus(ctx, s.DB.Read(), ids, s.Clock.Now().UTC().Format("2006-01-02"))
	if err != nil {
		return err
	}
	for _, o := range list {
		o.Licence = st[o.OrgID]
	}
	return nil
}
