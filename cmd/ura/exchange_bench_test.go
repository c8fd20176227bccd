//go:build unix

package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// TestExchangeThroughput delivers URA_EXCHANGE_MESSAGES notes (default 1,000
// in CI; the benchmark in docs/benchmarks.md is 10,000) from Kosovo to
// Montenegro, two `ura serve` processes on loopback with SQLite stores,
// SIGKILLs Montenegro when half of them have arrived and restarts it, and
// checks that every message was delivered exactly once. It reports the
// throughput (messages queued to the last one stored by the receiver) and
// the end-to-end latency (queued at the sender to stored by the receiver),
// p50 and p99. With URA_EXCHANGE_PROFILE=DIR both processes serve their
// profiles and DIR receives a 10-second CPU profile of each, taken while the
// messages are being queued.
func TestExchangeThroughput(t *testing.T) {
	t.Parallel()
	n := envPositive("URA_EXCHANGE_MESSAGES", 1000)
	xk, me := newCountry(t, "XK", store.SQLite), newCountry(t, "ME", store.SQLite)
	register(t, xk, me)
	meData := me.sargs[1]

	began := time.Now()
	if dir := os.Getenv("URA_EXCHANGE_PROFILE"); dir != "" {
		for _, c := range []*country{xk, me} {
			m := metricsRE.FindStringSubmatch(c.proc.Out.String())
			if m == nil {
				t.Fatalf("%s does not say where its metrics are", c.code)
			}
			go saveProfile(strings.TrimSuffix(m[1], "/metrics")+"/debug/pprof/profile?seconds=10", filepath.Join(dir, c.code+".prof"))
		}
	}
	var queued atomic.Int64
	var wg sync.WaitGroup
	const clients = 8
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < n; i += clients {
				var out map[string]any
				st := xk.callNoFail(xk.coord, "POST", "/api/v1/exchange/messages",
					map[string]any{"to": "ME", "type": "note", "body": map[string]any{"text": fmt.Sprintf("Message %d", i)}}, &out)
				if st != http.StatusAccepted {
					errs <- fmt.Errorf("queue message %d: %d %v", i, st, out)
					return
				}
				queued.Add(1)
			}
		}()
	}
	// Kill Montenegro when half have arrived; restart it at once.
	killedAt := 0
	for {
		got := countIn(t, meData)
		if got >= n/2 {
			me.proc.Kill()
			killedAt = got
			break
		}
		if time.Since(began) > 5*time.Minute {
			t.Fatalf("only %d of %d arrived in 5 minutes", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	killed := time.Now()
	me.start()
	restarted := time.Since(killed)
	wg.Wait()
	queuedIn := time.Since(began)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for countIn(t, meData) < n {
		if time.Since(began) > 10*time.Minute {
			t.Fatalf("only %d of %d arrived in 10 minutes", countIn(t, meData), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Every message delivered at the sender, stored once at the receiver.
	sent := readTimes(t, xk.sargs[1], `SELECT id, created_at FROM exchange_messages WHERE direction = 'out' AND state = 'delivered'`)
	deadline := time.Now().Add(time.Minute)
	for len(sent) < n && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		sent = readTimes(t, xk.sargs[1], `SELECT id, created_at FROM exchange_messages WHERE direction = 'out' AND state = 'delivered'`)
	}
	got := readTimes(t, meData, `SELECT id, delivered_at FROM exchange_messages WHERE direction = 'in' AND peer = 'XK'`)
	if len(sent) != n || len(got) != n {
		t.Fatalf("%d queued, %d delivered at the sender, %d stored at the receiver", n, len(sent), len(got))
	}
	var lat []time.Duration
	var first, last time.Time
	for id, q := range sent {
		r, ok := got[id]
		if !ok {
			t.Fatalf("message %s delivered but not stored", id)
		}
		lat = append(lat, r.Sub(q))
		if first.IsZero() || q.Before(first) {
			first = q
		}
		if r.After(last) {
			last = r
		}
	}
	slices.Sort(lat)
	span := last.Sub(first)
	t.Logf("%d messages XK→ME, receiver SIGKILLed after %d and restarted in %v: exactly once; %.0f msg/s over %v; latency p50 %v, p99 %v, max %v",
		n, killedAt, restarted.Round(time.Millisecond), float64(n)/span.Seconds(), span.Round(time.Millisecond),
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	t.Logf("queueing the %d messages through the API took %v (%.0f/s)", n, queuedIn.Round(time.Millisecond), float64(n)/queuedIn.Seconds())
	xk.verifyLog()
	me.verifyLog()
}

func saveProfile(u, file string) {
	res, err := http.Get(u)
	if err != nil {
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	os.WriteFile(file, b, 0o644)
}

func countIn(t *testing.T, data string) int {
	db := openRO(t, data)
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM exchange_messages WHERE direction = 'in'`).Scan(&n); err != nil {
		return 0 // the receiver is being restarted
	}
	return n
}

func readTimes(t *testing.T, data, q string) map[string]time.Time {
	t.Helper()
	db := openRO(t, data)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at store.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		out[id] = at.Time
	}
	return out
}

func openRO(t *testing.T, data string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	return db
}
