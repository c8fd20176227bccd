package casenotes_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/errs"
)

// zipOf builds an archive with the given members, in order; stored marks
// the first member uncompressed (as OpenDocument requires of "mimetype").
func zipOf(t testing.TB, members ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i, m := range members {
		method := zip.Deflate
		if i == 0 {
			method = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: m[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(m[1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const docxTypes = `<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
const docmTypes = `<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`

func TestSniff(t *testing.T) {
	odt := zipOf(t, [2]string{"mimetype", string(casenotes.ODT)}, [2]string{"content.xml", "<office/>"})
	docx := zipOf(t, [2]string{"[Content_Types].xml", docxTypes}, [2]string{"word/document.xml", "<w/>"})
	docm := zipOf(t, [2]string{"[Content_Types].xml", docmTypes}, [2]string{"word/document.xml", "<w/>"}, [2]string{"word/vbaProject.bin", "x"})
	plainZip := zipOf(t, [2]string{"a.txt", "hello"})
	tests := []struct {
		name, file, claimed string
		data                []byte
		want                casenotes.MediaType
		wantKey             string
	}{
		{"PDF", "statement.pdf", "application/pdf", []byte("%PDF-1.7\n..."), casenotes.PDF, ""},
		{"PNG", "scan.png", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), casenotes.PNG, ""},
		{"JPEG", "photo.JPG", "", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, casenotes.JPEG, ""},
		{"Text", "notes.txt", "text/plain; charset=utf-8", []byte("Takim me avokatin.\nNesër në orën 10."), casenotes.Text, ""},
		{"ODT", "letter.odt", "application/octet-stream", odt, casenotes.ODT, ""},
		{"DOCX", "letter.docx", string(casenotes.DOCX), docx, casenotes.DOCX, ""},
		{"HTMLAsPDF", "statement.pdf", "application/pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "", "attachment.type_mismatch"},
		{"SVGAsPNG", "scan.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", "attachment.type_mismatch"},
		{"HTMLAsText", "notes.txt", "text/plain", []byte("hello <script>alert(1)</script>"), "", "attachment.type_mismatch"},
		{"HTMLFile", "page.html", "text/html", []byte("<html></html>"), "", "attachment.type_refused"},
		{"SVGFile", "logo.svg", "image/svg+xml", []byte("<svg/>"), "", "attachment.type_refused"},
		{"PNGNamedPDF", "scan.pdf", "", []byte("\x89PNG\r\n\x1a\n\x00"), "", "attachment.type_mismatch"},
		{"ClaimDisagreesWithName", "scan.png", "application/pdf", []byte("\x89PNG\r\n\x1a\n\x00"), "", "attachment.type_mismatch"},
		{"MacroDocument", "letter.docx", "", docm, "", "attachment.type_mismatch"},
		{"OtherZip", "letter.docx", "", plainZip, "", "attachment.type_mismatch"},
		{"Binary", "notes.txt", "", []byte{0, 1, 2, 3}, "", "attachment.type_mismatch"},
		{"Empty", "notes.txt", "", nil, "", "attachment.type_mismatch"},
		{"NoExtension", "statement", "", []byte("%PDF-1.4"), "", "attachment.type_refused"},
		{"Executable", "setup.exe", "", []byte("MZ\x90\x00"), "", "attachment.type_refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := casenotes.Sniff(tt.data, tt.file, tt.claimed)
			if got != tt.want {
				t.Errorf("type = %q, want %q", got, tt.want)
			}
			gotKey := ""
			if err != nil {
				gotKey = errs.As(err).Key
			}
			if gotKey != tt.wantKey {
				t.Errorf("error key = %q, want %q (%v)", gotKey, tt.wantKey, err)
			}
		})
	}
}

// FuzzSniff: whatever the bytes, Sniff never panics, accepts only the
// closed set of types, never accepts markup as text, and agrees with Detect.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{"%PDF-1.7", "\x89PNG\r\n\x1a\n", "\xFF\xD8\xFF", "plain text", "<svg/>", "PK\x03\x04", "<html>"} {
		for _, name := range []string{"a.pdf", "a.png", "a.txt", "a.docx", "a.odt", "a.jpg"} {
			f.Add([]byte(s), name, "")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, name, claimed string) {
		got, err := casenotes.Sniff(data, name, claimed)
		if err != nil {
			if got != "" {
				t.Fatalf("error %v with type %q", err, got)
			}
			if c := errs.CodeOf(err); c != errs.Invalid {
				t.Fatalf("error code %s, want invalid", c)
			}
			return
		}
		switch got {
		case casenotes.PDF, casenotes.PNG, casenotes.JPEG, casenotes.Text, casenotes.DOCX, casenotes.ODT:
		default:
			t.Fatalf("accepted unknown type %q", got)
		}
		if d := casenotes.Detect(data); d != got {
			t.Fatalf("Sniff = %q but Detect = %q", got, d)
		}
		if got == casenotes.Text && (bytes.Contains(bytes.ToLower(data), []byte("<script")) || bytes.Contains(bytes.ToLower(data), []byte("<svg"))) {
			t.Fatalf("markup accepted as text: %q", data)
		}
		if strings.Contains(string(got), "html") || strings.Contains(string(got), "svg") {
			t.Fatalf("active type accepted: %q", got)
		}
	})
}
