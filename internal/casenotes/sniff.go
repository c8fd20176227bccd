package casenotes

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/errs"
)

// MediaType is an attachment type Ura accepts. The set is closed on purpose:
// each is a format staff exchange about a case (scans, photos, letters) that
// a browser will not run as a page when it is downloaded.
type MediaType string

// The accepted types.
const (
	PDF  MediaType = "application/pdf"
	PNG  MediaType = "image/png"
	JPEG MediaType = "image/jpeg"
	Text MediaType = "text/plain; charset=utf-8"
	DOCX MediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	ODT  MediaType = "application/vnd.oasis.opendocument.text"
)

// byExtension is the claim a file name makes.
var byExtension = map[string]MediaType{
	".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".txt": Text, ".docx": DOCX, ".odt": ODT,
}

// claimedMIME maps what clients put in a part's Content-Type to a type;
// application/octet-stream (and nothing) claims nothing beyond the name.
var claimedMIME = map[string]MediaType{
	"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG, "image/jpg": JPEG, "text/plain": Text,
	string(DOCX): DOCX, string(ODT): ODT,
}

// Sniff decides an attachment's type from its content and refuses it unless
// the content, the file name's extension and the claimed MIME type (if any)
// all agree. A disguised file — HTML named .pdf, SVG sent as PNG, a
// macro-enabled document named .docx — is refused, because whoever renamed
// it meant some reader to open it as something it is not. A PDF with
// JavaScript, a launch action or embedded files is refused too (CheckPDF).
func Sniff(data []byte, filename, claimed string) (MediaType, error) {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(filename, `\`, "/")))
	want, ok := byExtension[ext]
	if !ok {
		return "", errs.InvalidField("file", "attachment.type_refused")
	}
	if c := mimeBase(claimed); c != "" && c != "application/octet-stream" {
		ct, ok := claimedMIME[c]
		if !ok || ct != want {
			return "", errs.InvalidField("file", "attachment.type_mismatch")
		}
	}
	got := Detect(data)
	if got != want {
		return "", errs.InvalidField("file", "attachment.type_mismatch")
	}
	if got == PDF {
		if err := CheckPDF(data); err != nil {
			return "", err
		}
	}
	return got, nil
}

func mimeBase(s string) string {
	s, _, _ = strings.Cut(s, ";")
	return strings.ToLower(strings.TrimSpace(s))
}

// Detect returns the accepted type data is, by its bytes alone, or "" when it
// is none of them.
func Detect(data []byte) MediaType {
	switch {
	case len(data) == 0:
		return ""
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return detectZip(data)
	case isPlainText(data):
		return Text
	}
	return ""
}

// maxZipEntry bounds what is read from one archive member, so a zip bomb
// costs nothing: the members read are a few hundred bytes in real files.
const maxZipEntry = 64 << 10

// detectZip tells an OpenDocument text (first member "mimetype" naming it)
// from a Word document ([Content_Types].xml naming the main document part
// of a macro-free .docx) from any other archive, which is refused.
func detectZip(data []byte) MediaType {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) == 0 {
		return ""
	}
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if strings.HasSuffix(name, "vbaproject.bin") || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
			return "" // macros or path tricks: never accepted
		}
	}
	if zr.File[0].Name == "mimetype" {
		b, ok := readMember(zr.File[0])
		if ok && string(b) == string(ODT) {
			return ODT
		}
		return ""
	}
	for _, f := range zr.File {
		if f.Name != "[Content_Types].xml" {
			continue
		}
		b, ok := readMember(f)
		if ok && bytes.Contains(b, []byte(`application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml`)) &&
			!bytes.Contains(bytes.ToLower(b), []byte("macroenabled")) && hasMember(zr, "word/document.xml") {
			return DOCX
		}
		return ""
	}
	return ""
}

func readMember(f *zip.File) ([]byte, bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxZipEntry+1))
	if err != nil || len(b) > maxZipEntry {
		return nil, false
	}
	return b, true
}

func hasMember(zr *zip.Reader, name string) bool {
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

// activeMarkers are pieces of markup that make a "text" file something a
// browser or viewer would interpret; a plain-text attachment with any of them
// is refused rather than trusted to stay inert.
var activeMarkers = [][]byte{
	[]byte("<html"), []byte("<!doctype"), []byte("<script"), []byte("<svg"), []byte("<?xml"),
	[]byte("<iframe"), []byte("<object"), []byte("<embed"), []byte("<body"), []byte("<head"),
	[]byte("<meta"), []byte("<img"), []byte("<a "), []byte("<style"), []byte("<link"),
	[]byte("<form"), []byte("javascript:"), []byte("<?php"), []byte("<%"),
}

// isPlainText accepts valid UTF-8 without control characters other than tab,
// line feed, carriage return and form feed, and without markup.
func isPlainText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	lower := bytes.ToLower(data)
	for _, m := range activeMarkers {
		if bytes.Contains(lower, m) {
			return false
		}
	}
	return true
}
