package gbv

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
)

// RiskLevel is a DV risk level. It is not the trafficking risk level of
// internal/plans (low/medium/high, which drives placement).
type RiskLevel string

// The DV risk levels, lowest first.
const (
	RiskStandard RiskLevel = "standard"
	RiskMedium   RiskLevel = "medium"
	RiskHigh     RiskLevel = "high"
)

// RiskLevels lists the levels, lowest first.
var RiskLevels = []RiskLevel{RiskStandard, RiskMedium, RiskHigh}

func (l RiskLevel) rank() int {
	for i, v := range RiskLevels {
		if v == l {
			return i
		}
	}
	return -1
}

// QuestionSet is a versioned DV risk question set, shaped like the DASH
// risk identification checklist: yes/no questions, a score (the yes
// answers) and thresholds. The wording is Ura's own; each question's text
// is the catalogue key "gbv.risk.q.<id>". A recorded assessment names the
// version it was made with, so a later set never changes an old score.
type QuestionSet struct {
	Version string
	IDs     []string
	// Medium and High are the least scores giving those levels.
	Medium, High int
}

// DefaultQuestions is the question set in use: 24 questions, 14 or more
// yes answers high risk, 10 to 13 medium, fewer standard.
var DefaultQuestions = &QuestionSet{Version: "dv-2026.1", Medium: 10, High: 14, IDs: []string{
	"injured", "frightened", "fears_what", "isolated", "depressed", "separation", "child_conflict", "stalking",
	"pregnant", "children_other", "children_hurt", "escalating", "getting_worse", "controlling", "weapons", "kill_threat",
	"strangled", "sexual", "others_threatened", "animals", "money", "substances", "suicide_threat", "breached_orders",
}}

// Score counts the yes answers.
func Score(answers map[string]bool) int {
	n := 0
	for _, yes := range answers {
		if yes {
			n++
		}
	}
	return n
}

// Level is the level a score gives under the set's thresholds.
func (qs *QuestionSet) Level(score int) RiskLevel {
	switch {
	case score >= qs.High:
		return RiskHigh
	case score >= qs.Medium:
		return RiskMedium
	}
	return RiskStandard
}

func (s *Service) questions() *QuestionSet {
	if s.Questions != nil {
		return s.Questions
	}
	return DefaultQuestions
}

// RiskInput is a DV risk assessment as entered: the yes answers by
// question id (an absent id is no or not known), and the professional's
// judgement, which may raise the level the score gives, with a reason.
type RiskInput struct {
	Yes        []string  `json:"yes"`
	Judgement  RiskLevel `json:"judgement"`
	Reason     string    `json:"reason"`
	AssessedOn string    `json:"assessed_on"`

	answers  map[string]bool
	assessed time.Time
}

// Validate checks an assessment against the set.
func (in *RiskInput) Validate(qs *QuestionSet, now time.Time) error {
	in.answers = map[string]bool{}
	for _, id := range in.Yes {
		if !contains(qs.IDs, id) {
			return errs.InvalidField("yes", "validation.invalid_choice")
		}
		in.answers[id] = true
	}
	if in.Judgement != "" && in.Judgement.rank() < 0 {
		return errs.InvalidField("judgement", "validation.invalid_choice")
	}
	if err := checkText("reason", &in.Reason, false, MaxText); err != nil {
		return err
	}
	scored := qs.Level(Score(in.answers))
	if in.Judgement.rank() > scored.rank() && in.Reason == "" {
		return errs.InvalidField("reason", "gbv.risk.reason_required")
	}
	if in.Judgement != "" && in.Judgement.rank() < scored.rank() {
		return errs.InvalidField("judgement", "gbv.risk.no_lowering")
	}
	var err error
	if strings.TrimSpace(in.AssessedOn) == "" {
		in.assessed = now.UTC().Truncate(24 * time.Hour)
	} else if in.assessed, err = parseDate("assessed_on", in.AssessedOn); err != nil {
		return err
	}
	return notAfterToday("assessed_on", in.assessed, now)
}

// RiskAssessment is a recorded DV risk assessment.
type RiskAssessment struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Version     string    `json:"set_version"`
	Yes         []string  `json:"yes"`
	Score       int       `json:"score"`
	Scored      RiskLevel `json:"scored_level"`
	Level       RiskLevel `json:"level"`
	Raised      bool      `json:"raised"`
	Reason      string    `json:"reason,omitempty"`
	AssessedOn  time.Time `json:"assessed_on"`
	AssessedBy  string    `json:"assessed_by"`
	AssessedOrg string    `json:"assessed_org"`
	// Alerted lists the organisations alerted (high risk), ConferenceDue the
	// multi-agency case conference task's date.
	Alerted       []string  `json:"alerted,omitempty"`
	ConferenceDue time.Time `json:"conference_due,omitzero"`
}

// ConferenceWithin is how soon a multi-agency case conference is due after
// a high-risk assessment.
const ConferenceWithin = 7 * 24 * time.Hour

// AssessRisk scores a DV risk assessment and records it. A high level (by
// score or by judgement) alerts the organisations the setting names, in the
// same transaction, and schedules a multi-agency case conference.
func (s *Service) AssessRisk(ctx context.Context, actor access.Actor, caseID string, in RiskInput) (*RiskAssessment, error) {
	now := s.Clock.Now()
	qs := s.questions()
	if err := in.Validate(qs, now); err != nil {
		return nil, err
	}
	r := &RiskAssessment{ID: store.NewID(), Version: qs.Version, Score: Score(in.answers), AssessedOn: in.assessed,
		AssessedBy: actor.UserID, AssessedOrg: actor.OrgID, Reason: in.Reason}
	r.Scored, r.Level = qs.Level(r.Score), qs.Level(r.Score)
	if in.Judgement.rank() > r.Scored.rank() {
		r.Level, r.Raised = in.Judgement, true
	}
	var bits strings.Builder
	for _, id := range qs.IDs {
		if in.answers[id] {
			bits.WriteByte('y')
			r.Yes = append(r.Yes, id)
		} else {
			bits.WriteByte('n')
		}
	}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVAssess)
		if err != nil {
			return err
		}
		r.CaseID = ref.ID
		var enc []byte
		if r.Reason != "" {
			if enc, err = s.seal(ctx, tx, ref, "gbv_risk_assessments", r.ID, "reason", []byte(r.Reason)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_risk_assessments (id, case_id, set_version, answers, score,
			scored_level, level, raised, reason_enc, assessed_on, assessed_by, assessed_org, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, r.ID, ref.ID, r.Version, bits.String(), r.Score,
			string(r.Scored), string(r.Level), store.Bool(r.Raised), enc, store.T(r.AssessedOn), r.AssessedBy, r.AssessedOrg,
			store.T(now)); err != nil {
			return errs.Internalf("insert dv risk: %w", err)
		}
		if err := markGBV(ctx, tx, ref.ID); err != nil {
			return err
		}
		if r.Level == RiskHigh {
			if err := s.highRisk(ctx, tx, ref, r); err != nil {
				return err
			}
		}
		return written(ctx, tx, actor, ref, "gbv.risk_assessed", "gbv_risk_assessments", r.ID, "risk.assessed:"+string(r.Level))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// highRisk alerts the configured organisations and schedules the case
// conference, in the assessment's transaction.
func (s *Service) highRisk(ctx context.Context, tx *store.Tx, ref *cases.Ref, r *RiskAssessment) error {
	orgs, err := AlertOrgs(ctx, tx)
	if err != nil {
		return err
	}
	if s.Notify != nil {
		for _, org := range orgs {
			if err := s.Notify.Notify(ctx, tx, notify.Notification{OrgID: org, Kind: string(notify.GBVHighRisk),
				ObjectType: "case", ObjectID: ref.ID, CaseRef: ref.Reference}); err != nil {
				return err
			}
			r.Alerted = append(r.Alerted, org)
		}
	}
	if s.Clocks != nil {
		t, err := s.Clocks.Schedule(ctx, tx, ref.ID, clocks.CaseConference, "gbv_risk_assessments", r.ID,
			tx.Now.Add(ConferenceWithin), r.AssessedOrg)
		if err != nil {
			return err
		}
		r.ConferenceDue = t.DueAt
	}
	return nil
}

// AlertOrgs reads the organisations alerted on high risk.
func AlertOrgs(ctx context.Context, q store.Querier) ([]string, error) {
	v, _, err := store.Setting(ctx, q, AlertSetting)
	if err != nil {
		return nil, errs.Internalf("gbv alert setting: %w", err)
	}
	var out []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out, nil
}

// SetAlertOrgs names the organisations alerted on a high DV risk (the
// police unit, the coordinator's office); the administrator sets it.
func (s *Service) SetAlertOrgs(ctx context.Context, actor access.Actor, orgIDs []string, orgs interface {
	FindOrgByID(ctx context.Context, actor access.Actor, id string) (*auth.Org, error)
}) error {
	if !actor.System && actor.Role != access.Admin {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	for _, id := range orgIDs {
		if _, err := orgs.FindOrgByID(ctx, access.SystemActor, id); err != nil {
			return errs.InvalidField("org", "gbv.alert_org_unknown").Wrap(err)
		}
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		return store.PutSetting(ctx, tx, AlertSetting, strings.Join(orgIDs, ","))
	})
}

func (s *Service) risks(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) ([]*RiskAssessment, error) {
	var out []*RiskAssessment
	err := each(ctx, q, `SELECT id, set_version, answers, score, scored_level, level, raised, reason_enc, assessed_on,
		assessed_by, assessed_org FROM gbv_risk_assessments WHERE case_id = $1 ORDER BY assessed_on DESC, created_at DESC`,
		ref.ID, func(sc scanner) error {
			r := &RiskAssessment{CaseID: ref.ID}
			var bits string
			var raised int
			var enc []byte
			var on store.Time
			if err := sc.Scan(&r.ID, &r.Version, &bits, &r.Score, &r.Scored, &r.Level, &raised, &enc, &on,
				&r.AssessedBy, &r.AssessedOrg); err != nil {
				return err
			}
			r.Raised, r.AssessedOn = raised == 1, on.Time
			qs := DefaultQuestions
			for i := 0; i < len(bits) && i < len(qs.IDs); i++ {
				if bits[i] == 'y' {
					r.Yes = append(r.Yes, qs.IDs[i])
				}
			}
			var err error
			r.Reason, err = open("gbv_risk_assessments", r.ID, "reason", enc)
			out = append(out, r)
			return err
		})
	return out, err
}
