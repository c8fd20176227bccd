// Package app assembles Ura's parts — store, vault, services — from a Config.
// Only cmd/ura and tests that start the whole program know it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/breakglass"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/dedup"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/identify"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/licensing"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/plans"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/tips"
	"github.com/ura-nrm/ura/internal/vault"
)

// App is an open Ura instance.
type App struct {
	Cfg     config.Config
	DB      *store.DB
	Keyring *vault.Keyring
	Vault   *vault.Vault
	Auth    *auth.Service
	// BreakGlass records emergency access outside one's scope.
	BreakGlass *breakglass.Service
	// Cases is the case file; the services below keep its records.
	Cases   *cases.Service
	Consent *consent.Service
	Notes   *casenotes.Service
	Plans   *plans.Service
	Clocks  *clocks.Service
	// Referral is the service directory, shelter capacity and referrals;
	// its Notifier is nil until notifications are wired.
	Referral *referral.Service
	// Screenings are indicator screenings, made before or within a case.
	Screenings *identify.Service
	Clock      clock.Clock
	Log        *slog.Logger

	// Dedup finds persons registered twice and merges them (coordinator).
	Dedup *dedup.Service

	// Notify keeps in-app notifications and their e-mail outbox.
	Notify *notify.Service

	// Stats is the national picture: each capability registers its source.
	Stats *stats.Service
	// Helpline logs the helpline's contacts and carries them into cases.
	Helpline *helpline.Service
	// Tips are the public portal's anonymous tips and their triage queue.
	Tips *tips.Service
	// Justice is the criminal-justice track: criminal cases linked to victim cases.
	Justice *justice.Service
	// Licensing keeps providers' licences and inspections; referral asks
	// it (a gate set here) before referring to a provider.
	Licensing *licensing.Service
	// Grants runs calls for proposals, evaluation, contracts and the
	// public funding record; referral counts what the money bought.
	Grants *grants.Service
	// Exchange carries cases to and from partner countries' instances.
	Exchange *exchange.Service
	// Coord is the coordination: plans, progress, recommendations.
	Coord *coord.Service
	// GBV keeps the records of domestic and gender-based violence cases.
	GBV *gbv.Service
}

// Options tune Open.
type Options struct {
	// Migrate applies pending migrations; without it an out-of-date schema is refused.
	Migrate bool
	// CreateKey creates the master key file when it is missing (serve, migrate).
	CreateKey bool
	// Clock replaces the system clock (tests).
	Clock clock.Clock
	// Auth replaces the default auth configuration (tests use cheap argon2).
	Auth *auth.Config
	Log  *slog.Logger
}

// Open opens the store and the key file and builds the services.
func Open(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	var kr *vault.Keyring
	var err error
	created := false
	if o.CreateKey {
		kr, created, err = vault.LoadOrCreate(cfg.KeyFile)
	} else {
		kr, err = vault.Load(cfg.KeyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	db, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, URL: cfg.DB})
	if err != nil {
		return nil, err
	}
	if o.Migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	} else if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	ac := auth.DefaultConfig()
	if o.Auth != nil {
		ac = *o.Auth
	}
	v := vault.New(db, kr)
	if err := v.CheckKeyring(ctx); err != nil {
		db.Close()
		if created {
			os.Remove(cfg.KeyFile) // a key made just now for a database it cannot open
		}
		return nil, err
	}
	a := &App{
		Cfg: cfg, DB: db, Keyring: kr, Vault: v, Clock: o.Clock, Log: o.Log,
		Auth:       auth.New(db, v, o.Clock, ac),
		BreakGlass: &breakglass.Service{DB: db, Vault: v, Clock: o.Clock},
	}
	a.Cases = cases.New(db, v, o.Clock, a.BreakGlass, cfg.Country)
	a.Screenings = &identify.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases}
	ccfg := clocks.DefaultConfig(cfg.Country)
	if err := ccfg.Validate(); err != nil {
		db.Close()
		return nil, err
	}
	a.Clocks = &clocks.Service{DB: db, Clock: o.Clock, Cases: a.Cases, Config: ccfg}
	a.Cases.OnChange = append(a.Cases.OnChange, a.Clocks.OnCaseChange, a.Screenings.OnCaseChange)
	a.Cases.OnGuardian = append(a.Cases.OnGuardian, a.Clocks.OnGuardian)
	a.Cases.OnTeamJoin = append(a.Cases.OnTeamJoin, a.Clocks.OnTeamJoin)
	a.Consent = &consent.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases, Orgs: a.Auth}
	a.Notes = &casenotes.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases}
	a.Plans = &plans.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases, Clocks: a.Clocks, Orgs: a.Auth,
		SetRiskLevel: cases.SetRiskLevel}
	a.Referral = referral.New(db, v, o.Clock, a.Cases, a.Consent)
	a.Dedup = &dedup.Service{DB: db, Vault: v, Clock: o.Clock, Config: dedup.DefaultConfig()}
	a.Cases.Likely = a.Dedup
	a.Notify = notify.New(db, o.Clock, a.Auth, cfg, o.Log)
	a.Referral.Notifier = referralNotifier{a.Notify}
	a.Auth.Changes = changeNotifier{a.Notify}
	a.Stats = stats.New(o.Clock)
	stats.National = cfg.Country
	a.Stats.Sources.Register(a.Cases.StatsSource())
	a.Stats.Sources.Register(a.Referral.StatsSource())
	a.Stats.Sources.Register(a.Clocks.StatsSource())
	loc, err := cfg.Location()
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Helpline = &helpline.Service{DB: db, Vault: v, Clock: o.Clock, Loc: loc, Notifier: helplineNotifier{a.Notify},
		Consent: a.Consent, Cases: a.Cases}
	a.Cases.OnChange = append(a.Cases.OnChange, a.Helpline.OnCaseChange)
	a.Tips = &tips.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases}
	a.Stats.Sources.Register(a.Helpline.StatsSource())
	a.Stats.Sources.Register(a.Tips.StatsSource())
	a.Stats.Releases = disclosure.Releases{DB: db, Clock: o.Clock}
	a.Justice = &justice.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases, BreakGlass: a.BreakGlass, OrgType: orgType}
	a.Justice.Reminders = testimonyReminders{a.Clocks}
	a.Stats.Sources.Register(a.Justice.StatsSource())
	a.Licensing = &licensing.Service{DB: db, Clock: o.Clock}
	a.Referral.ProviderGate = licensing.Gate
	a.Referral.LicenceStatus = licensing.StatusOf
	a.Grants = &grants.Service{DB: db, Clock: o.Clock, Users: a.Auth, Counter: a.Referral, Loc: loc}
	xc := exchange.DefaultConfig()
	if cfg.ExchangeRetryMax > 0 {
		xc.RetryMax = cfg.ExchangeRetryMax
	}
	a.Exchange = &exchange.Service{DB: db, Vault: v, Clock: o.Clock, Country: cfg.Country, URL: cfg.PublicURL,
		Cases: a.Cases, Consent: a.Consent, Stats: a.Stats, Log: o.Log, Config: xc}
	a.Coord = &coord.Service{DB: db, Vault: v, Clock: o.Clock, Stats: a.Stats, Notifier: coordNotifier{a.Notify},
		EvidenceLimit: a.Notes.Limit()}
	remind := func(ctx context.Context, tx *store.Tx, orgID, kind, objectType, objectID string) error {
		return a.Notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, Kind: kind, ObjectType: objectType, ObjectID: objectID})
	}
	a.Licensing.Notify, a.Grants.Notify = remind, remind
	a.GBV = &gbv.Service{DB: db, Vault: v, Clock: o.Clock, Cases: a.Cases, Clocks: a.Clocks, Notify: a.Notify}
	a.Referral.Dependants = a.GBV
	a.Stats.Sources.Register(a.GBV.StatsSource())
	return a, nil
}

// Close releases the store.
func (a *App) Close() error {
	if a == nil || a.DB == nil {
		return nil
	}
	return a.DB.Close()
}

// ErrRealData refuses demo mode on a store that holds real accounts.
var ErrRealData = errors.New("demo mode refused: this store holds real (non-demo) accounts")

// referralNotifier hands referral events to the notification service; the
// two Notification types have the same fields, so one converts to the other.
type referralNotifier struct{ *notify.Service }

func (r referralNotifier) Notify(ctx context.Context, tx *store.Tx, n referral.Notification) error {
	return r.Service.Notify(ctx, tx, notify.Notification(n))
}

// changeNotifier tells the approvers, the auditors and the requester of an
// account change waiting for approval or decided (auth's separation of duties).
type changeNotifier struct{ *notify.Service }

func (c changeNotifier) NotifyUserChange(ctx context.Context, tx *store.Tx, n auth.ChangeNotice) error {
	return c.Service.Notify(ctx, tx, notify.Notification{OrgID: n.Recipient.OrgID, UserID: n.Recipient.ID,
		Kind: n.Kind, ObjectType: "user_change", ObjectID: n.ChangeID})
}

// coordNotifier hands coordination alerts (overdue activities, late and
// returned reports) to the notification service; the object is a plan.
type coordNotifier struct{ *notify.Service }

func (c coordNotifier) Tell(ctx context.Context, tx *store.Tx, orgID, kind, objectID string) error {
	return c.Service.Notify(ctx, tx, notify.Notification{OrgID: orgID, Kind: kind, ObjectType: "coord_plan", ObjectID: objectID})
}

// helplineNotifier hands an urgent contact's alert to the notification
// service (the two Notification types have the same fields).
type helplineNotifier struct{ *notify.Service }

func (h helplineNotifier) Notify(ctx context.Context, tx *store.Tx, n helpline.Notification) error {
	return h.Service.Notify(ctx, tx, notify.Notification(n))
}

// orgType answers an organisation's type and whether it is active, for the
// criminal-justice track (the prosecution office a report goes to).
func orgType(ctx context.Context, q store.Querier, id string) (access.OrgType, bool, error) {
	m, err := auth.OrgsByID(ctx, q, []string{id})
	if err != nil {
		return "", false, err
	}
	o := m[id]
	if o == nil {
		return "", false, nil
	}
	return o.Type, o.Active, nil
}

// testimonyReminders give the victim advocate's and the shelter's
// organisations on the victim's case a task on a testimony date, through the
// clocks, without any criminal detail.
type testimonyReminders struct{ c *clocks.Service }

func (r testimonyReminders) TestimonyReminder(ctx context.Context, tx *store.Tx, caseID string, due time.Time) error {
	var orgs []string
	for _, typ := range []access.OrgType{"victim_advocacy", "shelter"} {
		ids, err := cases.TeamOrgsOfType(ctx, tx, caseID, typ)
		if err != nil {
			return err
		}
		orgs = append(orgs, ids...)
	}
	return r.c.AccompanyReminder(ctx, tx, caseID, due, orgs)
}
