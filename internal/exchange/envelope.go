package exchange

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"time"
)

// EnvelopeVersion is the version of the envelope format.
const EnvelopeVersion = 1

// MaxEnvelopeBytes bounds an envelope on the wire.
const MaxEnvelopeBytes = 256 << 10

// Envelope is one message between instances. Everything but Sig is signed by
// the sender; the body is encrypted to the recipient with the header (all of
// it but SentAt and Sig) bound as HPKE info, so a ciphertext cannot be moved
// under another header.
type Envelope struct {
	V         int    `json:"v"`
	ID        string `json:"id"`
	From      string `json:"from"`
	To        string `json:"to"`
	Type      string `json:"type"`
	Schema    int    `json:"schema"`
	XRef      string `json:"xref"`
	ReplyTo   string `json:"reply_to"`
	CreatedAt string `json:"created_at"`
	ExpiresAt string `json:"expires_at"`
	// SentAt is the time of this delivery attempt (the receiver's clock
	// skew check); a retry signs the envelope again with a new SentAt.
	SentAt string `json:"sent_at"`
	// SenderKey and RecipientKey are the fingerprints of the key sets used.
	SenderKey    string `json:"sender_key"`
	RecipientKey string `json:"recipient_key"`
	Body         []byte `json:"body"`
	Sig          []byte `json:"sig"`
}

// Receipt is the recipient's signed statement that it accepted an envelope.
type Receipt struct {
	V              int    `json:"v"`
	MessageID      string `json:"message_id"`
	From           string `json:"from"` // the recipient, who signs
	To             string `json:"to"`   // the sender of the message
	ReceivedAt     string `json:"received_at"`
	EnvelopeSHA256 string `json:"envelope_sha256"` // of the envelope's signed header and body (SignedHash)
	Key            string `json:"key"`             // the fingerprint of the signing key set
	Sig            []byte `json:"sig"`
}

const wireTime = time.RFC3339

var (
	idRE      = regexp.MustCompile(`^[a-z0-9]{16,64}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	typeRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{1,47}$`)
	xrefRE    = regexp.MustCompile(`^([A-Z]{2}-[A-Z]{2}-[A-Z0-9]{8,32})?$`)
	fpRE      = regexp.MustCompile(`^[0-9A-F]{4}( [0-9A-F]{4}){15}$`)
)

func writeField(h io.Writer, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// header writes the fields bound to the ciphertext.
func (e *Envelope) header(w io.Writer) {
	io.WriteString(w, "ura-exchange-envelope-v1\x00")
	for _, s := range []string{fmt.Sprint(e.V), e.ID, e.From, e.To, e.Type, fmt.Sprint(e.Schema), e.XRef, e.ReplyTo,
		e.CreatedAt, e.ExpiresAt, e.SenderKey, e.RecipientKey} {
		writeField(w, []byte(s))
	}
}

// Info is the HPKE info of the body: the header without SentAt.
func (e *Envelope) Info() []byte {
	var b bytes.Buffer
	e.header(&b)
	return b.Bytes()
}

// SignedBytes are the bytes the sender signs: the header, SentAt and the
// encrypted body.
func (e *Envelope) SignedBytes() []byte {
	var b bytes.Buffer
	e.header(&b)
	writeField(&b, []byte(e.SentAt))
	writeField(&b, e.Body)
	return b.Bytes()
}

// ContentHash identifies an envelope's content regardless of the attempt:
// the header and the body, not SentAt or Sig. Two deliveries of one message
// have the same content hash; a different message under a known id does not.
func (e *Envelope) ContentHash() string {
	h := sha256.New()
	e.header(h)
	writeField(h, e.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks the signature with the sender's signing key.
func (e *Envelope) Verify(signPub ed25519.PublicKey) bool {
	return len(signPub) == ed25519.PublicKeySize && ed25519.Verify(signPub, e.SignedBytes(), e.Sig)
}

// ParseEnvelope reads an envelope strictly: unknown members, a wrong version
// and malformed fields are errors (a code), before any key is touched.
func ParseEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxEnvelopeBytes {
		return nil, errMalformed
	}
	var e Envelope
	if err := strictJSON(b, &e); err != nil {
		return nil, errMalformed
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	return &e, nil
}

var errMalformed = &rejection{Code: ReasonMalformed}

func (e *Envelope) check() error {
	switch {
	case e.V != EnvelopeVersion:
		return &rejection{Code: ReasonVersion}
	case !idRE.MatchString(e.ID), !countryRE.MatchString(e.From), !countryRE.MatchString(e.To),
		!typeRE.MatchString(e.Type), e.Schema < 1 || e.Schema > 1000, !xrefRE.MatchString(e.XRef),
		e.ReplyTo != "" && !idRE.MatchString(e.ReplyTo),
		!fpRE.MatchString(e.SenderKey), !fpRE.MatchString(e.RecipientKey),
		len(e.Body) == 0, len(e.Sig) != ed25519.SignatureSize:
		return errMalformed
	}
	for _, s := range []string{e.CreatedAt, e.ExpiresAt, e.SentAt} {
		if _, err := time.Parse(wireTime, s); err != nil {
			return errMalformed
		}
	}
	return nil
}

func (e *Envelope) times() (created, expires, sent time.Time) {
	created, _ = time.Parse(wireTime, e.CreatedAt)
	expires, _ = time.Parse(wireTime, e.ExpiresAt)
	sent, _ = time.Parse(wireTime, e.SentAt)
	return
}

// Marshal renders e as JSON.
func (e *Envelope) Marshal() []byte {
	b, _ := json.Marshal(e)
	return b
}

func (r *Receipt) signedBytes() []byte {
	var b bytes.Buffer
	b.WriteString("ura-exchange-receipt-v1\x00")
	for _, s := range []string{fmt.Sprint(r.V), r.MessageID, r.From, r.To, r.ReceivedAt, r.EnvelopeSHA256, r.Key} {
		writeField(&b, []byte(s))
	}
	return b.Bytes()
}

// Verify checks the receipt's signature with the recipient's signing key.
func (r *Receipt) Verify(signPub ed25519.PublicKey) bool {
	return len(signPub) == ed25519.PublicKeySize && ed25519.Verify(signPub, r.signedBytes(), r.Sig)
}

// Marshal renders r as JSON.
func (r *Receipt) Marshal() []byte {
	b, _ := json.Marshal(r)
	return b
}

// ParseReceipt reads a receipt strictly.
func ParseReceipt(b []byte) (*Receipt, error) {
	if len(b) > 8<<10 {
		return nil, errMalformed
	}
	var r Receipt
	if err := strictJSON(b, &r); err != nil {
		return nil, errMalformed
	}
	if r.V != EnvelopeVersion || !idRE.MatchString(r.MessageID) || !countryRE.MatchString(r.From) ||
		!countryRE.MatchString(r.To) || !fpRE.MatchString(r.Key) || len(r.Sig) != ed25519.SignatureSize ||
		len(r.EnvelopeSHA256) != 64 {
		return nil, errMalformed
	}
	if _, err := hex.DecodeString(r.EnvelopeSHA256); err != nil {
		return nil, errMalformed
	}
	if _, err := time.Parse(wireTime, r.ReceivedAt); err != nil {
		return nil, errMalformed
	}
	return &r, nil
}

// strictJSON decodes exactly one JSON object with no unknown members.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("trailing data")
	}
	return nil
}

var _ hash.Hash = sha256.New()
