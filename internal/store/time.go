package store

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"time"
)

// TimeFormat is how times are stored: UTC, fixed width, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored time.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeFormat, s) }

// Time is a nullable stored time usable as a query argument and a scan target.
type Time struct {
	time.Time
	Valid bool
}

// T wraps t as a valid Time.
func T(t time.Time) Time { return Time{Time: t.UTC(), Valid: !t.IsZero()} }

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return FormatTime(t.Time), nil
}

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t = Time{}
		return nil
	case string:
		p, err := ParseTime(x)
		if err != nil {
			return err
		}
		*t = Time{Time: p, Valid: true}
		return nil
	case []byte:
		return t.Scan(string(x))
	}
	return fmt.Errorf("store.Time: cannot scan %T", v)
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a random 128-bit identifier in lower-case base32 (26 characters):
// unguessable, so an id in a URL reveals nothing and cannot be enumerated.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return idEncoding.EncodeToString(b[:])
}

// NewOrderedID returns an identifier of NewID's form for bulk writers (the
// scale generator): its first 32 bits are the current Unix time in seconds,
// the other 96 random. Ids written in the same second share a prefix, so a
// bulk load's inserts land in a few pages at the end of each primary key
// instead of a random page of an ever larger index (docs/benchmarks.md,
// "Bulk load"). The records people create keep NewID's 128 random bits: an
// id in a URL tells nothing, not even when it was made.
func NewOrderedID() string {
	var b [16]byte
	if _, err := rand.Read(b[4:]); err != nil {
		panic(err)
	}
	binary.BigEndian.PutUint32(b[:4], uint32(time.Now().Unix()))
	return idEncoding.EncodeToString(b[:])
}

// Bool converts a Go bool to the INTEGER 0/1 stored for booleans.
func Bool(b bool) int {
	if b {
		return 1
	}
	return 0
}
