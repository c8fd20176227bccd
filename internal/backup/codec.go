package backup

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The record stream inside the encryption, engine-neutral:
//
//	'T' table-name ncols (col-name col-type)…   a table starts
//	'R' value…                                  one row, ncols values
//	'E' nrows                                   the table ends
//	'Z' ntables nrows                           the backup ends
//
// Numbers are uvarints, strings are uvarint-length-prefixed; a value is a tag
// (0 NULL, 1 int64 as varint, 2 float64 as 8 bytes, 3 text, 4 bytes) and its body.
const (
	recTable = 'T'
	recRow   = 'R'
	recEnd   = 'E'
	recDone  = 'Z'

	valNull  = 0
	valInt   = 1
	valFloat = 2
	valText  = 3
	valBytes = 4
)

// maxField bounds one decoded string or blob, so a forged length cannot make
// restore allocate without limit (attachments live outside rows).
const maxField = 256 << 20

type encoder struct {
	w   *bufio.Writer
	tmp [binary.MaxVarintLen64]byte
}

func (e *encoder) byte(b byte)      { e.w.WriteByte(b) }
func (e *encoder) uvarint(x uint64) { e.w.Write(binary.AppendUvarint(e.tmp[:0], x)) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.w.WriteString(s) }
func (e *encoder) bytes(b []byte)   { e.uvarint(uint64(len(b))); e.w.Write(b) }

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case nil:
		e.byte(valNull)
	case int64:
		e.byte(valInt)
		e.w.Write(binary.AppendVarint(e.tmp[:0], x))
	case float64:
		e.byte(valFloat)
		e.w.Write(binary.BigEndian.AppendUint64(e.tmp[:0], math.Float64bits(x)))
	case string:
		e.byte(valText)
		e.str(x)
	case []byte:
		e.byte(valBytes)
		e.bytes(x)
	default:
		panic(fmt.Sprintf("backup: unnormalised %T", v)) // normalize guarantees the five types
	}
}

type decoder struct{ r *bufio.Reader }

var errFormat = errors.New("backup: malformed contents")

func (d *decoder) byte() (byte, error) {
	b, err := d.r.ReadByte()
	return b, eofIsCorrupt(err)
}

func (d *decoder) uvarint() (uint64, error) {
	x, err := binary.ReadUvarint(d.r)
	return x, eofIsCorrupt(err)
}

func (d *decoder) raw() ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if n > maxField {
		return nil, errFormat
	}
	b := make([]byte, n)
	_, err = io.ReadFull(d.r, b)
	return b, eofIsCorrupt(err)
}

func (d *decoder) str() (string, error) {
	b, err := d.raw()
	return string(b), err
}

func (d *decoder) value() (any, error) {
	tag, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case valNull:
		return nil, nil
	case valInt:
		x, err := binary.ReadVarint(d.r)
		return x, eofIsCorrupt(err)
	case valFloat:
		var b [8]byte
		_, err := io.ReadFull(d.r, b[:])
		return math.Float64frombits(binary.BigEndian.Uint64(b[:])), eofIsCorrupt(err)
	case valText:
		return d.str()
	case valBytes:
		return d.raw()
	}
	return nil, errFormat
}

// skipValue reads a value like value does and drops it without allocating:
// the verifying pass and the rows a resumed restore already holds.
func (d *decoder) skipValue() error {
	tag, err := d.byte()
	if err != nil {
		return err
	}
	switch tag {
	case valNull:
		return nil
	case valInt:
		_, err := binary.ReadVarint(d.r)
		return eofIsCorrupt(err)
	case valFloat:
		_, err := d.r.Discard(8)
		return eofIsCorrupt(err)
	case valText, valBytes:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		if n > maxField {
			return errFormat
		}
		_, err = d.r.Discard(int(n))
		return eofIsCorrupt(err)
	}
	return errFormat
}

// eofIsCorrupt turns an early end into a format error: inside the record
// stream an end is never expected.
func eofIsCorrupt(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errFormat
	}
	return err
}
