// Package sqlitedriver measures the two SQLite drivers Ura could use, on
// Ura-like work with Ura's pragmas, in one run so ratios compare like with like
// on a noisy machine. It is its own module so neither driver's measurement
// dependencies enter Ura's.
package sqlitedriver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3" (cgo)
	_ "modernc.org/sqlite"          // registers "sqlite" (pure Go)
)

type driver struct {
	name string
	open func(path string, write bool) string // DSN with Ura's pragmas
	sql  string                               // database/sql driver name
}

// drivers open with the pragmas of internal/store: WAL, synchronous FULL,
// foreign keys, busy timeout, IMMEDIATE write transactions, query_only reads.
var drivers = []driver{
	{name: "modernc", sql: "sqlite", open: func(p string, write bool) string {
		dsn := "file:" + p + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
		if write {
			return dsn + "&_txlock=immediate"
		}
		return dsn + "&_pragma=query_only(1)"
	}},
	{name: "mattn", sql: "sqlite3", open: func(p string, write bool) string {
		dsn := "file:" + p + "?_journal_mode=WAL&_foreign_keys=1&_busy_timeout=10000&_synchronous=FULL"
		if write {
			return dsn + "&_txlock=immediate"
		}
		return dsn + "&_query_only=1"
	}},
}

const schema = `CREATE TABLE IF NOT EXISTS cases (
	id TEXT PRIMARY KEY, org_id TEXT NOT NULL, stage TEXT NOT NULL, sex TEXT NOT NULL,
	age_band TEXT NOT NULL, citizenship TEXT NOT NULL, municipality TEXT NOT NULL,
	opened_at TEXT NOT NULL, flags INTEGER NOT NULL, narrative_enc BLOB NOT NULL)`

type pools struct{ w, r *sql.DB }

func open(b *testing.B, d driver) pools {
	b.Helper()
	p := filepath.Join(b.TempDir(), "bench.db")
	w, err := sql.Open(d.sql, d.open(p, true))
	if err != nil {
		b.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(schema); err != nil {
		b.Fatal(err)
	}
	r, err := sql.Open(d.sql, d.open(p, false))
	if err != nil {
		b.Fatal(err)
	}
	r.SetMaxOpenConns(4)
	b.Cleanup(func() { r.Close(); w.Close() })
	return pools{w, r}
}

var blob = make([]byte, 512) // a sealed narrative's size

func insert(ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, i int64) error {
	_, err := ex.ExecContext(context.Background(), `INSERT INTO cases VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		fmt.Sprintf("case-%012d", i), "org-1", "identified", "F", "18-24", "XK", "Prishtinë",
		fmt.Sprintf("2026-01-%02dT09:00:00.000000Z", 1+i%28), i%4, blob)
	return err
}

func fill(b *testing.B, p pools, n int64) {
	b.Helper()
	tx, _ := p.w.Begin()
	for i := range n {
		if err := insert(tx, i); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkInsertCommit is one row per committed transaction (a form save):
// bound by the fsync of synchronous FULL more than by the driver.
func BenchmarkInsertCommit(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			p := open(b, d)
			var i int64
			for b.Loop() {
				tx, err := p.w.Begin()
				if err != nil {
					b.Fatal(err)
				}
				if err := insert(tx, i); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkInsertBatch1000 is 1,000 rows per transaction (imports, restore);
// one op is one row.
func BenchmarkInsertBatch1000(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			p := open(b, d)
			var i int64
			tx, _ := p.w.Begin()
			for b.Loop() {
				if err := insert(tx, i); err != nil {
					b.Fatal(err)
				}
				if i++; i%1000 == 0 {
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
					tx, _ = p.w.Begin()
				}
			}
			tx.Commit()
		})
	}
}

// BenchmarkPointRead reads one case by primary key (the case page).
func BenchmarkPointRead(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			p := open(b, d)
			fill(b, p, 10_000)
			var i int64
			for b.Loop() {
				var stage string
				var enc []byte
				if err := p.r.QueryRow(`SELECT stage, narrative_enc FROM cases WHERE id = $1`,
					fmt.Sprintf("case-%012d", i%10_000)).Scan(&stage, &enc); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
	}
}

// BenchmarkRangeScan100 reads 100 rows of 10 columns (a case list page); one
// op is one page.
func BenchmarkRangeScan100(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			p := open(b, d)
			fill(b, p, 10_000)
			var i int64
			for b.Loop() {
				rows, err := p.r.Query(`SELECT * FROM cases WHERE id >= $1 ORDER BY id LIMIT 100`, fmt.Sprintf("case-%012d", i%9_900))
				if err != nil {
					b.Fatal(err)
				}
				var v [10]any
				ptrs := make([]any, 10)
				for j := range v {
					ptrs[j] = &v[j]
				}
				n := 0
				for rows.Next() {
					if err := rows.Scan(ptrs...); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != 100 {
					b.Fatalf("got %d rows", n)
				}
				i += 331
			}
		})
	}
}

// BenchmarkReadsDuringWrites is point reads from 4 goroutines while a writer
// commits single rows without pause; one op is one read. It reports the
// writer's commits per second alongside.
func BenchmarkReadsDuringWrites(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			p := open(b, d)
			fill(b, p, 10_000)
			stop := make(chan struct{})
			var writes atomic.Int64
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int64(1_000_000); ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if insert(p.w, i) == nil {
						writes.Add(1)
					}
				}
			}()
			b.SetParallelism(2) // 2 × GOMAXPROCS readers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var i int64
				for pb.Next() {
					var stage string
					if err := p.r.QueryRow(`SELECT stage FROM cases WHERE id = $1`, fmt.Sprintf("case-%012d", i%10_000)).Scan(&stage); err != nil {
						b.Error(err)
						return
					}
					i += 7919
				}
			})
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(writes.Load())/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
