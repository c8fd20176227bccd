package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
)

// Ciphertext formats. The first byte of every ciphertext names its algorithm,
// so a later Ura can add one and still open what this one wrote.
const (
	// formatGCM is AES-256-GCM: 1 format byte, 12-byte random nonce,
	// ciphertext, 16-byte tag. Random 96-bit nonces are safe far beyond the
	// number of fields one data key will ever seal (NIST's 2^32 limit).
	formatGCM byte = 1

	// wrapGCM is a data key wrapped with AES-256-GCM under a master key.
	wrapGCM byte = 1
)

const (
	nonceSize = 12
	tagSize   = 16
	keySize   = 32
	// Overhead is what Seal adds to a plaintext's length.
	Overhead = 1 + nonceSize + tagSize
)

// AAD says where a ciphertext belongs. It is bound as associated data, so a
// ciphertext copied to another row, field or table fails to open.
type AAD struct{ Table, Row, Field string }

// encode renders the associated data unambiguously: a domain, the format
// byte, then the key id and the three names, each length-prefixed, so
// ("ab","c") and ("a","bc") never collide.
func (a AAD) encode(format byte, keyID string) []byte {
	n := 8 + 1 + 4*4 + len(keyID) + len(a.Table) + len(a.Row) + len(a.Field)
	b := make([]byte, 0, n)
	b = append(b, "ura-aad1"...)
	b = append(b, format)
	for _, s := range []string{keyID, a.Table, a.Row, a.Field} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

func seal(aead cipher.AEAD, keyID string, aad AAD, plaintext []byte) []byte {
	out := make([]byte, 1+nonceSize, Overhead+len(plaintext))
	out[0] = formatGCM
	rand.Read(out[1 : 1+nonceSize])
	return aead.Seal(out, out[1:1+nonceSize], plaintext, aad.encode(formatGCM, keyID))
}

func open(aead cipher.AEAD, keyID string, aad AAD, ct []byte) ([]byte, error) {
	if len(ct) < 1 {
		return nil, fmt.Errorf("vault: empty ciphertext: %w", ErrTampered)
	}
	switch ct[0] {
	case formatGCM:
		if len(ct) < Overhead {
			return nil, fmt.Errorf("vault: ciphertext too short: %w", ErrTampered)
		}
		pt, err := aead.Open(nil, ct[1:1+nonceSize], ct[1+nonceSize:], aad.encode(formatGCM, keyID))
		if err != nil {
			return nil, ErrTampered
		}
		return pt, nil
	}
	return nil, fmt.Errorf("vault: unknown ciphertext format %d: %w", ct[0], ErrTampered)
}

// wrapAAD binds a wrapped data key to its id and master version, so a wrapped
// key copied onto another data_keys row (or relabelled with another version)
// does not unwrap.
func wrapAAD(keyID string, masterVersion int) []byte {
	b := make([]byte, 0, 16+len(keyID))
	b = append(b, "ura-dk1"...)
	b = binary.BigEndian.AppendUint32(b, uint32(masterVersion))
	return append(b, keyID...)
}

func wrapKey(m *masterKey, version int, keyID string, dataKey []byte) []byte {
	out := make([]byte, 1+nonceSize, 1+nonceSize+keySize+tagSize)
	out[0] = wrapGCM
	rand.Read(out[1 : 1+nonceSize])
	return m.aead.Seal(out, out[1:1+nonceSize], dataKey, wrapAAD(keyID, version))
}

func unwrapKey(m *masterKey, version int, keyID string, wrapped []byte) ([]byte, error) {
	if len(wrapped) != 1+nonceSize+keySize+tagSize || wrapped[0] != wrapGCM {
		return nil, fmt.Errorf("vault: data key %s is malformed: %w", keyID, ErrTampered)
	}
	k, err := m.aead.Open(nil, wrapped[1:1+nonceSize], wrapped[1+nonceSize:], wrapAAD(keyID, version))
	if err != nil {
		return nil, fmt.Errorf("vault: data key %s does not unwrap with master key version %d (another key file, or a tampered row): %w", keyID, version, ErrTampered)
	}
	return k, nil
}
