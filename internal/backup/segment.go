package backup

import (
	"bufio"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// segmentSize is the plaintext per encrypted segment. Each segment is
// authenticated on its own, so restore verifies as it streams and never holds
// the whole backup in memory.
const segmentSize = 64 << 10

// Segment framing: 1 flag byte (1 = final segment), 4-byte big-endian length,
// then the GCM ciphertext. The nonce is the 8-byte segment counter followed by
// the flag, and the header is bound as associated data, so a segment
// reordered, dropped, truncated away, moved from another backup or falsely
// marked final fails to authenticate.
const (
	flagMore  byte = 0
	flagFinal byte = 1
)

func nonce(counter uint64, flag byte) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n, counter)
	n[11] = flag
	return n
}

// segmentWriter encrypts what is written to it in segments.
type segmentWriter struct {
	w       io.Writer
	aead    cipher.AEAD
	aad     []byte
	buf     []byte
	counter uint64
	n       int64 // bytes written to w
}

func (s *segmentWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), segmentSize-len(s.buf))
		s.buf = append(s.buf, p[:k]...)
		p, written = p[k:], written+k
		if len(s.buf) == segmentSize {
			if err := s.flush(flagMore); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Close writes the final segment (possibly empty), which marks the end.
func (s *segmentWriter) Close() error { return s.flush(flagFinal) }

func (s *segmentWriter) flush(flag byte) error {
	ct := s.aead.Seal(nil, nonce(s.counter, flag), s.buf, s.aad)
	s.counter++
	s.buf = s.buf[:0]
	var hdr [5]byte
	hdr[0] = flag
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(ct)))
	if _, err := s.w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := s.w.Write(ct)
	s.n += int64(len(hdr) + len(ct))
	return err
}

// errCorrupt hides which check failed: to the operator a changed, truncated
// or mangled file is one thing.
var errCorrupt = errors.New("backup: the file is corrupted, truncated or was altered")

// segmentReader decrypts and verifies segments as they are read, and reports
// io.EOF only after an authentic final segment followed by the end of the file.
type segmentReader struct {
	r       *bufio.Reader
	aead    cipher.AEAD
	aad     []byte
	buf     []byte
	counter uint64
	done    bool
}

func (s *segmentReader) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.done {
			return 0, io.EOF
		}
		if err := s.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func (s *segmentReader) next() error {
	var hdr [5]byte
	if _, err := io.ReadFull(s.r, hdr[:]); err != nil {
		return fmt.Errorf("%w (segment %d: %v)", errCorrupt, s.counter, err)
	}
	flag, n := hdr[0], binary.BigEndian.Uint32(hdr[1:])
	if (flag != flagMore && flag != flagFinal) || n < 16 || n > segmentSize+16 {
		return fmt.Errorf("%w (segment %d: bad frame)", errCorrupt, s.counter)
	}
	ct := make([]byte, n)
	if _, err := io.ReadFull(s.r, ct); err != nil {
		return fmt.Errorf("%w (segment %d: %v)", errCorrupt, s.counter, err)
	}
	pt, err := s.aead.Open(ct[:0], nonce(s.counter, flag), ct, s.aad)
	if err != nil {
		return fmt.Errorf("%w (segment %d does not authenticate)", errCorrupt, s.counter)
	}
	s.counter++
	s.buf = pt
	if flag == flagFinal {
		s.done = true
		if _, err := s.r.ReadByte(); err != io.EOF {
			return fmt.Errorf("%w (data after the final segment)", errCorrupt)
		}
	}
	return nil
}
