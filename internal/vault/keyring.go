package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// keyFileFormat names the key file layout, so a later Ura can change it and
// still read this one.
const keyFileFormat = "ura-keyring/1"

// Keyring is the master key file: versioned AES-256 master keys (the current one
// wraps new data keys, older ones stay until rotation has re-wrapped every data
// key), the blind-index HMAC key and the Ed25519 seed that signs audit
// checkpoints. The master keys never enter the database, so a stolen database or
// backup without the key file reveals no personal value.
type Keyring struct {
	path string

	mu      sync.RWMutex
	current int
	masters map[int]*masterKey

	indexKey []byte
	audit    []auditKey // the last one signs; the others only verify
}

type masterKey struct {
	key     []byte
	aead    cipher.AEAD
	created string
}

type auditKey struct {
	id   string
	priv ed25519.PrivateKey // nil for a key kept only to verify old checkpoints
	pub  ed25519.PublicKey
}

// keyFile is the JSON on disk; []byte fields are base64, and decode into byte
// slices that can be zeroed after use (strings could not be).
type keyFile struct {
	Format    string          `json:"format"`
	Current   int             `json:"current"`
	Masters   []keyFileMaster `json:"masters"`
	IndexKey  []byte          `json:"index_key"`
	AuditKeys []keyFileAudit  `json:"audit_keys"`
}

type keyFileMaster struct {
	Version int    `json:"version"`
	Key     []byte `json:"key"`
	Created string `json:"created"`
}

type keyFileAudit struct {
	ID     string `json:"id"`
	Seed   []byte `json:"seed,omitempty"`
	Public []byte `json:"public,omitempty"`
}

// LoadOrCreate loads the key file at path, or creates one (mode 0600, in a
// directory created with mode 0700) on first start. Two processes starting
// together agree on one file: creation links a finished temporary file into
// place, and the loser loads the winner's file.
func LoadOrCreate(path string) (kr *Keyring, created bool, err error) {
	kr, err = Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kr, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("vault: create key directory: %w", err)
	}
	f, err := newKeyFile()
	if err != nil {
		return nil, false, err
	}
	defer f.zero()
	tmp, err := writeTemp(path, f)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			kr, err := Load(path)
			return kr, false, err
		}
		return nil, false, fmt.Errorf("vault: create key file: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, false, err
	}
	kr, err = Load(path)
	return kr, err == nil, err
}

// Load reads the key file at path; it never creates one. A file that group or
// others may read or write is refused: a master key that others could have
// copied protects nothing.
func Load(path string) (*Keyring, error) {
	f, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	defer f.zero()
	kr := &Keyring{path: path}
	if err := kr.fill(f); err != nil {
		return nil, fmt.Errorf("vault: key file %s: %w", path, err)
	}
	return kr, nil
}

func readKeyFile(path string) (*keyFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("vault: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("vault: key file %s has mode %04o; it must be accessible by its owner only (chmod 600)", path, perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vault: key file: %w", err)
	}
	defer clear(b)
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		// The JSON error could quote key bytes; name the file only.
		return nil, fmt.Errorf("vault: key file %s is not a valid key file", path)
	}
	if f.Format != keyFileFormat {
		return nil, fmt.Errorf("vault: key file %s has unknown format %q", path, f.Format)
	}
	return &f, nil
}

func (k *Keyring) fill(f *keyFile) error {
	if len(f.IndexKey) != 32 {
		return errors.New("blind-index key must be 32 bytes")
	}
	masters := map[int]*masterKey{}
	for _, m := range f.Masters {
		if len(m.Key) != 32 || m.Version <= 0 {
			return fmt.Errorf("master key version %d is malformed", m.Version)
		}
		if masters[m.Version] != nil {
			return fmt.Errorf("master key version %d appears twice", m.Version)
		}
		mk := &masterKey{key: clone(m.Key), created: m.Created}
		mk.aead = newGCM(mk.key)
		masters[m.Version] = mk
	}
	if masters[f.Current] == nil {
		return fmt.Errorf("current master key version %d is missing", f.Current)
	}
	var audit []auditKey
	for _, a := range f.AuditKeys {
		switch {
		case len(a.Seed) == ed25519.SeedSize:
			priv := ed25519.NewKeyFromSeed(a.Seed)
			audit = append(audit, auditKey{id: a.ID, priv: priv, pub: priv.Public().(ed25519.PublicKey)})
		case len(a.Public) == ed25519.PublicKeySize:
			audit = append(audit, auditKey{id: a.ID, pub: clone(a.Public)})
		default:
			return fmt.Errorf("audit key %q is malformed", a.ID)
		}
	}
	if len(audit) == 0 || audit[len(audit)-1].priv == nil {
		return errors.New("no audit signing key")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.indexKey != nil && !equalBytes(k.indexKey, f.IndexKey) {
		return errors.New("blind-index key differs from the loaded one: not the same key file")
	}
	k.current, k.masters = f.Current, masters
	k.indexKey = clone(f.IndexKey)
	k.audit = audit
	return nil
}

func newKeyFile() (*keyFile, error) {
	now := time.Now().UTC().Format(time.RFC3339)
	seed := randomBytes(ed25519.SeedSize)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return &keyFile{
		Format:    keyFileFormat,
		Current:   1,
		Masters:   []keyFileMaster{{Version: 1, Key: randomBytes(32), Created: now}},
		IndexKey:  randomBytes(32),
		AuditKeys: []keyFileAudit{{ID: auditKeyID(pub), Seed: seed}},
	}, nil
}

// auditKeyID names a signing key by its public key, so a checkpoint says which
// key to verify it with and the name reveals nothing secret.
func auditKeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return "ed25519-" + hex.EncodeToString(h[:8])
}

func (f *keyFile) zero() {
	for _, m := range f.Masters {
		clear(m.Key)
	}
	clear(f.IndexKey)
	for _, a := range f.AuditKeys {
		clear(a.Seed)
	}
}

// snapshot returns the keyring as a key file, for rotation to rewrite.
func (k *Keyring) snapshot() *keyFile {
	k.mu.RLock()
	defer k.mu.RUnlock()
	f := &keyFile{Format: keyFileFormat, Current: k.current, IndexKey: clone(k.indexKey)}
	versions := make([]int, 0, len(k.masters))
	for v := range k.masters {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, v := range versions {
		m := k.masters[v]
		f.Masters = append(f.Masters, keyFileMaster{Version: v, Key: clone(m.key), Created: m.created})
	}
	for _, a := range k.audit {
		fa := keyFileAudit{ID: a.id}
		if a.priv != nil {
			fa.Seed = clone(a.priv.Seed())
		} else {
			fa.Public = clone(a.pub)
		}
		f.AuditKeys = append(f.AuditKeys, fa)
	}
	return f
}

// reload rereads the key file, so a long-running node picks up a master version
// added by `ura keys rotate` in another process.
func (k *Keyring) reload() error {
	if k.path == "" {
		return errors.New("vault: keyring has no file to reload")
	}
	f, err := readKeyFile(k.path)
	if err != nil {
		return err
	}
	defer f.zero()
	return k.fill(f)
}

// AuditSigningKey returns the key that signs audit checkpoints and its id.
func (k *Keyring) AuditSigningKey() (keyID string, priv ed25519.PrivateKey) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	a := k.audit[len(k.audit)-1]
	return a.id, a.priv
}

// AuditPublicKeys returns every audit signing key ever used, by id, so old
// checkpoints still verify. Rotation of master keys leaves them alone.
func (k *Keyring) AuditPublicKeys() map[string]ed25519.PublicKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	m := make(map[string]ed25519.PublicKey, len(k.audit))
	for _, a := range k.audit {
		m[a.id] = a.pub
	}
	return m
}

// CurrentVersion is the master key version that wraps new data keys.
func (k *Keyring) CurrentVersion() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// DeriveKey derives n bytes from master key version with HKDF-SHA256, for
// keys that must follow the master key without being stored (a backup's
// encryption key, from a random per-backup salt). purpose separates uses.
func (k *Keyring) DeriveKey(version int, salt []byte, purpose string, n int) ([]byte, error) {
	m := k.master(version)
	if m == nil {
		return nil, fmt.Errorf("vault: master key version %d is not in the key file (retired by rotation, or another key file)", version)
	}
	return hkdf.Key(sha256.New, m.key, salt, "ura "+purpose, n)
}

func (k *Keyring) master(version int) *masterKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.masters[version]
}

func newGCM(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // only for a key that is not 32 bytes: a bug
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return g
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func equalBytes(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
