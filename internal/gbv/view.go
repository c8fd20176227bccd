package gbv

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// View is everything GBV holds for a case, for its page. Perpetrators are
// filled only for the roles that may see them (gbv.perpetrator_read).
type View struct {
	Incidents    []*Incident        `json:"incidents"`
	Risks        []*RiskAssessment  `json:"risk_assessments"`
	SafetyPlan   *SafetyPlan        `json:"safety_plan"`
	Orders       []*ProtectionOrder `json:"protection_orders"`
	Dependants   []*Dependant       `json:"dependants"`
	Perpetrators []*Perpetrator     `json:"perpetrators,omitempty"`
	ShowPerp     bool               `json:"-"`
}

type opener func(table, id, field string, enc []byte) (string, error)

// View returns a case's GBV records, audited as one read.
func (s *Service) View(ctx context.Context, actor access.Actor, caseID string) (*View, error) {
	q := s.DB.Read()
	ref, err := s.Cases.Authorize(ctx, q, actor, caseID, access.GBVRead)
	if err != nil {
		return nil, err
	}
	if err := s.Vault.Warm(ctx, q, ref.KeyID); err != nil {
		return nil, errs.Internalf("gbv key: %w", err)
	}
	open := func(table, id, field string, enc []byte) (string, error) {
		if enc == nil {
			return "", nil
		}
		b, err := s.Vault.Open(ctx, q, ref.KeyID, vault.AAD{Table: table, Row: id, Field: field}, enc)
		return string(b), err
	}
	v := &View{}
	if v.Incidents, err = s.incidents(ctx, q, ref, open); err == nil {
		if v.Risks, err = s.risks(ctx, q, ref, open); err == nil {
			if v.SafetyPlan, err = s.safetyPlan(ctx, q, ref, open); err == nil {
				if v.Orders, err = s.orders(ctx, q, ref, open); err == nil {
					v.Dependants, err = s.dependants(ctx, q, ref, open)
				}
			}
		}
	}
	if err != nil {
		return nil, errs.Internalf("gbv view: %w", err)
	}
	detail := ""
	if _, perr := s.Cases.Authorize(ctx, q, actor, ref.ID, access.GBVPerpetratorRead); perr == nil {
		v.ShowPerp = true
		if v.Perpetrators, err = s.perpetrators(ctx, q, ref, open); err != nil {
			return nil, errs.Internalf("gbv perpetrators: %w", err)
		}
		detail = "perpetrators"
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "gbv.read",
		ObjectType: "case", ObjectID: ref.Reference, Detail: detail}); err != nil {
		return nil, errs.Internalf("audit gbv read: %w", err)
	}
	return v, nil
}

type scanner interface{ Scan(...any) error }

// each runs f over the rows of a query with one argument.
func each(ctx context.Context, q store.Querier, query string, arg any, f func(scanner) error) error {
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
