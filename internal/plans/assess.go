package plans

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// RiskInput is a risk assessment as entered. NextDueOn defaults by level.
type RiskInput struct {
	Level      Level  `json:"level"`
	Threats    string `json:"threats"`
	AssessedOn string `json:"assessed_on"`
	NextDueOn  string `json:"next_due_on"`

	assessed, next time.Time
}

// Validate checks a risk assessment made at now.
func (in *RiskInput) Validate(now time.Time) error {
	if _, ok := reassessAfter[in.Level]; !ok {
		if in.Level == "" {
			return errs.InvalidField("level", "validation.required")
		}
		return errs.InvalidField("level", "validation.invalid_choice")
	}
	if err := checkText("threats", &in.Threats, true); err != nil {
		return err
	}
	var err error
	if in.assessed, err = parseDate("assessed_on", in.AssessedOn, now); err != nil {
		return err
	}
	if in.assessed.After(now.Add(24 * time.Hour)) {
		return errs.InvalidField("assessed_on", "validation.date_future")
	}
	if in.next, err = parseDate("next_due_on", in.NextDueOn, in.assessed.Add(reassessAfter[in.Level])); err != nil {
		return err
	}
	if !in.next.After(in.assessed) {
		return errs.InvalidField("next_due_on", "validation.date_order")
	}
	return nil
}

// RiskAssessment is a recorded risk assessment.
type RiskAssessment struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Level       Level     `json:"level"`
	Threats     string    `json:"threats,omitempty"`
	AssessedOn  time.Time `json:"assessed_on"`
	NextDueOn   time.Time `json:"next_due_on"`
	AssessedBy  string    `json:"assessed_by"`
	AssessedOrg string    `json:"assessed_org"`
}

// AssessRisk records a risk assessment, mirrors its level on the case, and
// schedules the re-assessment for the assessing organisation.
func (s *Service) AssessRisk(ctx context.Context, actor access.Actor, caseID string, in RiskInput) (*RiskAssessment, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	r := &RiskAssessment{ID: store.NewID(), Level: in.Level, Threats: in.Threats, AssessedOn: in.assessed,
		NextDueOn: in.next, AssessedBy: actor.UserID, AssessedOrg: actor.OrgID}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.AssessmentRecord)
		if err != nil {
			return err
		}
		r.CaseID = ref.ID
		enc, err := seal(ctx, s.Vault, tx, ref, "risk_assessments", r.ID, "threats", r.Threats)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_assessments (id, case_id, level, assessed_on, assessed_by,
			assessed_org, threats_enc, next_due_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, ref.ID, string(r.Level), store.T(r.AssessedOn), r.AssessedBy, r.AssessedOrg, enc, store.T(r.NextDueOn), store.T(now)); err != nil {
			return errs.Internalf("insert risk: %w", err)
		}
		if s.SetRiskLevel != nil {
			if err := s.SetRiskLevel(ctx, tx, ref.ID, string(r.Level)); err != nil {
				return err
			}
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.RiskReassessment(ctx, tx, ref.ID, r.ID, r.NextDueOn, actor.OrgID); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "plan.risk_assessed", "risk_assessments", r.ID, "risk.assessed:"+string(r.Level))
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return r, nil
}

// LatestRisk returns the level of a case's latest risk assessment ("" if
// none), for placement decisions and access restrictions by other
// capabilities, which have authorized their actor already.
func (s *Service) LatestRisk(ctx context.Context, q store.Querier, caseID string) (Level, error) {
	var level string
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT level FROM risk_assessments WHERE case_id = $1
		ORDER BY assessed_on DESC, created_at DESC LIMIT 1), '')`, caseID).Scan(&level)
	if err != nil {
		return "", errs.Internalf("latest risk: %w", err)
	}
	return Level(level), nil
}

// NeedsInput is a needs assessment as entered: codes from Needs.
type NeedsInput struct {
	Needs      []string `json:"needs"`
	Remarks    string   `json:"remarks"`
	AssessedOn string   `json:"assessed_on"`

	assessed time.Time
}

// Validate checks a needs assessment and sorts and de-duplicates its codes.
func (in *NeedsInput) Validate(now time.Time) error {
	if len(in.Needs) == 0 {
		return errs.InvalidField("needs", "validation.required")
	}
	seen := map[string]bool{}
	var codes []string
	for _, n := range in.Needs {
		if !contains(Needs, n) {
			return errs.InvalidField("needs", "validation.invalid_choice")
		}
		if !seen[n] {
			seen[n] = true
			codes = append(codes, n)
		}
	}
	sort.Strings(codes)
	in.Needs = codes
	if err := checkText("remarks", &in.Remarks, false); err != nil {
		return err
	}
	var err error
	if in.assessed, err = parseDate("assessed_on", in.AssessedOn, now); err != nil {
		return err
	}
	if in.assessed.After(now.Add(24 * time.Hour)) {
		return errs.InvalidField("assessed_on", "validation.date_future")
	}
	return nil
}

// NeedsAssessment is a recorded needs assessment.
type NeedsAssessment struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Needs       []string  `json:"needs"`
	Remarks     string    `json:"remarks,omitempty"`
	AssessedOn  time.Time `json:"assessed_on"`
	AssessedBy  string    `json:"assessed_by"`
	AssessedOrg string    `json:"assessed_org"`
}

// AssessNeeds records a needs assessment.
func (s *Service) AssessNeeds(ctx context.Context, actor access.Actor, caseID string, in NeedsInput) (*NeedsAssessment, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	n := &NeedsAssessment{ID: store.NewID(), Needs: in.Needs, Remarks: in.Remarks, AssessedOn: in.assessed,
		AssessedBy: actor.UserID, AssessedOrg: actor.OrgID}
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.AssessmentRecord)
		if err != nil {
			return err
		}
		n.CaseID = ref.ID
		var enc []byte
		if n.Remarks != "" {
			if enc, err = seal(ctx, s.Vault, tx, ref, "needs_assessments", n.ID, "remarks", n.Remarks); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO needs_assessments (id, case_id, needs, assessed_on, assessed_by,
			assessed_org, remarks_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, n.ID, ref.ID,
			strings.Join(n.Needs, ","), store.T(n.AssessedOn), n.AssessedBy, n.AssessedOrg, enc, store.T(now)); err != nil {
			return errs.Internalf("insert needs: %w", err)
		}
		return written(ctx, tx, actor, ref, "plan.needs_assessed", "needs_assessments", n.ID, "needs.assessed")
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return n, nil
}
