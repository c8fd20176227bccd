package report

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name (rewriting it under -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report -update rewrites it):\n%s", name, diff(string(want), string(got)))
	}
}

// diff shows the first lines that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 8; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %q\n  got  %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

func write(t testing.TB, fn func(io.Writer, *Document) error, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fn(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenCSV(t *testing.T) {
	for _, l := range sampleLangs {
		t.Run(string(l), func(t *testing.T) {
			got := write(t, WriteCSV, sample(l))
			if !bytes.HasPrefix(got, []byte("\xef\xbb\xbf")) {
				t.Error("no UTF-8 byte-order mark")
			}
			golden(t, "sample."+string(l)+".csv", got)
		})
	}
}

func TestGoldenXLSX(t *testing.T) {
	for _, l := range sampleLangs {
		t.Run(string(l), func(t *testing.T) {
			d := sample(l)
			data := write(t, WriteXLSX, d)
			if again := write(t, WriteXLSX, d); !bytes.Equal(data, again) {
				t.Error("the same document gave two different workbooks")
			}
			golden(t, "sample."+string(l)+".xlsx.txt", []byte(reporttest.XLSXText(t, data)))
		})
	}
}

func TestGoldenPDF(t *testing.T) {
	for _, l := range sampleLangs {
		t.Run(string(l), func(t *testing.T) {
			d := sample(l)
			pdf := write(t, WritePDF, d)
			if again := write(t, WritePDF, d); !bytes.Equal(pdf, again) {
				t.Error("the same document gave two different PDFs")
			}
			if dir := os.Getenv("URA_ARTEFACTS"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "report-sample."+string(l)+".pdf"), pdf, 0o644)
			}
			text := reporttest.PDFText(t, pdf, true)
			golden(t, "sample."+string(l)+".pdf.txt", []byte(text))
			// Whatever the layout, the words come back whole: the font has
			// the glyphs and their Unicode mapping.
			plainText := reporttest.PDFText(t, pdf, false)
			tx := texts[l]
			for _, want := range []string{tx.title, tx.citizenshipHead, tx.countries[1], tx.female, tx.measures[1]} {
				if !strings.Contains(plainText, want) {
					t.Errorf("the PDF's text lacks %q", want)
				}
			}
		})
	}
}

// The PDF embeds its font (pdffonts says "emb yes"), and Cyrillic, Albanian
// and Serbian Latin letters come back from it as written.
func TestPDFEmbedsFont(t *testing.T) {
	d := sample(i18n.SerbianCyrillic)
	d.Title = "Ћирилица: љ њ џ ђ ћ ж ш ч; shqip: ë ç Ë Ç; latinica: č ć đ š ž Č Ć Đ Š Ž"
	pdf := write(t, WritePDF, d)
	text := reporttest.PDFText(t, pdf, false)
	if !strings.Contains(strings.Join(strings.Fields(text), " "), d.Title) {
		t.Errorf("title not extracted as written; got:\n%s", text[:min(len(text), 400)])
	}
	tmp := filepath.Join(t.TempDir(), "fonts.pdf")
	if err := os.WriteFile(tmp, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdffonts", tmp).Output()
	if err != nil {
		t.Fatalf("pdffonts (poppler-utils): %v", err)
	}
	fonts := string(out)
	for _, want := range []string{"utf8dejavu", "utf8dejavuB"} {
		// fpdf names its fonts after the family; "emb yes" and "uni yes":
		// embedded, with the map from glyphs back to Unicode.
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `\s+CID TrueType\s+Identity-H\s+yes\s+\w+\s+yes\s`)
		if !re.MatchString(fonts) {
			t.Errorf("font %s not embedded with a Unicode map:\n%s", want, fonts)
		}
	}
	// Only the glyphs used are embedded: the PDF is far smaller than the
	// two font files (1.4 MB).
	if len(pdf) > 200_000 {
		t.Errorf("PDF of %d bytes: the fonts are not subset", len(pdf))
	}
}

// A table of 40 pages breaks onto new pages with its header row on each, and
// every page says "Page n of m" with the right m.
func TestPDFLongTable(t *testing.T) {
	d := sample(i18n.English)
	d.Definitions, d.Notes = nil, nil
	sec := bigTable("long", 2000, 4)
	sec.Table.Corner = "Municipality (header)"
	d.Sections = []Section{sec}
	pdf := write(t, WritePDF, d)
	pages := strings.Split(strings.TrimSuffix(reporttest.PDFText(t, pdf, true), "\f"), "\f")
	if len(pages) < 40 {
		t.Fatalf("%d pages, want at least 40", len(pages))
	}
	header := regexp.MustCompile(`Municipality \(header\)\s+Column 1\s+Column 2\s+Column 3\s+Column 4`)
	for i, p := range pages {
		if !header.MatchString(p) {
			t.Errorf("page %d has no header row", i+1)
		}
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "Generated on 15 Jan 2027, 09:30 CET") {
			t.Errorf("page %d lacks the generated-at line in the instance's zone", i+1)
		}
	}
	// Every row is printed once.
	all := strings.Join(pages, "\n")
	for _, r := range []string{"Row 1 –", "Row 999 –", "Row 2000 –"} {
		if c := strings.Count(all, r+" "); c != 1 {
			t.Errorf("%q printed %d times", r, c)
		}
	}
}

// secret is the value of every suppressed cell of the disclosure test: it
// appears nowhere else, in no form (987654, 987,654, 987 654, 987.654).
const secret = 987654

var secretForms = regexp.MustCompile(`987[ ,.\x{a0}]?654`)

func secretDocument(l i18n.Lang) *Document {
	d := sample(l)
	for s := range d.Sections {
		for i := range d.Sections[s].Table.Cells {
			for j := range d.Sections[s].Table.Cells[i] {
				if c := &d.Sections[s].Table.Cells[i][j]; c.Suppressed {
					c.Value = secret
					c.Decimals = 0
				}
			}
		}
	}
	return d
}

// A suppressed cell never prints its value, in any format or language; it
// shows the label (and, in XLSX, the reason as a note).
func TestSuppressedNeverPrinted(t *testing.T) {
	for _, l := range sampleLangs {
		d := secretDocument(l)
		csv := write(t, WriteCSV, d)
		if secretForms.Match(csv) {
			t.Errorf("%s: CSV prints a suppressed value", l)
		}
		x := write(t, WriteXLSX, d)
		zr, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if secretForms.Match(b) {
				t.Errorf("%s: XLSX part %s holds a suppressed value", l, f.Name)
			}
		}
		dump := reporttest.XLSXText(t, x)
		if !strings.Contains(dump, "note "+fmt.Sprintf("%q", texts[l].reason)) {
			t.Errorf("%s: XLSX has no note giving the reason of suppression", l)
		}
	}
	// The PDF last: without pdftotext the test stops here.
	for _, l := range sampleLangs {
		pdf := write(t, WritePDF, secretDocument(l))
		if text := reporttest.PDFText(t, pdf, false); secretForms.MatchString(text) {
			t.Errorf("%s: PDF prints a suppressed value", l)
		} else if !strings.Contains(text, texts[l].suppressed) {
			t.Errorf("%s: PDF does not show the suppressed label", l)
		}
	}
}

// Texts that a spreadsheet would run as formulas get a leading apostrophe;
// numbers (negative ones too) are left as numbers.
func TestCSVFormulaGuard(t *testing.T) {
	d := &Document{Labels: Labels{Suppressed: "-"}, Sections: []Section{{Table: Table{
		Name:    "=HYPERLINK(\"http://x\")",
		Corner:  "@SUM(A1)",
		Columns: []string{"+1", "-2", "\tTab", "plain"},
		Rows:    []string{"\rCR", "=1+1"},
		Cells: [][]Cell{
			{{Value: -3}, {Value: 1.5, Decimals: 2}, {Suppressed: true, Value: 4}, {Value: 0}},
			{{Value: 1}, {Value: 2}, {Value: 3}, {Value: 4}},
		},
	}}}}
	got := string(write(t, WriteCSV, d))
	want := "\ufeff" +
		"\"'=HYPERLINK(\"\"http://x\"\")\"\r\n" +
		"'@SUM(A1),'+1,'-2,'\tTab,plain\r\n" +
		"\"'CR\",-3,1.50,'-,0\r\n" + // encoding/csv drops a lone CR under UseCRLF

		"'=1+1,1,2,3,4\r\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// Sheet names are made valid and unique; the cover sheet comes first.
func TestXLSXSheetNames(t *testing.T) {
	long := strings.Repeat("Виктимат ", 6) // longer than 31
	d := &Document{Title: "Report: 2026/2027 [draft]", Sections: []Section{
		{Table: Table{Name: "a/b"}},
		{Table: Table{Name: "A/B"}},
		{Table: Table{Name: long}},
		{Table: Table{Name: long}},
		{Table: Table{Name: "'quoted'"}},
		{Table: Table{Name: "history"}},
		{Table: Table{Name: "???"}},
		{Table: Table{Name: ""}},
	}}
	data := write(t, WriteXLSX, d)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got := f.GetSheetList()
	want := []string{"Report_ 2026_2027 _draft_", "a_b", "A_B (2)", "Виктимат Виктимат Виктимат Викт",
		"Виктимат Виктимат Виктимат (2)", "quoted", "history_", "___", "Table 8"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sheets\n got %q\nwant %q", got, want)
	}
}

func TestRefusesMalformedTables(t *testing.T) {
	for name, d := range map[string]*Document{
		"missing row":  {Sections: []Section{{Table: Table{Rows: []string{"a", "b"}, Columns: []string{"x"}, Cells: [][]Cell{{{}}}}}}},
		"short row":    {Sections: []Section{{Table: Table{Rows: []string{"a"}, Columns: []string{"x", "y"}, Cells: [][]Cell{{{}}}}}}},
		"not a number": {Sections: []Section{{Table: Table{Rows: []string{"a"}, Columns: []string{"x"}, Cells: [][]Cell{{{Value: nan()}}}}}}},
		"decimals":     {Sections: []Section{{Table: Table{Rows: []string{"a"}, Columns: []string{"x"}, Cells: [][]Cell{{{Decimals: 40}}}}}}},
		"nil":          nil,
	} {
		for format, fn := range map[string]func(io.Writer, *Document) error{"csv": WriteCSV, "xlsx": WriteXLSX, "pdf": WritePDF} {
			var b bytes.Buffer
			err := fn(&b, d)
			if err == nil {
				t.Errorf("%s, %s: no error", name, format)
			}
			if d == nil && !errors.Is(err, ErrNilDocument) {
				t.Errorf("%s, %s: %v", name, format, err)
			}
			if b.Len() != 0 {
				t.Errorf("%s, %s: %d bytes written before the refusal", name, format, b.Len())
			}
		}
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		lang  i18n.Lang
		cell  Cell
		plain string
		local string
	}{
		{i18n.English, Cell{Value: 12345.678, Decimals: 1}, "12345.7", "12,345.7"},
		{i18n.Albanian, Cell{Value: 12345.678, Decimals: 1}, "12345.7", "12\u00a0345,7"},
		{i18n.SerbianLatin, Cell{Value: 1234567}, "1234567", "1.234.567"},
		{i18n.SerbianCyrillic, Cell{Value: -0.04, Decimals: 1}, "0.0", "0,0"},
		{i18n.English, Cell{Value: -1234}, "-1234", "-1,234"},
		{i18n.English, Cell{Value: 999}, "999", "999"},
		{i18n.English, Cell{Value: 1234.25, Decimals: 1}, "1234.3", "1,234.3"},
		{i18n.English, Cell{Value: -2.5}, "-3", "-3"},
		{i18n.English, Cell{Value: 1e300, Decimals: 6}, strconv.FormatFloat(1e300, 'f', 6, 64), ""},
	} {
		if got := plain(c.cell); got != c.plain {
			t.Errorf("plain(%v) = %q, want %q", c.cell, got, c.plain)
		}
		if got := local(c.lang, c.cell); c.local != "" && got != c.local {
			t.Errorf("local(%s, %v) = %q, want %q", c.lang, c.cell, got, c.local)
		}
	}
	d := sample(i18n.SerbianLatin)
	if got, want := generatedLine(d), "Generisano 15.01.2027. 09:30 CET"; got != want {
		t.Errorf("generated line %q, want %q", got, want)
	}
	for label, want := range map[string]string{
		"Faqja %d nga %d": "Faqja 3 nga {nb}",
		"Page %s of %v":   "Page 3 of {nb}",
		"Page %d":         "Page 3",
		"Page":            "Page 3 / {nb}",
		"":                "3 / {nb}",
		"%d%% %d %d":      "%d%% %d %d",
	} {
		if got := pageLabel(label, 3, "{nb}"); got != want {
			t.Errorf("pageLabel(%q) = %q, want %q", label, got, want)
		}
	}
	d.Labels.Generated = "Generated"
	if got, want := generatedLine(d), "Generated 15.01.2027. 09:30 CET"; got != want {
		t.Errorf("generated line %q, want %q", got, want)
	}
}

// benchDocument is a 12-table report of 30 rows × 10 columns, every other
// table with a chart.
func benchDocument() *Document {
	d := sample(i18n.Albanian)
	d.Sections = nil
	for i := range 12 {
		sec := bigTable(fmt.Sprintf("table_%02d", i+1), 30, 10)
		switch i % 4 {
		case 1:
			sec.Chart = &Chart{Kind: BarChart, Title: "Bars"}
		case 3:
			sec.Chart = &Chart{Kind: LineChart, Title: "Lines"}
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// BenchmarkWriters writes the 12-table report in each format.
//
//	go test -run XXX -bench Writers -benchmem ./internal/report/
func BenchmarkWriters(b *testing.B) {
	d := benchDocument()
	for _, c := range []struct {
		name string
		fn   func(io.Writer, *Document) error
	}{{"CSV", WriteCSV}, {"XLSX", WriteXLSX}, {"PDF", WritePDF}} {
		b.Run(c.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				var buf bytes.Buffer
				if err := c.fn(&buf, d); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

// TestNarrowColumnsBreakAtWords: in a table of many narrow columns a
// heading's word that fits a column is never broken (the column is widened
// from its neighbours); a word longer than any column could be is broken
// with a hyphen and no line is left with one or two letters.
func TestNarrowColumnsBreakAtWords(t *testing.T) {
	d := &Document{Title: "Columns", Language: "sr-Cyrl", Labels: Labels{Definitions: "D", Generated: "G", Page: "{page}/{pages}", Suppressed: "–"}}
	tab := Table{Name: "T", Corner: "Шифра", Columns: []string{"Носилац (институција)", "Рок", "Статус", "Спровођење (%)", "Планирано (ЕУР)", "Потрошено (ЕУР)"}}
	for i := range 3 {
		tab.Rows = append(tab.Rows, fmt.Sprintf("1.%d Заједнички тимови за идентификацију", i))
		tab.Cells = append(tab.Cells, []Cell{{Text: "Косовска полиција"}, {Text: "2026-Q2"}, {Text: "Завршено"}, {Value: 100}, {Value: 12000}, {Value: 10500}})
	}
	wide := Table{Name: "W", Corner: "C", Columns: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}}
	wide.Rows = []string{"r"}
	long := strings.Repeat("Неразумнодугачкареч", 3)
	row := []Cell{{Text: long}}
	for range 13 {
		row = append(row, Cell{Value: 1})
	}
	wide.Cells = [][]Cell{row}
	d.Sections = []Section{{Heading: "T", Table: tab}, {Heading: "W", Table: wide}}
	pdf := write(t, WritePDF, d)
	text := reporttest.PDFText(t, pdf, false)
	for _, w := range []string{"(институција)", "Спровођење", "Планирано", "Потрошено"} {
		if !strings.Contains(text, w) {
			t.Errorf("the word %q was broken:\n%s", w, text)
		}
	}
	// (pdftotext joins a word hyphenated at a line's end again.)
	if !strings.Contains(text, long) {
		t.Errorf("the overlong word did not come back whole")
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && utf8.RuneCountInString(l) <= 2 && !unicode.IsDigit([]rune(l)[0]) &&
			!strings.ContainsAny(l, "–abcdefghijklmnrCTW") {
			t.Errorf("a line of %q", l)
		}
	}
	// A word wider than its column is cut into hyphenated pieces that fit.
	p := newPDF(d)
	p.f.AddPage()
	p.font(7, false)
	w := p.f.GetStringWidth("Спрово") + 0.5
	for _, word := range []string{"Спровођење", "Implementation", "2026-Q2-2027-Q4"} {
		got := p.hyphenate(word, w)
		pieces := strings.Split(got, " ")
		if len(pieces) < 2 || strings.ReplaceAll(strings.Join(pieces, ""), "-", "") != strings.ReplaceAll(word, "-", "") {
			t.Errorf("hyphenate(%q) = %q", word, got)
		}
		for i, x := range pieces {
			if p.f.GetStringWidth(x) > w || utf8.RuneCountInString(x) < 2 || (i < len(pieces)-1 && !strings.HasSuffix(x, "-")) {
				t.Errorf("hyphenate(%q): piece %q", word, x)
			}
		}
	}
	if got := p.hyphenate("Рок и статус", w); got != "Рок и статус" {
		t.Errorf("words that fit were changed: %q", got)
	}
}
