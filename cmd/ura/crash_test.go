//go:build unix

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestCrashSafety proves that Ura never loses an acknowledged write and never
// shows a half-written one. Again and again it runs a write load (clients
// opening cases and adding notes through the API), SIGKILLs `ura serve` at a
// random moment, restarts it and reads everything back: every write a client
// saw acknowledged is there with the content written; every case and note
// the store holds (including those whose request died unanswered) opens
// whole; the raw tables hold no case without its person, team, timeline and
// audit event. At the end the audit chain verifies.
//
// URA_CRASH_KILLS sets the number of kills (default 20, the CI form; the long
// form is URA_CRASH_KILLS=200); URA_CRASH_SEED repeats a run's kill times.
// On PostgreSQL Ura is killed, not the database.
func TestCrashSafety(t *testing.T) {
	t.Parallel() // with the other process-level tests: they mostly wait
	kills := envPositive("URA_CRASH_KILLS", 20)
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("URA_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("%d kills per engine, URA_CRASH_SEED=%d", kills, seed)
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			began := time.Now()
			st := newProcStore(t, e)
			l := newWriteLedger("Crash")
			r := rand.New(rand.NewPCG(seed, 1))
			ctx := context.Background()
			srv := serveProc(t, nil, st.Args)
			seenCases, seenNotes := map[string]bool{}, map[string]bool{}
			for round := 1; round <= kills; round++ {
				loadFrom := time.Now()
				ld := l.startLoad(st.Token, writeLoadOptions{Clients: 6, Nodes: func(int) []string { return []string{srv.URL} }},
					seed+uint64(round))
				time.Sleep(time.Duration(50+r.IntN(551)) * time.Millisecond)
				killedAt := time.Now()
				srv.Kill()
				ld.stop()
				failIf(t, fmt.Sprintf("the log before kill %d", round), srv.logErrors())
				failIf(t, fmt.Sprintf("requests that failed before kill %d", round), l.failuresBetween(srv.URL, loadFrom, killedAt))
				srv = serveProc(t, nil, st.Args)

				raw, problems := rawCheck(t, e, st.Data, st.DB)
				cases, notes := l.snapshot()
				problems = append(problems, checkAckedPresent(raw, cases, notes)...)
				failIf(t, fmt.Sprintf("after kill %d", round), problems)
				c := newReadBack(l, srv.URL, st.Token)
				c.checkRows(ctx, newIDs(raw.cases, seenCases), newIDs(raw.notes, seenNotes))
				c.report(t, fmt.Sprintf("after kill %d", round))
			}
			failIf(t, "answers to the load", l.problems)

			cases, notes := l.snapshot()
			if len(cases) == 0 || len(notes) == 0 {
				t.Fatalf("the load got %d cases and %d notes acknowledged: nothing was tested", len(cases), len(notes))
			}
			c := newReadBack(l, srv.URL, st.Token)
			c.checkEverything(ctx, cases, notes)
			c.report(t, "after the last kill")
			srv.Stop(t)
			failIf(t, "the log of the last server", srv.logErrors())
			mustRunUra(t, nil, append([]string{"audit", "verify"}, st.Args...)...)
			t.Logf("%s: %d kills; %d cases and %d notes acknowledged, %d cases and %d notes stored; %v",
				e, kills, len(cases), len(notes), len(seenCases), len(seenNotes), time.Since(began).Round(100*time.Millisecond))
		})
	}
}
