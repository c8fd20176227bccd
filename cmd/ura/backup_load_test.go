//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestBackupUnderLoad takes a backup while clients keep writing, restores it
// into fresh stores of both engines and checks that the restored store's
// audit chain verifies, that every write acknowledged before the backup
// began is in it with the content written, and that whatever else it holds
// (writes that raced the backup) is whole.
func TestBackupUnderLoad(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			began := time.Now()
			st := newProcStore(t, e)
			l := newWriteLedger("Backup")
			srv := serveProc(t, nil, st.Args)
			ld := l.startLoad(st.Token, writeLoadOptions{Clients: 6, Nodes: func(int) []string { return []string{srv.URL} }}, uint64(time.Now().UnixNano()))
			time.Sleep(1500 * time.Millisecond)

			// T0: what is acknowledged now must be in the backup.
			before, beforeNotes := l.snapshot()
			file := filepath.Join(t.TempDir(), "ura.backup")
			out := mustRunUra(t, nil, append([]string{"backup", "--out", file}, st.Args...)...)
			during, duringNotes := l.counts()
			time.Sleep(300 * time.Millisecond) // and the load goes on after it
			ld.stop()
			srv.Stop(t)
			failIf(t, "the server's log", srv.logErrors())
			failIf(t, "answers to the load", l.problems)
			if len(before) == 0 || len(beforeNotes) == 0 {
				t.Fatalf("only %d cases and %d notes acknowledged before the backup: nothing was tested", len(before), len(beforeNotes))
			}
			if during+duringNotes == len(before)+len(beforeNotes) {
				t.Error("no write was acknowledged while ura backup ran: the load did not overlap it")
			}
			after, afterNotes := l.snapshot()
			source, problems := rawCheck(t, e, st.Data, st.DB)
			failIf(t, "source store", problems)
			t.Logf("%s: %d cases and %d notes acknowledged before the backup, %d and %d by the end",
				strings.TrimSpace(out), len(before), len(beforeNotes), len(after), len(afterNotes))

			targets := []store.Engine{store.SQLite}
			if os.Getenv("URA_TEST_PG") != "" {
				targets = append(targets, store.Postgres)
			}
			for _, target := range targets {
				t.Run("to_"+string(target), func(t *testing.T) {
					data, db, targs := storeArgs(t, target)
					copyKeyFile(t, st.Data, data)
					mustRunUra(t, nil, append([]string{"restore", "--in", file}, targs...)...)
					if out := mustRunUra(t, nil, append([]string{"audit", "verify"}, targs...)...); !strings.Contains(out, "intact") {
						t.Fatalf("audit verify on the restored store: %s", out)
					}
					raw, problems := rawCheck(t, target, data, db)
					problems = append(problems, checkAckedPresent(raw, before, beforeNotes)...)
					for id := range raw.cases {
						if !source.cases[id] {
							problems = append(problems, "the restored store holds a case the source never had: "+id)
						}
					}
					failIf(t, "restored store", problems)

					// Read it all back through the API of a Ura on the
					// restored store (the token was restored with it).
					restored := serveProc(t, nil, targs)
					c := newReadBack(l, restored.URL, st.Token)
					c.checkEverything(context.Background(), before, beforeNotes)
					c.report(t, "restored store")
					restored.Stop(t)
					failIf(t, "the log of the server on the restored store", restored.logErrors())
					if len(raw.cases) < len(before) || len(raw.notes) < len(beforeNotes) {
						t.Errorf("restored %d cases and %d notes, fewer than the %d and %d acknowledged before the backup",
							len(raw.cases), len(raw.notes), len(before), len(beforeNotes))
					}
				})
			}
			t.Logf("%s as source: %v", e, time.Since(began).Round(100*time.Millisecond))
		})
	}
}
