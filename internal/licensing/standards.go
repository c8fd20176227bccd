package licensing

import (
	"context"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// StandardSet is one version of a minimum-standards checklist: areas, each
// with its standards. The texts are catalogue keys (licensing.area.CODE,
// licensing.std.CODE), so the checklist reads in every language; a new
// version is a new entry of Sets, and inspections keep the version they
// were made against.
type StandardSet struct {
	ID      string // set-version, stored with each inspection
	Set     string // msvot
	Version string
	Areas   []Area
}

// Area groups standards.
type Area struct {
	Code      string
	Standards []string
}

// Codes lists every standard of the set in order.
func (s *StandardSet) Codes() []string {
	var out []string
	for _, a := range s.Areas {
		out = append(out, a.Standards...)
	}
	return out
}

// Sets are the checklists, newest first. The wording is Ura's own summary
// of the areas the Minimum Standards of Care for Victims of Trafficking
// cover; the legal text is the ministry's.
var Sets = []*StandardSet{{
	ID: "msvot-2026-1", Set: "msvot", Version: "2026-1",
	Areas: []Area{
		{Code: "admission", Standards: []string{"admission_consent", "admission_assessment"}},
		{Code: "safety", Standards: []string{"safety_security", "safety_plan"}},
		{Code: "care", Standards: []string{"care_plan", "care_health", "care_child"}},
		{Code: "staff", Standards: []string{"staff_qualified", "staff_ratio"}},
		{Code: "rights", Standards: []string{"rights_confidentiality", "rights_complaints"}},
		{Code: "premises", Standards: []string{"premises_standard"}},
	},
}}

// SetByID returns a checklist version.
func SetByID(id string) *StandardSet {
	for _, s := range Sets {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// The findings of one standard.
const (
	Met    = "met"
	Partly = "partly"
	NotMet = "not_met"
)

// Results lists them.
var Results = []string{Met, Partly, NotMet}

// ItemInput is one standard's finding as the inspector records it.
type ItemInput struct {
	Result           string `json:"result"`
	Evidence         string `json:"evidence"`
	CorrectiveAction string `json:"corrective_action"`
	DueOn            string `json:"due_on"`
}

// InspectionInput is an inspection against one checklist version.
type InspectionInput struct {
	OrgID       string               `json:"organisation"`
	Set         string               `json:"standard_set"`
	InspectedOn string               `json:"inspected_on"`
	Items       map[string]ItemInput `json:"items"`
}

// Item is one finding as shown.
type Item struct {
	Code             string `json:"standard"`
	Area             string `json:"area"`
	Result           string `json:"result"`
	Evidence         string `json:"evidence,omitempty"`
	CorrectiveAction string `json:"corrective_action,omitempty"`
	DueOn            string `json:"due_on,omitempty"`
	DoneOn           string `json:"done_on,omitempty"`
	Overdue          bool   `json:"overdue"`
}

// Inspection is one inspection with its findings.
type Inspection struct {
	ID          string  `json:"id"`
	OrgID       string  `json:"organisation"`
	OrgName     string  `json:"organisation_name"`
	Set         string  `json:"standard_set"`
	InspectedOn string  `json:"inspected_on"`
	Items       []*Item `json:"items"`
	Met         int     `json:"met"`
	Partly      int     `json:"partly"`
	NotMet      int     `json:"not_met"`
}

// validate checks every standard of the set, each error beside its field
// (std-CODE-result, -action, -due).
func (in *InspectionInput) validate(set *StandardSet) error {
	if in.OrgID == "" {
		return errs.InvalidField("organisation", "validation.required")
	}
	if err := validDate("inspected_on", in.InspectedOn, true); err != nil {
		return err
	}
	for code := range in.Items {
		if !contains(set.Codes(), code) {
			return errs.InvalidField("items", "licensing.unknown_standard")
		}
	}
	for _, code := range set.Codes() {
		it := in.Items[code]
		f := "std-" + code
		if !contains(Results, it.Result) {
			return errs.InvalidField(f+"-result", "licensing.result_required")
		}
		if err := textField(f+"-evidence", &it.Evidence, 2000, false); err != nil {
			return err
		}
		if err := textField(f+"-action", &it.CorrectiveAction, 2000, it.Result != Met); err != nil {
			if it.Result != Met && it.CorrectiveAction == "" {
				return errs.InvalidField(f+"-action", "licensing.action_required")
			}
			return err
		}
		if it.Result == Met {
			it.CorrectiveAction, it.DueOn = "", ""
		} else {
			if err := validDate(f+"-due", it.DueOn, true); err != nil {
				return err
			}
			if it.DueOn <= in.InspectedOn {
				return errs.InvalidField(f+"-due", "licensing.due_after_inspection")
			}
		}
		in.Items[code] = it
	}
	return nil
}

// RecordInspection stores an inspection and its findings in one
// transaction: every standard of the checklist version must have a
// finding, and every one not fully met a corrective action and its due
// date; otherwise nothing is stored.
func (s *Service) RecordInspection(ctx context.Context, actor access.Actor, in InspectionInput) (*Inspection, error) {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return nil, err
	}
	set := SetByID(in.Set)
	if set == nil {
		return nil, errs.InvalidField("standard_set", "validation.invalid_choice")
	}
	if in.Items == nil {
		in.Items = map[string]ItemInput{}
	}
	if err := in.validate(set); err != nil {
		return nil, err
	}
	id := store.NewID()
	err := s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		orgs, err := auth.OrgsByID(ctx, tx, []string{in.OrgID})
		if err != nil {
			return err
		}
		if orgs[in.OrgID] == nil {
			return errs.InvalidField("organisation", "licensing.no_such_provider")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspections (id, org_id, standard_set, inspected_on, inspector, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, in.OrgID, set.ID, in.InspectedOn, actor.UserID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert inspection: %w", err)
		}
		for _, code := range set.Codes() {
			it := in.Items[code]
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_items (inspection_id, standard_code, result, evidence,
				corrective_action, due_on) VALUES ($1, $2, $3, $4, $5, $6)`, id, code, it.Result, it.Evidence,
				it.CorrectiveAction, it.DueOn); err != nil {
				return errs.Internalf("insert finding: %w", err)
			}
		}
		return record(ctx, tx, actor, "licence.inspect", "inspection", id, "org="+in.OrgID+",set="+set.ID)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.Inspection(ctx, actor, id)
}

// CompleteAction records that a corrective action was carried out.
func (s *Service) CompleteAction(ctx context.Context, actor access.Actor, inspectionID, code, doneOn string) error {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return err
	}
	if err := validDate("done_on", doneOn, true); err != nil {
		return err
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE inspection_items SET done_on = $1 WHERE inspection_id = $2 AND standard_code = $3
			AND result <> 'met'`, doneOn, inspectionID, code)
		if err != nil {
			return errs.Internalf("update finding: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound
		}
		return record(ctx, tx, actor, "licence.action_done", "inspection", inspectionID, "standard="+code)
	}))
}

func areaOf(set *StandardSet, code string) string {
	if set == nil {
		return ""
	}
	for _, a := range set.Areas {
		if contains(a.Standards, code) {
			return a.Code
		}
	}
	return ""
}

// Inspection returns one inspection the actor may see.
func (s *Service) Inspection(ctx context.Context, actor access.Actor, id string) (*Inspection, error) {
	ins, err := s.inspections(ctx, `i.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ins) == 0 || access.CheckOrg(actor, access.LicenceView, ins[0].OrgID) != nil {
		return nil, errNotFound
	}
	return ins[0], nil
}

// Inspections lists the inspections the actor may see, newest first.
func (s *Service) Inspections(ctx context.Context, actor access.Actor) ([]*Inspection, error) {
	sc := access.ScopeOf(actor, access.LicenceView)
	switch sc {
	case access.None:
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	case access.All:
		return s.inspections(ctx, `$1 = ''`, "")
	}
	return s.inspections(ctx, `i.org_id = $1`, actor.OrgID)
}

func (s *Service) inspections(ctx context.Context, where string, arg string) ([]*Inspection, error) {
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.org_id, i.standard_set, i.inspected_on, t.standard_code, t.result, t.evidence,
		t.corrective_action, t.due_on, t.done_on FROM inspections i JOIN inspection_items t ON t.inspection_id = i.id
		WHERE `+where+` ORDER BY i.inspected_on DESC, i.id`, arg)
	if err != nil {
		return nil, errs.Internalf("read inspections: %w", err)
	}
	defer rows.Close()
	day := today(s.Clock.Now())
	var out []*Inspection
	byID := map[string]*Inspection{}
	for rows.Next() {
		var id, org, set string
		var in string
		it := &Item{}
		if err := rows.Scan(&id, &org, &set, &in, &it.Code, &it.Result, &it.Evidence, &it.CorrectiveAction, &it.DueOn,
			&it.DoneOn); err != nil {
			return nil, errs.Internalf("read inspections: %w", err)
		}
		ins := byID[id]
		if ins == nil {
			ins = &Inspection{ID: id, OrgID: org, Set: set, InspectedOn: in}
			byID[id] = ins
			out = append(out, ins)
		}
		it.Overdue = it.Result != Met && it.DoneOn == "" && it.DueOn < day
		it.Area = areaOf(SetByID(set), it.Code)
		switch it.Result {
		case Met:
			ins.Met++
		case Partly:
			ins.Partly++
		default:
			ins.NotMet++
		}
		ins.Items = append(ins.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read inspections: %w", err)
	}
	// The checklist's order, not the codes' alphabetical one.
	for _, ins := range out {
		if set := SetByID(ins.Set); set != nil {
			order := map[string]int{}
			for i, c := range set.Codes() {
				order[c] = i
			}
			items := make([]*Item, len(ins.Items))
			copy(items, ins.Items)
			for _, it := range ins.Items {
				if i, ok := order[it.Code]; ok && i < len(items) {
					items[i] = it
				}
			}
			ins.Items = items
		}
	}
	ids := make([]string, 0, len(out))
	for _, i := range out {
		ids = append(ids, i.OrgID)
	}
	orgs, err := auth.OrgsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, i := range out {
		if o := orgs[i.OrgID]; o != nil {
			i.OrgName = o.Name
		}
	}
	return out, nil
}

// Reminder is one thing the licensing office must act on soon.
type Reminder struct {
	Kind    string `json:"kind"` // licence_expiring | licence_expired | action_due | action_overdue
	OrgID   string `json:"organisation"`
	OrgName string `json:"organisation_name"`
	Ref     string `json:"ref"`  // the licence number or the standard's code
	Date    string `json:"date"` // the expiry or due date
	Link    string `json:"-"`
}

// Reminders lists licences expiring within ExpiryWarningDays or expired
// (and not replaced by another licence in force), and corrective actions
// due within 14 days or overdue, soonest first.
func (s *Service) Reminders(ctx context.Context, actor access.Actor) ([]Reminder, error) {
	ls, err := s.List(ctx, actor)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	day, soon := today(now), today(now.AddDate(0, 0, ExpiryWarningDays))
	active := map[string]bool{}
	for _, l := range ls {
		if l.Effective == StatusActive && l.ValidUntil > soon {
			active[l.OrgID] = true
		}
	}
	var out []Reminder
	for _, l := range ls {
		if l.Status != StatusActive || active[l.OrgID] {
			continue
		}
		switch {
		case l.Effective == StatusExpired:
			out = append(out, Reminder{Kind: "licence_expired", OrgID: l.OrgID, OrgName: l.OrgName, Ref: l.Number, Date: l.ValidUntil, Link: "/licensing#licences"})
		case l.ValidUntil <= soon:
			out = append(out, Reminder{Kind: "licence_expiring", OrgID: l.OrgID, OrgName: l.OrgName, Ref: l.Number, Date: l.ValidUntil, Link: "/licensing#licences"})
		}
	}
	ins, err := s.Inspections(ctx, actor)
	if err != nil {
		return nil, err
	}
	actSoon := today(now.AddDate(0, 0, 14))
	for _, i := range ins {
		for _, it := range i.Items {
			if it == nil || it.Result == Met || it.DoneOn != "" || it.DueOn > actSoon {
				continue
			}
			k := "action_due"
			if it.DueOn < day {
				k = "action_overdue"
			}
			out = append(out, Reminder{Kind: k, OrgID: i.OrgID, OrgName: i.OrgName, Ref: it.Code, Date: it.DueOn, Link: "/licensing/inspections/" + i.ID})
		}
	}
	sortReminders(out)
	return out, nil
}

func sortReminders(r []Reminder) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].Date < r[j-1].Date; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// Providers lists the organisations a licence may be given to (for the
// coordinator's form): every active organisation.
func (s *Service) Providers(ctx context.Context, actor access.Actor) ([]*auth.Org, error) {
	if err := access.Check(actor, access.LicenceManage); err != nil {
		return nil, err
	}
	ids, err := auth.ActiveOrgIDs(ctx, s.DB.Read(), "")
	if err != nil {
		return nil, err
	}
	m, err := auth.OrgsByID(ctx, s.DB.Read(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]*auth.Org, 0, len(m))
	for _, id := range ids {
		if o := m[id]; o != nil {
			out = append(out, o)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.ToLower(out[j].Name) < strings.ToLower(out[j-1].Name); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}
