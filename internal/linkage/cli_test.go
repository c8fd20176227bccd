package linkage_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := linkage.RunCLI(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

const personsCSV = `id,given_name,family_name,birth_date,sex,citizenship,town
a1,Đorđe,Petrović,1987-11-03,M,RS,Niš
a2,Ђорђе,Петровић,1987-03-11,M,RS,Niš
a3,Arta,Krasniqi,1998-04-12,F,XK,Prizren
a4,Krasniqi,Arta,1998-04-12,F,XK,Prizren
a5,Elena,Popescu,2001-01-30,F,MD,Bălți
a6,Ayşe,Yılmaz,,F,TR,İzmir
`

func TestCLIDedup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		out, err := runCLI(t, personsCSV, "dedup", "--in", "-", "--out", "-", "--threshold", "0.5")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(rows[0], ","), "id_a,id_b,score"; got != want {
			t.Errorf("header = %q, want %q", got, want)
		}
		got := map[string]bool{}
		for _, r := range rows[1:] {
			if r[0] >= r[1] {
				t.Errorf("pair %v not ordered", r)
			}
			got[r[0]+"-"+r[1]] = true
		}
		for _, want := range []string{"a1-a2", "a3-a4"} {
			if !got[want] {
				t.Errorf("pair %s not found in %q", want, out)
			}
		}
	})
	errTests := []struct {
		name, in, wantErr string
		args              []string
	}{
		{"NoIDColumn", "name\nx\n", "line 1: no id column", nil},
		{"DuplicateID", "id,given_name\nx,A\nx,B\n", "line 3: duplicate id", nil},
		{"BadDateStrict", "id,birth_date\nx,1990-02-03\ny,03.02.1990\n", `line 3: column "birth_date": not a date`, []string{"--strict"}},
		{"ImpossibleDateStrict", "id,birth_date\nx,1937-12-33\n", `line 2: column "birth_date"`, []string{"--strict"}},
		{"EmptyFile", "", "empty file", nil},
		{"InvalidUTF8", "id,given_name\nx,\xff\xfe\n", `line 2: column "given_name": invalid UTF-8`, nil},
		{"MalformedCSV", "id,given_name\nx,\"A\ny,B\n", "line 2", nil},
		{"WrongFieldCount", "id,given_name\nx,A,B\n", "line 2: wrong number of fields", nil},
		{"BadThreshold", personsCSV, "invalid value", []string{"--threshold", "high"}},
		{"ThresholdOutOfRange", personsCSV, "invalid value", []string{"--threshold", "1.5"}},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"dedup", "--in", "-", "--out", "-"}, tt.args...)
			_, err := runCLI(t, tt.in, args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "03.02.1990") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q leaks a value or spans lines", err)
			}
		})
	}
}

func TestCLIEncodeLink(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("shared secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("id,given_name,family_name,birth_date,sex,citizenship\nx1,Đorđe,Petrović,1987-11-03,M,RS\nx2,Arta,Krasniqi,1998-04-12,F,XK\n"), 0o600)
	os.WriteFile(b, []byte("id,given_name,family_name,birth_date,sex,citizenship\ny1,Arta,Krasniqi,1998-04-12,F,\ny2,Ђорђе,Петровић,1987-11-03,M,RS\ny3,Elena,Popescu,2001-01-30,F,MD\n"), 0o600)
	schema := filepath.Join("testdata", "ura-schema.json")
	for _, f := range []string{"a", "b"} {
		if _, err := runCLI(t, "", "encode", "--schema", schema, "--secret-file", secret,
			"--in", filepath.Join(dir, f+".csv"), "--out", filepath.Join(dir, f+".json")); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCLI(t, "", "link", "--a", filepath.Join(dir, "a.json"), "--b", filepath.Join(dir, "b.json"), "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"x1,y2,", "x2,y1,"} {
		if !strings.Contains(out, want) {
			t.Errorf("link output %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "y3") {
		t.Errorf("link output %q links the unmatched y3", out)
	}
	if _, err := runCLI(t, "", "encode", "--schema", schema, "--secret-file", filepath.Join(dir, "none"), "--in", a, "--out", "-"); err == nil {
		t.Error("encode without a secret file succeeded")
	}
}

func TestCLIUnknownSubcommand(t *testing.T) {
	if _, err := runCLI(t, "", "frobnicate"); err == nil {
		t.Error("unknown subcommand accepted")
	}
}

// TestCLIDedupDirty: values not valid for their column are treated as
// missing and reported on standard error with line and column, never the
// value; the rest of the file is processed.
func TestCLIDedupDirty(t *testing.T) {
	in := "id,given_name,family_name,birth_date,sex,citizenship\n" +
		"a1,Arta,Krasniqi,1998-04-12,F,XK\n" +
		"a2,Arta,Krasniqi,1998-02-30,F,XK\n" + // no 30 February
		"a3,Arta,Krasniqi,1998-04-12,Q9,ZZ\n" + // sex and citizenship not in the lists
		"a4,...,Krasniqi,12/04/1998,F,XK\n" // a name of punctuation, a date in another format
	var out, errOut bytes.Buffer
	err := linkage.RunCLI(context.Background(), []string{"dedup", "--in", "-", "--out", "-"}, strings.NewReader(in), &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	warn := errOut.String()
	for _, want := range []string{
		`line 3: column "birth_date"`, `line 4: column "sex"`, `line 4: column "citizenship"`,
		`line 5: column "given_name"`, `line 5: column "birth_date"`,
	} {
		if !strings.Contains(warn, want) {
			t.Errorf("stderr %q lacks %q", warn, want)
		}
	}
	for _, leak := range []string{"1998-02-30", "Q9", "ZZ", "...", "12/04/1998"} {
		if strings.Contains(warn, leak) {
			t.Errorf("stderr %q leaks the value %q", warn, leak)
		}
	}
	if !strings.Contains(out.String(), "a1,a3,") {
		t.Errorf("a1–a3 (invalid sex and citizenship treated as missing) not found in %q", out.String())
	}
}

// endless is an input of one line that never ends.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestReadHugeLine: a 1 GB line is refused on its first MiB, by line
// number, without being read into memory.
func TestReadHugeLine(t *testing.T) {
	src := &endless{}
	_, err := linkage.ReadRecords(io.MultiReader(strings.NewReader("id,given_name\nx,"), src))
	if err == nil || !strings.Contains(err.Error(), "line 2: line longer than") {
		t.Fatalf("err = %v, want a line-2 length error", err)
	}
	if src.n > 4<<20 {
		t.Errorf("read %d bytes of the long line before refusing it", src.n)
	}
	enc, err := linkage.NewEncoder(mustSchema(t, "ura-schema.json"), []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := linkage.EncodeCSV(io.MultiReader(strings.NewReader("id,given_name,family_name,birth_date,sex,citizenship\n"), &endless{}), enc); err == nil || !strings.Contains(err.Error(), "line 2: line longer") {
		t.Fatalf("encode err = %v, want a line-2 length error", err)
	}
}

// TestCLILinkBadInput: CLK files of mixed lengths and files that are not
// CLK files give one-line errors.
func TestCLILinkBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mixed := write("mixed.json", `{"clks":["AAAA","AAAAAAAA"]}`)
	short := write("short.json", `{"clks":["AAAA"]}`)
	long := write("long.json", `{"clks":["AAAAAAAA"]}`)
	empty := write("empty.json", "")
	for _, tt := range []struct{ a, b, want string }{
		{mixed, short, "clk 2: length differs"},
		{short, long, "different lengths"},
		{empty, short, "not a CLK file"},
	} {
		_, err := runCLI(t, "", "link", "--a", tt.a, "--b", tt.b, "--out", "-")
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("link %s × %s: err = %v, want one line containing %q", filepath.Base(tt.a), filepath.Base(tt.b), err, tt.want)
		}
	}
}

// TestCLIEncodeLinkFields: the default person schema (field filters)
// through the command line: swapped names, the other script and a
// swapped day and month are linked, the unmatched record is not, and a
// field-filter file cannot be linked with a single-CLK file.
func TestCLIEncodeLinkFields(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("shared secret\n"), 0o600)
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("id,given_name,family_name,birth_date,sex,citizenship\nx1,Đorđe,Petrović,1987-11-03,M,RS\nx2,Arta,Krasniqi,1998-04-12,F,XK\nx3,Mohammad,Ahmadi,1990,M,AF\n"), 0o600)
	os.WriteFile(b, []byte("id,given_name,family_name,birth_date,sex,citizenship\ny1,Krasniqi,Arta,1998-12-04,F,XK\ny2,Ђорђе,Петровић,1987-11-03,M,RS\ny3,Elena,Popescu,2001-01-30,F,MD\n"), 0o600)
	schema := filepath.Join("testdata", "ura-person-fields.json")
	for _, f := range []string{"a", "b"} {
		if _, err := runCLI(t, "", "encode", "--schema", schema, "--secret-file", secret,
			"--in", filepath.Join(dir, f+".csv"), "--out", filepath.Join(dir, f+".json")); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	if !strings.Contains(string(data), `"fields":["given_name","family_name"`) {
		t.Errorf("field-filter CLK file lacks its layout: %.200s", data)
	}
	out, err := runCLI(t, "", "link", "--a", filepath.Join(dir, "a.json"), "--b", filepath.Join(dir, "b.json"), "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"x1,y2,", "x2,y1,"} {
		if !strings.Contains(out, want) {
			t.Errorf("link output %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "y3") || strings.Contains(out, "x3") {
		t.Errorf("link output %q links an unmatched record", out)
	}
	if _, err := runCLI(t, "", "encode", "--schema", filepath.Join("testdata", "ura-schema.json"), "--secret-file", secret,
		"--in", a, "--out", filepath.Join(dir, "single.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", "link", "--a", filepath.Join(dir, "single.json"), "--b", filepath.Join(dir, "b.json"), "--out", "-"); err == nil {
		t.Error("a single-CLK file was linked with a field-filter file")
	}
}
