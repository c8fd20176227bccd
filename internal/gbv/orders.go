package gbv

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// OrderKinds are the kinds of protection order.
var OrderKinds = []string{"emergency", "ordinary"}

// Issuers are who issued an order.
var Issuers = []string{"court", "police"}

// Measures are what an order imposes on the perpetrator.
var Measures = []string{"distance", "no_contact", "leave_home", "custody", "other"}

// PoliceResponses are what the police did about a reported violation.
var PoliceResponses = []string{"arrest", "warning", "charges", "attended_no_action", "not_attended", "pending"}

// ExpiryNotice is how long before an order ends its reminder falls due.
const ExpiryNotice = 14 * 24 * time.Hour

// OrderInput is a protection order as entered.
type OrderInput struct {
	Kind     string   `json:"kind"`
	Issuer   string   `json:"issuer"`
	IssuedOn string   `json:"issued_on"`
	StartsOn string   `json:"starts_on"`
	EndsOn   string   `json:"ends_on"`
	Measures []string `json:"measures"`
	Remarks  string   `json:"remarks"`

	issued, starts, ends time.Time
}

// Validate checks an order: known kind, issuer and measures; issued not in
// the future; an end after its start.
func (in *OrderInput) Validate(now time.Time) error {
	switch {
	case in.Kind == "":
		return errs.InvalidField("kind", "validation.required")
	case !contains(OrderKinds, in.Kind):
		return errs.InvalidField("kind", "validation.invalid_choice")
	case in.Issuer == "":
		return errs.InvalidField("issuer", "validation.required")
	case !contains(Issuers, in.Issuer):
		return errs.InvalidField("issuer", "validation.invalid_choice")
	}
	var err error
	if in.issued, err = parseDate("issued_on", in.IssuedOn); err != nil {
		return err
	}
	if err := notAfterToday("issued_on", in.issued, now); err != nil {
		return err
	}
	if strings.TrimSpace(in.StartsOn) == "" {
		in.starts = in.issued
	} else if in.starts, err = parseDate("starts_on", in.StartsOn); err != nil {
		return err
	}
	if in.ends, err = parseDate("ends_on", in.EndsOn); err != nil {
		return err
	}
	if !in.ends.After(in.starts) {
		return errs.InvalidField("ends_on", "gbv.order.ends_before_start")
	}
	if len(in.Measures) == 0 {
		return errs.InvalidField("measures", "validation.required")
	}
	seen := map[string]bool{}
	var ms []string
	for _, m := range in.Measures {
		if !contains(Measures, m) {
			return errs.InvalidField("measures", "validation.invalid_choice")
		}
		if !seen[m] {
			seen[m] = true
			ms = append(ms, m)
		}
	}
	sort.Strings(ms)
	in.Measures = ms
	return checkText("remarks", &in.Remarks, false, MaxText)
}

// ProtectionOrder is a recorded protection order with its violations.
type ProtectionOrder struct {
	ID          string       `json:"id"`
	CaseID      string       `json:"case_id"`
	Kind        string       `json:"kind"`
	Issuer      string       `json:"issuer"`
	IssuedOn    time.Time    `json:"issued_on"`
	StartsOn    time.Time    `json:"starts_on"`
	EndsOn      time.Time    `json:"ends_on"`
	Measures    []string     `json:"measures"`
	Remarks     string       `json:"remarks,omitempty"`
	RecordedBy  string       `json:"recorded_by"`
	RecordedOrg string       `json:"recorded_org"`
	Violations  []*Violation `json:"violations"`
	// ReminderOn is when the expiry reminder falls due.
	ReminderOn time.Time `json:"reminder_on"`
}

// Active reports whether the order is in force at now.
func (o *ProtectionOrder) Active(now time.Time) bool {
	return !now.Before(o.StartsOn) && now.Before(o.EndsOn.Add(24*time.Hour))
}

// reminderOn is ExpiryNotice before the end, but not before tomorrow.
func reminderOn(ends, now time.Time) time.Time {
	r := ends.Add(-ExpiryNotice)
	if floor := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour); r.Before(floor) {
		r = floor
	}
	if r.After(ends) {
		r = ends
	}
	return r
}

// RecordOrder records a protection order and a reminder before it expires,
// for the recording organisation.
func (s *Service) RecordOrder(ctx context.Context, actor access.Actor, caseID string, in OrderInput) (*ProtectionOrder, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	o := &ProtectionOrder{ID: store.NewID(), Kind: in.Kind, Issuer: in.Issuer, IssuedOn: in.issued, StartsOn: in.starts,
		EndsOn: in.ends, Measures: in.Measures, Remarks: in.Remarks, RecordedBy: actor.UserID, RecordedOrg: actor.OrgID,
		ReminderOn: reminderOn(in.ends, now)}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVOrder)
		if err != nil {
			return err
		}
		o.CaseID = ref.ID
		var enc []byte
		if o.Remarks != "" {
			if enc, err = s.seal(ctx, tx, ref, "gbv_protection_orders", o.ID, "remarks", []byte(o.Remarks)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_protection_orders (id, case_id, kind, issuer, issued_on, starts_on,
			ends_on, measures, remarks_enc, recorded_by, recorded_org, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			o.ID, ref.ID, o.Kind, o.Issuer, store.T(o.IssuedOn), store.T(o.StartsOn), store.T(o.EndsOn),
			strings.Join(o.Measures, ","), enc, o.RecordedBy, o.RecordedOrg, store.T(now)); err != nil {
			return errs.Internalf("insert order: %w", err)
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.RemindOnce(ctx, tx, ref.ID, clocks.OrderExpiry, "gbv_protection_orders", o.ID, o.ReminderOn, actor.OrgID); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "gbv.order", "gbv_protection_orders", o.ID, "order.recorded:"+o.Kind)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// ViolationInput is a reported violation of an order.
type ViolationInput struct {
	OccurredOn     string `json:"occurred_on"`
	PoliceResponse string `json:"police_response"`
	Details        string `json:"details"`

	occurred time.Time
}

// Violation is a recorded violation.
type Violation struct {
	ID             string    `json:"id"`
	OrderID        string    `json:"order_id"`
	OccurredOn     time.Time `json:"occurred_on"`
	PoliceResponse string    `json:"police_response"`
	Details        string    `json:"details,omitempty"`
}

// RecordViolation records a violation of one of the case's orders.
func (s *Service) RecordViolation(ctx context.Context, actor access.Actor, caseID, orderID string, in ViolationInput) (*Violation, error) {
	now := s.Clock.Now()
	var err error
	if in.occurred, err = parseDate("occurred_on", in.OccurredOn); err != nil {
		return nil, err
	}
	if err := notAfterToday("occurred_on", in.occurred, now); err != nil {
		return nil, err
	}
	if in.PoliceResponse == "" {
		return nil, errs.InvalidField("police_response", "validation.required")
	}
	if !contains(PoliceResponses, in.PoliceResponse) {
		return nil, errs.InvalidField("police_response", "validation.invalid_choice")
	}
	if err := checkText("details", &in.Details, false, MaxText); err != nil {
		return nil, err
	}
	v := &Violation{ID: store.NewID(), OrderID: orderID, OccurredOn: in.occurred, PoliceResponse: in.PoliceResponse, Details: in.Details}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVOrder)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM gbv_protection_orders WHERE id = $1 AND case_id = $2`,
			orderID, ref.ID).Scan(&n); err != nil {
			return errs.Internalf("read order: %w", err)
		}
		if n == 0 {
			return errs.E(errs.NotFound, "gbv.order.not_found")
		}
		var enc []byte
		if v.Details != "" {
			if enc, err = s.seal(ctx, tx, ref, "gbv_order_violations", v.ID, "details", []byte(v.Details)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_order_violations (id, order_id, case_id, occurred_on, police_response,
			details_enc, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, v.ID, orderID, ref.ID,
			store.T(v.OccurredOn), v.PoliceResponse, enc, actor.UserID, store.T(now)); err != nil {
			return errs.Internalf("insert violation: %w", err)
		}
		return written(ctx, tx, actor, ref, "gbv.order_violation", "gbv_order_violations", v.ID, "order.violated:"+v.PoliceResponse)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) orders(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) ([]*ProtectionOrder, error) {
	var out []*ProtectionOrder
	byID := map[string]*ProtectionOrder{}
	err := each(ctx, q, `SELECT id, kind, issuer, issued_on, starts_on, ends_on, measures, remarks_enc, recorded_by,
		recorded_org, created_at FROM gbv_protection_orders WHERE case_id = $1 ORDER BY ends_on DESC, created_at DESC`,
		ref.ID, func(sc scanner) error {
			o := &ProtectionOrder{CaseID: ref.ID}
			var issued, starts, ends, created store.Time
			var measures string
			var enc []byte
			if err := sc.Scan(&o.ID, &o.Kind, &o.Issuer, &issued, &starts, &ends, &measures, &enc, &o.RecordedBy,
				&o.RecordedOrg, &created); err != nil {
				return err
			}
			o.IssuedOn, o.StartsOn, o.EndsOn, o.Measures = issued.Time, starts.Time, ends.Time, strings.Split(measures, ",")
			o.ReminderOn = reminderOn(o.EndsOn, created.Time)
			var err error
			o.Remarks, err = open("gbv_protection_orders", o.ID, "remarks", enc)
			out = append(out, o)
			byID[o.ID] = o
			return err
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = each(ctx, q, `SELECT id, order_id, occurred_on, police_response, details_enc FROM gbv_order_violations
		WHERE case_id = $1 ORDER BY occurred_on DESC, created_at DESC`, ref.ID, func(sc scanner) error {
		v := &Violation{}
		var on store.Time
		var enc []byte
		if err := sc.Scan(&v.ID, &v.OrderID, &on, &v.PoliceResponse, &enc); err != nil {
			return err
		}
		v.OccurredOn = on.Time
		var err error
		v.Details, err = open("gbv_order_violations", v.ID, "details", enc)
		if o := byID[v.OrderID]; o != nil {
			o.Violations = append(o.Violations, v)
		}
		return err
	})
	return out, err
}
