package justice

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/codes"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Defendant is a suspect or defendant. Name and Details are filled only for
// those who may see defendants' personal data.
type Defendant struct {
	ID          string
	Number      int // 1, 2, … in the order recorded: how others see them
	Name        string
	Details     string
	Sex         string
	Nationality string
	Roles       []string
	Official    bool
	CreatedAt   time.Time
}

// Sexes and perpetrator roles (UN HTCDS RoleInProcess, DOMAIN-2 §1.9).
var (
	Sexes = []string{"female", "male", "other", "unknown"}
	Roles = []string{"RECRUITER", "TRANSPORTER", "EXPLOITER", "USER_OF_SERVICES", "SMUGGLER", "BROKER", "ABUSER", "KIDNAPPER",
		"TRAVELLING_PARTNER", "OTHER"}
)

// Charge is one qualification of one count against a defendant. A
// requalified charge names the one it replaced; only the last is current.
type Charge struct {
	ID          string
	DefendantID string
	Stage       string // POLICE, INDICTMENT, JUDGMENT
	OffenceCode string
	Law         string
	Article     string
	ReplacesID  string
	Current     bool
	CreatedAt   time.Time
}

// ChargeStages in order: police qualification, indictment, judgment.
var ChargeStages = []string{"POLICE", "INDICTMENT", "JUDGMENT"}

// Sentence is the decision on one count.
type Sentence struct {
	ID                 string
	ChargeID           string
	EventID            string
	Outcome            string
	ImprisonmentMonths int
	Suspended          bool
	FineEUR            int
	BelowMinimum       bool
	Final              bool
}

// Asset is a freezing or confiscation of a defendant's assets.
type Asset struct {
	ID          string
	DefendantID string
	Measure     string // FREEZE, CONFISCATION
	ValueEUR    int
	Date        time.Time
}

// AssetMeasures are the asset measures.
var AssetMeasures = []string{"FREEZE", "CONFISCATION"}

// VictimRecord is one fact about a victim in the proceedings.
type VictimRecord struct {
	ID              string
	CaseID          string
	EventID         string
	Kind            string
	Code            string
	Status          string
	Lang            string
	Date            time.Time
	Due             time.Time
	Decided         time.Time
	Present         bool
	AdvocatePresent bool
	ClaimedEUR      int
	AwardedEUR      int
	// DueHard is false for the state compensation deadline ([S]): a warning only.
	DueHard bool
}

// The kinds of victim records and their picklists (DOMAIN-2 §1.5–§1.8).
const (
	KindRights       = "rights"             // Code: info type, Lang, Date
	KindHearing      = "hearing"            // EventID, Present, AdvocatePresent, Code TESTIFIED or ""
	KindMeasure      = "measure"            // Code: measure, Status: REQUESTED|GRANTED|REFUSED, EventID optional
	KindWitnessProt  = "witness_protection" // Status: REFERRED|ADMITTED|REFUSED
	KindNonPunish    = "non_punishment"     // Code: offence alleged, Present: compulsion link, Status: decision
	KindCompensation = "compensation"       // Code: OFFENDER|STATE, Status, ClaimedEUR, AwardedEUR, Decided
)

// Picklists of the victim records.
var (
	VictimKinds = []string{KindRights, KindHearing, KindMeasure, KindWitnessProt, KindNonPunish, KindCompensation}
	InfoTypes   = []string{"STATUS_INJURED_PARTY", "SUPPORT_SERVICES", "PROCEDURE_ROLE", "PROTECTION_MEASURES", "LEGAL_AID",
		"COMPENSATION", "INTERPRETATION", "CASE_DISMISSED", "INDICTMENT_FILED", "HEARING_DATE", "JUDGMENT", "DEFENDANT_RELEASE_OR_ESCAPE"}
	Measures = []string{"REDACT_IDENTITY_PUBLIC_RECORDS", "NON_DISCLOSURE_TO_PUBLIC", "PSEUDONYM", "SCREEN_OR_SEPARATE_ROOM",
		"IMAGE_VOICE_DISTORTION", "VIDEO_LINK_TESTIMONY", "CLOSED_SESSION", "PRE_RECORDED_TESTIMONY", "ANONYMITY_ORDER",
		"POLICE_ESCORT", "SAME_SEX_INTERVIEWER"}
	MeasureStatuses     = []string{"REQUESTED", "GRANTED", "REFUSED"}
	WitnessStatuses     = []string{"REFERRED", "ADMITTED", "REFUSED"}
	AllegedOffences     = []string{"PROSTITUTION", "IRREGULAR_ENTRY_OR_STAY", "DOCUMENT_OFFENCE", "DRUG_OFFENCE", "THEFT_OR_BEGGING", "OTHER"}
	NonPunishDecisions  = []string{"PENDING", "NOT_PROSECUTED", "CHARGES_DROPPED", "ACQUITTED", "CONVICTED"}
	CompensationRoutes  = []string{"OFFENDER", "STATE"}
	CompensationOutcome = []string{"PENDING", "AWARDED", "PARTLY_AWARDED", "REJECTED", "PAID"}
	Languages           = []string{"sq", "sr", "en", "tr", "bs", "rom", "other"}
)

// VictimLink is a linked victim case as the actor sees it: the reference
// only when the actor may see that victim case.
type VictimLink struct {
	CaseID    string
	Reference string
}

// CriminalCase is a criminal case as one actor may see it.
type CriminalCase struct {
	ID           string
	Jurisdiction string
	OffenceCode  string
	OffenceDate  time.Time
	CriminalLaw  string
	Offence      Offence
	Stage        string
	Status       string
	CreatedAt    time.Time
	Version      int
	References   []Reference
	Victims      []VictimLink
	Events       []Event
	Deadlines    []Deadline
	Charges      []Charge
	Sentences    []Sentence
	Assets       []Asset
	// Defendants always lists sex, nationality and roles; names and
	// details only when Personal.
	Defendants    []Defendant
	Personal      bool
	VictimRecords []VictimRecord
	// What the actor may do here.
	CanRecord, CanVictim bool
	// BreakGlass is the grant that opened the defendants, if one was needed.
	BreakGlass string
}

// Get returns the criminal case id as actor may see it. Reading the
// defendants' personal data is audited (with the break-glass grant that
// allowed it, if any).
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (*CriminalCase, error) {
	q := s.DB.Read()
	g, err := s.authorize(ctx, q, actor, id, access.JusticeView)
	if err != nil {
		return nil, err
	}
	return s.load(ctx, q, actor, g.h, true)
}

// load reads a criminal case as actor may see it; without defendants it
// leaves out the defendants' rows altogether (the victim case page's
// summary), so nothing of theirs is opened or audited.
func (s *Service) load(ctx context.Context, q store.Querier, actor access.Actor, h *header, defendants bool) (*CriminalCase, error) {
	c := s.cfg()
	od, _ := time.Parse(time.DateOnly, h.OffenceDate)
	cc := &CriminalCase{ID: h.ID, Jurisdiction: h.Jurisdiction, OffenceCode: h.OffenceCode, OffenceDate: od, CriminalLaw: h.CriminalLaw,
		Stage: h.Stage, Status: h.Status, CreatedAt: h.CreatedAt, Version: h.Version}
	cc.Offence, _ = c.OffenceOn(h.Jurisdiction, h.OffenceCode, h.OffenceDate)
	var err error
	if cc.References, err = loadRefs(ctx, q, h.ID); err != nil {
		return nil, err
	}
	vids, err := victimIDs(ctx, q, h.ID)
	if err != nil {
		return nil, err
	}
	for _, vid := range vids {
		link := VictimLink{CaseID: vid}
		if ref, err := s.Cases.Authorize(ctx, q, actor, vid, access.CaseView); err == nil {
			link.Reference = ref.Reference
		}
		cc.Victims = append(cc.Victims, link)
	}
	if cc.Events, err = loadEvents(ctx, q, h.ID); err != nil {
		return nil, err
	}
	cc.Deadlines = c.Deadlines(h.Jurisdiction, cc.Events, s.today())
	if cc.Charges, err = loadCharges(ctx, q, h.ID); err != nil {
		return nil, err
	}
	if cc.Sentences, err = loadSentences(ctx, q, h.ID); err != nil {
		return nil, err
	}
	if cc.Assets, err = loadAssets(ctx, q, h.ID); err != nil {
		return nil, err
	}
	cc.CanRecord, _ = s.may(ctx, q, actor, h.ID, access.JusticeRecord)
	cc.CanVictim, _ = s.may(ctx, q, actor, h.ID, access.JusticeVictim)
	if cc.CanVictim || access.ScopeOf(actor, access.JusticeView) == access.Stats {
		if cc.VictimRecords, err = loadVictimRecords(ctx, q, h.ID); err != nil {
			return nil, err
		}
		comp := c[h.Jurisdiction].Compensation
		for i := range cc.VictimRecords {
			cc.VictimRecords[i].DueHard = comp.Marker.Hard()
		}
		// Someone who reaches the criminal case through a victim's case
		// team (the victim advocate) sees that victim's records only, not
		// those of the other victims in the same proceedings.
		if access.ScopeOf(actor, access.JusticeView) == access.Team {
			works, err := orgOnCase(ctx, q, h.ID, actor.OrgID)
			if err != nil {
				return nil, err
			}
			if !works {
				seen := map[string]bool{}
				for _, v := range cc.Victims {
					seen[v.CaseID] = v.Reference != ""
				}
				kept := cc.VictimRecords[:0]
				for _, r := range cc.VictimRecords {
					if seen[r.CaseID] {
						kept = append(kept, r)
					}
				}
				cc.VictimRecords = kept
			}
		}
	}
	if !defendants {
		return cc, nil
	}
	rows, err := loadDefendants(ctx, q, h.ID)
	if err != nil {
		return nil, err
	}
	personal, grant := s.may(ctx, q, actor, h.ID, access.JusticeDefendants)
	cc.Personal, cc.BreakGlass = personal, grant
	for i, r := range rows {
		d := r.Defendant
		d.Number = i + 1
		if personal {
			if d.Name, err = s.Vault.OpenString(ctx, q, h.KeyID, defAAD(d.ID, "name"), r.nameEnc); err != nil {
				return nil, errs.Internalf("open defendant: %w", err)
			}
			if r.detailsEnc != nil {
				if d.Details, err = s.Vault.OpenString(ctx, q, h.KeyID, defAAD(d.ID, "details"), r.detailsEnc); err != nil {
					return nil, errs.Internalf("open defendant: %w", err)
				}
			}
		}
		cc.Defendants = append(cc.Defendants, d)
	}
	if personal && len(rows) > 0 {
		purpose := ""
		if grant != "" {
			purpose = "break_glass:" + grant
		}
		if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "criminal_case.read_defendants",
			ObjectType: "criminal_case", ObjectID: h.ID, Purpose: purpose, Detail: "count=" + strconv.Itoa(len(rows))}); err != nil {
			return nil, errs.Internalf("audit read: %w", err)
		}
	}
	return cc, nil
}

func defAAD(id, field string) vault.AAD {
	return vault.AAD{Table: "criminal_defendants", Row: id, Field: field}
}

// EventInput records a proceeding event (the API's body).
type EventInput struct {
	Type      string `json:"type"`
	Date      string `json:"date"`
	Outcome   string `json:"outcome,omitempty"`
	Detention bool   `json:"detention,omitempty"`
}

// RecordEvent records the next event of criminal case id, checked against
// the state machine and the dates of the events before it.
func (s *Service) RecordEvent(ctx context.Context, actor access.Actor, id string, in EventInput) (*Event, error) {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return nil, err
	}
	in.Type, in.Outcome = strings.TrimSpace(in.Type), strings.TrimSpace(in.Outcome)
	if in.Type == "" {
		return nil, errs.InvalidField("type", "validation.required")
	}
	if rank(in.Type) < 0 {
		return nil, errs.InvalidField("type", "validation.invalid_choice")
	}
	day, err := parseDay("date", in.Date)
	if err != nil {
		return nil, err
	}
	ev := Event{ID: store.NewID(), Type: in.Type, Date: day, Outcome: in.Outcome, Detention: in.Detention, CreatedBy: actor.UserID}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		if _, err := s.authorize(ctx, tx, actor, id, access.JusticeRecord); err != nil {
			return err
		}
		events, err := loadEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CheckNext(events, ev, s.today()); err != nil {
			return err
		}
		ev.Seq = len(events) + 1
		if err := insertEvent(ctx, tx, id, ev); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.event", id, "type="+ev.Type)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	ev.CreatedAt = now
	return &ev, nil
}

// AddReference adds a number in one of the three systems.
func (s *Service) AddReference(ctx context.Context, actor access.Actor, id string, r Reference) error {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return err
	}
	if err := checkRef(&r); err != nil {
		return err
	}
	return s.write(ctx, actor, id, access.JusticeRecord, func(tx *store.Tx, _ *header) error {
		if err := insertRef(ctx, tx, id, r); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.reference", id, "system="+r.System)
	})
}

// LinkVictim links one more victim case the actor may see.
func (s *Service) LinkVictim(ctx context.Context, actor access.Actor, id, caseID string) error {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return err
	}
	return s.write(ctx, actor, id, access.JusticeRecord, func(tx *store.Tx, _ *header) error {
		if _, err := s.Cases.Authorize(ctx, tx, actor, caseID, access.JusticeRecord); err != nil {
			return errs.InvalidField("case_id", "justice.error.victim_case_unknown")
		}
		vids, err := victimIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		if contains(vids, caseID) {
			return errs.InvalidField("case_id", "justice.error.already_linked")
		}
		if err := insertVictimLink(ctx, tx, id, caseID); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.link", id, "")
	})
}

func (s *Service) write(ctx context.Context, actor access.Actor, id string, act access.Action, f func(tx *store.Tx, h *header) error) error {
	now := s.Clock.Now().UTC().Truncate(time.Second)
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		g, err := s.authorize(ctx, tx, actor, id, act)
		if err != nil {
			return err
		}
		return f(tx, g.h)
	})
	if err != nil {
		return errs.As(err)
	}
	return nil
}

// DefendantInput records a suspect or defendant.
type DefendantInput struct {
	Name        string   `json:"name"`
	Details     string   `json:"details,omitempty"`
	Sex         string   `json:"sex"`
	Nationality string   `json:"nationality"`
	Roles       []string `json:"roles"`
	Official    bool     `json:"official,omitempty"`
}

// AddDefendant records a suspect or defendant on criminal case id. A
// criminal case the actor cannot see answers not found.
func (s *Service) AddDefendant(ctx context.Context, actor access.Actor, id string, in DefendantInput) (string, error) {
	if err := access.Check(actor, access.JusticeDefendants); err != nil {
		return "", err
	}
	if err := cleanText("name", &in.Name, MaxName, true); err != nil {
		return "", err
	}
	if err := cleanText("details", &in.Details, MaxDetails, false); err != nil {
		return "", err
	}
	if !contains(Sexes, in.Sex) {
		return "", errs.InvalidField("sex", "validation.invalid_choice")
	}
	in.Nationality = strings.ToUpper(strings.TrimSpace(in.Nationality))
	if err := codes.CheckCountry("nationality", in.Nationality); err != nil {
		return "", err
	}
	if len(in.Roles) == 0 {
		return "", errs.InvalidField("roles", "validation.required")
	}
	for _, r := range in.Roles {
		if !contains(Roles, r) {
			return "", errs.InvalidField("roles", "validation.invalid_choice")
		}
	}
	did := store.NewID()
	err := s.write(ctx, actor, id, access.JusticeDefendants, func(tx *store.Tx, h *header) error {
		if _, err := s.authorize(ctx, tx, actor, id, access.JusticeRecord); err != nil {
			return err
		}
		name, err := s.Vault.SealString(ctx, tx, h.KeyID, defAAD(did, "name"), in.Name)
		if err != nil {
			return errs.Internalf("seal defendant: %w", err)
		}
		var details []byte
		if in.Details != "" {
			if details, err = s.Vault.SealString(ctx, tx, h.KeyID, defAAD(did, "details"), in.Details); err != nil {
				return errs.Internalf("seal defendant: %w", err)
			}
		}
		if err := insertDefendant(ctx, tx, did, id, name, details, in); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.defendant", id, "defendant="+did)
	})
	if err != nil {
		return "", err
	}
	return did, nil
}

// ChargeInput records a charge, or requalifies one (ReplacesID).
type ChargeInput struct {
	DefendantID string `json:"defendant_id"`
	OffenceCode string `json:"offence_code"`
	Stage       string `json:"stage"`
	ReplacesID  string `json:"replaces_id,omitempty"`
}

// AddCharge records a charge under the criminal code in force on the
// offence date; a requalification keeps the charge it replaces in the
// history.
func (s *Service) AddCharge(ctx context.Context, actor access.Actor, id string, in ChargeInput) (string, error) {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return "", err
	}
	if !contains(ChargeStages, in.Stage) {
		return "", errs.InvalidField("stage", "validation.invalid_choice")
	}
	cid := store.NewID()
	err := s.write(ctx, actor, id, access.JusticeRecord, func(tx *store.Tx, h *header) error {
		defs, err := loadDefendants(ctx, tx, id)
		if err != nil {
			return err
		}
		found := false
		for _, d := range defs {
			found = found || d.ID == in.DefendantID
		}
		if !found {
			return errs.InvalidField("defendant_id", "justice.error.defendant_unknown")
		}
		off, ok := s.cfg().OffenceOn(h.Jurisdiction, in.OffenceCode, h.OffenceDate)
		if !ok {
			return errs.InvalidField("offence_code", "justice.error.not_in_force").With(map[string]any{"law": h.CriminalLaw})
		}
		c := Charge{ID: cid, DefendantID: in.DefendantID, Stage: in.Stage, OffenceCode: off.Code, Law: off.Law, Article: off.Article}
		if in.ReplacesID != "" {
			charges, err := loadCharges(ctx, tx, id)
			if err != nil {
				return err
			}
			var old *Charge
			for i := range charges {
				if charges[i].ID == in.ReplacesID {
					old = &charges[i]
				}
			}
			switch {
			case old == nil || !old.Current || old.DefendantID != in.DefendantID:
				return errs.InvalidField("replaces_id", "justice.error.charge_unknown")
			case stageIndex(in.Stage) < stageIndex(old.Stage):
				return errs.InvalidField("stage", "justice.error.stage_backwards")
			}
			c.ReplacesID = old.ID
		}
		if err := insertCharge(ctx, tx, id, c); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.charge", id, "offence="+off.Code+";stage="+in.Stage)
	})
	if err != nil {
		return "", err
	}
	return cid, nil
}

func stageIndex(s string) int {
	for i, x := range ChargeStages {
		if x == s {
			return i
		}
	}
	return -1
}

// SentenceInput records the decision on one count at a judgment.
type SentenceInput struct {
	ChargeID           string `json:"charge_id"`
	EventID            string `json:"event_id"`
	Outcome            string `json:"outcome"`
	ImprisonmentMonths int    `json:"imprisonment_months"`
	Suspended          bool   `json:"suspended,omitempty"`
	FineEUR            int    `json:"fine_eur,omitempty"`
}

// MaxFineEUR bounds a fine.
const MaxFineEUR = 10_000_000

// RecordSentence records the decision on one count: a conviction's sentence
// must lie within the range the offence table allows (a sentence below the
// statutory minimum is kept and flagged, R1.4.2; above the maximum is an
// error).
func (s *Service) RecordSentence(ctx context.Context, actor access.Actor, id string, in SentenceInput) (*Sentence, error) {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return nil, err
	}
	if !contains(Outcomes, in.Outcome) {
		return nil, errs.InvalidField("outcome", "validation.invalid_choice")
	}
	if in.ImprisonmentMonths < 0 || in.ImprisonmentMonths > 600 {
		return nil, errs.InvalidField("imprisonment_months", "justice.error.sentence_range")
	}
	if in.FineEUR < 0 || in.FineEUR > MaxFineEUR {
		return nil, errs.InvalidField("fine_eur", "justice.error.sentence_range")
	}
	if in.Outcome != "CONVICTION" && (in.ImprisonmentMonths != 0 || in.FineEUR != 0 || in.Suspended) {
		return nil, errs.InvalidField("imprisonment_months", "justice.error.sentence_without_conviction")
	}
	if in.Outcome == "CONVICTION" && in.ImprisonmentMonths == 0 && in.FineEUR == 0 {
		return nil, errs.InvalidField("imprisonment_months", "justice.error.sentence_required")
	}
	x := &Sentence{ID: store.NewID(), ChargeID: in.ChargeID, EventID: in.EventID, Outcome: in.Outcome,
		ImprisonmentMonths: in.ImprisonmentMonths, Suspended: in.Suspended, FineEUR: in.FineEUR}
	err := s.write(ctx, actor, id, access.JusticeRecord, func(tx *store.Tx, h *header) error {
		events, err := loadEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		var ev *Event
		for i := range events {
			if events[i].ID == in.EventID && (events[i].Type == JudgmentFirst || events[i].Type == FinalJudgment) {
				ev = &events[i]
			}
		}
		if ev == nil {
			return errs.InvalidField("event_id", "justice.error.judgment_unknown")
		}
		charges, err := loadCharges(ctx, tx, id)
		if err != nil {
			return err
		}
		var ch *Charge
		for i := range charges {
			if charges[i].ID == in.ChargeID && charges[i].Current {
				ch = &charges[i]
			}
		}
		if ch == nil {
			return errs.InvalidField("charge_id", "justice.error.charge_unknown")
		}
		var off Offence
		for _, o := range s.cfg()[h.Jurisdiction].Offences {
			if o.Code == ch.OffenceCode && o.Law == ch.Law {
				off = o
			}
		}
		if in.Outcome == "CONVICTION" {
			if off.MaxMonths > 0 && in.ImprisonmentMonths > off.MaxMonths {
				return errs.InvalidField("imprisonment_months", "justice.error.above_maximum").With(map[string]any{"max": off.MaxMonths})
			}
			x.BelowMinimum = off.MinMonths > 0 && in.ImprisonmentMonths < off.MinMonths
		}
		x.Final = ev.Type == FinalJudgment
		if err := insertSentence(ctx, tx, id, *x); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.sentence", id, "outcome="+in.Outcome)
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// AssetInput records a freezing or confiscation.
type AssetInput struct {
	DefendantID string `json:"defendant_id"`
	Measure     string `json:"measure"`
	ValueEUR    int    `json:"value_eur"`
	Date        string `json:"date"`
}

// AddAsset records an asset measure against a defendant.
func (s *Service) AddAsset(ctx context.Context, actor access.Actor, id string, in AssetInput) error {
	if err := access.Check(actor, access.JusticeRecord); err != nil {
		return err
	}
	if !contains(AssetMeasures, in.Measure) {
		return errs.InvalidField("measure", "validation.invalid_choice")
	}
	if in.ValueEUR < 0 || in.ValueEUR > 1_000_000_000 {
		return errs.InvalidField("value_eur", "validation.invalid")
	}
	day, err := parseDay("date", in.Date)
	if err != nil {
		return err
	}
	if day.After(s.today()) {
		return errs.InvalidField("date", "validation.date_future")
	}
	return s.write(ctx, actor, id, access.JusticeRecord, func(tx *store.Tx, h *header) error {
		defs, err := loadDefendants(ctx, tx, id)
		if err != nil {
			return err
		}
		found := false
		for _, d := range defs {
			found = found || d.ID == in.DefendantID
		}
		if !found {
			return errs.InvalidField("defendant_id", "justice.error.defendant_unknown")
		}
		if err := insertAsset(ctx, tx, id, Asset{ID: store.NewID(), DefendantID: in.DefendantID, Measure: in.Measure, ValueEUR: in.ValueEUR, Date: day}); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, actor, "criminal_case.asset", id, "measure="+in.Measure)
	})
}
