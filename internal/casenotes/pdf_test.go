package casenotes_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/errs"
)

// pdfOf builds a small PDF from object bodies (numbered from 1), with a
// cross-reference table good enough for a reader.
func pdfOf(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := []int{}
	for i, o := range objects {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func flate(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

const (
	catalog = "<< /Type /Catalog /Pages 2 0 R >>"
	pages   = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	page    = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"
)

var content = stream("", []byte("BT /F1 12 Tf 72 712 Td (Statement of 4 May) Tj ET"))

func TestCheckPDF(t *testing.T) {
	// A compressed object stream holding a JavaScript action, as PDF 1.5
	// writers store dictionaries.
	objStm := func(dict, objs string) string {
		header := "6 0 "
		return stream("/Type /ObjStm /N 1 /First "+fmt.Sprint(len(header))+" "+dict, flate(header+objs))
	}
	jsAction := "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"Plain", pdfOf(catalog, pages, page, content), ""},
		{"OpenActionToPage", pdfOf("<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", pages, page, content), ""},
		{"CompressedPlainContent", pdfOf(catalog, pages, page, stream("/Filter /FlateDecode", flate("BT (x) Tj ET"))), ""},
		{"CleanObjectStream", pdfOf(catalog, pages, page, content, "<< >>", objStm("/Filter /FlateDecode", "<< /Title (Statement) >>")), ""},
		{"OpenActionJavaScript", pdfOf("<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", pages, page, content, jsAction), "attachment.pdf_active"},
		{"DocumentJavaScript", pdfOf("<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 5 0 R >> >>", pages, page, content, "<< /Names [(x) 6 0 R] >>"), "attachment.pdf_active"},
		{"JSWithoutS", pdfOf("<< /Type /Catalog /Pages 2 0 R /AA << /WC << /JS (x) >> >> >>", pages, page, content), "attachment.pdf_active"},
		{"HexEscapedName", pdfOf("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61va#53cript /J#53 (x) >> >>", pages, page, content), "attachment.pdf_active"},
		{"Launch", pdfOf("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>", pages, page, content), "attachment.pdf_active"},
		{"EmbeddedFiles", pdfOf("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>", pages, page, content, "<< /Names [] >>"), "attachment.pdf_active"},
		{"EmbeddedFileStream", pdfOf(catalog, pages, page, content, stream("/Type /EmbeddedFile", []byte("MZ"))), "attachment.pdf_active"},
		{"JavaScriptInObjectStream", pdfOf(catalog, pages, page, content, "<< >>", objStm("/Filter /FlateDecode", jsAction)), "attachment.pdf_active"},
		{"JSInObjectStream", pdfOf(catalog, pages, page, content, "<< >>", objStm("/Filter /FlateDecode", "<< /JS (x) >>")), "attachment.pdf_active"},
		{"ObjectStreamDictHidesItsType", pdfOf(catalog, pages, page, content, "<< >>",
			strings.Replace(objStm("/Filter /FlateDecode /Note (obj << endobj)"+strings.Repeat(" ", 5000), jsAction), "/Type /ObjStm", "/Type /Obj#53tm", 1)), "attachment.pdf_active"},
		{"ObjectStreamHexThenFlate", pdfOf(catalog, pages, page, content, "<< >>",
			stream("/Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode]", []byte(fmt.Sprintf("%x>", flate("6 0 "+jsAction))))), "attachment.pdf_active"},
		{"ObjectStreamUnknownFilter", pdfOf(catalog, pages, page, content, "<< >>", stream("/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode", []byte("\x80\x0b"))), "attachment.pdf_unreadable"},
		{"ObjectStreamBroken", pdfOf(catalog, pages, page, content, "<< >>", stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", []byte("not zlib"))), "attachment.pdf_unreadable"},
		{"ObjectStreamPredictor", pdfOf(catalog, pages, page, content, "<< >>", objStm("/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>", "<< >>")), "attachment.pdf_unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := casenotes.CheckPDF(tt.data)
			key := ""
			if err != nil {
				e := errs.As(err)
				key = e.Key
				if e.Code != errs.Invalid || e.Field != "file" {
					t.Errorf("error %v, want invalid naming file", err)
				}
			}
			if key != tt.key {
				t.Errorf("got %q (%v), want %q", key, err, tt.key)
			}
			// Sniff refuses the same files as uploads.
			if _, err := casenotes.Sniff(tt.data, "statement.pdf", "application/pdf"); (err == nil) != (tt.key == "") {
				t.Errorf("Sniff: %v", err)
			}
		})
	}
}

// TestCheckPDFCompressedNoise: compressed image data in a plain file is
// not read for the short name /JS, which three random bytes can spell.
func TestCheckPDFCompressedNoise(t *testing.T) {
	noise := []byte("\x12\x9f/JS)\x00\x80")
	data := pdfOf(catalog, pages, page, content, stream("/Type /XObject /Subtype /Image /Filter /DCTDecode", noise))
	if err := casenotes.CheckPDF(data); err != nil {
		t.Errorf("image data refused: %v", err)
	}
}

// FuzzCheckPDF feeds arbitrary files to the PDF checker: it must never
// panic, and answer nothing or one of its two refusals.
func FuzzCheckPDF(f *testing.F) {
	f.Add(pdfOf(catalog, pages, page, content))
	f.Add(pdfOf("<< /Type /Catalog /OpenAction << /S /JavaScript /JS (x) >> >>"))
	f.Add(pdfOf(catalog, stream("/Type /ObjStm /Filter /FlateDecode", flate("<< /JS (x) >>"))))
	f.Add(pdfOf(catalog, stream("/Type /ObjStm /Filter [/AHx /A85]", []byte("3c3c3e3e>"))))
	f.Add([]byte("%PDF-1.4\nstream\r\n/J#53 endstream /Launch"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := casenotes.CheckPDF(data)
		if err == nil {
			if bytes.Contains(data, []byte("/JavaScript ")) || bytes.Contains(data, []byte("/Launch ")) || bytes.Contains(data, []byte("/EmbeddedFile ")) {
				t.Fatalf("accepted a file naming an active feature: %q", data)
			}
			return
		}
		switch k := errs.As(err).Key; k {
		case "attachment.pdf_active", "attachment.pdf_unreadable":
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// BenchmarkCheckPDF checks a 10 MiB PDF, the default upload limit, made
// mostly of image data.
func BenchmarkCheckPDF(b *testing.B) {
	img := bytes.Repeat([]byte("\x12\x9f\x00\x80stre\xffendst\x01/J"), (10<<20)/16)
	data := pdfOf(catalog, pages, page, content, stream("/Type /XObject /Subtype /Image /Filter /DCTDecode", img),
		stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", flate("6 0 << /Title (x) >>")))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := casenotes.CheckPDF(data); err != nil {
			b.Fatal(err)
		}
	}
}
