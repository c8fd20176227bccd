package exchange

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The states of a message.
const (
	StateQueued       = "queued"       // in the outbox, waiting for the partner's receipt
	StateDelivered    = "delivered"    // the partner's signed receipt arrived
	StateAcknowledged = "acknowledged" // the partner answered it
	StateRejected     = "rejected"     // the partner refused it for good (Reason)
	StateReceived     = "received"     // in the inbox
	StateAnswered     = "answered"     // in the inbox, and this instance answered it
)

// The reasons an inbox refuses a message (and the sender records).
const (
	ReasonMalformed      = "malformed"
	ReasonVersion        = "unsupported_version"
	ReasonWrongRecipient = "wrong_recipient"
	ReasonUnknownSender  = "unknown_sender"
	ReasonSenderInactive = "sender_inactive"
	ReasonUnknownKey     = "unknown_key"
	ReasonBadSignature   = "bad_signature"
	ReasonClockSkew      = "clock_skew"
	ReasonExpired        = "expired"
	ReasonReplayed       = "replayed"
	ReasonUndecryptable  = "undecryptable"
	ReasonSchema         = "schema_violation"
	ReasonUnavailable    = "unavailable"
)

// rejection is an inbox's refusal: a code and, for a schema violation, the
// field.
type rejection struct{ Code, Field string }

func (r *rejection) Error() string {
	if r.Field != "" {
		return "exchange: rejected: " + r.Code + " (" + r.Field + ")"
	}
	return "exchange: rejected: " + r.Code
}

// Status is the HTTP status the inbox answers with.
func (r *rejection) Status() int {
	switch r.Code {
	case ReasonUnknownSender, ReasonSenderInactive:
		return http.StatusForbidden
	case ReasonUnknownKey, ReasonBadSignature, ReasonClockSkew:
		return http.StatusUnauthorized
	case ReasonReplayed:
		return http.StatusConflict
	case ReasonSchema:
		return http.StatusUnprocessableEntity
	case ReasonUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// retryable reports whether a sender should try again later: the partner
// may register or reactivate us, or activate our rotated keys (unknown_key),
// a clock may be corrected.
func retryable(code string) bool {
	switch code {
	case ReasonUnknownSender, ReasonSenderInactive, ReasonUnknownKey, ReasonClockSkew, ReasonUnavailable, "":
		return true
	}
	return false
}

// Problem is the inbox's answer to a refused envelope.
type Problem struct {
	Error   string `json:"error"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

var problemText = map[string]string{
	ReasonMalformed:      "the envelope is not well-formed",
	ReasonVersion:        "the envelope version is not supported",
	ReasonWrongRecipient: "the envelope is addressed to another country",
	ReasonUnknownSender:  "the sender is not a registered partner",
	ReasonSenderInactive: "the sender is registered but not active",
	ReasonUnknownKey:     "the envelope was signed or sealed with a key that is not registered or no longer valid",
	ReasonBadSignature:   "the signature does not verify",
	ReasonClockSkew:      "the sending time is too far from the receiver's clock",
	ReasonExpired:        "the message has expired",
	ReasonReplayed:       "the message was already received, or its id was used for another message",
	ReasonUndecryptable:  "the body does not open with the receiver's key",
	ReasonSchema:         "the body does not follow the message type's schema",
	ReasonUnavailable:    "the receiver cannot store the message now; try again later",
}

// ProblemOf renders err (a refusal) as the inbox's answer.
func ProblemOf(err error) (int, Problem) {
	var r *rejection
	if !errors.As(err, &r) {
		return http.StatusServiceUnavailable, Problem{Error: ReasonUnavailable, Message: problemText[ReasonUnavailable]}
	}
	return r.Status(), Problem{Error: r.Code, Field: r.Field, Message: problemText[r.Code]}
}

// row is one message as stored.
type row struct {
	ID, Direction, Peer, Type     string
	Schema                        int
	XRef, CaseID, ReplyTo, State  string
	Reason                        string
	Attempts                      int
	NextAttempt, SentAt           store.Time
	DeliveredAt, AckedAt, DueAt   store.Time
	CreatedAt, ExpiresAt          time.Time
	ActorID, LegalBasis           string
	Ciphertext, Envelope, Receipt []byte
	EnvelopeSHA, BodyKey          string
	BodyEnc                       []byte
}

// Message is a message as the API and the pages show it.
type Message struct {
	ID             string         `json:"id"`
	Direction      string         `json:"direction"`
	Country        string         `json:"country"`
	Type           string         `json:"type"`
	Schema         int            `json:"schema"`
	XRef           string         `json:"xref,omitempty"`
	CaseID         string         `json:"case_id,omitempty"`
	ReplyTo        string         `json:"reply_to,omitempty"`
	State          string         `json:"state"`
	Reason         string         `json:"reason,omitempty"`
	Attempts       int            `json:"attempts"`
	CreatedAt      time.Time      `json:"created_at"`
	DeliveredAt    *time.Time     `json:"delivered_at,omitempty"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	DueAt          *time.Time     `json:"due_at,omitempty"`
	LegalBasis     string         `json:"legal_basis,omitempty"`
	Body           map[string]any `json:"body,omitempty"`
}

func tp(t store.Time) *time.Time {
	if !t.Valid {
		return nil
	}
	x := t.Time
	return &x
}

func (r *row) message() *Message {
	return &Message{ID: r.ID, Direction: r.Direction, Country: r.Peer, Type: r.Type, Schema: r.Schema, XRef: r.XRef,
		CaseID: r.CaseID, ReplyTo: r.ReplyTo, State: r.State, Reason: r.Reason, Attempts: r.Attempts, CreatedAt: r.CreatedAt,
		DeliveredAt: tp(r.DeliveredAt), AcknowledgedAt: tp(r.AckedAt), DueAt: tp(r.DueAt), LegalBasis: r.LegalBasis}
}

// ---- sending ----

// SendRequest is a message a user or a script asks to send.
type SendRequest struct {
	To     string `json:"to"`
	Type   string `json:"type"`
	CaseID string `json:"case_id,omitempty"`
	// XRef continues a thread the partner opened, for an instance that holds
	// no case of its own for the person (messages without personal fields).
	XRef    string          `json:"xref,omitempty"`
	ReplyTo string          `json:"reply_to,omitempty"`
	Body    json.RawMessage `json:"body"`
	// procedure marks a message its own procedure made (the regional
	// picture, protected before it is sent); a user or a script cannot.
	procedure bool
}

// Preview is what a send would carry: the fields with their values, which of
// them are personal, and the consent or legal basis that allows it.
type Preview struct {
	To, Type, XRef string
	Fields         []PreviewField
	Personal       bool
	// Basis is the consent decision (Allowed, its entry and reason).
	Basis consent.Decision
}

// PreviewField is one field about to be sent.
type PreviewField struct {
	Name     string
	Value    any
	Personal bool
}

// planned is a validated send, ready to be written.
type planned struct {
	req      SendRequest
	mt       MessageType
	body     map[string]any
	partner  *Partner
	ref      *cases.Ref
	xref     string
	newXRef  bool
	basis    consent.Decision
	personal bool
}

// plan validates req in q for actor: the partner, the type and its schema,
// the case and the consent, the procedure's order.
func (s *Service) plan(ctx context.Context, q store.Querier, actor access.Actor, req SendRequest) (*planned, error) {
	p := &planned{req: req}
	req.To = strings.ToUpper(strings.TrimSpace(req.To))
	p.req.To = req.To
	partner, err := s.partner(ctx, q, req.To)
	if err != nil {
		return nil, err
	}
	if partner == nil || !partner.Active || partner.activeKey() == nil {
		return nil, errs.InvalidField("to", "exchange.partner_inactive")
	}
	p.partner = partner
	mt, ok := Types[req.Type]
	if !ok {
		return nil, errs.InvalidField("type", "exchange.type_unknown")
	}
	p.mt = mt
	if mt.Name == PictureType && !req.procedure {
		return nil, errs.InvalidField("type", "exchange.type_by_procedure")
	}
	if len(req.Body) == 0 {
		req.Body = []byte("{}")
	}
	body, err := mt.Validate(req.Body)
	if err != nil {
		var se *SchemaError
		errors.As(err, &se)
		return nil, errs.InvalidField("body."+se.Field, "exchange.field_"+se.Rule)
	}
	p.body = body
	for _, f := range mt.Fields {
		if _, ok := body[f.Name]; ok && f.Personal {
			p.personal = true
		}
	}
	if mt.Case && req.CaseID == "" {
		// A thread the partner opened, with no case of this instance: only
		// what needs no consent of this instance's ledger may be sent.
		if req.XRef == "" {
			return nil, errs.InvalidField("case_id", "validation.required")
		}
		known, err := listMsgs(ctx, q, "in", req.XRef, 1)
		if err != nil {
			return nil, errs.Internalf("thread: %w", err)
		}
		if len(known) == 0 || known[0].Peer != req.To {
			return nil, errs.InvalidField("xref", "exchange.xref_unknown")
		}
		if p.personal {
			return nil, errs.InvalidField("case_id", "exchange.personal_needs_case")
		}
		p.xref = req.XRef
	} else if mt.Case {
		ref, err := s.Cases.Authorize(ctx, q, actor, req.CaseID, access.ExchangeSend)
		if err != nil {
			return nil, err
		}
		p.ref = ref
		if p.xref, err = caseRef(ctx, q, ref.ID, req.To); err != nil {
			return nil, errs.Internalf("case reference: %w", err)
		}
		if p.xref == "" && req.XRef != "" {
			// Link this case to the thread the partner opened.
			known, err := listMsgs(ctx, q, "in", req.XRef, 1)
			if err != nil {
				return nil, errs.Internalf("thread: %w", err)
			}
			if len(known) == 0 || known[0].Peer != req.To {
				return nil, errs.InvalidField("xref", "exchange.xref_unknown")
			}
			if other, err := caseOfRef(ctx, q, req.XRef); err != nil || other != "" {
				return nil, errs.InvalidField("xref", "exchange.xref_unknown")
			}
			p.xref, p.newXRef = req.XRef, true
		} else if req.XRef != "" && req.XRef != p.xref {
			return nil, errs.InvalidField("xref", "exchange.xref_unknown")
		}
		if p.xref == "" {
			p.xref, p.newXRef = newXRef(s.Country, req.To), true
		}
		if p.basis, err = s.Consent.Check(ctx, q, ref.ID, consent.Share{Kind: consent.ScopeExchange, Target: req.To}); err != nil {
			return nil, err
		}
		if p.personal && !p.basis.Allowed {
			return nil, errs.InvalidField("body", "exchange.no_consent").With(map[string]any{"reason": "consent.reason." + p.basis.Reason})
		}
	} else if req.CaseID != "" || req.XRef != "" {
		return nil, errs.InvalidField("case_id", "exchange.case_not_allowed")
	}
	if mt.Answers != "" {
		if req.ReplyTo == "" {
			return nil, errs.InvalidField("reply_to", "validation.required")
		}
		orig, err := getMsg(ctx, q, "in", req.ReplyTo)
		if err != nil {
			return nil, errs.Internalf("reply to: %w", err)
		}
		if orig == nil || orig.Type != mt.Answers || orig.Peer != req.To {
			return nil, errs.InvalidField("reply_to", "exchange.reply_to_invalid")
		}
		if mt.Case && orig.XRef != "" && orig.XRef != p.xref {
			if !p.newXRef {
				return nil, errs.InvalidField("reply_to", "exchange.reply_to_invalid")
			}
			p.xref = orig.XRef // the partner's reference: link it to this case
		}
	} else if req.ReplyTo != "" {
		return nil, errs.InvalidField("reply_to", "exchange.reply_to_invalid")
	}
	if mt.Case {
		if err := s.checkOrder(ctx, q, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkOrder applies the USOP's order: a child's return plan needs a
// best-interest determination for return and the guardian's agreement; a
// handover needs a return plan both sides agreed.
func (s *Service) checkOrder(ctx context.Context, q store.Querier, p *planned) error {
	if p.mt.Name != "return_plan" && p.mt.Name != "handover" {
		return nil
	}
	thread, err := listMsgs(ctx, q, "", p.xref, 500)
	if err != nil {
		return errs.Internalf("thread: %w", err)
	}
	has := func(typ, field string, want any) (bool, error) {
		for _, r := range thread {
			if r.Type != typ || r.State == StateRejected {
				continue
			}
			b, err := s.openBody(ctx, q, r)
			if err != nil {
				return false, err
			}
			if b[field] == want {
				return true, nil
			}
		}
		return false, nil
	}
	switch p.mt.Name {
	case "return_plan":
		if p.ref != nil && p.ref.IsChild {
			ok, err := has("best_interest", "decision", "return")
			if err != nil {
				return err
			}
			if !ok {
				return errs.InvalidField("type", "exchange.best_interest_first")
			}
			if ok, err = has("guardian_agreement", "agreed", true); err != nil {
				return err
			}
			if !ok {
				return errs.InvalidField("type", "exchange.guardian_agreement_first")
			}
		}
	case "handover":
		ok, err := has("return_plan_answer", "agreed", true)
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("type", "exchange.return_plan_first")
		}
	}
	return nil
}

var xrefEnc = base32.StdEncoding.WithPadding(base32.NoPadding)

func newXRef(from, to string) string {
	var b [10]byte
	rand.Read(b[:])
	return from + "-" + to + "-" + xrefEnc.EncodeToString(b[:])
}

// PreviewSend shows what Send would carry, without writing anything.
func (s *Service) PreviewSend(ctx context.Context, actor access.Actor, req SendRequest) (*Preview, error) {
	p, err := s.plan(ctx, s.DB.Read(), actor, req)
	if err != nil {
		return nil, err
	}
	pv := &Preview{To: p.req.To, Type: p.mt.Name, XRef: p.xref, Personal: p.personal, Basis: p.basis}
	for _, f := range p.mt.Fields {
		if v, ok := p.body[f.Name]; ok {
			pv.Fields = append(pv.Fields, PreviewField{Name: f.Name, Value: v, Personal: f.Personal})
		}
	}
	return pv, nil
}

// Send queues a message in its own transaction. Concurrent sends share a
// commit (store.InGroupTx), each still queued or refused on its own.
func (s *Service) Send(ctx context.Context, actor access.Actor, req SendRequest) (string, error) {
	var id string
	err := s.DB.InGroupTx(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		id, err = s.SendIn(ctx, tx, actor, req)
		return err
	})
	return id, err
}

// SendIn queues a message in the caller's transaction, the one of the case
// change that caused it: the message exists if and only if the change does.
func (s *Service) SendIn(ctx context.Context, tx *store.Tx, actor access.Actor, req SendRequest) (string, error) {
	p, err := s.plan(ctx, tx, actor, req)
	if err != nil {
		return "", err
	}
	keys, err := s.ownKeysIn(ctx, tx)
	if err != nil {
		return "", err
	}
	me := keys[0]
	pk := p.partner.activeKey()
	now := tx.Now
	id := store.NewID()
	e := &Envelope{V: EnvelopeVersion, ID: id, From: s.Country, To: p.req.To, Type: p.mt.Name, Schema: p.mt.Version,
		XRef: p.xref, ReplyTo: p.req.ReplyTo, CreatedAt: now.Format(wireTime), ExpiresAt: now.Add(s.Config.TTL).Format(wireTime),
		SenderKey: me.Fingerprint(s.Country), RecipientKey: pk.Fingerprint}
	plain := encodeBody(p.body)
	if e.Body, err = sealTo(pk.EncPub, e.Info(), plain); err != nil {
		return "", errs.Internalf("seal: %w", err)
	}
	if p.newXRef && p.ref != nil {
		if err := insertCaseRef(ctx, tx, p.ref.ID, p.req.To, p.xref); err != nil {
			return "", errs.Internalf("case reference: %w", err)
		}
	}
	r := &row{ID: id, Direction: "out", Peer: p.req.To, Type: p.mt.Name, Schema: p.mt.Version, XRef: p.xref,
		ReplyTo: p.req.ReplyTo, State: StateQueued, NextAttempt: store.T(now), CreatedAt: now,
		ExpiresAt: now.Add(s.Config.TTL), ActorID: actor.UserID, Ciphertext: e.Body, Envelope: e.Marshal(),
		EnvelopeSHA: e.ContentHash()}
	if p.ref != nil {
		r.CaseID = p.ref.ID
		if p.personal {
			r.LegalBasis = "consent:" + p.basis.EntryID
			if p.basis.Reason == consent.ReasonOverride {
				r.LegalBasis = "override:" + p.basis.EntryID
			}
		}
	}
	r.DueAt = dueOf(p.mt.Name, p.body)
	if err := s.sealBody(ctx, tx, r, p.ref, plain); err != nil {
		return "", err
	}
	if err := insertMsg(ctx, tx, r); err != nil {
		return "", errs.Internalf("queue message: %w", err)
	}
	if p.ref != nil {
		if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: p.ref.ID, Kind: "exchange", ActorID: actor.UserID,
			ActorOrg: actor.OrgID, RefTable: "exchange_messages", RefID: id, Summary: "sent:" + p.mt.Name + ":" + p.req.To}); err != nil {
			return "", err
		}
	}
	if p.req.ReplyTo != "" {
		if err := markInAnswered(ctx, tx, p.req.ReplyTo); err != nil {
			return "", errs.Internalf("answered: %w", err)
		}
	}
	detail := "to=" + p.req.To + ";type=" + p.mt.Name
	if r.LegalBasis != "" {
		detail += ";basis=" + r.LegalBasis
	}
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.send",
		ObjectType: "exchange_message", ObjectID: id, Detail: detail}); err != nil {
		return "", err
	}
	tx.AfterCommit(s.Wake)
	return id, nil
}

// dueOf is when an answer or a follow-up is due: a request's due date; for
// a handover the first monitoring report (three months after it).
func dueOf(typ string, body map[string]any) store.Time {
	switch typ {
	case "identity_request", "assessment_request":
		if d, ok := body["due_date"].(string); ok {
			t, _ := time.Parse(time.DateOnly, d)
			return store.T(t)
		}
	case "handover":
		if d, ok := body["handed_over_on"].(string); ok {
			t, _ := time.Parse(time.DateOnly, d)
			return store.T(t.AddDate(0, 3, 0))
		}
	}
	return store.Time{}
}

func (s *Service) sealBody(ctx context.Context, tx *store.Tx, r *row, ref *cases.Ref, plain []byte) error {
	key := ""
	if ref != nil {
		key = ref.KeyID
	} else {
		var err error
		if key, err = s.dataKey(ctx, tx); err != nil {
			return errs.Internalf("exchange data key: %w", err)
		}
	}
	sealed, err := s.Vault.Seal(ctx, tx, key, msgAAD(r.Direction, r.ID), plain)
	if err != nil {
		return errs.Internalf("seal body: %w", err)
	}
	r.BodyKey, r.BodyEnc = key, sealed
	return nil
}

func (s *Service) openBody(ctx context.Context, q store.Querier, r *row) (map[string]any, error) {
	b, err := s.Vault.Open(ctx, q, r.BodyKey, msgAAD(r.Direction, r.ID), r.BodyEnc)
	if err != nil {
		return nil, errs.Internalf("open body: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, errs.Internalf("body: %w", err)
	}
	return v, nil
}

// ---- delivery ----

// Run delivers until ctx ends: at once when woken (a message queued, a
// partner activated in this process), else when the earliest retry is due,
// and at least every second (a partner activated by the CLI or another node).
func (s *Service) Run(ctx context.Context) {
	for {
		if err := s.answerQueries(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("exchange: person queries", "err", err)
		}
		n, err := s.Deliver(ctx)
		if err != nil && ctx.Err() == nil {
			s.log().Warn("exchange delivery failed", "err", err)
		}
		if n > 0 {
			continue // more may be due
		}
		wait := time.Second
		if next, err := nextDue(ctx, s.DB.Read()); err == nil && !next.IsZero() {
			if d := time.Until(next); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wakeCh():
		case <-t.C:
		}
		t.Stop()
	}
}

type outcome struct {
	id            string
	delivered     bool
	rejected      bool
	reason        string
	envelope, rcp []byte
	sha           string
	attempts      int
}

// Deliver makes one attempt at every message due now (up to a batch) and
// records the outcomes; it returns how many messages it attempted.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	now := s.now()
	due, err := dueOut(ctx, s.DB.Read(), now, 256)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	me, err := s.ownKeys(ctx)
	if err != nil {
		return 0, err
	}
	partners := map[string]*Partner{}
	for _, r := range due {
		if _, ok := partners[r.Peer]; !ok {
			p, err := s.partner(ctx, s.DB.Read(), r.Peer)
			if err != nil {
				return 0, err
			}
			partners[r.Peer] = p
		}
	}
	workers := max(s.Config.Workers, 1)
	out := make([]outcome, len(due))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, r := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = s.attempt(ctx, r, partners[r.Peer], me)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	rnow := s.now()
	err = s.DB.InTx(ctx, rnow, func(tx *store.Tx) error {
		for _, o := range out {
			var err error
			switch {
			case o.delivered:
				err = markDelivered(ctx, tx, o.id, o.envelope, o.rcp, o.sha)
			case o.rejected:
				if err = markRejected(ctx, tx, o.id, o.reason); err == nil {
					_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(access.SystemActor),
						Action: "exchange.rejected_by_partner", ObjectType: "exchange_message", ObjectID: o.id,
						Outcome: audit.OutcomeFailed, Detail: o.reason})
				}
			default:
				err = markRetry(ctx, tx, o.id, o.reason, rnow.Add(s.backoff(o.attempts)))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return len(due), err
}

func (s *Service) backoff(attempts int) time.Duration {
	base, maxd := s.Config.RetryBase, s.Config.RetryMax
	if base <= 0 {
		base = time.Second
	}
	d := time.Duration(float64(base) * math.Pow(2, float64(min(attempts, 30))))
	if d > maxd || d <= 0 {
		d = maxd
	}
	// up to a quarter less, so retries from many messages spread out
	return d - time.Duration(mrand.Int64N(int64(d/4)+1))
}

// attempt sends one message once.
func (s *Service) attempt(ctx context.Context, r *row, p *Partner, me []*KeySet) outcome {
	o := outcome{id: r.ID, attempts: r.Attempts}
	if s.now().After(r.ExpiresAt) {
		o.rejected, o.reason = true, ReasonExpired
		return o
	}
	var e Envelope
	if err := json.Unmarshal(r.Envelope, &e); err != nil {
		o.rejected, o.reason = true, ReasonMalformed
		return o
	}
	var key *KeySet
	for _, k := range me {
		if k.Fingerprint(s.Country) == e.SenderKey {
			key = k
		}
	}
	if key == nil {
		o.rejected, o.reason = true, ReasonUnknownKey
		return o
	}
	e.SentAt = s.now().Format(wireTime)
	e.Sig = key.sign(e.SignedBytes())
	wire := e.Marshal()
	rcp, code, err := s.post(ctx, p.URL+"/exchange/inbox", wire)
	if err != nil {
		o.reason = "unreachable"
		return o
	}
	if code != "" {
		if retryable(code) {
			o.reason = code
		} else {
			o.rejected, o.reason = true, code
		}
		return o
	}
	rc, err := ParseReceipt(rcp)
	if err != nil || rc.MessageID != e.ID || rc.From != p.Country || rc.To != s.Country ||
		rc.EnvelopeSHA256 != e.ContentHash() {
		o.reason = "bad_receipt"
		return o
	}
	pk := p.acceptedKey(rc.Key, s.now())
	if pk == nil || !rc.Verify(pk.SignPub) {
		o.reason = "bad_receipt"
		return o
	}
	o.delivered, o.envelope, o.rcp, o.sha = true, wire, rcp, rc.EnvelopeSHA256
	return o
}

func (s *Service) post(ctx context.Context, u string, body []byte) (receipt []byte, code string, err error) {
	c := s.HTTP
	if c == nil {
		c = defaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode == http.StatusOK {
		return b, "", nil
	}
	var pr Problem
	if json.Unmarshal(b, &pr) == nil && pr.Error != "" && resp.StatusCode < 500 {
		if _, known := problemText[pr.Error]; known {
			return nil, pr.Error, nil
		}
	}
	return nil, "", fmt.Errorf("inbox answered %d", resp.StatusCode)
}

var defaultClient = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
	MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
	Proxy: http.ProxyFromEnvironment}}

// ---- receiving ----

// Receive handles one envelope posted to the inbox and returns the signed
// receipt; a message received before (same id, same content) gets its
// receipt again and is not processed twice. Every refusal is audited.
func (s *Service) Receive(ctx context.Context, wire []byte) ([]byte, error) {
	now := s.now()
	rcp, e, err := s.receive(ctx, wire, now)
	if err != nil {
		var r *rejection
		if errors.As(err, &r) {
			from, id := "", ""
			if e != nil {
				from, id = e.From, e.ID
			}
			detail := "reason=" + r.Code
			if countryRE.MatchString(from) {
				detail += ";from=" + from
			}
			if !idRE.MatchString(id) {
				id = "unknown"
			}
			if _, aerr := audit.AppendNow(ctx, s.DB, now, audit.Event{Actor: audit.ActorFrom(access.SystemActor),
				Action: "exchange.inbox_rejected", ObjectType: "exchange_message", ObjectID: id,
				Outcome: audit.OutcomeDenied, Detail: detail}); aerr != nil {
				return nil, &rejection{Code: ReasonUnavailable}
			}
			return nil, err
		}
		s.log().Warn("exchange inbox failed", "err", err)
		return nil, &rejection{Code: ReasonUnavailable}
	}
	return rcp, nil
}

func (s *Service) receive(ctx context.Context, wire []byte, now time.Time) ([]byte, *Envelope, error) {
	e, err := ParseEnvelope(wire)
	if err != nil {
		return nil, nil, err
	}
	if e.To != s.Country {
		return nil, e, &rejection{Code: ReasonWrongRecipient}
	}
	p, err := s.partner(ctx, s.DB.Read(), e.From)
	if err != nil {
		return nil, e, err
	}
	if p == nil {
		return nil, e, &rejection{Code: ReasonUnknownSender}
	}
	pk := p.acceptedKey(e.SenderKey, now)
	if pk == nil {
		return nil, e, &rejection{Code: ReasonUnknownKey}
	}
	if !e.Verify(pk.SignPub) {
		return nil, e, &rejection{Code: ReasonBadSignature}
	}
	if !p.Active {
		return nil, e, &rejection{Code: ReasonSenderInactive}
	}
	_, expires, sent := e.times()
	prev, err := getMsg(ctx, s.DB.Read(), "in", e.ID)
	if err != nil {
		return nil, e, err
	}
	if d := now.Sub(sent); d > s.Config.SkewTolerance || d < -s.Config.SkewTolerance {
		if prev != nil {
			return nil, e, &rejection{Code: ReasonReplayed}
		}
		return nil, e, &rejection{Code: ReasonClockSkew}
	}
	if prev != nil {
		if prev.Peer == e.From && prev.EnvelopeSHA == e.ContentHash() {
			return prev.Receipt, e, nil // a retry of a message already taken: its receipt again
		}
		return nil, e, &rejection{Code: ReasonReplayed}
	}
	if now.After(expires) {
		return nil, e, &rejection{Code: ReasonExpired}
	}
	me, err := s.ownKey(ctx, e.RecipientKey, now)
	if err != nil {
		return nil, e, err
	}
	if me == nil {
		return nil, e, &rejection{Code: ReasonUnknownKey}
	}
	plain, err := me.open(e.Info(), e.Body)
	if err != nil {
		return nil, e, &rejection{Code: ReasonUndecryptable}
	}
	mt, ok := Types[e.Type]
	if !ok || mt.Version != e.Schema {
		return nil, e, &rejection{Code: ReasonSchema, Field: "type"}
	}
	body, err := mt.Validate(plain)
	if err != nil {
		var se *SchemaError
		errors.As(err, &se)
		return nil, e, &rejection{Code: ReasonSchema, Field: se.Field}
	}
	if e.Type == PictureType {
		if _, err := ParsePicture(body); err != nil {
			return nil, e, &rejection{Code: ReasonSchema, Field: "rows"}
		}
	}
	if mt.Case != (e.XRef != "") {
		return nil, e, &rejection{Code: ReasonSchema, Field: "xref"}
	}
	cur, err := s.current(ctx)
	if err != nil {
		return nil, e, err
	}
	rcp := cur.Receipt(e, s.Country, now).Marshal()
	// Envelopes arriving together (the sender delivers several at once)
	// share a commit, each stored or refused on its own.
	err = s.DB.InGroupTx(ctx, now, func(tx *store.Tx) error {
		r := &row{ID: e.ID, Direction: "in", Peer: e.From, Type: e.Type, Schema: e.Schema, XRef: e.XRef, ReplyTo: e.ReplyTo,
			State: StateReceived, CreatedAt: now, ExpiresAt: expires, DeliveredAt: store.T(now), Ciphertext: e.Body,
			Envelope: wire, EnvelopeSHA: e.ContentHash(), Receipt: rcp, DueAt: dueOf(e.Type, body)}
		var ref *cases.Ref
		if e.XRef != "" {
			caseID, err := caseOfRef(ctx, tx, e.XRef)
			if err != nil {
				return err
			}
			if caseID != "" {
				if ref, err = s.Cases.Authorize(ctx, tx, access.SystemActor, caseID, access.CaseView); err != nil {
					ref = nil
				} else {
					r.CaseID = ref.ID
				}
			}
		}
		if err := s.sealBody(ctx, tx, r, ref, encodeBody(body)); err != nil {
			return err
		}
		if err := insertMsg(ctx, tx, r); err != nil {
			return err
		}
		if ref != nil {
			if err := cases.AppendTimeline(ctx, tx, cases.TimelineEntry{CaseID: ref.ID, Kind: "exchange", ActorID: "system",
				RefTable: "exchange_messages", RefID: e.ID, Summary: "received:" + e.Type + ":" + e.From}); err != nil {
				return err
			}
		}
		if e.ReplyTo != "" {
			if err := markAcknowledged(ctx, tx, e.ReplyTo, e.From); err != nil {
				return err
			}
		}
		if e.Type == "person_query" {
			tx.AfterCommit(s.Wake)
		}
		if e.Type == PictureType {
			if err := takePicture(ctx, tx, e.From, e.ID, body); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(access.SystemActor), Action: "exchange.receive",
			ObjectType: "exchange_message", ObjectID: e.ID, Detail: "from=" + e.From + ";type=" + e.Type})
		return err
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			// The same message arrived twice at once: answer with the stored receipt.
			if prev, perr := getMsg(ctx, s.DB.Read(), "in", e.ID); perr == nil && prev != nil &&
				prev.Peer == e.From && prev.EnvelopeSHA == e.ContentHash() {
				return prev.Receipt, e, nil
			}
			return nil, e, &rejection{Code: ReasonReplayed}
		}
		return nil, e, err
	}
	return rcp, e, nil
}

// ---- reading ----

// Get returns a message by id (outgoing first), with its body.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (*Message, error) {
	if !idRE.MatchString(id) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	for _, d := range []string{"out", "in"} {
		r, err := getMsg(ctx, s.DB.Read(), d, id)
		if err != nil {
			return nil, errs.Internalf("message: %w", err)
		}
		if r == nil {
			continue
		}
		m := r.message()
		if m.Body, err = s.openBody(ctx, s.DB.Read(), r); err != nil {
			return nil, err
		}
		// The body may be personal: the read is audited before it is shown.
		if _, err := audit.AppendNow(ctx, s.DB, s.now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.read",
			ObjectType: "exchange_message", ObjectID: id}); err != nil {
			return nil, errs.Internalf("audit read: %w", err)
		}
		return m, nil
	}
	return nil, errs.E(errs.NotFound, "error.not_found")
}

// List returns messages of a direction ("in", "out" or both), newest first.
func (s *Service) List(ctx context.Context, actor access.Actor, direction string, limit int) ([]*Message, error) {
	switch direction {
	case "", "in", "out":
	default:
		return nil, errs.InvalidField("direction", "validation.invalid_choice")
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := listMsgs(ctx, s.DB.Read(), direction, "", limit)
	if err != nil {
		return nil, errs.Internalf("messages: %w", err)
	}
	out := make([]*Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}

// Counts are the numbers of messages by direction and state
// ("out.queued", "in.received", …).
func (s *Service) Counts(ctx context.Context) (map[string]int, error) {
	return countMsgs(ctx, s.DB.Read())
}

// ---- the message log ----

// VerifyReport is what Verify found.
type VerifyReport struct {
	Messages, Envelopes, Receipts int
	Problems                      []string
}

// Verify checks the message log offline: every stored envelope's signature
// with the sender's key (this instance's for the outbox, the partner's
// registered keys, retired ones included, for the inbox), every receipt's
// signature with the recipient's, and that each receipt names its
// envelope's content hash.
func (s *Service) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	own, err := loadKeyRows(ctx, s.DB.Read())
	if err != nil {
		return rep, err
	}
	ownKeys := map[string][]byte{}
	for _, k := range own {
		ownKeys[k.Fingerprint] = k.SignPub
	}
	ps, err := loadPartners(ctx, s.DB.Read(), "")
	if err != nil {
		return rep, err
	}
	partnerKeys := map[string][]byte{}
	for _, p := range ps {
		for _, k := range p.Keys {
			partnerKeys[k.Fingerprint] = k.SignPub
		}
	}
	for _, dir := range []string{"out", "in"} {
		rows, err := listMsgs(ctx, s.DB.Read(), dir, "", math.MaxInt32)
		if err != nil {
			return rep, err
		}
		for _, r := range rows {
			rep.Messages++
			if r.Receipt == nil {
				continue // queued or rejected: nothing signed to check
			}
			signers, receivers := ownKeys, partnerKeys
			if dir == "in" {
				signers, receivers = partnerKeys, ownKeys
			}
			e, err := ParseEnvelope(r.Envelope)
			if err != nil {
				rep.Problems = append(rep.Problems, dir+" "+r.ID+": envelope unreadable")
				continue
			}
			rep.Envelopes++
			if e.ID != r.ID || !e.Verify(signers[e.SenderKey]) {
				rep.Problems = append(rep.Problems, dir+" "+r.ID+": envelope signature does not verify")
			}
			rc, err := ParseReceipt(r.Receipt)
			if err != nil {
				rep.Problems = append(rep.Problems, dir+" "+r.ID+": receipt unreadable")
				continue
			}
			rep.Receipts++
			if rc.MessageID != r.ID || rc.EnvelopeSHA256 != e.ContentHash() || !rc.Verify(receivers[rc.Key]) {
				rep.Problems = append(rep.Problems, dir+" "+r.ID+": receipt does not verify or names another envelope")
			}
		}
	}
	sort.Strings(rep.Problems)
	return rep, nil
}
