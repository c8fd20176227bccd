//go:build unix

package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestRestoreResumesAfterKill kills a real `ura restore` (SIGKILL) halfway
// through a backup of a few hundred generated cases, runs it again, and
// checks that it resumed (not started over), that every table holds exactly
// the source's rows (no duplicates, nothing lost) and that the audit chain
// verifies: on each engine as the target.
func TestRestoreResumesAfterKill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := t.TempDir()
	mustRunUra(t, nil, "demo", "--data", src, "--cases", "400")
	file := filepath.Join(t.TempDir(), "ura.backup")
	out := mustRunUra(t, nil, "backup", "--out", file, "--data", src)
	m := regexp.MustCompile(`(\d+) tables, (\d+) rows`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup printed %q", out)
	}
	tables, _ := strconv.Atoi(m[1])
	srcCounts := tableCounts(t, ctx, store.Options{DataDir: src})
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			data, db, args := storeArgs(t, e)
			copyKeyFile(t, src, data)
			rargs := append([]string{"restore", "--in", file, "--batch", "150"}, args...)
			p := startUra(t, nil, rargs...)
			// Kill it once half the tables are in.
			deadline := time.Now().Add(2 * time.Minute)
			for strings.Count(p.Err.String(), " rows\n") < tables/2 {
				select {
				case <-p.exited:
					t.Fatalf("ura restore ended before it could be killed halfway: %v\n%s", p.exitErr, tailOf(p.Err.String(), 2000))
				case <-time.After(2 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatalf("ura restore made no progress:\n%s", tailOf(p.Err.String(), 2000))
				}
			}
			p.Kill()
			half := tableCounts(t, ctx, store.Options{DataDir: data, URL: db})
			var got, want int64
			for name, n := range srcCounts {
				got += half[name]
				want += n
			}
			if got == 0 || got >= want {
				t.Fatalf("after the kill the target holds %d of %d rows: not halfway", got, want)
			}
			out, stderr, err := runUra(t, nil, rargs...)
			if err != nil || !strings.Contains(out, "audit chain intact") {
				t.Fatalf("second restore: %v\n%s\n%s", err, out, tailOf(stderr, 2000))
			}
			// It resumed (it would refuse a non-empty store otherwise).
			if !strings.Contains(stderr, "resuming:") {
				t.Errorf("the second restore did not say it resumed:\n%s", tailOf(stderr, 2000))
			}
			after := tableCounts(t, ctx, store.Options{DataDir: data, URL: db})
			for name, n := range srcCounts {
				if after[name] != n {
					t.Errorf("table %s: %d rows after the resumed restore, the source has %d", name, after[name], n)
				}
			}
			if _, ok := after["restore_progress"]; ok {
				t.Error("the restore's progress table is left behind")
			}
			v := mustRunUra(t, nil, append([]string{"audit", "verify"}, args...)...)
			if !strings.Contains(v, "audit chain intact") {
				t.Errorf("audit verify: %s", v)
			}
			t.Logf("killed at %d of %d rows; resumed: %s", got, want, strings.TrimSpace(out))
		})
	}
}

// tableCounts counts the rows of every table of a store.
func tableCounts(t *testing.T, ctx context.Context, o store.Options) map[string]int64 {
	t.Helper()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Read().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		if n == "schema_migrations" || n == store.DeferredIndexesTable {
			continue
		}
		var c int64
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+n+`"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}
