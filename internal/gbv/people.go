package gbv

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// MinMotherAge is the least age a survivor can have been at a dependant
// child's birth: a dependant born earlier is refused as a typing error.
const MinMotherAge = 12

// DependantInput is a dependant (a child) on a survivor's case.
type DependantInput struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	// CSWInformed is when the Centre for Social Work was informed
	// (YYYY-MM-DD); empty when not yet.
	CSWInformed string `json:"csw_informed"`
	Needs       string `json:"needs"`

	born, informed time.Time
}

// Dependant is a recorded dependant.
type Dependant struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Name        string    `json:"name"`
	BirthDate   string    `json:"birth_date"`
	Needs       string    `json:"needs,omitempty"`
	IsChild     bool      `json:"is_child"`
	CSWInformed time.Time `json:"csw_informed,omitzero"`
}

type dependantContent struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	Needs     string `json:"needs,omitempty"`
}

// AddDependant records a dependant on the case; a child's own
// child-protection needs go with it.
func (s *Service) AddDependant(ctx context.Context, actor access.Actor, caseID string, in DependantInput) (*Dependant, error) {
	now := s.Clock.Now()
	if err := checkText("name", &in.Name, true, 200); err != nil {
		return nil, err
	}
	if err := checkText("needs", &in.Needs, false, MaxText); err != nil {
		return nil, err
	}
	var err error
	if in.born, err = parseDate("birth_date", in.BirthDate); err != nil {
		return nil, err
	}
	if err := notAfterToday("birth_date", in.born, now); err != nil {
		return nil, err
	}
	if in.CSWInformed != "" {
		if in.informed, err = parseDate("csw_informed", in.CSWInformed); err != nil {
			return nil, err
		}
		if err := notAfterToday("csw_informed", in.informed, now); err != nil {
			return nil, err
		}
	}
	d := &Dependant{ID: store.NewID(), Name: in.Name, BirthDate: in.born.Format("2006-01-02"), Needs: in.Needs,
		IsChild: in.born.AddDate(18, 0, 0).After(now), CSWInformed: in.informed}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVRecord)
		if err != nil {
			return err
		}
		d.CaseID = ref.ID
		if y, err := cases.SurvivorBirthYear(ctx, tx, s.Vault, ref.ID); err != nil {
			return err
		} else if y > 0 && in.born.Year() < y+MinMotherAge {
			return errs.InvalidField("birth_date", "gbv.dependant.too_old").With(map[string]any{"year": strconv.Itoa(y + MinMotherAge)})
		}
		b, _ := json.Marshal(dependantContent{Name: d.Name, BirthDate: d.BirthDate, Needs: d.Needs})
		enc, err := s.seal(ctx, tx, ref, "gbv_dependants", d.ID, "content", b)
		if err != nil {
			return err
		}
		informed := ""
		if !d.CSWInformed.IsZero() {
			informed = d.CSWInformed.Format("2006-01-02")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_dependants (id, case_id, content_enc, is_child, csw_informed,
			recorded_by, recorded_org, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, ref.ID, enc,
			store.Bool(d.IsChild), informed, actor.UserID, actor.OrgID, store.T(now)); err != nil {
			return errs.Internalf("insert dependant: %w", err)
		}
		return written(ctx, tx, actor, ref, "gbv.dependant", "gbv_dependants", d.ID, "dependant.added")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DependantIDs returns the ids of a case's dependants, for referral to
// check the dependants admitted with a survivor (in the caller's
// transaction; the caller has authorized its actor on the case).
func (s *Service) DependantIDs(ctx context.Context, q store.Querier, caseID string) (map[string]bool, error) {
	out := map[string]bool{}
	err := each(ctx, q, `SELECT id FROM gbv_dependants WHERE case_id = $1`, caseID, func(sc scanner) error {
		var id string
		err := sc.Scan(&id)
		out[id] = true
		return err
	})
	if err != nil {
		return nil, errs.Internalf("dependants: %w", err)
	}
	return out, nil
}

func (s *Service) dependants(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) ([]*Dependant, error) {
	var out []*Dependant
	err := each(ctx, q, `SELECT id, content_enc, is_child, csw_informed FROM gbv_dependants WHERE case_id = $1
		ORDER BY created_at, id`, ref.ID, func(sc scanner) error {
		d := &Dependant{CaseID: ref.ID}
		var enc []byte
		var child int
		var informed string
		if err := sc.Scan(&d.ID, &enc, &child, &informed); err != nil {
			return err
		}
		d.IsChild = child == 1
		if informed != "" {
			d.CSWInformed, _ = time.Parse("2006-01-02", informed)
		}
		text, err := open("gbv_dependants", d.ID, "content", enc)
		if err != nil {
			return err
		}
		var c dependantContent
		if err := json.Unmarshal([]byte(text), &c); err != nil {
			return err
		}
		d.Name, d.BirthDate, d.Needs = c.Name, c.BirthDate, c.Needs
		out = append(out, d)
		return nil
	})
	return out, err
}

// Relationships are a perpetrator's relationship to the survivor.
var Relationships = []string{"partner", "former_partner", "parent", "child", "sibling", "other_family", "acquaintance",
	"stranger", "other"}

// PerpetratorInput is only what protection needs about a perpetrator.
type PerpetratorInput struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	InHousehold  bool   `json:"in_household"`
	Weapons      bool   `json:"weapons"`
	// OrderStatus: none | applied | in_force | expired.
	OrderStatus string `json:"order_status"`
}

// OrderStatuses are the protection-order statuses of a perpetrator.
var OrderStatuses = []string{"none", "applied", "in_force", "expired"}

// Perpetrator is a recorded perpetrator (sealed as one value).
type Perpetrator struct {
	ID string `json:"id"`
	PerpetratorInput
}

// AddPerpetrator records a perpetrator: every field sealed, never exported.
func (s *Service) AddPerpetrator(ctx context.Context, actor access.Actor, caseID string, in PerpetratorInput) (*Perpetrator, error) {
	if err := checkText("name", &in.Name, true, 200); err != nil {
		return nil, err
	}
	if in.Relationship == "" {
		return nil, errs.InvalidField("relationship", "validation.required")
	}
	if !contains(Relationships, in.Relationship) {
		return nil, errs.InvalidField("relationship", "validation.invalid_choice")
	}
	if in.OrderStatus == "" {
		in.OrderStatus = "none"
	}
	if !contains(OrderStatuses, in.OrderStatus) {
		return nil, errs.InvalidField("order_status", "validation.invalid_choice")
	}
	p := &Perpetrator{ID: store.NewID(), PerpetratorInput: in}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVPerpetratorWrite)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(in)
		enc, err := s.seal(ctx, tx, ref, "gbv_perpetrators", p.ID, "content", b)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_perpetrators (id, case_id, content_enc, recorded_by, recorded_org,
			created_at) VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, ref.ID, enc, actor.UserID, actor.OrgID, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert perpetrator: %w", err)
		}
		// The timeline says only that one was recorded: the team roles that
		// may not see perpetrators read the timeline too.
		return written(ctx, tx, actor, ref, "gbv.perpetrator", "gbv_perpetrators", p.ID, "perpetrator.recorded")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) perpetrators(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) ([]*Perpetrator, error) {
	var out []*Perpetrator
	err := each(ctx, q, `SELECT id, content_enc FROM gbv_perpetrators WHERE case_id = $1 ORDER BY created_at, id`, ref.ID,
		func(sc scanner) error {
			p := &Perpetrator{}
			var enc []byte
			if err := sc.Scan(&p.ID, &enc); err != nil {
				return err
			}
			text, err := open("gbv_perpetrators", p.ID, "content", enc)
			if err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(text), &p.PerpetratorInput); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	return out, err
}
