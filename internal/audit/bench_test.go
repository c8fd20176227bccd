package audit_test

import (
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// BenchmarkAppend measures sustained appends (target: 5,000 events/s on
// SQLite with durable commits). OneEventPerTx pays one WAL fsync per event;
// AppendNowParallel shows group commit with 64 concurrent readers;
// FourPerBusinessTx appends inside transactions that carry a few events.
// Figures and their meaning: docs/audit.md.
func BenchmarkAppend(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine)+"/OneEventPerTx", func(b *testing.B) {
			db := storetest.New(b, engine)
			i := 0
			for b.Loop() {
				e := sampleEvent(i)
				if err := db.InTx(ctxBg, e.At, func(tx *store.Tx) error {
					_, err := audit.Append(ctxBg, tx, e)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportRate(b, b.N)
		})
		b.Run(string(engine)+"/AppendNowSerial", func(b *testing.B) {
			db := storetest.New(b, engine)
			i := 0
			for b.Loop() {
				if _, err := audit.AppendNow(ctxBg, db, t0, sampleEvent(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportRate(b, b.N)
		})
		b.Run(string(engine)+"/AppendNowParallel64", func(b *testing.B) {
			db := storetest.New(b, engine)
			b.SetParallelism(32) // × GOMAXPROCS goroutines
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := audit.AppendNow(ctxBg, db, t0, sampleEvent(i)); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			reportRate(b, b.N)
		})
		b.Run(string(engine)+"/FourPerBusinessTx", func(b *testing.B) {
			db := storetest.New(b, engine)
			i := 0
			for b.Loop() {
				if err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
					for range 4 {
						if _, err := audit.Append(ctxBg, tx, sampleEvent(i)); err != nil {
							return err
						}
						i++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, 4*b.N)
		})
	}
}

// BenchmarkVerify100k verifies a chain of 100,000 events with 100 checkpoints.
func BenchmarkVerify100k(b *testing.B) {
	const n, per = 100_000, 1000
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.New(b, engine)
			for k := 0; k < n; k += per {
				if err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
					for i := k; i < k+per; i++ {
						if _, err := audit.Append(ctxBg, tx, sampleEvent(i)); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				if _, err := audit.Checkpoint(ctxBg, db, t0.Add(time.Hour), "k1", keyA); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				rep := mustVerify(b, db)
				if rep.Problem != nil || rep.Events != n || rep.Checkpoints != n/per {
					b.Fatalf("Verify = %+v", rep)
				}
			}
			reportRate(b, n*b.N)
		})
	}
}

func reportRate(b *testing.B, events int) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
