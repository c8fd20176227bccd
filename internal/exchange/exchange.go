// Package exchange carries cases between national Ura instances under the
// Kosovo–Albania–Montenegro USOP: each instance keeps its own data and sends
// a partner only what a procedure step needs, as signed envelopes whose body
// is encrypted to the partner with HPKE over the hybrid post-quantum KEM
// (ML-KEM-768 with X25519). Messages wait in a durable outbox, written in the
// transaction of the change that caused them, and are delivered with retries
// and exponential backoff until the partner's signed receipt arrives; the
// inbox accepts each message id once. Both sides keep the signed envelopes
// and receipts: the message log an auditor verifies offline (Verify).
package exchange

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Config tunes delivery and acceptance.
type Config struct {
	// SkewTolerance is how far a message's sending time may be from the
	// receiver's clock.
	SkewTolerance time.Duration
	// TTL is how long a message may wait before it expires.
	TTL time.Duration
	// RetryBase and RetryMax bound the exponential backoff.
	RetryBase, RetryMax time.Duration
	// Overlap is how long a rotated key stays accepted.
	Overlap time.Duration
	// Workers deliver in parallel.
	Workers int
}

// DefaultConfig is the configuration of ura serve.
func DefaultConfig() Config {
	return Config{SkewTolerance: 5 * time.Minute, TTL: 30 * 24 * time.Hour, RetryBase: time.Second,
		RetryMax: 5 * time.Minute, Overlap: 7 * 24 * time.Hour, Workers: 16}
}

// CaseAccess is what the exchange needs of the case file.
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// ConsentCheck is what the exchange needs of the consent ledger.
type ConsentCheck interface {
	Check(ctx context.Context, q store.Querier, caseID string, share consent.Share) (consent.Decision, error)
}

// Service is the exchange of one instance.
type Service struct {
	DB      *store.DB
	Vault   *vault.Vault
	Clock   clock.Clock
	Country string
	URL     string
	Cases   CaseAccess
	Consent ConsentCheck
	// Stats counts and protects the regional picture (picture.go).
	Stats  Statistics
	Log    *slog.Logger
	HTTP   *http.Client
	Config Config

	wakeOnce sync.Once
	wake     chan struct{}
	mu       sync.Mutex
	keys     []*KeySet // own key sets, newest first (cache)
	keysAt   time.Time // when keys was loaded: a rotation by the CLI is seen within keysTTL
}

const keysTTL = 10 * time.Second

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

func (s *Service) wakeCh() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// Wake tells the deliverer that messages are waiting.
func (s *Service) Wake() {
	select {
	case s.wakeCh() <- struct{}{}:
	default:
	}
}

// ---- identity ----

// Identity is an instance's public identity, the JSON of `ura partner keys`.
type Identity struct {
	Country       string `json:"country"`
	URL           string `json:"url"`
	SigningKey    string `json:"signing_key"`
	EncryptionKey string `json:"encryption_key"`
	Fingerprint   string `json:"fingerprint"`
}

const settingDataKey = "exchange.data_key"

// dataKey returns the exchange's own data key (bodies of messages that
// belong to no case, and the key secrets), creating it in tx when missing.
func (s *Service) dataKey(ctx context.Context, tx *store.Tx) (string, error) {
	if id, ok, err := store.Setting(ctx, tx, settingDataKey); err != nil || ok {
		return id, err
	}
	id, err := s.Vault.NewDataKey(ctx, tx, "exchange")
	if err != nil {
		return "", err
	}
	return id, store.PutSetting(ctx, tx, settingDataKey, id)
}

// ownKeys returns this instance's key sets, newest first, creating the
// first one when there is none. It must not be called inside a transaction
// (use ownKeysIn).
func (s *Service) ownKeys(ctx context.Context) ([]*KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys != nil && time.Since(s.keysAt) < keysTTL {
		return s.keys, nil
	}
	out, err := s.loadOwn(ctx, s.DB.Read())
	if err == nil && len(out) == 0 {
		err = s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
			out, err = s.loadOwn(ctx, tx)
			if err != nil || len(out) > 0 {
				return err
			}
			if err := s.createKeys(ctx, tx); err != nil {
				return err
			}
			out, err = s.loadOwn(ctx, tx)
			return err
		})
	}
	if err != nil {
		return nil, errs.Internalf("exchange keys: %w", err)
	}
	s.keys, s.keysAt = out, time.Now()
	return out, nil
}

// ownKeysIn is ownKeys inside the caller's transaction.
func (s *Service) ownKeysIn(ctx context.Context, tx *store.Tx) ([]*KeySet, error) {
	s.mu.Lock()
	if s.keys != nil && time.Since(s.keysAt) < keysTTL {
		defer s.mu.Unlock()
		return s.keys, nil
	}
	s.mu.Unlock()
	out, err := s.loadOwn(ctx, tx)
	if err == nil && len(out) == 0 {
		if err = s.createKeys(ctx, tx); err == nil {
			out, err = s.loadOwn(ctx, tx)
		}
	}
	if err != nil {
		return nil, errs.Internalf("exchange keys: %w", err)
	}
	return out, nil
}

// loadOwn reads and opens the key sets in q.
func (s *Service) loadOwn(ctx context.Context, q store.Querier) ([]*KeySet, error) {
	rows, err := loadKeyRows(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []*KeySet
	for _, r := range rows {
		k := &KeySet{ID: r.ID, SignPub: r.SignPub, EncPub: r.EncPub, Country: s.Country}
		if r.ValidUntil.Valid {
			k.ValidUntil = store.FormatTime(r.ValidUntil.Time)
		}
		sec, err := s.Vault.Open(ctx, q, r.KeyID, keyAAD(r.ID), r.Secret)
		if err != nil {
			return nil, err
		}
		err = k.openSecret(sec)
		clear(sec)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (s *Service) createKeys(ctx context.Context, tx *store.Tx) error {
	k, err := newKeySet()
	if err != nil {
		return err
	}
	dk, err := s.dataKey(ctx, tx)
	if err != nil {
		return err
	}
	id := store.NewID()
	sec, err := k.secret()
	if err != nil {
		return err
	}
	sealed, err := s.Vault.Seal(ctx, tx, dk, keyAAD(id), sec)
	clear(sec)
	if err != nil {
		return err
	}
	return insertKeyRow(ctx, tx, keyRow{ID: id, Fingerprint: k.Fingerprint(s.Country), KeyID: dk, SignPub: k.SignPub,
		EncPub: k.EncPub, Secret: sealed})
}

// current is the key set that signs and that partners encrypt to.
func (s *Service) current(ctx context.Context) (*KeySet, error) {
	ks, err := s.ownKeys(ctx)
	if err != nil {
		return nil, err
	}
	return ks[0], nil
}

// ownKey finds a valid key set of this instance by fingerprint.
func (s *Service) ownKey(ctx context.Context, fp string, now time.Time) (*KeySet, error) {
	ks, err := s.ownKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if k.Fingerprint(s.Country) == fp {
			if k.ValidUntil != "" {
				if until, _ := store.ParseTime(k.ValidUntil); now.After(until) {
					return nil, nil
				}
			}
			return k, nil
		}
	}
	return nil, nil
}

const (
	settingCountry = "exchange.country"
	settingURL     = "exchange.url"
)

// Remember records this instance's country and public URL (ura serve does
// at start), so `ura partner keys` prints the identity partners must use
// even when run without the serve flags; it creates the keys if needed.
func (s *Service) Remember(ctx context.Context) error {
	if _, err := s.ownKeys(ctx); err != nil {
		return err
	}
	return s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		if err := store.PutSetting(ctx, tx, settingCountry, s.Country); err != nil {
			return err
		}
		return store.PutSetting(ctx, tx, settingURL, s.URL)
	})
}

// Recall takes the country and public URL ura serve recorded, if any.
func (s *Service) Recall(ctx context.Context) error {
	c, ok, err := store.Setting(ctx, s.DB.Read(), settingCountry)
	if err != nil || !ok {
		return err
	}
	u, _, err := store.Setting(ctx, s.DB.Read(), settingURL)
	if err != nil {
		return err
	}
	s.Country, s.URL = c, u
	return nil
}

// Identity returns this instance's public identity (creating its keys on
// first use).
func (s *Service) Identity(ctx context.Context) (Identity, error) {
	k, err := s.current(ctx)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Country: s.Country, URL: s.URL, SigningKey: base64.StdEncoding.EncodeToString(k.SignPub),
		EncryptionKey: base64.StdEncoding.EncodeToString(k.EncPub), Fingerprint: k.Fingerprint(s.Country)}, nil
}

// OwnKey is one of this instance's key sets as the administrator sees it.
type OwnKey struct {
	Fingerprint string
	CreatedAt   time.Time
	ValidUntil  time.Time // zero while current
}

// OwnKeys lists this instance's key sets, newest first.
func (s *Service) OwnKeys(ctx context.Context) ([]OwnKey, error) {
	if _, err := s.ownKeys(ctx); err != nil {
		return nil, err
	}
	rows, err := loadKeyRows(ctx, s.DB.Read())
	if err != nil {
		return nil, errs.Internalf("exchange keys: %w", err)
	}
	out := make([]OwnKey, len(rows))
	for i, r := range rows {
		out[i] = OwnKey{Fingerprint: r.Fingerprint, CreatedAt: r.CreatedAt, ValidUntil: r.ValidUntil.Time}
	}
	return out, nil
}

// RotateKeys makes a new key set current; the previous ones stay valid for
// overlap (Config.Overlap when zero), so messages sealed to them still open.
// Partners must register the new identity (ura partner add, then activate).
func (s *Service) RotateKeys(ctx context.Context, actor access.Actor, overlap time.Duration) (Identity, error) {
	if overlap <= 0 {
		overlap = s.Config.Overlap
	}
	if _, err := s.ownKeys(ctx); err != nil {
		return Identity{}, err
	}
	now := s.now()
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		if err := retireKeys(ctx, tx, now.Add(overlap)); err != nil {
			return err
		}
		if err := s.createKeys(ctx, tx); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.keys_rotated",
			ObjectType: "exchange_keys", ObjectID: s.Country, Detail: "overlap_hours=" + strconv.Itoa(int(overlap.Hours()))})
		return err
	})
	if err != nil {
		return Identity{}, errs.Internalf("rotate exchange keys: %w", err)
	}
	s.mu.Lock()
	s.keys = nil
	s.mu.Unlock()
	return s.Identity(ctx)
}

// ---- partners ----

// Partner is a registered partner instance.
type Partner struct {
	Country, Name, URL                    string
	Active                                bool
	CreatedAt, ActivatedAt, DeactivatedAt time.Time
	Keys                                  []PartnerKey
}

// PartnerKey is one of a partner's key sets: pending (registered, not yet
// checked), active, or retired (accepted until ValidUntil).
type PartnerKey struct {
	ID, State, Fingerprint           string
	SignPub, EncPub                  []byte
	AddedAt, ActivatedAt, ValidUntil time.Time
}

// activeKey returns the partner's active key set.
func (p *Partner) activeKey() *PartnerKey {
	for i := range p.Keys {
		if p.Keys[i].State == "active" {
			return &p.Keys[i]
		}
	}
	return nil
}

// acceptedKey returns the partner's key set with fingerprint fp if it is
// active or retired within its overlap.
func (p *Partner) acceptedKey(fp string, now time.Time) *PartnerKey {
	for i := range p.Keys {
		k := &p.Keys[i]
		if k.Fingerprint != fp {
			continue
		}
		if k.State == "active" || (k.State == "retired" && now.Before(k.ValidUntil)) {
			return k
		}
	}
	return nil
}

// Partners lists the registered partners with their keys.
func (s *Service) Partners(ctx context.Context) ([]Partner, error) {
	ps, err := loadPartners(ctx, s.DB.Read(), "")
	if err != nil {
		return nil, errs.Internalf("exchange partners: %w", err)
	}
	return ps, nil
}

func (s *Service) partner(ctx context.Context, q store.Querier, country string) (*Partner, error) {
	ps, err := loadPartners(ctx, q, country)
	if err != nil {
		return nil, errs.Internalf("exchange partner: %w", err)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return &ps[0], nil
}

// ParseIdentity reads an identity file strictly.
func ParseIdentity(b []byte) (Identity, error) {
	var id Identity
	if err := strictJSON(b, &id); err != nil {
		return id, errs.InvalidField("file", "exchange.identity_invalid")
	}
	return id, nil
}

// AddPartner registers a partner's identity: a new partner inactive, a
// known partner's new key set pending (a rotation). Nothing is trusted
// until an administrator activates the key set by its fingerprint.
func (s *Service) AddPartner(ctx context.Context, actor access.Actor, id Identity, name string) (Partner, error) {
	id.Country = strings.ToUpper(strings.TrimSpace(id.Country))
	if !countryRE.MatchString(id.Country) {
		return Partner{}, errs.InvalidField("country", "exchange.country_invalid")
	}
	if id.Country == s.Country {
		return Partner{}, errs.InvalidField("country", "exchange.partner_self")
	}
	u, err := url.Parse(id.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Partner{}, errs.InvalidField("url", "exchange.url_invalid")
	}
	signPub, err1 := base64.StdEncoding.DecodeString(id.SigningKey)
	encPub, err2 := base64.StdEncoding.DecodeString(id.EncryptionKey)
	if err1 != nil || err2 != nil || checkPublicKeys(signPub, encPub) != nil {
		return Partner{}, errs.InvalidField("signing_key", "exchange.keys_invalid")
	}
	fp := Fingerprint(id.Country, signPub, encPub)
	if id.Fingerprint != "" && NormFingerprint(id.Fingerprint) != NormFingerprint(fp) {
		return Partner{}, errs.InvalidField("fingerprint", "exchange.fingerprint_mismatch")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = id.Country
	}
	if len(name) > 200 {
		return Partner{}, errs.InvalidField("name", "validation.too_long")
	}
	err = s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := upsertPartner(ctx, tx, id.Country, name, strings.TrimRight(id.URL, "/")); err != nil {
			return err
		}
		ks, err := loadPartnerKeys(ctx, tx, id.Country)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if k.Fingerprint == fp {
				return nil // known already
			}
		}
		if err := insertPartnerKey(ctx, tx, id.Country, PartnerKey{SignPub: signPub, EncPub: encPub, Fingerprint: fp}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.partner_added",
			ObjectType: "exchange_partner", ObjectID: id.Country})
		return err
	})
	if err != nil {
		return Partner{}, errs.Internalf("add partner: %w", err)
	}
	p, err := s.partner(ctx, s.DB.Read(), id.Country)
	if err != nil || p == nil {
		return Partner{}, errs.Internalf("add partner: %v", err)
	}
	return *p, nil
}

// ActivatePartner trusts the partner's key set whose fingerprint the two
// administrators compared out of band. A fingerprint that matches no key set
// of the partner is refused. The key set it replaces stays accepted for the
// overlap (Config.Overlap).
func (s *Service) ActivatePartner(ctx context.Context, actor access.Actor, country, fingerprint string) error {
	country = strings.ToUpper(strings.TrimSpace(country))
	want := NormFingerprint(fingerprint)
	if want == "" {
		return errs.InvalidField("fingerprint", "validation.required")
	}
	now := s.now()
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		p, err := s.partner(ctx, tx, country)
		if err != nil {
			return err
		}
		if p == nil {
			return errs.InvalidField("country", "exchange.partner_unknown")
		}
		var key *PartnerKey
		for i := range p.Keys {
			if NormFingerprint(p.Keys[i].Fingerprint) == want && p.Keys[i].State != "retired" {
				key = &p.Keys[i]
			}
		}
		if key == nil {
			_, _ = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.partner_activate",
				ObjectType: "exchange_partner", ObjectID: country, Outcome: audit.OutcomeDenied, Detail: "fingerprint_mismatch"})
			return errs.InvalidField("fingerprint", "exchange.fingerprint_mismatch")
		}
		if err := activatePartnerKey(ctx, tx, country, key.ID, now.Add(s.Config.Overlap)); err != nil {
			return errs.Internalf("activate partner: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.partner_activate",
			ObjectType: "exchange_partner", ObjectID: country})
		return err
	})
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errs.Invalid {
			// The refusal's audit event must survive the rollback.
			_, _ = audit.AppendNow(ctx, s.DB, now, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.partner_activate",
				ObjectType: "exchange_partner", ObjectID: country, Outcome: audit.OutcomeDenied, Detail: e.Key})
		}
		return err
	}
	s.Wake()
	return nil
}

// DeactivatePartner stops the exchange with a partner: its messages are
// refused, and messages queued for it wait until it is activated again.
func (s *Service) DeactivatePartner(ctx context.Context, actor access.Actor, country string) error {
	country = strings.ToUpper(strings.TrimSpace(country))
	return s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		ok, err := setPartnerInactive(ctx, tx, country)
		if err != nil {
			return errs.Internalf("deactivate partner: %w", err)
		}
		if !ok {
			return errs.InvalidField("country", "exchange.partner_unknown")
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.partner_deactivate",
			ObjectType: "exchange_partner", ObjectID: country})
		return err
	})
}

// ReactivatePartner activates a partner again with its current key set.
func (s *Service) ReactivatePartner(ctx context.Context, actor access.Actor, country string) error {
	p, err := s.partner(ctx, s.DB.Read(), strings.ToUpper(country))
	if err != nil {
		return err
	}
	if p == nil || p.activeKey() == nil {
		return errs.InvalidField("country", "exchange.partner_unknown")
	}
	return s.ActivatePartner(ctx, actor, p.Country, p.activeKey().Fingerprint)
}

func itoa(n int) string { return strconv.Itoa(n) }

// encodeBody renders a validated body canonically (sorted keys).
func encodeBody(v map[string]any) []byte {
	b, _ := json.Marshal(v)
	return b
}

var _ = ed25519.PublicKeySize
var _ = fmt.Sprint

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
