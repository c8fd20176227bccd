package exchange

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The cipher suite of every envelope: the hybrid post-quantum KEM
// (ML-KEM-768 with X25519), HKDF-SHA256 and AES-256-GCM. Victims' data
// stays sensitive for decades: a recording of today's traffic must not open
// under tomorrow's quantum computer.
var (
	kem  = hpke.MLKEM768X25519()
	kdf  = hpke.HKDFSHA256()
	aead = hpke.AES256GCM()
)

// KeySet is one instance's key pair set: an Ed25519 signing key and an HPKE
// encryption key. Private halves are nil for a partner's key set.
type KeySet struct {
	ID         string
	SignPub    ed25519.PublicKey
	EncPub     []byte
	signPriv   ed25519.PrivateKey
	encPriv    hpke.PrivateKey
	Country    string
	ValidUntil string // store.TimeFormat, empty while current
}

// newKeySet generates a fresh key set.
func newKeySet() (*KeySet, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	ek, err := kem.GenerateKey()
	if err != nil {
		return nil, err
	}
	return &KeySet{SignPub: pub, signPriv: priv, encPriv: ek, EncPub: ek.PublicKey().Bytes()}, nil
}

// secret is the private halves as one byte string (sealed in the store).
func (k *KeySet) secret() ([]byte, error) {
	eb, err := k.encPriv.Bytes()
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, k.signPriv.Seed()...), eb...), nil
}

// openSecret restores the private halves from secret.
func (k *KeySet) openSecret(b []byte) error {
	if len(b) <= ed25519.SeedSize {
		return errors.New("exchange: key secret too short")
	}
	k.signPriv = ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
	ek, err := kem.NewPrivateKey(b[ed25519.SeedSize:])
	if err != nil {
		return fmt.Errorf("exchange: encryption key: %w", err)
	}
	k.encPriv = ek
	if !k.signPriv.Public().(ed25519.PublicKey).Equal(k.SignPub) {
		return errors.New("exchange: signing key does not match its public key")
	}
	return nil
}

// Fingerprint is the SHA-256 of a country's two public keys, in groups of
// four hexadecimal digits: what two administrators read to each other out
// of band before a partner is activated.
func Fingerprint(country string, signPub, encPub []byte) string {
	h := sha256.New()
	h.Write([]byte("ura-exchange-identity-v1\x00"))
	writeField(h, []byte(country))
	writeField(h, signPub)
	writeField(h, encPub)
	s := strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i : i+4])
	}
	return b.String()
}

// NormFingerprint removes spaces and colons and upper-cases, so a fingerprint
// typed in groups, in one block or in lower case compares equal.
func NormFingerprint(s string) string {
	s = strings.NewReplacer(" ", "", ":", "", "-", "").Replace(strings.TrimSpace(s))
	return strings.ToUpper(s)
}

// Fingerprint of k for country.
func (k *KeySet) Fingerprint(country string) string { return Fingerprint(country, k.SignPub, k.EncPub) }

// checkPublicKeys validates a partner's public keys.
func checkPublicKeys(signPub, encPub []byte) error {
	if len(signPub) != ed25519.PublicKeySize {
		return errors.New("signing key is not an Ed25519 public key")
	}
	if _, err := kem.NewPublicKey(encPub); err != nil {
		return errors.New("encryption key is not an ML-KEM-768+X25519 public key")
	}
	return nil
}

// sealTo encrypts plaintext to the encryption public key encPub, bound to
// info (the envelope's header).
func sealTo(encPub, info, plaintext []byte) ([]byte, error) {
	pk, err := kem.NewPublicKey(encPub)
	if err != nil {
		return nil, err
	}
	return hpke.Seal(pk, kdf, aead, info, plaintext)
}

// open decrypts a ciphertext made by sealTo to k.
func (k *KeySet) open(info, ciphertext []byte) ([]byte, error) {
	return hpke.Open(k.encPriv, kdf, aead, info, ciphertext)
}

func (k *KeySet) sign(msg []byte) []byte { return ed25519.Sign(k.signPriv, msg) }

// NewKeySet generates a key set. ura generates and keeps its own in the
// store; this is for a partner's implementation and for tests that play a
// partner (or an attacker).
func NewKeySet() (*KeySet, error) { return newKeySet() }

// Identity is k's public identity for country at url.
func (k *KeySet) Identity(country, url string) Identity {
	return Identity{Country: country, URL: url, SigningKey: b64(k.SignPub), EncryptionKey: b64(k.EncPub),
		Fingerprint: k.Fingerprint(country)}
}

// Seal fills e's keys, encrypts body to the recipient's identity and signs
// e (SentAt must be set).
func (k *KeySet) Seal(e *Envelope, country string, to Identity, body []byte) error {
	encPub, err := unb64(to.EncryptionKey)
	if err != nil {
		return err
	}
	e.SenderKey, e.RecipientKey = k.Fingerprint(country), to.Fingerprint
	if e.Body, err = sealTo(encPub, e.Info(), body); err != nil {
		return err
	}
	k.Sign(e)
	return nil
}

// Sign signs e again (after SentAt changed).
func (k *KeySet) Sign(e *Envelope) { e.Sig = k.sign(e.SignedBytes()) }

// Receipt is k's signed receipt, as country, for envelope e received at t.
func (k *KeySet) Receipt(e *Envelope, country string, t time.Time) *Receipt {
	r := &Receipt{V: EnvelopeVersion, MessageID: e.ID, From: country, To: e.From, ReceivedAt: t.UTC().Format(wireTime),
		EnvelopeSHA256: e.ContentHash(), Key: k.Fingerprint(country)}
	r.Sig = k.sign(r.signedBytes())
	return r
}
