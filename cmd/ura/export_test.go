package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestExportCTDC runs `ura export ctdc` over fictional cases and checks the
// file: the exact CTDC header, and every combination of the
// quasi-identifiers at least k = 10 times.
func TestExportCTDC(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			data, url, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"migrate"}, sargs...)...)
			mustUra(t, "", append([]string{"demo", "--cases", "600", "--events-per-case", "1", "--seed", "15"}, sargs...)...)
			out := filepath.Join(t.TempDir(), "ctdc.csv")
			_, stderr, err := ura(t, "", append([]string{"export", "ctdc", "--out", out}, sargs...)...)
			if err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			if !strings.Contains(stderr, "CTDC export, k = 10:") || !strings.Contains(stderr, "suppressed") {
				t.Fatalf("summary on stderr: %q", stderr)
			}
			st, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(recs[0], ","), strings.Join(disclosure.CTDCHeader, ","); got != want {
				t.Fatalf("header\n got %s\nwant %s", got, want)
			}
			if len(recs) < 2 {
				t.Fatalf("no rows written; stderr: %s", stderr)
			}
			var idx []int
			for _, q := range disclosure.CTDCQuasiIdentifiers {
				idx = append(idx, slices.Index(recs[0], q))
			}
			for i, h := range recs[0] {
				if strings.HasPrefix(h, "is") && h != "isAbduction" || strings.HasPrefix(h, "typeOfLabour") {
					idx = append(idx, i)
				}
			}
			counts := map[string]int{}
			for _, r := range recs[1:] {
				var key []string
				for _, i := range idx {
					key = append(key, r[i])
				}
				counts[strings.Join(key, "|")]++
			}
			for c, n := range counts {
				if n < 10 {
					t.Errorf("combination %s appears %d times", c, n)
				}
			}
			t.Logf("%d rows, %d combinations\n%s", len(recs)-1, len(counts), stderr)

			// A period with no case writes the header alone.
			_, stderr, err = ura(t, "", append([]string{"export", "ctdc", "--out", out, "--from", "1990-01-01", "--to", "1990-12-31"}, sargs...)...)
			if err != nil || !strings.Contains(stderr, "0 cases read") {
				t.Fatalf("empty period: %v %s", err, stderr)
			}

			// Both extracts are releases to a partner in the ledger.
			db, err := store.Open(context.Background(), store.Options{DataDir: data, URL: url})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for year, period := range map[int]string{time.Now().Year(): "…/…", 1990: "1990-01/1990-12"} {
				rs, err := (disclosure.Ledger{}).Releases(context.Background(), db.Read(), "ctdc", year)
				if err != nil || len(rs) != 1 || rs[0].Period != period || rs[0].Audience != disclosure.Partner ||
					rs[0].Policy.Method != disclosure.Suppress || rs[0].Policy.K != 10 || rs[0].By != "cli:operator" {
					t.Fatalf("ledger of %d: %+v %v", year, rs, err)
				}
			}
			// Each extract is in the audit trail, which still verifies.
			var n int
			if err := db.Read().QueryRowContext(context.Background(),
				`SELECT COUNT(*) FROM audit_events WHERE action = 'export.ctdc' AND actor_id = 'cli:operator'`).Scan(&n); err != nil || n != 2 {
				t.Errorf("audit events of the exports: %d (%v), want 2", n, err)
			}
			mustUra(t, "", append([]string{"audit", "verify"}, sargs...)...)
		})
	}
}

func TestExportCTDCBadInput(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	out := filepath.Join(t.TempDir(), "x.csv")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "usage: ura export ctdc"},
		{[]string{"export", "eurostat"}, "usage: ura export ctdc"},
		{[]string{"export", "ctdc"}, "--out is required"},
		{[]string{"export", "ctdc", "--out", out, "--from", "2026-02-30"}, "is not a date"},
		{[]string{"export", "ctdc", "--out", out, "--from", "2026-05-01", "--to", "2026-04-30"}, "ends (--to 2026-04-30) before it starts"},
		{[]string{"export", "ctdc", "--out", out, "--k", "1"}, "--k must be at least 2"},
	} {
		_, _, err := ura(t, "", append(c.args, sargs...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != 2 {
			t.Errorf("ura %s: %v, want a usage error with %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused export wrote %s", out)
	}
}
