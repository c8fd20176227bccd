package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/backup"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestBackupWhileWriting takes backups while a writer commits settings rows
// two per transaction: a backup that saw one point in time holds an even
// number of them, never a half-committed pair.
func TestBackupWhileWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kr := MustKeyring(t)
		MustFill(t, db, kr, 20)
		var stop atomic.Bool
		var written atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
					for _, s := range []string{"a", "b"} {
						if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, 'v')`, fmt.Sprintf("pair.%06d.%s", i, s)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				written.Add(2)
			}
		}()
		for round := range 4 {
			for written.Load() < int64(20*(round+1)) {
				time.Sleep(time.Millisecond)
			}
			var buf bytes.Buffer
			if _, err := backup.Write(ctx, db, kr, &buf); err != nil {
				t.Fatal(err)
			}
			dst := storetest.New(t, store.SQLite)
			if _, err := backup.Restore(ctx, dst, kr, bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatal(err)
			}
			var n int
			dst.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE name LIKE 'pair.%'`).Scan(&n)
			if n%2 != 0 || n == 0 {
				t.Fatalf("round %d: backup holds %d paired rows, want an even, non-zero count", round, n)
			}
		}
		stop.Store(true)
		wg.Wait()
	})
}

// BenchmarkWrite measures backup throughput on a store of 5,000 users and
// 5,000 audit events (about 1.3 MB of rows); MB/s is of the encrypted file.
func BenchmarkWrite(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.New(b, e)
			kr := MustKeyring(b)
			MustFill(b, db, kr, 5000)
			var st backup.Stats
			for b.Loop() {
				var buf bytes.Buffer
				var err error
				if st, err = backup.Write(context.Background(), db, kr, &buf); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(st.Bytes)
			b.ReportMetric(float64(st.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkRestore measures restore throughput of the same store.
func BenchmarkRestore(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			src := storetest.New(b, e)
			kr := MustKeyring(b)
			MustFill(b, src, kr, 5000)
			file, st := mustWrite(b, src, kr)
			b.SetBytes(st.Bytes)
			for b.Loop() {
				b.StopTimer()
				dst := storetest.New(b, e)
				b.StartTimer()
				if _, err := backup.Restore(context.Background(), dst, kr, bytes.NewReader(file)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
