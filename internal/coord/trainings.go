package coord

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Trainings (DOMAIN-2 §2.5) and awareness campaigns, tied to plan
// activities. A participant is counted by institution, position and sex;
// a name is optional and sealed with the training's data key.

// The code lists of trainings and campaigns.
var (
	TrainingTopics = []string{"thb_identification", "victim_centred_interview", "investigation", "financial_investigation", "prosecution",
		"compensation", "non_punishment", "child_trafficking", "labour_exploitation", "gbv", "sops", "data_protection"}
	TrainingTypes = []string{"initial", "in_service", "tot", "online"}
	Sexes         = []string{"female", "male", "unknown"}
	Channels      = []string{"tv", "radio", "social_media", "printed", "school_sessions"}
)

// Training is one training with its participants' counts.
type Training struct {
	ID, Title, Topic, Type, ActivityID, ActivityCode, StartsOn, Venue string
	// PlanID is the plan of the linked activity, if any.
	PlanID       string
	Hours        int
	Trainers     []string
	Participants []*Participant
}

// Participant is one person trained (the name only for the secretariat).
type Participant struct {
	ID, OrgID, OrgName, Position, Sex, Name string
	Pre, Post                               *int
	Certificate                             bool
}

// TrainingInput is a new training; the activity is named by plan and code.
type TrainingInput struct {
	PlanID, ActivityCode, Title, Topic, Type, StartsOn, Hours, Venue, Trainers string
}

type trainingValues struct {
	startsOn string
	hours    int
}

// validate trims and checks a training's fields.
func (in *TrainingInput) validate() (trainingValues, error) {
	var v trainingValues
	if err := text("title", &in.Title, MaxTitle, true); err != nil {
		return v, err
	}
	if err := choice("topic", in.Topic, TrainingTopics); err != nil {
		return v, err
	}
	if err := choice("type", in.Type, TrainingTypes); err != nil {
		return v, err
	}
	d, ok := parseDate(in.StartsOn)
	if !ok {
		return v, errs.InvalidField("starts_on", "coord.date_invalid")
	}
	h, err := strconv.Atoi(strings.TrimSpace(in.Hours))
	if err != nil || h < 0 || h > 1000 {
		return v, errs.InvalidField("hours", "coord.number_invalid")
	}
	if err := text("venue", &in.Venue, MaxTitle, false); err != nil {
		return v, err
	}
	if err := text("trainers", &in.Trainers, MaxText, false); err != nil {
		return v, err
	}
	return trainingValues{d.Format(dateLayout), h}, nil
}

// AddTraining records a training (the secretariat).
func (s *Service) AddTraining(ctx context.Context, actor access.Actor, in TrainingInput) (string, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return "", err
	}
	v, err := in.validate()
	if err != nil {
		return "", err
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		act, err := activityID(ctx, tx, in.PlanID, in.ActivityCode)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_trainings (id, title, topic, type, activity_id, organiser_id, starts_on, hours,
			venue, trainers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, id, in.Title, in.Topic, in.Type, act,
			actor.OrgID, v.startsOn, v.hours, in.Venue, strings.Join(split(in.Trainers), "\n"), store.T(tx.Now)); err != nil {
			return errs.Internalf("insert training: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "training_add", in.Title, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.training_add", "training", id)
	})
	return id, asErr(err)
}

// ParticipantInput is one participant as typed.
type ParticipantInput struct {
	OrgID, Position, Sex, Name, Pre, Post string
	Certificate                           bool
}

func score(field, s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 {
		return nil, errs.InvalidField(field, "coord.percent_invalid")
	}
	return &n, nil
}

// AddParticipant records a participant of a training.
func (s *Service) AddParticipant(ctx context.Context, actor access.Actor, trainingID string, in ParticipantInput) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	if err := choice("sex", in.Sex, Sexes); err != nil {
		return err
	}
	if err := text("position", &in.Position, 100, false); err != nil {
		return err
	}
	if err := text("name", &in.Name, 200, false); err != nil {
		return err
	}
	pre, err := score("pre", in.Pre)
	if err != nil {
		return err
	}
	post, err := score("post", in.Post)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coord_trainings WHERE id = $1`, trainingID).Scan(&n); err != nil {
			return errs.Internalf("read training: %w", err)
		}
		if n == 0 {
			return errNotFound
		}
		ok, active, err := auth.OrgActive(ctx, tx, in.OrgID)
		if err != nil {
			return err
		}
		if !ok || !active {
			return errs.InvalidField("org", "coord.institution_unknown")
		}
		id := store.NewID()
		var keyID string
		var enc []byte
		if in.Name != "" {
			err := tx.QueryRowContext(ctx, `SELECT key_id FROM coord_participants WHERE training_id = $1 AND key_id <> '' LIMIT 1`, trainingID).Scan(&keyID)
			if errors.Is(err, sql.ErrNoRows) {
				if keyID, err = s.Vault.NewDataKey(ctx, tx, "coord_participants"); err != nil {
					return errs.Internalf("participant key: %w", err)
				}
			} else if err != nil {
				return errs.Internalf("read participants: %w", err)
			}
			if enc, err = s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "coord_participants", Row: id, Field: "name"}, in.Name); err != nil {
				return errs.Internalf("seal name: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_participants (id, training_id, org_id, position, sex, key_id, name_enc, pre_score,
			post_score, certificate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, trainingID, in.OrgID, in.Position, in.Sex, keyID,
			enc, pre, post, store.Bool(in.Certificate)); err != nil {
			return errs.Internalf("insert participant: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "participant_add", "", nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.participant_add", "training", trainingID)
	})
	return asErr(err)
}

// Trainings lists the trainings, newest first, with their participants
// (names only for the secretariat), and the national pool of trainers.
func (s *Service) Trainings(ctx context.Context, actor access.Actor) ([]*Training, []string, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, nil, err
	}
	if access.ScopeOf(actor, access.CoordView) != access.All {
		return nil, nil, nil // monitors see the plans they monitor, not the trainings
	}
	return s.trainings(ctx, s.DB.Read(), access.Can(actor, access.CoordManage), "")
}

func (s *Service) trainings(ctx context.Context, q store.Querier, names bool, planID string) ([]*Training, []string, error) {
	where, args := "", []any{}
	if planID != "" {
		where, args = ` WHERE a.plan_id = $1`, append(args, planID)
	}
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.title, t.topic, t.type, COALESCE(t.activity_id, ''), COALESCE(a.code, ''), COALESCE(a.plan_id, ''),
		t.starts_on, t.hours, t.venue, t.trainers FROM coord_trainings t LEFT JOIN coord_activities a ON a.id = t.activity_id`+where+`
		ORDER BY t.starts_on DESC, t.id`, args...)
	if err != nil {
		return nil, nil, errs.Internalf("read trainings: %w", err)
	}
	var out []*Training
	byID := map[string]*Training{}
	pool := map[string]bool{}
	for rows.Next() {
		var t Training
		var trainers string
		if err := rows.Scan(&t.ID, &t.Title, &t.Topic, &t.Type, &t.ActivityID, &t.ActivityCode, &t.PlanID, &t.StartsOn, &t.Hours, &t.Venue, &trainers); err != nil {
			rows.Close()
			return nil, nil, errs.Internalf("read trainings: %w", err)
		}
		t.Trainers = split(trainers)
		for _, x := range t.Trainers {
			pool[x] = true
		}
		out = append(out, &t)
		byID[t.ID] = &t
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, training_id, org_id, position, sex, key_id, name_enc, pre_score, post_score, certificate
		FROM coord_participants ORDER BY id`)
	if err != nil {
		return nil, nil, errs.Internalf("read participants: %w", err)
	}
	var orgIDs []string
	for rows.Next() {
		var p Participant
		var tid, keyID string
		var enc []byte
		var pre, post sql.NullInt64
		var cert int
		if err := rows.Scan(&p.ID, &tid, &p.OrgID, &p.Position, &p.Sex, &keyID, &enc, &pre, &post, &cert); err != nil {
			rows.Close()
			return nil, nil, errs.Internalf("read participants: %w", err)
		}
		t := byID[tid]
		if t == nil {
			continue
		}
		if pre.Valid {
			v := int(pre.Int64)
			p.Pre = &v
		}
		if post.Valid {
			v := int(post.Int64)
			p.Post = &v
		}
		p.Certificate = cert == 1
		if names && enc != nil {
			if p.Name, err = s.Vault.OpenString(ctx, q, keyID, vault.AAD{Table: "coord_participants", Row: p.ID, Field: "name"}, enc); err != nil {
				rows.Close()
				return nil, nil, errs.Internalf("open name: %w", err)
			}
		}
		t.Participants = append(t.Participants, &p)
		orgIDs = append(orgIDs, p.OrgID)
	}
	rows.Close()
	orgs, err := auth.OrgsByID(ctx, q, orgIDs)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range out {
		for _, p := range t.Participants {
			if o := orgs[p.OrgID]; o != nil {
				p.OrgName = o.Name
			}
		}
	}
	var trainers []string
	for x := range pool {
		trainers = append(trainers, x)
	}
	sort.Strings(trainers)
	return out, trainers, nil
}

// TrainingSummary is the training summary of the trainings tied to the
// plan's activities: sessions, participants by institution and sex, hours,
// mean pre- and post-test scores.
func TrainingSummary(p *Plan, ts []*Training, l i18n.Lang) *report.Document {
	t := i18n.For(l).T
	doc := baseDocument(p, l, t("coord.report.training"))
	tab := report.Table{Name: t("coord.report.training"), Corner: t("coord.col.title"),
		Columns: []string{t("coord.col.activity"), t("coord.col.hours"), t("coord.sex.female"), t("coord.sex.male"), t("coord.sex.unknown"),
			t("coord.report.total"), t("coord.col.pre"), t("coord.col.post"), t("coord.col.certificate")}, ColumnTotal: false}
	inst := report.Table{Name: t("coord.report.by_institution"), Corner: t("coord.col.institution"),
		Columns: []string{t("coord.sex.female"), t("coord.sex.male"), t("coord.sex.unknown"), t("coord.report.total")}, ColumnTotal: true}
	byOrg := map[string][3]float64{}
	mean := func(xs []int) report.Cell {
		if len(xs) == 0 {
			return textCell("")
		}
		sum := 0
		for _, x := range xs {
			sum += x
		}
		return report.Cell{Value: float64(sum) / float64(len(xs)), Decimals: 1}
	}
	for _, tr := range ts {
		var sex [3]float64
		var pre, post []int
		cert := 0.0
		for _, pa := range tr.Participants {
			i := indexOf(Sexes, pa.Sex)
			if i < 0 {
				i = 2
			}
			sex[i]++
			o := byOrg[pa.OrgName]
			o[i]++
			byOrg[pa.OrgName] = o
			if pa.Pre != nil {
				pre = append(pre, *pa.Pre)
			}
			if pa.Post != nil {
				post = append(post, *pa.Post)
			}
			if pa.Certificate {
				cert++
			}
		}
		tab.Rows = append(tab.Rows, tr.Title+" ("+tr.StartsOn+")")
		tab.Cells = append(tab.Cells, []report.Cell{textCell(tr.ActivityCode), num(float64(tr.Hours)), num(sex[0]), num(sex[1]), num(sex[2]),
			num(sex[0] + sex[1] + sex[2]), mean(pre), mean(post), num(cert)})
	}
	var names []string
	for n := range byOrg {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := byOrg[n]
		inst.Rows = append(inst.Rows, n)
		inst.Cells = append(inst.Cells, []report.Cell{num(o[0]), num(o[1]), num(o[2]), num(o[0] + o[1] + o[2])})
	}
	doc.Sections = []report.Section{{Heading: t("coord.report.training"), Table: tab}, {Heading: t("coord.report.by_institution"), Table: inst}}
	return doc
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// Campaign is an awareness campaign with its events.
type Campaign struct {
	ID, Title, Theme, Audience, ActivityCode, StartsOn, EndsOn string
	// PlanID is the plan of the linked activity, if any.
	PlanID    string
	Channels  []string
	BudgetEUR int64
	// Public: the portal may point to the campaign while it runs.
	Public bool
	Events []CampaignEvent
}

// CampaignEvent is one event of a campaign.
type CampaignEvent struct {
	HeldOn, Place string
	Reach         int
}

// CampaignInput is a new campaign; the activity is named by plan and code.
type CampaignInput struct {
	PlanID, ActivityCode, Title, Theme, Audience, StartsOn, EndsOn, Budget string
	Channels                                                               []string
	// Public lets the portal point to the campaign while it runs.
	Public bool
}

type campaignValues struct {
	startsOn, endsOn string
	budget           int64
}

// validate trims and checks a campaign's fields.
func (in *CampaignInput) validate() (campaignValues, error) {
	var v campaignValues
	if err := text("title", &in.Title, MaxTitle, true); err != nil {
		return v, err
	}
	if err := text("theme", &in.Theme, MaxTitle, false); err != nil {
		return v, err
	}
	if err := text("audience", &in.Audience, MaxTitle, false); err != nil {
		return v, err
	}
	for _, c := range in.Channels {
		if err := choice("channels", c, Channels); err != nil {
			return v, err
		}
	}
	a, ok := parseDate(in.StartsOn)
	if !ok {
		return v, errs.InvalidField("starts_on", "coord.date_invalid")
	}
	b, ok := parseDate(in.EndsOn)
	if !ok {
		return v, errs.InvalidField("ends_on", "coord.date_invalid")
	}
	if b.Before(a) {
		return v, errs.InvalidField("ends_on", "coord.period_order")
	}
	budget, err := parseMoney("budget", in.Budget)
	if err != nil {
		return v, err
	}
	return campaignValues{a.Format(dateLayout), b.Format(dateLayout), budget}, nil
}

// AddCampaign records an awareness campaign (the secretariat).
func (s *Service) AddCampaign(ctx context.Context, actor access.Actor, in CampaignInput) (string, error) {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return "", err
	}
	v, err := in.validate()
	if err != nil {
		return "", err
	}
	pub := 0
	if in.Public {
		pub = 1
	}
	id := store.NewID()
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		act, err := activityID(ctx, tx, in.PlanID, in.ActivityCode)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_campaigns (id, title, theme, audience, channels, activity_id, starts_on, ends_on,
			budget_eur, public, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, id, in.Title, in.Theme, in.Audience,
			strings.Join(in.Channels, ","), act, v.startsOn, v.endsOn, v.budget, pub, store.T(tx.Now)); err != nil {
			return errs.Internalf("insert campaign: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "campaign_add", in.Title, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.campaign_add", "campaign", id)
	})
	return id, asErr(err)
}

// AddCampaignEvent records an event of a campaign.
func (s *Service) AddCampaignEvent(ctx context.Context, actor access.Actor, campaignID, heldOn, place, reach string) error {
	if err := access.Check(actor, access.CoordManage); err != nil {
		return err
	}
	d, ok := parseDate(heldOn)
	if !ok {
		return errs.InvalidField("held_on", "coord.date_invalid")
	}
	if err := text("place", &place, MaxTitle, true); err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(reach))
	if err != nil || n < 0 || n > 100_000_000 {
		return errs.InvalidField("reach", "coord.number_invalid")
	}
	err = s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		var starts, ends string
		err := tx.QueryRowContext(ctx, `SELECT starts_on, ends_on FROM coord_campaigns WHERE id = $1`, campaignID).Scan(&starts, &ends)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read campaign: %w", err)
		}
		if day := d.Format(dateLayout); day < starts || day > ends {
			return errs.InvalidField("held_on", "coord.event_outside").With(map[string]any{"start": starts, "end": ends})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coord_campaign_events (id, campaign_id, held_on, place, reach) VALUES ($1, $2, $3, $4, $5)`,
			store.NewID(), campaignID, d.Format(dateLayout), place, n); err != nil {
			return errs.Internalf("insert event: %w", err)
		}
		if err := s.history(ctx, tx, actor, TopicTrainings, "", "campaign_event", place, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "coord.campaign_event", "campaign", campaignID)
	})
	return asErr(err)
}

// Campaigns lists the campaigns, newest first, with their events.
func (s *Service) Campaigns(ctx context.Context, actor access.Actor) ([]*Campaign, error) {
	if err := access.Check(actor, access.CoordView); err != nil {
		return nil, err
	}
	if access.ScopeOf(actor, access.CoordView) != access.All {
		return nil, nil
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.title, c.theme, c.audience, c.channels, COALESCE(a.code, ''), COALESCE(a.plan_id, ''), c.starts_on,
		c.ends_on, c.budget_eur, c.public FROM coord_campaigns c LEFT JOIN coord_activities a ON a.id = c.activity_id ORDER BY c.starts_on DESC, c.id`)
	if err != nil {
		return nil, errs.Internalf("read campaigns: %w", err)
	}
	var out []*Campaign
	byID := map[string]*Campaign{}
	for rows.Next() {
		var c Campaign
		var ch string
		var pub int
		if err := rows.Scan(&c.ID, &c.Title, &c.Theme, &c.Audience, &ch, &c.ActivityCode, &c.PlanID, &c.StartsOn, &c.EndsOn, &c.BudgetEUR, &pub); err != nil {
			rows.Close()
			return nil, errs.Internalf("read campaigns: %w", err)
		}
		if ch != "" {
			c.Channels = strings.Split(ch, ",")
		}
		c.Public = pub == 1
		out = append(out, &c)
		byID[c.ID] = &c
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT campaign_id, held_on, place, reach FROM coord_campaign_events ORDER BY held_on, id`)
	if err != nil {
		return nil, errs.Internalf("read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid string
		var e CampaignEvent
		if err := rows.Scan(&cid, &e.HeldOn, &e.Place, &e.Reach); err != nil {
			return nil, errs.Internalf("read events: %w", err)
		}
		if c := byID[cid]; c != nil {
			c.Events = append(c.Events, e)
		}
	}
	return out, rows.Err()
}

// PublicCampaign is what the public portal may show of a running campaign:
// its title, theme and dates, nothing internal.
type PublicCampaign struct {
	Title, Theme, StartsOn, EndsOn string
}

// CurrentCampaign returns the public campaign running on the day (the one
// that started last), or nil. It needs no account: the portal calls it, and
// it reads only the fields marked public.
func (s *Service) CurrentCampaign(ctx context.Context) (*PublicCampaign, error) {
	day := s.today()
	var c PublicCampaign
	err := s.DB.Read().QueryRowContext(ctx, `SELECT title, theme, starts_on, ends_on FROM coord_campaigns
		WHERE public = 1 AND starts_on <= $1 AND ends_on >= $1 ORDER BY starts_on DESC, id LIMIT 1`, day).
		Scan(&c.Title, &c.Theme, &c.StartsOn, &c.EndsOn)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Internalf("read current campaign: %w", err)
	}
	return &c, nil
}
