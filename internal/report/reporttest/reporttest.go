// Package reporttest reads the documents internal/report writes back as
// text, for golden-file tests: a PDF by its extracted text (pdftotext, from
// Debian's poppler-utils), a workbook by its cells, types and styles.
package reporttest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// PDFText extracts the text of a PDF (poppler-utils), page after page
// separated by form feeds. Without the tool the test is skipped, unless
// URA_TEST_REQUIRE_BROWSER=1 (as in CI), where it fails.
func PDFText(t testing.TB, pdf []byte, layout bool) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("URA_TEST_REQUIRE_BROWSER") != "" {
			t.Fatal("pdftotext (Debian's poppler-utils) is missing; scripts/setup-test-deps installs it")
		}
		t.Skip("pdftotext (Debian's poppler-utils) is missing: the PDF's text is not checked (scripts/setup-test-deps installs it; with URA_TEST_REQUIRE_BROWSER set it fails)")
	}
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	cmd := exec.Command(bin, append(args, "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return string(out)
}

// XLSXText is a workbook as text: its sheets in order, every non-empty cell
// with its type (n number, s text) and value, and the notes on cells.
func XLSXText(t testing.TB, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== sheet %q\n", sheet)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(sheet, cell)
				if err != nil {
					t.Fatal(err)
				}
				kind := "s"
				if typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber {
					kind = "n"
				}
				fmt.Fprintf(&b, "%s %s %q%s\n", cell, kind, v, styleDump(t, f, sheet, cell))
			}
		}
		comments, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comments {
			fmt.Fprintf(&b, "%s note %q\n", c.Cell, c.Text)
		}
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if panes.Freeze {
			fmt.Fprintf(&b, "frozen rows %d\n", panes.YSplit)
		}
	}
	for _, n := range f.GetDefinedName() {
		fmt.Fprintf(&b, "defined %s in %q: %s\n", n.Name, n.Scope, n.RefersTo)
	}
	return b.String()
}

// styleDump is what the golden files check of a cell's style: bold, and a
// number's format.
func styleDump(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if st.Font != nil && st.Font.Bold {
		out += " bold"
	}
	if st.CustomNumFmt != nil {
		out += " format " + *st.CustomNumFmt
	}
	return out
}
