package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/jobs"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// openTwice opens one fresh, migrated store twice, as two nodes would: two
// connection pools on one database (for SQLite, one file).
func openTwice(t *testing.T, e store.Engine) (*store.DB, *store.DB) {
	t.Helper()
	ctx := context.Background()
	o := storetest.Options(t, e)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	if _, err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return dbs[0], dbs[1]
}

type span struct {
	node       string
	start, end time.Time
}

// TestTwoNodesNeverOverlap runs one job on two nodes sharing a store; each run
// takes more than three intervals. The lease, renewed while the job runs,
// keeps the second node out: no two runs overlap, and the job still runs
// again and again.
func TestTwoNodesNeverOverlap(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			db1, db2 := openTwice(t, e)
			var mu sync.Mutex
			var spans []span
			job := func(node string) jobs.Job {
				return jobs.Job{Name: "test.long", Every: 250 * time.Millisecond, Run: func(ctx context.Context, now time.Time) error {
					s := span{node: node, start: time.Now()}
					select {
					case <-time.After(800 * time.Millisecond):
					case <-ctx.Done():
					}
					s.end = time.Now()
					mu.Lock()
					spans = append(spans, s)
					mu.Unlock()
					return nil
				}}
			}
			ctx := context.Background()
			runs0 := metrics.JobRuns.Value("test.long")
			r1 := jobs.Node{DB: db1, Holder: "node-1"}.Start(ctx, job("node-1"))
			time.Sleep(20 * time.Millisecond)
			r2 := jobs.Node{DB: db2, Holder: "node-2"}.Start(ctx, job("node-2"))
			time.Sleep(3500 * time.Millisecond)
			r1.Stop()
			r2.Stop()
			mu.Lock()
			defer mu.Unlock()
			if len(spans) < 3 {
				t.Fatalf("the job ran %d times in 3.5 s, want at least 3", len(spans))
			}
			if got := metrics.JobRuns.Value("test.long") - runs0; got != uint64(len(spans)) {
				t.Errorf("ura_job_runs_total{job=test.long} grew by %d, want %d", got, len(spans))
			}
			for i, a := range spans {
				for _, b := range spans[i+1:] {
					if a.start.Before(b.end) && b.start.Before(a.end) {
						t.Errorf("runs overlap: %s %s–%s and %s %s–%s", a.node, a.start.Format("05.000"), a.end.Format("05.000"),
							b.node, b.start.Format("05.000"), b.end.Format("05.000"))
					}
				}
			}
		})
	}
}

// TestLeaseMovesWhenANodeStops: when the node holding the lease stops, the
// other takes the job over within an interval or two.
func TestLeaseMovesWhenANodeStops(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			db1, db2 := openTwice(t, e)
			ran := make(chan string, 100)
			job := func(node string) jobs.Job {
				return jobs.Job{Name: "test.move", Every: 100 * time.Millisecond, Run: func(ctx context.Context, now time.Time) error {
					ran <- node
					return nil
				}}
			}
			ctx := context.Background()
			r1 := jobs.Node{DB: db1, Holder: "node-1"}.Start(ctx, job("node-1"))
			if got := <-ran; got != "node-1" {
				t.Fatalf("first run on %s", got)
			}
			r2 := jobs.Node{DB: db2, Holder: "node-2"}.Start(ctx, job("node-2"))
			defer r2.Stop()
			r1.Stop()
			deadline := time.After(3 * time.Second)
			for {
				select {
				case n := <-ran:
					if n == "node-2" {
						return
					}
				case <-deadline:
					t.Fatal("node-2 did not take the job over after node-1 stopped")
				}
			}
		})
	}
}

// TestFailuresCounted: a failing job shows in ura_job_failures_total.
func TestFailuresCounted(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	before := metrics.JobFailures.Value("test.fail")
	done := make(chan struct{}, 10)
	r := jobs.Node{DB: db}.Start(context.Background(), jobs.Job{Name: "test.fail", Every: time.Hour,
		Run: func(ctx context.Context, now time.Time) error {
			defer func() { done <- struct{}{} }()
			return errors.New("relay down")
		}})
	<-done
	r.Stop()
	if got := metrics.JobFailures.Value("test.fail") - before; got != 1 {
		t.Errorf("failures counted %d, want 1", got)
	}
}
