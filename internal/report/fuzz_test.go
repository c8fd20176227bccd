package report

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"testing"
	"time"
)

// fuzzBytes hands out a fuzzer's bytes as the parts of a document; past the
// end it gives zeros.
type fuzzBytes struct{ b []byte }

func (z *fuzzBytes) byte() byte {
	if len(z.b) == 0 {
		return 0
	}
	c := z.b[0]
	z.b = z.b[1:]
	return c
}

func (z *fuzzBytes) intn(n int) int { return int(z.byte()) % n }

// text is a string of up to 40 bytes taken as they come (invalid UTF-8,
// control characters, format verbs, Cyrillic, emoji all possible), or one
// of a few hard cases.
func (z *fuzzBytes) text() string {
	switch z.intn(8) {
	case 0:
		return ""
	case 1:
		return []string{"=1+1", "%d %s %!", "\x00\r\n\t", "Ћирилица ë ç č ć đ š ž", "😀\U0010FFFF\uFFFE", "history",
			string(bytes.Repeat([]byte("wide "), 60)), "a/b:c*d?e[f]g\\h'"}[z.intn(8)]
	}
	n := z.intn(41)
	s := make([]byte, 0, n)
	for range n {
		s = append(s, z.byte())
	}
	return string(s)
}

func (z *fuzzBytes) value() float64 {
	switch z.intn(6) {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1 - 2*z.intn(2))
	case 2:
		var b [8]byte
		for i := range b {
			b[i] = z.byte()
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	return float64(int(z.byte())-64) * []float64{1, 0.1, 1000, 1e6}[z.intn(4)]
}

func (z *fuzzBytes) strings(max int) []string {
	out := make([]string, z.intn(max+1))
	for i := range out {
		out[i] = z.text()
	}
	return out
}

// fuzzDocument builds a document from the bytes: usually well formed,
// sometimes a ragged table, an out-of-range decimals, a NaN.
func fuzzDocument(data []byte) *Document {
	z := &fuzzBytes{b: data}
	d := &Document{
		Title: z.text(), Subtitle: z.text(), Period: z.text(), Language: []string{"en", "sq", "sr-Latn", "sr-Cyrl", "xx", ""}[z.intn(6)],
		Generated: time.Unix(int64(z.byte())<<24, 0), Source: z.text(), Notes: z.strings(3),
		Labels: Labels{Definitions: z.text(), Generated: z.text(), Page: z.text(), Suppressed: z.text(), Notes: z.text()},
	}
	if z.intn(2) == 0 {
		d.TimeZone = time.FixedZone("X", 3600*(z.intn(25)-12))
	}
	for range z.intn(4) {
		d.Definitions = append(d.Definitions, Definition{Term: z.text(), Text: z.text()})
	}
	for range z.intn(4) {
		t := Table{Name: z.text(), Corner: z.text(), Columns: z.strings(6), Rows: z.strings(14),
			RowTotal: z.intn(2) == 0, ColumnTotal: z.intn(2) == 0}
		ragged := z.intn(16) == 0
		for range t.Rows {
			n := len(t.Columns)
			if ragged {
				n = z.intn(8)
			}
			row := make([]Cell, n)
			for j := range row {
				row[j] = Cell{Value: z.value(), Decimals: z.intn(9) - 1, Suppressed: z.intn(4) == 0, Reason: z.text()}
				if row[j].Decimals < 0 && z.intn(4) != 0 {
					row[j].Decimals = 0
				}
			}
			t.Cells = append(t.Cells, row)
		}
		sec := Section{Heading: z.text(), Text: z.text(), Table: t}
		switch z.intn(4) {
		case 1:
			sec.Chart = &Chart{Kind: BarChart, Title: z.text()}
		case 2:
			sec.Chart = &Chart{Kind: LineChart, Title: z.text()}
		case 3:
			sec.Chart = &Chart{Kind: ChartKind(z.text())}
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// FuzzWriters: no document, however odd, makes a writer panic; each either
// writes its format or refuses with an error, and the three agree on which.
//
//	go test -run XXX -fuzz '^FuzzWriters$' -fuzztime 60s ./internal/report/
func FuzzWriters(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x03\x01title\x02\x05\x07sections and tables with numbers 0123456789"))
	f.Add(bytes.Repeat([]byte{1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47}, 40))
	f.Add(bytes.Repeat([]byte{0xff, 0xfe, 0x80, 0x41, 0x3}, 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := fuzzDocument(data)
		var errs [3]error
		for i, w := range []func(io.Writer, *Document) error{WriteCSV, WriteXLSX, WritePDF} {
			var b bytes.Buffer
			errs[i] = w(&b, d)
			if errs[i] == nil && b.Len() == 0 {
				t.Errorf("writer %d wrote nothing and no error", i)
			}
		}
		wantErr := check(d) != nil
		for i, err := range errs {
			if (err != nil) != wantErr {
				t.Errorf("writer %d: %v (the document check says %v)", i, err, check(d))
			}
		}
	})
}
