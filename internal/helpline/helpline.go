// Package helpline is the helpline console's domain: operators log contacts
// (calls, chats, e-mails, messages, visits) in a structured form with a
// versioned topic taxonomy, anonymous by default; a repeat caller is linked
// by a caller code they choose, kept as a keyed blind index; call-backs have
// a due time; urgent contacts alert the police unit on duty in the same
// transaction; a contact is carried into a case through the case file's own
// registration, with the consent recorded there; and the contacts are
// counted for the figures. It knows nothing of HTTP.
package helpline

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Limits, in characters (minutes for the duration).
const (
	MaxNote        = 4000
	MaxName        = 200
	MaxPhone       = 30
	MaxDuration    = 480
	MinCallerCode  = 4
	MaxCallerCode  = 32
	MaxCallbackAge = 90 * 24 * time.Hour // a call-back further ahead is a typing error
	// MaxAge is how far back a contact may be logged.
	MaxAge = 366 * 24 * time.Hour
	// skew tolerates a clock a little ahead in the operator's browser.
	skew = 5 * time.Minute
)

// AlertSetting names the store setting that holds the id of the
// organisation alerted for urgent contacts (the police THB unit on duty).
const AlertSetting = "helpline.alert_org"

// Notification is an urgent contact to tell an organisation about; it has
// the fields of notify.Notification, so adapting one is a conversion.
type Notification struct {
	OrgID, UserID, Kind, ObjectType, ObjectID, CaseRef string
}

// Notifier records notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(ctx context.Context, tx *store.Tx, n Notification) error
}

// ConsentLedger records a grant in the case's registration transaction
// (consent.Service).
type ConsentLedger interface {
	RecordIn(ctx context.Context, tx *store.Tx, actor access.Actor, ref *cases.Ref, in consent.GrantInput) (*consent.Entry, error)
}

// CaseOpener registers a case (cases.Service).
type CaseOpener interface {
	Open(ctx context.Context, actor access.Actor, in cases.Input) (*cases.Registered, error)
}

// Service logs and reads contacts.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
	// Loc is the instance's time zone: a start or call-back time typed
	// without a zone ("2026-12-03T14:05") is read in it.
	Loc      *time.Location
	Notifier Notifier
	Consent  ConsentLedger
	Cases    CaseOpener
}

func (s *Service) loc() *time.Location {
	if s.Loc != nil {
		return s.Loc
	}
	return time.UTC
}

// Input is a contact as the operator logs it. Times are RFC 3339, or
// "YYYY-MM-DDTHH:MM" in the instance's zone (the form's datetime-local).
type Input struct {
	StartedAt       string   `json:"started_at"`
	DurationMin     int      `json:"duration_min"`
	Channel         string   `json:"channel"`
	CallerType      string   `json:"caller_type"`
	Language        string   `json:"language"`
	Municipality    string   `json:"municipality,omitempty"`
	Topic           string   `json:"topic"`
	ImmediateDanger bool     `json:"immediate_danger,omitempty"`
	ChildInvolved   bool     `json:"child_involved,omitempty"`
	CallerIsVictim  bool     `json:"caller_is_victim,omitempty"`
	Actions         []string `json:"actions,omitempty"`
	CallbackDue     string   `json:"callback_due,omitempty"`
	Note            string   `json:"note,omitempty"`
	CallerCode      string   `json:"caller_code,omitempty"`
	// KeepPersonal: the caller agreed that their name or phone number is
	// kept; without it neither is accepted.
	KeepPersonal bool   `json:"keep_personal,omitempty"`
	CallerName   string `json:"caller_name,omitempty"`
	CallerPhone  string `json:"caller_phone,omitempty"`

	started, callback time.Time
}

var (
	phoneRE      = regexp.MustCompile(`^\+?[0-9][0-9 ()/-]{3,28}[0-9]$`)
	callerCodeRE = regexp.MustCompile(`^[\p{L}\p{N}-]+$`)
)

// ParseTime reads a time as the forms and the API send it.
func ParseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, f := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(f, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Validate checks every field against its list or its limits and
// normalises in; the first error names its field.
func (in *Input) Validate(now time.Time, loc *time.Location) error {
	in.Channel, in.CallerType = strings.TrimSpace(in.Channel), strings.TrimSpace(in.CallerType)
	in.Language, in.Topic = strings.TrimSpace(in.Language), strings.TrimSpace(in.Topic)
	in.Municipality = strings.TrimSpace(in.Municipality)
	if in.StartedAt == "" {
		in.started = now.Add(-time.Duration(max(in.DurationMin, 0)) * time.Minute)
	} else {
		t, ok := ParseTime(in.StartedAt, loc)
		switch {
		case !ok || !utf8.ValidString(in.StartedAt):
			return errs.InvalidField("started_at", "helpline.error.time")
		case t.After(now.Add(skew)):
			return errs.InvalidField("started_at", "helpline.error.start_future")
		case t.Before(now.Add(-MaxAge)):
			return errs.InvalidField("started_at", "helpline.error.start_old")
		}
		in.started = t
	}
	switch {
	case in.DurationMin < 0 || in.DurationMin > MaxDuration:
		return errs.InvalidField("duration_min", "helpline.error.duration").With(map[string]any{"max": MaxDuration})
	case in.Channel == "":
		return errs.InvalidField("channel", "validation.required")
	case !inList(Channels, in.Channel):
		return errs.InvalidField("channel", "validation.invalid_choice")
	case in.CallerType == "":
		return errs.InvalidField("caller_type", "validation.required")
	case !inList(CallerTypes, in.CallerType):
		return errs.InvalidField("caller_type", "validation.invalid_choice")
	case in.Language == "":
		return errs.InvalidField("language", "validation.required")
	case !inList(Languages, in.Language):
		return errs.InvalidField("language", "validation.invalid_choice")
	case in.Municipality != "" && !inList(Municipalities, in.Municipality):
		return errs.InvalidField("municipality", "helpline.error.municipality")
	case in.Topic == "":
		return errs.InvalidField("topic", "validation.required")
	}
	if _, _, ok := Topics.Topic(in.Topic); !ok {
		return errs.InvalidField("topic", "validation.invalid_choice")
	}
	seen := map[string]bool{}
	for _, a := range in.Actions {
		if !inList(Actions, a) {
			return errs.InvalidField("actions", "validation.invalid_choice")
		}
		seen[a] = true
	}
	in.Actions = in.Actions[:0]
	for _, a := range Actions {
		if seen[a] {
			in.Actions = append(in.Actions, a)
		}
	}
	in.CallbackDue = strings.TrimSpace(in.CallbackDue)
	switch {
	case seen["callback"] && in.CallbackDue == "":
		return errs.InvalidField("callback_due", "helpline.error.callback_due")
	case !seen["callback"] && in.CallbackDue != "":
		return errs.InvalidField("callback_due", "helpline.error.callback_unticked")
	case in.CallbackDue != "":
		t, ok := ParseTime(in.CallbackDue, loc)
		switch {
		case !ok || !utf8.ValidString(in.CallbackDue):
			return errs.InvalidField("callback_due", "helpline.error.time")
		case !t.After(now):
			return errs.InvalidField("callback_due", "helpline.error.callback_past")
		case t.After(now.Add(MaxCallbackAge)):
			return errs.InvalidField("callback_due", "helpline.error.callback_far")
		}
		in.callback = t
	}
	if err := checkText("note", &in.Note, MaxNote, true); err != nil {
		return err
	}
	if err := in.validateCallerCode(); err != nil {
		return err
	}
	if err := checkText("caller_name", &in.CallerName, MaxName, false); err != nil {
		return err
	}
	if err := checkText("caller_phone", &in.CallerPhone, MaxPhone, false); err != nil {
		return err
	}
	switch {
	case (in.CallerName != "" || in.CallerPhone != "") && !in.KeepPersonal:
		return errs.InvalidField("keep_personal", "helpline.error.personal_consent")
	case in.KeepPersonal && in.CallerName == "" && in.CallerPhone == "":
		return errs.InvalidField("caller_name", "helpline.error.personal_empty")
	case in.CallerPhone != "" && !phoneRE.MatchString(in.CallerPhone):
		return errs.InvalidField("caller_phone", "helpline.error.phone")
	}
	return nil
}

// validateCallerCode normalises the caller code (trimmed, lower case) and
// checks it: 4 to 32 letters, digits or hyphens.
func (in *Input) validateCallerCode() error {
	in.CallerCode = strings.ToLower(strings.TrimSpace(in.CallerCode))
	if in.CallerCode == "" {
		return nil
	}
	n := utf8.RuneCountInString(in.CallerCode)
	if !utf8.ValidString(in.CallerCode) || n < MinCallerCode || n > MaxCallerCode || !callerCodeRE.MatchString(in.CallerCode) {
		return errs.InvalidField("caller_code", "helpline.error.caller_code").With(map[string]any{"min": MinCallerCode, "max": MaxCallerCode})
	}
	return nil
}

// checkText trims s and checks it is text of at most max characters; a
// multi-line field (the note) may hold line breaks, others no control
// character at all.
func checkText(field string, s *string, max int, multiline bool) error {
	*s = strings.TrimSpace(*s)
	if !utf8.ValidString(*s) {
		return errs.InvalidField(field, "validation.invalid")
	}
	for _, r := range *s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return errs.InvalidField(field, "validation.invalid")
		}
	}
	if utf8.RuneCountInString(*s) > max {
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	return nil
}

// Contact is a logged contact as pages show it. Note, CallerName and
// CallerPhone are filled only for those who may read them.
type Contact struct {
	ID, Reference      string
	OrgID, OperatorID  string
	StartedAt          time.Time
	DurationMin        int
	Channel            string
	CallerType         string
	Language           string
	Municipality       string
	TaxonomyVersion    string
	Topic              string
	ImmediateDanger    bool
	ChildInvolved      bool
	CallerIsVictim     bool
	Actions            []string
	CallbackDue        time.Time
	CallbackDone       time.Time
	HasCallerCode      bool
	PersonalConsent    bool
	Note               string
	CallerName         string
	CallerPhone        string
	AlertOrg           string
	CaseID, CaseRef    string
	CreatedAt          time.Time
	keyID              string
	noteEnc, personEnc []byte
}

// TraffickingSuspected tells whether the contact's topic is trafficking: a
// case opened from it starts from a screening.
func (c *Contact) TraffickingSuspected() bool { return TraffickingSuspected(c.Topic) }

// CallbackOpen tells whether a call-back is agreed and not yet made.
func (c *Contact) CallbackOpen() bool { return !c.CallbackDue.IsZero() && c.CallbackDone.IsZero() }
