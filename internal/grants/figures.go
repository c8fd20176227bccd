package grants

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/report"
)

// FunderK is the threshold of primary suppression in the tables a funder
// or a provider reads: a cell of 1 to FunderK-1 persons is suppressed.
const FunderK = 5

// Dimensions of the figures' tables, each with its code list.
var (
	VictimCategories  = []string{"vot", "pvot", "other"}
	Sexes             = []string{"female", "male", "other", "unknown"}
	AgeBands          = []string{"0-11", "12-14", "15-17", "18-24", "25-34", "35-49", "50+", "unknown"}
	NationalityGroups = []string{"national", "foreign", "unknown"}
)

// FiguresQuery asks for what a contract's money bought over a period
// (YYYY-MM-DD, inclusive; empty: the contract's start to today or its end).
// Raw is honoured only for the coordinator's office.
type FiguresQuery struct {
	ContractID string
	From, To   string
	Raw        bool
	Lang       string // the language of the Translate function (BCP 47)
}

// Translate writes a catalogue key in the reader's language.
type Translate func(key string, args ...any) string

// Figures counts the persons the contract's provider served in the period
// (referral's records) and returns them as a report Document: by service
// type, by victim category, by sex, by age band and by nationality group,
// each split into new and continuing, with totals. Only counts, never a
// person; every table is protected by disclosure control (suppression of
// cells under FunderK) unless the coordinator's office asks for raw
// figures. A table that cannot be protected is refused, never shown raw.
func (s *Service) Figures(ctx context.Context, actor access.Actor, q FiguresQuery, t Translate) (*report.Document, *Contract, error) {
	sc := access.ScopeOf(actor, access.GrantFigures)
	if sc == access.None {
		return nil, nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	where, args := `k.id = $1`, []any{q.ContractID}
	if sc == access.Stats {
		// A funder: only the contracts of the calls it funds.
		where, args = where+` AND `+fundedBy("2"), append(args, actor.UserID)
	}
	ks, err := s.contracts(ctx, s.DB.Read(), where, args...)
	if err != nil {
		return nil, nil, err
	}
	if len(ks) == 0 || (sc == access.Org && ks[0].OrgID != actor.OrgID) {
		return nil, nil, errNotFound
	}
	k := ks[0]
	if q.From == "" {
		q.From = k.StartOn
	}
	if q.To == "" {
		q.To = min(k.EndOn, day(s.Clock.Now()))
	}
	if err := validDate("from", q.From, true); err != nil {
		return nil, nil, err
	}
	if err := validDate("to", q.To, true); err != nil {
		return nil, nil, err
	}
	if q.To < q.From {
		return nil, nil, errs.InvalidField("to", "validation.date_order")
	}
	if s.Counter == nil {
		return nil, nil, errs.E(errs.Unavailable, "grants.figures_unavailable")
	}
	served, err := s.Counter.ServedBy(ctx, k.OrgID, q.From, q.To)
	if err != nil {
		return nil, nil, err
	}
	pol := disclosure.Policy{Method: disclosure.Suppress, K: FunderK}
	if q.Raw && sc == access.All {
		pol = disclosure.Policy{Method: disclosure.None}
	}
	doc := &report.Document{
		Title:     t("grants.figures.title", "number", k.Number),
		Subtitle:  k.OrgName + " — " + k.Title,
		Period:    q.From + " – " + q.To,
		Generated: s.Clock.Now(),
		TimeZone:  s.loc(),
		Source:    t("grants.figures.source"),
		Definitions: []report.Definition{
			{Term: t("grants.figures.persons"), Text: t("grants.figures.def_persons")},
			{Term: t("grants.figures.new"), Text: t("grants.figures.def_new")},
		},
		Language: q.Lang,
		Labels: report.Labels{Definitions: t("stats.definitions"), Generated: t("stats.generated"), Page: t("stats.page"),
			Suppressed: t("stats.suppressed"), Notes: t("stats.notes")},
	}
	dims := figureDims()
	var note disclosure.Note
	for _, d := range dims {
		idx := map[string]int{}
		tab := report.Table{Name: d.Name, Corner: t(d.label),
			Columns: []string{t("grants.figures.new"), t("grants.figures.continuing"), t("grants.figures.total")}, RowTotal: true, ColumnTotal: true}
		for i, c := range d.Codes {
			idx[c] = i
			tab.Rows = append(tab.Rows, t(d.prefix+c))
		}
		tab.Rows = append(tab.Rows, t("grants.figures.total"))
		tab.Cells = make([][]report.Cell, len(tab.Rows))
		for i := range tab.Cells {
			tab.Cells[i] = make([]report.Cell, 3)
		}
		last := len(d.Codes)
		for _, x := range served {
			i, ok := idx[d.of(x)]
			if !ok {
				continue
			}
			j := 1
			if x.New {
				j = 0
			}
			v := float64(x.Count)
			tab.Cells[i][j].Value += v
			tab.Cells[i][2].Value += v
			tab.Cells[last][j].Value += v
			tab.Cells[last][2].Value += v
		}
		n, err := disclosure.ProtectNote(&tab, pol)
		if err != nil {
			return nil, nil, errs.E(errs.Unavailable, "grants.figures_unprotectable").Wrap(err)
		}
		note = n
		doc.Sections = append(doc.Sections, report.Section{Heading: t(d.label), Table: tab})
	}
	if txt := note.Text(func(key string, args ...any) string { return t(key, args...) }); txt != "" {
		doc.Notes = append(doc.Notes, txt)
	} else {
		doc.Notes = append(doc.Notes, t("grants.figures.raw_note"))
	}
	return doc, k, nil
}

// FigureTable names one table of the figures and its rows' codes, in the
// order of the Document's rows (a last row "total" follows them); the
// columns are new, continuing and total.
type FigureTable struct {
	Name   string
	Codes  []string
	label  string
	prefix string
	of     func(referral.Served) string
}

// FigureTables lists the tables of Figures in order.
func FigureTables() []FigureTable { return figureDims() }

func figureDims() []FigureTable {
	return []FigureTable{
		{"service_type", referral.Types, "grants.figures.by_service", "service.type.", func(x referral.Served) string { return x.ServiceType }},
		{"victim_category", VictimCategories, "grants.figures.by_category", "grants.category.", func(x referral.Served) string { return x.VictimCategory }},
		{"sex", Sexes, "grants.figures.by_sex", "grants.sex.", func(x referral.Served) string { return x.Sex }},
		{"age_band", AgeBands, "grants.figures.by_age", "grants.age.", func(x referral.Served) string { return x.AgeBand }},
		{"nationality", NationalityGroups, "grants.figures.by_nationality", "grants.nationality.", func(x referral.Served) string { return x.NationalityGroup }},
	}
}
