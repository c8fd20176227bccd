// Package vault is Ura's envelope encryption. Every case and person has its own
// data key (AES-256-GCM) stored in data_keys wrapped by a master key from the
// key file; personal fields are sealed under it with their table, row and field
// bound as associated data. Destroying a data key (Shred) makes everything
// sealed under it unreadable — in the database, and, once rotation retires the
// master version that wrapped it, in old backups too. BlindIndex gives keyed
// hashes for finding people by exact values without storing the values.
//
// Nothing from this package puts key material or plaintext in an error or log.
package vault

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// ErrShredded means the data key was destroyed: the data is gone for good.
var ErrShredded = errors.New("vault: data key destroyed")

// ErrTampered means a ciphertext or wrapped key failed authentication: it was
// changed, moved to another row or field, or belongs to another key file.
var ErrTampered = errors.New("vault: authentication failed")

// settingMasterVersion records in the database the master version that wraps
// new keys, so a node whose key file is older than the last rotation rereads
// it instead of wrapping new keys under a version about to be retired.
const settingMasterVersion = "vault.master_version"

// Vault seals and opens personal data. It is safe for concurrent use.
type Vault struct {
	db    *store.DB
	kr    *Keyring
	cache *keyCache
}

// New returns a vault over db's data_keys and the master keys of kr.
func New(db *store.DB, kr *Keyring) *Vault {
	return &Vault{db: db, kr: kr, cache: newKeyCache()}
}

// NewDataKey creates a random 256-bit data key, wraps it under the current
// master version and stores it in tx, so it commits or vanishes with the
// record it protects.
func (v *Vault) NewDataKey(ctx context.Context, tx *store.Tx, purpose string) (keyID string, err error) {
	version, err := v.currentVersion(ctx, tx)
	if err != nil {
		return "", err
	}
	m := v.kr.master(version)
	if m == nil {
		return "", fmt.Errorf("vault: current master key version %d missing", version)
	}
	id := store.NewID()
	dk := randomBytes(keySize)
	defer clear(dk)
	wrapped := wrapKey(m, version, id, dk)
	now := tx.Now
	if now.IsZero() {
		now = time.Now()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO data_keys (id, purpose, master_version, wrapped, created_at)
		VALUES ($1, $2, $3, $4, $5)`, id, purpose, version, wrapped, store.FormatTime(now)); err != nil {
		return "", fmt.Errorf("vault: store data key: %w", err)
	}
	return id, nil
}

// currentVersion is the keyring's current version, after rereading the key
// file if the database says a rotation has moved on.
func (v *Vault) currentVersion(ctx context.Context, q store.Querier) (int, error) {
	cur := v.kr.CurrentVersion()
	s, ok, err := store.Setting(ctx, q, settingMasterVersion)
	if err == nil && !ok {
		return cur, nil
	}
	if err != nil {
		return 0, fmt.Errorf("vault: read master version: %w", err)
	}
	want, err := strconv.Atoi(s)
	if err != nil || want <= cur {
		return cur, nil
	}
	if err := v.kr.reload(); err != nil {
		return 0, err
	}
	if cur = v.kr.CurrentVersion(); cur < want {
		return 0, fmt.Errorf("vault: the database uses master key version %d but the key file holds %d: copy the rotated key file to this node", want, cur)
	}
	return cur, nil
}

// Seal encrypts plaintext under data key keyID for the place named by aad.
func (v *Vault) Seal(ctx context.Context, q store.Querier, keyID string, aad AAD, plaintext []byte) ([]byte, error) {
	aead, err := v.dataKey(ctx, q, keyID)
	if err != nil {
		return nil, err
	}
	return seal(aead, keyID, aad, plaintext), nil
}

// Open decrypts a ciphertext made by Seal with the same key id and aad.
func (v *Vault) Open(ctx context.Context, q store.Querier, keyID string, aad AAD, ciphertext []byte) ([]byte, error) {
	aead, err := v.dataKey(ctx, q, keyID)
	if err != nil {
		return nil, err
	}
	return open(aead, keyID, aad, ciphertext)
}

// SealString is Seal for text fields.
func (v *Vault) SealString(ctx context.Context, q store.Querier, keyID string, aad AAD, s string) ([]byte, error) {
	return v.Seal(ctx, q, keyID, aad, []byte(s))
}

// OpenString is Open for text fields.
func (v *Vault) OpenString(ctx context.Context, q store.Querier, keyID string, aad AAD, b []byte) (string, error) {
	p, err := v.Open(ctx, q, keyID, aad, b)
	if err != nil {
		return "", err
	}
	s := string(p)
	clear(p)
	return s, nil
}

// BlindIndex returns HMAC-SHA256(index key, domain || 0 || normalized): the
// same value always gives the same 32 bytes, and the domain keeps an email's
// index from ever equalling a name's. The caller normalises the value.
func (v *Vault) BlindIndex(domain, normalized string) []byte {
	v.kr.mu.RLock()
	m := hmac.New(sha256.New, v.kr.indexKey)
	v.kr.mu.RUnlock()
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return m.Sum(nil)
}

// Shred destroys data key keyID in tx: the wrapped key is wiped and
// destroyed_at set, so everything sealed under it is unreadable from then on.
// Copies of the wrapped key in old backups (and in database pages not yet
// overwritten) stay usable until rotation retires its master version; run
// Rotate after shredding (see docs/vault.md).
func (v *Vault) Shred(ctx context.Context, tx *store.Tx, keyID string) error {
	now := tx.Now
	if now.IsZero() {
		now = time.Now()
	}
	res, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = NULL,
		destroyed_at = COALESCE(destroyed_at, $2) WHERE id = $1`, keyID, store.FormatTime(now))
	if err != nil {
		return fmt.Errorf("vault: shred data key: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("vault: no data key %s", keyID)
	}
	// Drop now, and again after commit: a reader between the two could have
	// cached the key from the last committed (unshredded) row.
	v.cache.drop(keyID)
	tx.AfterCommit(func() { v.cache.drop(keyID) })
	return nil
}

// dataKey returns the AEAD of data key keyID, from the cache or by unwrapping
// the row read through q (which may be the transaction that created it).
func (v *Vault) dataKey(ctx context.Context, q store.Querier, keyID string) (cipher.AEAD, error) {
	if a := v.cache.get(keyID); a != nil {
		return a, nil
	}
	var (
		version   int
		wrapped   []byte
		destroyed sql.NullString
	)
	err := q.QueryRowContext(ctx, `SELECT master_version, wrapped, destroyed_at FROM data_keys WHERE id = $1`, keyID).
		Scan(&version, &wrapped, &destroyed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("vault: no data key %s", keyID)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: read data key: %w", err)
	}
	if destroyed.Valid || wrapped == nil {
		return nil, ErrShredded
	}
	m := v.kr.master(version)
	if m == nil {
		// A rotation in another process may have added this version.
		if v.kr.CurrentVersion() < version && v.kr.reload() == nil {
			m = v.kr.master(version)
		}
		if m == nil {
			return nil, fmt.Errorf("vault: master key version %d of data key %s is not in the key file (retired by rotation): %w", version, keyID, ErrShredded)
		}
	}
	dk, err := unwrapKey(m, version, keyID, wrapped)
	if err != nil {
		return nil, err
	}
	aead := newGCM(dk)
	clear(dk)
	v.cache.put(keyID, aead)
	return aead, nil
}

// BulkKey is a data key made for a bulk load (the synthetic data generator):
// the caller writes its data_keys row together with the rows it seals, in
// its own batched statements.
type BulkKey struct {
	ID            string
	MasterVersion int
	Wrapped       []byte
	aead          cipher.AEAD
}

// BulkKeys returns a maker of data keys wrapped under the current master
// version, read once: meant for one batch of a bulk load, not for a server.
func (v *Vault) BulkKeys(ctx context.Context, q store.Querier) (func() *BulkKey, error) {
	version, err := v.currentVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	m := v.kr.master(version)
	if m == nil {
		return nil, fmt.Errorf("vault: current master key version %d missing", version)
	}
	return func() *BulkKey {
		id := store.NewOrderedID() // bulk: see store.NewOrderedID
		dk := randomBytes(keySize)
		defer clear(dk)
		return &BulkKey{ID: id, MasterVersion: version, Wrapped: wrapKey(m, version, id, dk), aead: newGCM(dk)}
	}, nil
}

// Seal encrypts plaintext under the bulk key, exactly as Vault.Seal would.
func (k *BulkKey) Seal(aad AAD, plaintext []byte) []byte { return seal(k.aead, k.ID, aad, plaintext) }

// ErrForeignKeyring means the master key file does not open this database's
// data keys: the node was given another deployment's key file, or none and
// made a new one. Serving would seal new records under a key no other node
// has and fail to open every existing one.
var ErrForeignKeyring = errors.New("vault: the master key file does not open this database's data keys; copy the master key file of this deployment to this node")

// CheckKeyring makes sure the keyring opens this database: a live data key
// of the newest master version must unwrap. A database without data keys
// passes.
func (v *Vault) CheckKeyring(ctx context.Context) error {
	var id string
	err := v.db.Read().QueryRowContext(ctx, `SELECT id FROM data_keys WHERE destroyed_at IS NULL AND wrapped IS NOT NULL
		ORDER BY master_version DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("vault: read data key: %w", err)
	}
	if _, err := v.dataKey(ctx, v.db.Read(), id); err != nil {
		return fmt.Errorf("%w (%v)", ErrForeignKeyring, err)
	}
	return nil
}

// Warm unwraps data key keyID into the cache through q. A loader that
// decrypts row after row while its result set is open calls it first: the
// per-row Open then needs no query, so it neither reuses the connection the
// open rows hold (PostgreSQL: "conn busy") nor takes a second one from a
// pool that may be exhausted.
func (v *Vault) Warm(ctx context.Context, q store.Querier, keyID string) error {
	_, err := v.dataKey(ctx, q, keyID)
	return err
}
