package gbv

import (
	"context"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Contexts are the case contexts, recorded apart from the type (GBVIMS).
var Contexts = []string{"intimate_partner", "family_member", "child_sexual_abuse", "early_forced_marriage",
	"sexual_exploitation", "trafficking", "other"}

// PlaceTypes are where an incident happened.
var PlaceTypes = []string{"home", "perpetrator_home", "other_home", "street", "workplace", "school", "online",
	"institution", "other"}

// Reporters are who reported an incident.
var Reporters = []string{"survivor", "family_member", "neighbour", "police", "health", "school", "social_services",
	"helpline", "other"}

// IncidentInput is an incident as entered: one survivor (the case's person).
type IncidentInput struct {
	OccurredOn     string  `json:"occurred_on"`
	PlaceType      string  `json:"place_type"`
	Answers        Answers `json:"answers"`
	Context        string  `json:"context"`
	ReportedBy     string  `json:"reported_by"`
	ReportedPolice bool    `json:"reported_to_police"`
	ReportedHealth bool    `json:"reported_to_health"`
	// Account is what happened in the survivor's words (sealed).
	Account string `json:"account"`

	occurred time.Time
}

// Validate checks an incident recorded at now: a date that is not in the
// future, known codes, the account within bounds.
func (in *IncidentInput) Validate(now time.Time) error {
	var err error
	if in.occurred, err = parseDate("occurred_on", in.OccurredOn); err != nil {
		return err
	}
	if err := notAfterToday("occurred_on", in.occurred, now); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		list    []string
	}{{"place_type", in.PlaceType, PlaceTypes}, {"context", in.Context, Contexts}, {"reported_by", in.ReportedBy, Reporters}} {
		if f.v == "" {
			return errs.InvalidField(f.name, "validation.required")
		}
		if !contains(f.list, f.v) {
			return errs.InvalidField(f.name, "validation.invalid_choice")
		}
	}
	return checkText("account", &in.Account, false, MaxText)
}

// Incident is a recorded incident with its type and why.
type Incident struct {
	ID             string      `json:"id"`
	CaseID         string      `json:"case_id"`
	OccurredOn     time.Time   `json:"occurred_on"`
	PlaceType      string      `json:"place_type"`
	Answers        Answers     `json:"answers"`
	Type           Type        `json:"type"`
	Explanation    Explanation `json:"-"`
	Context        string      `json:"context"`
	ReportedBy     string      `json:"reported_by"`
	ReportedPolice bool        `json:"reported_to_police"`
	ReportedHealth bool        `json:"reported_to_health"`
	Account        string      `json:"account,omitempty"`
	RecordedBy     string      `json:"recorded_by"`
	RecordedOrg    string      `json:"recorded_org"`
	CreatedAt      time.Time   `json:"created_at"`
}

// answerBits writes the six answers as 0/1 in the rule's order.
func answerBits(a Answers) string {
	b := []byte("000000")
	for i, on := range []bool{a.Penetration, a.SexualContact, a.PhysicalAssault, a.ForcedMarriage, a.DenialOfResources, a.PsychologicalAbuse} {
		if on {
			b[i] = '1'
		}
	}
	return string(b)
}

func parseBits(s string) Answers {
	on := func(i int) bool { return len(s) > i && s[i] == '1' }
	return Answers{Penetration: on(0), SexualContact: on(1), PhysicalAssault: on(2), ForcedMarriage: on(3),
		DenialOfResources: on(4), PsychologicalAbuse: on(5)}
}

// RecordIncident classifies an incident by the GBVIMS rule and records it on
// the case with the survivor's statistical fields, making the case a GBV
// case if it was not one. Nothing is written when any check fails.
func (s *Service) RecordIncident(ctx context.Context, actor access.Actor, caseID string, in IncidentInput) (*Incident, error) {
	now := s.Clock.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	exp := Explain(in.Answers)
	inc := &Incident{ID: store.NewID(), OccurredOn: in.occurred, PlaceType: in.PlaceType, Answers: in.Answers,
		Type: exp.Type, Explanation: exp, Context: in.Context, ReportedBy: in.ReportedBy, ReportedPolice: in.ReportedPolice,
		ReportedHealth: in.ReportedHealth, Account: in.Account, RecordedBy: actor.UserID, RecordedOrg: actor.OrgID, CreatedAt: now}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.GBVRecord)
		if err != nil {
			return err
		}
		inc.CaseID = ref.ID
		f, err := cases.FactsOf(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		var enc []byte
		if inc.Account != "" {
			if enc, err = s.seal(ctx, tx, ref, "gbv_incidents", inc.ID, "account", []byte(inc.Account)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gbv_incidents (id, case_id, occurred_on, month, place_type, answers,
			gbv_type, context, reported_by, reported_police, reported_health, age_band, sex, municipality, account_enc,
			recorded_by, recorded_org, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			inc.ID, ref.ID, store.T(inc.OccurredOn), inc.OccurredOn.Format("2006-01"), inc.PlaceType, answerBits(inc.Answers),
			string(inc.Type), inc.Context, inc.ReportedBy, store.Bool(inc.ReportedPolice), store.Bool(inc.ReportedHealth),
			f.AgeBand, f.Sex, f.Municipality, enc, inc.RecordedBy, inc.RecordedOrg, store.T(now)); err != nil {
			return errs.Internalf("insert incident: %w", err)
		}
		if err := markGBV(ctx, tx, ref.ID); err != nil {
			return err
		}
		return written(ctx, tx, actor, ref, "gbv.incident", "gbv_incidents", inc.ID, "incident.recorded:"+string(inc.Type))
	})
	if err != nil {
		return nil, err
	}
	return inc, nil
}

func (s *Service) incidents(ctx context.Context, q store.Querier, ref *cases.Ref, open opener) ([]*Incident, error) {
	var out []*Incident
	err := each(ctx, q, `SELECT id, occurred_on, place_type, answers, gbv_type, context, reported_by, reported_police,
		reported_health, account_enc, recorded_by, recorded_org, created_at FROM gbv_incidents WHERE case_id = $1
		ORDER BY occurred_on DESC, created_at DESC`, ref.ID, func(sc scanner) error {
		inc := &Incident{CaseID: ref.ID}
		var on, created store.Time
		var bits string
		var police, health int
		var enc []byte
		if err := sc.Scan(&inc.ID, &on, &inc.PlaceType, &bits, &inc.Type, &inc.Context, &inc.ReportedBy, &police, &health,
			&enc, &inc.RecordedBy, &inc.RecordedOrg, &created); err != nil {
			return err
		}
		inc.OccurredOn, inc.CreatedAt = on.Time, created.Time
		inc.ReportedPolice, inc.ReportedHealth = police == 1, health == 1
		inc.Answers = parseBits(bits)
		inc.Explanation = Explain(inc.Answers)
		var err error
		inc.Account, err = open("gbv_incidents", inc.ID, "account", enc)
		out = append(out, inc)
		return err
	})
	return out, err
}

// SetType sets a case's type (thb, gbv or both) for an actor who may edit
// the case.
func (s *Service) SetType(ctx context.Context, actor access.Actor, caseID, t string) error {
	t = strings.TrimSpace(t)
	if !contains(cases.CaseTypes, t) {
		return errs.InvalidField("case_type", "validation.invalid_choice")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.CaseEdit)
		if err != nil {
			return err
		}
		if err := cases.SetCaseType(ctx, tx, ref.ID, t); err != nil {
			return err
		}
		return written(ctx, tx, actor, ref, "gbv.case_type", "cases", ref.ID, "case_type.set:"+t)
	})
}
