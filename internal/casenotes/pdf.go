package casenotes

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"io"

	"github.com/ura-nrm/ura/internal/errs"
)

// A PDF can carry more than a document: JavaScript (document-level, or in
// an action run on opening, on a page or a form field), launch actions that
// start another program, and embedded files of any type. None has a place
// in a case file, and each is how a malicious PDF reaches a caseworker's
// computer, so an upload with any of them is refused.
//
// CheckPDF reads the names of the file's dictionaries: in the file's own
// bytes (hex-escaped names such as /J#61vaScript decoded) and inside
// compressed object streams, which it inflates (Flate, ASCIIHex, ASCII85,
// within a budget). A file whose object streams it cannot read (another
// filter, a predictor, encryption, an overrun budget) is refused too: it
// cannot be shown to be clean.
//
// The names looked for: /JavaScript (every JavaScript action and the
// document's JavaScript name tree has it), /JS, /Launch, /EmbeddedFile and
// /EmbeddedFiles. An /OpenAction that goes to a page is harmless and kept;
// one that runs JavaScript is refused by its /JS and /S /JavaScript.
func CheckPDF(data []byte) error {
	streams := pdfStreams(data)
	if found := activePDFName(data, streams); found != "" {
		return pdfRefused(found)
	}
	budget := maxPDFInflate
	for _, s := range streams {
		if !hasPDFName(s.dict, "ObjStm") {
			continue // the dictionaries of object streams only: not page contents or images
		}
		content, err := s.decode(&budget)
		if err != nil {
			return errs.InvalidField("file", "attachment.pdf_unreadable").Wrap(err)
		}
		if found := activePDFName(content, nil); found != "" {
			return pdfRefused(found)
		}
	}
	return nil
}

// maxPDFInflate bounds what the object streams of one file may inflate to.
const maxPDFInflate = 64 << 20

func pdfRefused(name string) error {
	return errs.InvalidField("file", "attachment.pdf_active").Wrap(errors.New("pdf: /" + name))
}

// activeNames are the names refused anywhere in a file; shortNames only
// outside stream data, where three random bytes of compressed data could
// spell them (/JS is always accompanied by /S /JavaScript anyway).
var (
	activeNames = map[string]bool{"JavaScript": true, "Launch": true, "EmbeddedFile": true, "EmbeddedFiles": true}
	shortNames  = map[string]bool{"JS": true}
)

// pdfDelim reports the PDF delimiters and white space, which end a name.
func pdfDelim(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// activePDFName returns the first refused name in b, or "". streams are
// the data regions of b (a whole file): short names are only looked for
// outside them.
func activePDFName(b []byte, streams []pdfStream) string {
	next := 0 // the first stream not yet behind the cursor
	for i := 0; i < len(b); i++ {
		k := bytes.IndexByte(b[i:], '/')
		if k < 0 {
			break
		}
		i += k
		name, n := readPDFName(b[i+1:])
		for next < len(streams) && streams[next].end <= i {
			next++
		}
		inStream := next < len(streams) && streams[next].start <= i
		if activeNames[string(name)] || (!inStream && shortNames[string(name)]) {
			return string(name)
		}
		i += n
	}
	return ""
}

// streamKeyword reports whether "stream" at i is the keyword opening stream
// data: a whole word followed by white space (an end of line, as the
// standard says, or spaces first, as lenient readers accept).
func streamKeyword(b []byte, i int) bool {
	if i > 0 && !pdfDelim(b[i-1]) {
		return false // "endstream", "upstream"
	}
	j := i + len("stream")
	return j < len(b) && (b[j] == '\n' || b[j] == '\r' || b[j] == ' ' || b[j] == '\t')
}

// readPDFName reads a name after its slash, decoding #xx escapes, and
// returns it with the number of bytes read.
func readPDFName(b []byte) ([]byte, int) {
	n := 0
	for n < len(b) && !pdfDelim(b[n]) {
		n++
	}
	if bytes.IndexByte(b[:n], '#') < 0 {
		return b[:n], n
	}
	var out []byte
	i := 0
	for i < n {
		if b[i] == '#' && i+2 < n {
			var x [1]byte
			if _, err := hex.Decode(x[:], b[i+1:i+3]); err == nil {
				out = append(out, x[0])
				i += 3
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out, n
}

// pdfStream is one stream: its dictionary's text and its data.
type pdfStream struct {
	dict, data []byte
	start, end int // the data's offsets in the file
}

// pdfStreams finds every stream of a file. A stream's dictionary is taken to
// be everything between the end of the previous stream's data and its
// "stream" keyword: a superset, so no text a client writes (an "obj" or a
// "<<" inside a string, a long run of padding) can hide the /ObjStm name or
// a filter. Its data runs to the next "endstream".
func pdfStreams(b []byte) []pdfStream {
	var out []pdfStream
	prevEnd := 0
	for i := 0; i < len(b); {
		k := bytes.Index(b[i:], []byte("stream"))
		if k < 0 {
			break
		}
		at := i + k
		i = at + len("stream")
		if !streamKeyword(b, at) {
			continue
		}
		d := i
		for d < len(b) && (b[d] == ' ' || b[d] == '\t') {
			d++
		}
		if d < len(b) && b[d] == '\r' {
			d++
		}
		if d < len(b) && b[d] == '\n' {
			d++
		}
		e := bytes.Index(b[d:], []byte("endstream"))
		if e < 0 {
			e = len(b) - d
		}
		out = append(out, pdfStream{dict: b[prevEnd:at], data: b[d : d+e], start: d, end: d + e})
		i = d + e
		prevEnd = i
	}
	return out
}

// hasPDFName reports whether the dictionary text names name.
func hasPDFName(dict []byte, name string) bool {
	return len(pdfNames(dict, name)) > 0
}

// pdfNames lists the names in text equal to one of want, in order.
func pdfNames(text []byte, want ...string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '/' {
			continue
		}
		name, n := readPDFName(text[i+1:])
		i += n
		for _, w := range want {
			if string(name) == w {
				out = append(out, w)
			}
		}
	}
	return out
}

var errPDFFilter = errors.New("pdf: object stream with a filter Ura cannot read")

// decode applies the stream's filters in order, charging what they produce
// to budget.
func (s pdfStream) decode(budget *int) ([]byte, error) {
	if hasPDFName(s.dict, "DecodeParms") || hasPDFName(s.dict, "DP") {
		return nil, errPDFFilter // predictors: not used by object streams in practice
	}
	filters := pdfNames(s.dict, "FlateDecode", "Fl", "ASCIIHexDecode", "AHx", "ASCII85Decode", "A85",
		"LZWDecode", "LZW", "RunLengthDecode", "RL", "CCITTFaxDecode", "JBIG2Decode", "DCTDecode", "JPXDecode", "Crypt")
	if hasPDFName(s.dict, "Filter") != (len(filters) > 0) {
		return nil, errPDFFilter
	}
	data := s.data
	for _, f := range filters {
		var r io.Reader
		switch f {
		case "FlateDecode", "Fl":
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, err
			}
			r = zr
		case "ASCIIHexDecode", "AHx":
			r = hexFilter(data)
		case "ASCII85Decode", "A85":
			if k := bytes.Index(data, []byte("~>")); k >= 0 {
				data = data[:k]
			}
			r = ascii85.NewDecoder(bytes.NewReader(data))
		default:
			return nil, errPDFFilter
		}
		out, err := io.ReadAll(io.LimitReader(r, int64(*budget)+1))
		if err != nil {
			return nil, err
		}
		if len(out) > *budget {
			return nil, errors.New("pdf: object streams inflate beyond the budget")
		}
		*budget -= len(out)
		data = out
	}
	return data, nil
}

// hexFilter decodes ASCIIHexDecode data: hex digits, white space ignored,
// ">" ends it, an odd last digit is followed by 0.
func hexFilter(data []byte) io.Reader {
	var digits []byte
	for _, c := range data {
		if c == '>' {
			break
		}
		if pdfDelim(c) {
			continue
		}
		digits = append(digits, c)
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	if _, err := hex.Decode(out, digits); err != nil {
		return &errReader{err}
	}
	return bytes.NewReader(out)
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }
