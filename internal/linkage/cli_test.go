package linkage_test

import (
	"bytes"
	"context"
	"encoding/csv"
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
		{"BadDate", "id,birth_date\nx,1990-02-03\ny,03.02.1990\n", "line 3: birth_date is not a date", nil},
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
